// Parses progress-stream events with the shared contract schemas. Loaded lazily with the
// tracker's first stream, so zod stays out of the dashboard's first chunk.
import {
  StreamEventSchemas,
  type CommandOutputEvent,
  type DeploymentCompleteEvent,
  type DeploymentStepEvent,
  type PullProgressEvent,
} from '../../../contracts/stream.js';

export type StreamEvent =
  | { type: 'deployment-subscribed'; data: { deploymentId: string; message: string } }
  | { type: 'deployment-step'; data: DeploymentStepEvent }
  | { type: 'pull-progress'; data: PullProgressEvent }
  | { type: 'command-output'; data: CommandOutputEvent }
  | { type: 'deployment-complete'; data: DeploymentCompleteEvent };

export const DEPLOYMENT_EVENT_NAMES = [
  'deployment-subscribed',
  'deployment-step',
  'pull-progress',
  'command-output',
  'deployment-complete',
] as const;

/** Returns null (and warns) for anything that does not match its schema: the UI never trusts a malformed event. */
export function parseStreamEvent(type: (typeof DEPLOYMENT_EVENT_NAMES)[number], raw: string): StreamEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    console.warn(`Ignoring a ${type} event that is not JSON`, raw);
    return null;
  }
  const result = StreamEventSchemas[type].safeParse(json);
  if (!result.success) {
    console.warn(`Ignoring a malformed ${type} event`, result.error.issues, json);
    return null;
  }
  return { type, data: result.data } as StreamEvent;
}
