import { z } from 'zod';

export const TroubleshootingSchema = z.object({ problem: z.string(), fix: z.string() });

export const HealthSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'error']),
  version: z.string(),
  uptime: z.number().describe('Seconds since the server started'),
  timestamp: z.string(),
  docker: z.object({
    status: z.enum(['connected', 'unavailable']),
    version: z.string().nullable(),
    apiVersion: z.string().nullable(),
    compose: z.object({ available: z.boolean(), version: z.string().nullable() }),
    message: z.string().optional(),
  }),
  database: z.object({ status: z.enum(['ok', 'error']) }),
  catalog: z.object({ apps: z.number(), invalid: z.number() }),
  auth: z.object({ enabled: z.boolean() }),
  troubleshooting: z.array(TroubleshootingSchema),
  platform: z.object({ node: z.string(), os: z.string(), arch: z.string(), kernel: z.string().nullable(), pid: z.number() }).optional(),
  environment: z.object({ errors: z.array(z.string()), warnings: z.array(z.string()) }).optional(),
  cors: z.object({ origins: z.array(z.string()) }).optional(),
  paths: z.object({ dataDir: z.string(), appFolder: z.string(), catalog: z.array(z.string()) }).optional(),
  catalogErrors: z.array(z.object({ file: z.string(), error: z.string() })).optional(),
});
export type Health = z.infer<typeof HealthSchema>;
