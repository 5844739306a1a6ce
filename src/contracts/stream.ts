// The progress stream (GET /stream/progress): event names and the JSON each event's data carries.
// The dashboard parses every event with these schemas and ignores what does not parse.
import { z } from 'zod';
import { DeployModeTypeSchema, DeployStepSchema, DeployedContainerSchema, DeploymentIdSchema } from './deployments.js';

const timestamp = z.string().describe('ISO 8601 time the event was created');

export const ConnectedEventSchema = z.object({
  clientId: z.string().describe('Pass to POST /stream/deployments/:id/subscribe, and as ?clientId= when reconnecting'),
  message: z.string(),
  resumed: z.boolean().describe('Whether this connection resumed an earlier one (?clientId= and Last-Event-ID)'),
  timestamp,
});

export const DeploymentSubscribedEventSchema = z.object({
  deploymentId: z.string(),
  message: z.string(),
  timestamp,
});

export const StepStatusSchema = z.enum(['started', 'completed', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

export const DeploymentStepEventSchema = z.object({
  deploymentId: z.string(),
  step: DeployStepSchema,
  status: StepStatusSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  progress: z.number().int().min(0).max(100).describe("The deployment's overall progress after this step change"),
  timestamp,
});
export type DeploymentStepEvent = z.infer<typeof DeploymentStepEventSchema>;

export const LayerProgressSchema = z.object({
  status: z.string().describe("Docker's layer status: Waiting, Downloading, Extracting, Pull complete, Already exists, …"),
  current: z.number(),
  total: z.number(),
});

export const PullProgressEventSchema = z.object({
  deploymentId: z.string(),
  image: z.string(),
  percent: z.number().min(0).max(100),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  layers: z.record(z.string(), LayerProgressSchema),
  status: z.enum(['pulling', 'complete', 'present']).describe('present: the image was already there and was not pulled'),
  timestamp,
});
export type PullProgressEvent = z.infer<typeof PullProgressEventSchema>;

export const CommandOutputEventSchema = z.object({
  deploymentId: z.string(),
  command: z.string(),
  output: z.string(),
  type: z.enum(['stdout', 'stderr']),
  raw: z.literal(true),
  timestamp,
});
export type CommandOutputEvent = z.infer<typeof CommandOutputEventSchema>;

export const DeploymentCompleteEventSchema = z.object({
  deploymentId: z.string(),
  success: z.boolean(),
  status: z.enum(['completed', 'failed', 'cancelled', 'interrupted']),
  summary: z.object({
    appId: z.string(),
    deploymentMode: DeployModeTypeSchema,
    completedAt: z.string(),
    urls: z.array(z.string()),
    containers: z.array(DeployedContainerSchema),
    error: z.string().nullable(),
  }),
  completedAt: z.string(),
  timestamp,
});
export type DeploymentCompleteEvent = z.infer<typeof DeploymentCompleteEventSchema>;

/** Each event name with the schema of its data. There is deliberately no event named "error". */
export const StreamEventSchemas = {
  connected: ConnectedEventSchema,
  'deployment-subscribed': DeploymentSubscribedEventSchema,
  'deployment-step': DeploymentStepEventSchema,
  'pull-progress': PullProgressEventSchema,
  'command-output': CommandOutputEventSchema,
  'deployment-complete': DeploymentCompleteEventSchema,
} as const;
export type StreamEventName = keyof typeof StreamEventSchemas;

/** The events stored per deployment and replayed on subscribe. */
export type DeploymentEventName = 'deployment-step' | 'pull-progress' | 'command-output' | 'deployment-complete';
export type DeploymentEventData = {
  'deployment-step': DeploymentStepEvent;
  'pull-progress': PullProgressEvent;
  'command-output': CommandOutputEvent;
  'deployment-complete': DeploymentCompleteEvent;
};

export const StreamQuerySchema = z.object({
  deploymentId: DeploymentIdSchema.optional().describe('Subscribe to this deployment at connect (needs a token when auth is on)'),
  clientId: z.string().max(64).optional().describe('Resume this earlier connection (with the Last-Event-ID header) within 5 minutes'),
  access_token: z.string().max(4096).optional().describe('A token, for EventSource which cannot send headers'),
  lastEventId: z.string().max(32).optional().describe('Same as the Last-Event-ID header, for clients that cannot send it'),
});

export const SubscribeParamsSchema = z.object({ deploymentId: DeploymentIdSchema });
export const SubscribeRequestSchema = z.object({ clientId: z.string().min(1).max(64) });
export const SubscribeResponseSchema = z.object({ success: z.literal(true), deploymentId: z.string(), clientId: z.string() });

/** GET /stream/progress answers text/event-stream, not JSON: described here for the API docs. */
export const ProgressStreamSchema = z
  .string()
  .describe('text/event-stream: `retry: 3000`, then `connected`, then the events of subscribed deployments; `: ping` every 15 s')
  .meta({
    examples: [
      'retry: 3000\n\nid: 1\nevent: connected\ndata: {"clientId":"550e8400-e29b-41d4-a716-446655440000","message":"Connected to deployment progress stream","timestamp":"2025-01-15T10:30:00.000Z"}\n\n',
    ],
  });
