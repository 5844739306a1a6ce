// The built dashboard's files, listed once at start. Requests are answered from this list only, so
// no path taken from a request ever reaches the file system: nothing outside the list can be read,
// whatever the URL holds (dot-dot segments, encoded slashes, NUL bytes).
import { createReadStream, readdirSync, statSync, type ReadStream } from 'node:fs';
import path from 'node:path';

/** A file with the headers that describe it, worked out once at start. */
export type StaticFile = { file: string; size: number; contentType: string; etag: string; lastModified: string };

// What Vite emits for the dashboard, plus the usual companions; anything else is sent as bytes.
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Every regular file under root, by its URL path ("/assets/index-abc.js"). */
export function listStaticFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const relative of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(root, relative);
    const stats = statSync(file);
    if (!stats.isFile()) continue;
    const urlPath = `/${relative.split(path.sep).join('/')}`;
    files.set(urlPath, {
      file,
      size: stats.size,
      contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      etag: `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
      lastModified: stats.mtime.toUTCString(),
    });
  }
  return files;
}

export function openStaticFile(file: StaticFile): ReadStream {
  return createReadStream(file.file);
}
