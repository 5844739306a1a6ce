// The dashboard's files as the server serves them (under /_ui, where the dashboard port's requests
// are rewritten): the built files, client-side routes answered with index.html, cache headers,
// conditional requests, and nothing outside the build folder whatever the URL says.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let testApp: TestApp;
let webRoot: string;

beforeAll(async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'hlr-web-'));
  webRoot = path.join(scratch, 'web');
  mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(path.join(webRoot, 'assets', 'index-abc123.js'), 'console.log("app");');
  writeFileSync(path.join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  // Beside the build folder: never to be served.
  writeFileSync(path.join(scratch, 'secret.txt'), 'not for the web');
  testApp = await createTestApp({ config: { webRoot } });
});

afterAll(async () => {
  await testApp?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => testApp.app.inject({ method: 'GET', url, headers });

describe('the dashboard files', () => {
  it('serves the index at the root and for client-side routes, never cached', async () => {
    for (const url of ['/_ui', '/_ui/', '/_ui/containers', '/_ui/deploy/mediaserver-plex']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe('<!doctype html><title>dashboard</title>');
    }
  });

  it('serves fingerprinted assets as immutable, with their type and length', async () => {
    const response = await get('/_ui/assets/index-abc123.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-length']).toBe(String('console.log("app");'.length));
    expect(response.body).toBe('console.log("app");');
    expect((await get('/_ui/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 304 to a matching If-None-Match, and HEAD with the headers only', async () => {
    const first = await get('/_ui/assets/index-abc123.js');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await get('/_ui/assets/index-abc123.js', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const head = await testApp.app.inject({ method: 'HEAD', url: '/_ui/assets/index-abc123.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body).toBe('');
  });

  it('answers 404 with the error body for a missing file, and never reads outside the build folder', async () => {
    for (const url of [
      '/_ui/nope.js',
      '/_ui/../secret.txt',
      '/_ui/%2e%2e/secret.txt',
      '/_ui/..%2fsecret.txt',
      '/_ui/assets/..%2f..%2fsecret.txt',
      '/_ui/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/_ui/secret.txt%00.js',
    ]) {
      const response = await get(url);
      expect(response.body, url).not.toContain('not for the web');
      if (response.statusCode === 404) {
        // "File not found" from the dashboard, or "Route not found" where dot segments left /_ui.
        expect(response.json(), url).toMatchObject({
          error: expect.stringMatching(/^(File|Route) not found$/),
          code: expect.stringMatching(/NOT_FOUND$/),
        });
      } else {
        // Extension-less paths are client-side routes: the index, nothing else.
        expect(response.body, url).toBe('<!doctype html><title>dashboard</title>');
      }
    }
    const posted = await testApp.app.inject({ method: 'POST', url: '/_ui/assets/index-abc123.js' });
    expect(posted.statusCode).toBe(404);
    expect(posted.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
