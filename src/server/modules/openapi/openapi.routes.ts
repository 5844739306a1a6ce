import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DocsPageSchema, OpenApiDocumentSchema } from '../../../contracts/operations.js';
import { renderDocsPage } from './docs-page.js';
import type { OpenApiDocument } from './openapi-document.js';

/** GET /openapi.json and GET /docs. Both are open: the document describes routes, never data. */
export const openApiRoutes = (): FastifyPluginAsyncZod =>
  async function openApi(app) {
    const tags = ['operations'];
    // The route table is fixed once the server is ready, so both renderings are made once.
    let rendered: { json: string; html: string } | null = null;
    const render = (): { json: string; html: string } => {
      if (!rendered) {
        const document = app.swagger() as unknown as OpenApiDocument;
        rendered = { json: JSON.stringify(document), html: renderDocsPage(document) };
      }
      return rendered;
    };

    app.get(
      '/openapi.json',
      { schema: { tags, summary: 'This API as an OpenAPI 3.1 document', response: { 200: OpenApiDocumentSchema } } },
      // Sent as the JSON text made once: a string payload with a JSON content type skips serialization.
      async (_request, reply) => reply.type('application/json; charset=utf-8').send(render().json as never),
    );

    app.get(
      '/docs',
      {
        schema: {
          tags,
          summary: 'API documentation: every route with its schemas and examples (HTML)',
          produces: ['text/html'],
          response: { 200: DocsPageSchema },
        },
      },
      async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(render().html),
    );
  };
