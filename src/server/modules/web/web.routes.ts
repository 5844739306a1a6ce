// Serves the built dashboard on the dashboard port (reached through the /_ui rewrite in app.ts).
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { AppError, sendError } from '../../errors.js';

export const WEB_PREFIX = '/_ui';

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>HomelabARR CE</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>HomelabARR CE</h1><p>The dashboard has not been built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it),
then reload. The API is available under <a href="/api/health">/api</a>.</p></body></html>`;

export const webRoutes = (webRoot: string, isBuilt: boolean): FastifyPluginAsync =>
  async function web(app) {
    if (!isBuilt) {
      app.get('/*', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
      return;
    }
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: ['index.html'],
      cacheControl: false,
      setHeaders(res, filePath) {
        // Vite fingerprints assets, so they can be cached forever; index.html must always be fresh.
        res.setHeader('cache-control', filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // Client-side routes (/containers, /deploy/…) are the dashboard's own pages: answer them with index.html.
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const looksLikePage = (request.method === 'GET' || request.method === 'HEAD') && !/\.[a-z0-9]+$/i.test(path);
      if (looksLikePage) return reply.header('cache-control', 'no-cache').sendFile('index.html');
      return sendError(reply, new AppError('NOT_FOUND', 'File not found', `${path.replace(WEB_PREFIX, '') || '/'} is not part of the dashboard`));
    });
  };
