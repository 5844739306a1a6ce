import { z } from 'zod';
import { ContainerIdSchema } from './common.js';

/** Query flags arrive as strings; only true/false (and 1/0) are accepted. */
const queryFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

export const ContainerParamsSchema = z.object({ id: ContainerIdSchema.describe('Container id (full or short) or name') });
export type ContainerParams = z.infer<typeof ContainerParamsSchema>;

export const ContainerListQuerySchema = z.object({
  stats: queryFlag.optional().describe('Add live stats to every running container'),
});

export const ContainerPortSchema = z.object({
  privatePort: z.number().int(),
  publicPort: z.number().int().nullable().describe('Host port; null when the port is only exposed'),
  type: z.string().describe('tcp, udp or sctp'),
  ip: z.string().nullable().describe('Host address the port is published on (0.0.0.0, ::, …)'),
});
export type ContainerPortInfo = z.infer<typeof ContainerPortSchema>;

export const ContainerAppSchema = z.object({
  appId: z.string().describe('Catalog id of the HomelabARR app the container belongs to'),
  project: z.string().describe('Compose project name'),
  service: z.string().nullable().describe('Compose service name'),
});
export type ContainerApp = z.infer<typeof ContainerAppSchema>;

export const ContainerStatsSchema = z.object({
  cpu: z.number().describe('CPU use in percent of the whole host (0–100), over the last sampling interval'),
  memory: z.object({
    usage: z.number().describe('Bytes, without reclaimable page cache'),
    limit: z.number().describe('Bytes (the host memory when the container has no limit)'),
    percentage: z.number().describe('usage / limit, 0–100'),
  }),
  network: z
    .record(z.string(), z.object({ rx_bytes: z.number().describe('Bytes received'), tx_bytes: z.number().describe('Bytes sent') }))
    .describe(
      'By interface, as Docker and the original product name them: {"eth0": {rx_bytes, tx_bytes}}. Empty for a container without a network of its own (network_mode host or none)',
    ),
  networkTotal: z
    .object({ rx: z.number().describe('Bytes received'), tx: z.number().describe('Bytes sent') })
    .describe('The sum over every interface'),
  blockIO: z.object({ read: z.number(), write: z.number() }).describe('Bytes; zero where the cgroup reports none'),
  pids: z.number().int(),
  uptime: z.number().describe('Seconds since the container started'),
  onlineCpus: z.number().int().describe('CPUs the host offers; cpu × onlineCpus is the `docker stats` figure'),
  sampledAt: z.string().describe('When Docker read these counters (RFC 3339)'),
});
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

export const ContainerSchema = z.object({
  Id: z.string(),
  Names: z.array(z.string()),
  Image: z.string(),
  ImageID: z.string(),
  Command: z.string(),
  State: z.string(),
  Status: z.string(),
  Ports: z.string().describe('Ports as `docker ps` prints them, e.g. "0.0.0.0:32400->32400/tcp"'),
  Created: z.number().int().describe('Unix seconds'),
  Labels: z.record(z.string(), z.string()),
  ports: z.array(ContainerPortSchema),
  app: ContainerAppSchema.nullable().describe('The HomelabARR deployment this container belongs to, if any'),
  stats: ContainerStatsSchema.nullable()
    .optional()
    .describe('With ?stats=true: live stats; null for containers that are not running or not sampled yet'),
});
export type Container = z.infer<typeof ContainerSchema>;

export const ContainerListSchema = z.object({
  success: z.literal(true),
  containers: z.array(ContainerSchema),
  docker: z.object({ status: z.literal('connected'), message: z.string() }),
});
export type ContainerList = z.infer<typeof ContainerListSchema>;

export const ContainerStatsResponseSchema = z.object({
  success: z.literal(true),
  containerId: z.string(),
  stats: ContainerStatsSchema.nullable().describe('null when the container is not running'),
});

// Docker accepts Unix seconds (with a fraction) or RFC 3339; a duration such as 10m means "that long ago".
const sincePattern = /^(\d{1,12}(\.\d{1,9})?|\d{1,6}[smhd]|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))$/;

export const ContainerLogsQuerySchema = z.object({
  tail: z.coerce.number().int().min(0).max(10_000).default(100).describe('Last N lines (0–10000)'),
  timestamps: queryFlag.default(false).describe('Prefix each line of `logs` with its timestamp'),
  since: z
    .string()
    .regex(sincePattern, 'must be Unix seconds, an RFC 3339 time or a duration such as 10m, 2h, 1d')
    .optional()
    .describe('Only lines after this time'),
});
export type ContainerLogsQuery = z.infer<typeof ContainerLogsQuerySchema>;

export const ContainerLogLineSchema = z.object({
  timestamp: z.string().nullable(),
  stream: z.enum(['stdout', 'stderr']).describe('TTY containers have one stream, reported as stdout'),
  message: z.string(),
});

export const ContainerLogsSchema = z.object({
  success: z.literal(true),
  containerId: z.string(),
  tty: z.boolean().describe('Whether the container has a terminal (stdout and stderr are then merged)'),
  logs: z.string().describe('The lines joined by newlines'),
  lines: z.array(ContainerLogLineSchema),
});
export type ContainerLogs = z.infer<typeof ContainerLogsSchema>;

export const ContainerStopQuerySchema = z.object({
  timeout: z.coerce.number().int().min(0).max(600).optional().describe('Seconds to wait before killing (default 10)'),
});

export const ContainerRemoveQuerySchema = z.object({
  force: queryFlag.default(false).describe('Remove a running container (it is killed)'),
  removeVolumes: queryFlag.default(false).describe("Also remove the container's anonymous volumes"),
});

export const ContainerActionSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  containerId: z.string(),
  changed: z.boolean().optional().describe('false when the container already was in the asked state'),
});
export type ContainerAction = z.infer<typeof ContainerActionSchema>;
