// The step trail of a deploy ("validate:started", "validate:completed", …) as tests read it from
// stored events or from a progress stream, and the trail a deploy that passes every step leaves.
import type { DeployStep } from '../../src/contracts/deployments.js';
import type { SseEvent } from './sse-client.js';

/** Every step, started then completed, with the pull skipped (test images are built locally, so present). */
export const FULL_TRAIL_WITH_LOCAL_IMAGES: readonly string[] = [
  'validate:started',
  'validate:completed',
  'preflight:started',
  'preflight:completed',
  'render:started',
  'render:completed',
  'pull:started',
  'pull:skipped',
  'deploy:started',
  'deploy:completed',
  'verify:started',
  'verify:completed',
];

/** The full trail cut right after `step` started: where a deploy held at that step stands. */
export function trailUntilStarted(step: DeployStep): string[] {
  return FULL_TRAIL_WITH_LOCAL_IMAGES.slice(0, FULL_TRAIL_WITH_LOCAL_IMAGES.indexOf(`${step}:started`) + 1);
}

/** The trail of events as GET /deployments/:id/events answers them. */
export function storedTrail(list: readonly { event: string; data: Record<string, unknown> }[]): string[] {
  return list.filter((item) => item.event === 'deployment-step').map((item) => `${String(item.data.step)}:${String(item.data.status)}`);
}

/** The trail of events a progress stream client received. */
export function streamedTrail(events: readonly SseEvent[]): string[] {
  return events
    .filter((event) => event.event === 'deployment-step')
    .map((event) => `${String(event.json.step)}:${String(event.json.status)}`);
}
