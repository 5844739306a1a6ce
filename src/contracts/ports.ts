import { z } from 'zod';

export const PortUseSchema = z.object({
  port: z.number().int(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  source: z.enum(['docker', 'host']).describe('docker: published by a container; host: a listening socket on the host'),
  container: z.string().nullable().describe('Name of the container publishing the port'),
  appId: z.string().nullable().describe('HomelabARR app the container belongs to'),
  address: z.string().nullable().describe('Address the port is bound to'),
});
export type PortUse = z.infer<typeof PortUseSchema>;

export const PortCheckSchema = z.object({
  success: z.literal(true),
  usedPorts: z.array(z.number().int()).describe('Every used port number, sorted, without duplicates'),
  source: z.string().describe('Where the figures come from'),
  details: z.array(PortUseSchema),
});
export type PortCheck = z.infer<typeof PortCheckSchema>;

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

export const PortAvailableQuerySchema = z
  .object({
    start: port.default(8000).describe('First port to try'),
    end: port.default(9000).describe('Last port to try'),
  })
  .refine((query) => query.start <= query.end, { message: 'start must not be greater than end', path: ['start'] });
export type PortAvailableQuery = z.infer<typeof PortAvailableQuerySchema>;

export const PortAvailableSchema = z.object({ success: z.literal(true), availablePort: z.number().int() });
