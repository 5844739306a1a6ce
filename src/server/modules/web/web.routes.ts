// Serves the built dashboard on the dashboard port (reached through the /_ui rewrite in app.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, sendError } from '../../errors.js';
import { listStaticFiles, openStaticFile, type StaticFile } from '../../infra/static-files.js';

export const WEB_PREFIX = '/_ui';

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>HomelabARR CE</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>HomelabARR CE</h1><p>The dashboard has not been built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it),
then reload. The API is available under <a href="/api/health">/api</a>.</p></body></html>`;

const notPartOfDashboard = (urlPath: string): AppError =>
  new AppError('NOT_FOUND', 'File not found', `${urlPath} is not part of the dashboard`);

export const webRoutes = (webRoot: string, isBuilt: boolean): FastifyPluginAsync =>
  async function web(app) {
    if (!isBuilt) {
      app.get('/*', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
      return;
    }
    // A handful of prebuilt files: a list and a small handler instead of @fastify/static, which
    // cost ~2 MB of resident memory at idle for features the dashboard does not use.
    const files = listStaticFiles(webRoot);
    const index = files.get('/index.html');
    if (!index) throw new Error(`${webRoot} has no index.html: rebuild the dashboard with npm run build`);

    const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string): FastifyReply => {
      reply.header('cache-control', cacheControl).header('etag', file.etag).header('last-modified', file.lastModified);
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      reply.type(file.contentType).header('content-length', file.size);
      // Fastify answers HEAD from the GET route: it keeps these headers and drains the stream.
      return reply.send(openStaticFile(file));
    };

    const serve = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
      const urlPath = `/${(request.params as { '*'?: string })['*'] ?? ''}`;
      const file = files.get(urlPath === '/' ? '/index.html' : urlPath);
      // Vite fingerprints assets, so they can be cached forever; index.html must always be fresh.
      if (file) return send(request, reply, file, urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      // Client-side routes (/containers, /deploy/…) are the dashboard's own pages: answer them with index.html.
      if (!/\.[a-z0-9]+$/i.test(urlPath)) return send(request, reply, index, 'no-cache');
      return sendError(reply, notPartOfDashboard(urlPath));
    };
    // The dashboard's root arrives as the bare prefix, which '/*' does not match.
    app.get('/', serve);
    app.get('/*', serve);
    app.setNotFoundHandler((request, reply) => {
      const urlPath = (request.url.split('?')[0] ?? '').replace(WEB_PREFIX, '') || '/';
      return sendError(reply, notPartOfDashboard(urlPath));
    });
  };
