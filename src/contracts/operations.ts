// Operability endpoints: the OpenAPI document, its HTML rendering, and Prometheus metrics.
import { z } from 'zod';

export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string().describe('Always 3.1.x'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()).describe('Every route of the API, with parameters, bodies, responses and examples'),
  })
  .describe('This API as an OpenAPI 3.1 document, generated from the same schemas that validate requests')
  .meta({
    examples: [
      { openapi: '3.1.0', info: { title: 'HomelabARR CE API', version: '0.1.0' }, paths: { '/health': { get: { summary: 'Health' } } } },
    ],
  });

export const DocsPageSchema = z
  .string()
  .describe('A self-contained HTML page: every route with its auth, parameters, schemas and examples')
  .meta({ examples: ['<!doctype html><html lang="en">…</html>'] });

export const MetricsTextSchema = z
  .string()
  .describe('Prometheus text exposition format 0.0.4')
  .meta({
    examples: [
      [
        '# HELP homelabarr_http_requests_total HTTP requests answered, by route pattern and status',
        '# TYPE homelabarr_http_requests_total counter',
        'homelabarr_http_requests_total{method="GET",route="/applications",status="200"} 1027',
        '# HELP homelabarr_docker_up 1 when the Docker daemon answers, 0 when it does not (catalog-only mode)',
        '# TYPE homelabarr_docker_up gauge',
        'homelabarr_docker_up 1',
        '',
      ].join('\n'),
    ],
  });
