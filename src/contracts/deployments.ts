import { z } from 'zod';

export const DeployModeTypeSchema = z.enum(['standard', 'traefik', 'authelia']);
export type DeployModeType = z.infer<typeof DeployModeTypeSchema>;

export const DEPLOYMENT_MODES: { type: DeployModeType; name: string; description: string }[] = [
  { type: 'standard', name: 'Standard', description: 'Basic Docker deployment without reverse proxy' },
  { type: 'traefik', name: 'Traefik', description: 'Deployment with Traefik reverse proxy and SSL' },
  { type: 'authelia', name: 'Traefik + Authelia', description: 'Full production deployment with authentication' },
];

export const DeploymentModesResponseSchema = z.object({
  success: z.literal(true),
  modes: z.array(z.object({ type: DeployModeTypeSchema, name: z.string(), description: z.string() })),
  cliAvailable: z.boolean().describe('Whether a docker compose CLI was found'),
});

/** Deployment ids are UUIDs (v4), as in the seed's example. */
export const DeploymentIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a deployment id (a UUID)');

/** App ids as the catalog spells them; the lookup decides whether one exists. */
export const AppIdSchema = z
  .string()
  // abort: an id that fails the pattern is not checked again for '..', so the message appears once.
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, { message: 'must be an app id such as mediaserver-plex', abort: true })
  .refine((value) => !value.includes('..'), 'must be an app id such as mediaserver-plex');

export const DeployStepSchema = z.enum(['validate', 'preflight', 'render', 'pull', 'deploy', 'verify']);
export type DeployStep = z.infer<typeof DeployStepSchema>;

export const DeploymentStatusSchema = z.enum(['queued', 'in-progress', 'completed', 'failed', 'interrupted', 'cancelled']);
export type DeploymentStatus = z.infer<typeof DeploymentStatusSchema>;

const ConfigValueSchema = z.union([z.string().max(4096), z.number(), z.boolean()]);

export const DeployRequestSchema = z.object({
  appId: z.string().min(1).max(128).describe('The catalog id, e.g. mediaserver-plex'),
  config: z
    .record(z.string().max(128), ConfigValueSchema)
    .default({})
    .describe(
      'Values of the variables the template declares and the global ones (TZ, ID, APPFOLDER, …), in any letter case; also port_<containerPort> (the host port for that container port) and containerName (the main container’s name), as the original product’s form sends them',
    ),
  mode: z
    .object({
      type: z
        .enum(['standard', 'traefik', 'authelia', 'local'])
        .transform((value): DeployModeType => (value === 'local' ? 'standard' : value))
        .describe('"local" is accepted as an alias of standard'),
      publishPorts: z
        .boolean()
        .default(false)
        .describe('Traefik modes: also publish the web port on the host (Traefik serves it either way)'),
    })
    .default({ type: 'standard', publishPorts: false }),
});
export type DeployRequest = z.infer<typeof DeployRequestSchema>;

export const DeployAcceptedSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  deploymentId: z.string(),
  source: z.literal('cli-streaming'),
  appId: z.string(),
  streamEndpoint: z.literal('/stream/progress'),
  statusEndpoint: z.string(),
});
export type DeployAccepted = z.infer<typeof DeployAcceptedSchema>;

export const PublishedPortSchema = z.object({
  service: z.string(),
  containerPort: z.number(),
  hostPort: z.number().nullable().describe('null when the port is not published on the host'),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
});
export type PublishedPort = z.infer<typeof PublishedPortSchema>;

export const DeployedContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string(),
  image: z.string(),
  state: z.string().describe('Docker state: running, exited, restarting, …'),
  health: z.enum(['healthy', 'unhealthy', 'starting']).nullable().describe('null when the container has no healthcheck'),
});
export type DeployedContainer = z.infer<typeof DeployedContainerSchema>;

export const DeploymentResultSchema = z.object({
  urls: z.array(z.string()),
  ports: z.array(PublishedPortSchema),
  containers: z.array(DeployedContainerSchema),
});
export type DeploymentResult = z.infer<typeof DeploymentResultSchema>;

export const DeploymentSchema = z.object({
  id: z.string(),
  appId: z.string(),
  mode: DeployModeTypeSchema,
  status: DeploymentStatusSchema,
  step: DeployStepSchema.nullable().describe('The step running now, or the last one reached'),
  progress: z.number().int().min(0).max(100),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable().describe('Why the deployment failed, was cancelled or interrupted'),
  result: DeploymentResultSchema.nullable().describe('Set once completed (and after an interrupted deploy whose containers run)'),
  project: z.string().describe('The compose project name'),
  isRedeploy: z.boolean().describe('Whether the app was already deployed (updated in place)'),
  requestedBy: z.string().nullable(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const DeploymentParamsSchema = z.object({ deploymentId: DeploymentIdSchema });

export const DeploymentStatusResponseSchema = z.object({ success: z.literal(true), deployment: DeploymentSchema });

export const ActiveDeploymentsResponseSchema = z.object({ success: z.literal(true), deployments: z.array(DeploymentSchema) });

export const DeploymentListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  appId: AppIdSchema.optional(),
  status: DeploymentStatusSchema.optional(),
});

export const DeploymentListResponseSchema = z.object({
  success: z.literal(true),
  deployments: z.array(DeploymentSchema).describe('Newest first'),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const CancelDeploymentResponseSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  deployment: DeploymentSchema,
});

export const DeploymentEventsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('Only events stored after this event id'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const StoredDeploymentEventSchema = z.object({
  id: z.number().int().describe('Position in the event store; increases with every stored event'),
  event: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const DeploymentEventsResponseSchema = z.object({
  success: z.literal(true),
  deploymentId: z.string(),
  events: z.array(StoredDeploymentEventSchema),
});

// The lifecycle routes of a deployed app (GET /applications is the catalog's).

export const AppParamsSchema = z.object({ appId: AppIdSchema });

export const StopAppResponseSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  appId: z.string(),
  containers: z.array(DeployedContainerSchema).describe("The app's containers after the stop"),
});

export const RemoveAppQuerySchema = z.object({
  removeVolumes: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
});

export const RemoveAppResponseSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  appId: z.string(),
  removedVolumes: z.boolean().describe("Whether the project's named volumes were removed (data under APPFOLDER never is)"),
});

export const AppLogsQuerySchema = z.object({
  lines: z.coerce.number().int().min(1).max(10_000).default(100),
});

export const AppLogEntrySchema = z.object({
  service: z.string(),
  container: z.string(),
  timestamp: z.string().nullable(),
  stream: z.enum(['stdout', 'stderr']),
  message: z.string(),
});
export type AppLogEntry = z.infer<typeof AppLogEntrySchema>;

export const AppLogsResponseSchema = z.object({
  success: z.literal(true),
  appId: z.string(),
  logs: z.string().describe('Every entry as "<service> | <message>", oldest first'),
  entries: z.array(AppLogEntrySchema),
});
