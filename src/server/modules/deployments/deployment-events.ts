// Deployment events are rows first, broadcasts second: append() stores the event and only then
// hands it to listeners (the progress stream), so a subscriber can always replay what it missed.
import type { DeploymentEventData, DeploymentEventName } from '../../../contracts/stream.js';
import type { Clock } from '../../infra/clock.js';
import type { DeploymentsRepository, StoredEvent } from './deployments.repository.js';

export type DeploymentEventListener = (event: StoredEvent) => void;

/** What a caller supplies for an event; deploymentId and timestamp are filled in. */
export type EventPayload<E extends DeploymentEventName> = Omit<DeploymentEventData[E], 'deploymentId' | 'timestamp'>;

export class DeploymentEventLog {
  private readonly listeners = new Set<DeploymentEventListener>();

  constructor(
    private readonly repository: DeploymentsRepository,
    private readonly clock: Clock,
    private readonly onListenerError: (error: unknown) => void = () => undefined,
  ) {}

  append<E extends DeploymentEventName>(deploymentId: string, event: E, payload: EventPayload<E>): StoredEvent {
    const timestamp = this.clock.now().toISOString();
    const data = { deploymentId, ...payload, timestamp } as Record<string, unknown>;
    const stored = this.repository.appendEvent(deploymentId, event, data, timestamp);
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch (error) {
        // A broken subscriber must never stop a deployment.
        this.onListenerError(error);
      }
    }
    return stored;
  }

  /** Calls `listener` with every event stored from now on; returns the unsubscribe function. */
  listen(listener: DeploymentEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  eventsAfter(deploymentId: string, afterId: number, limit: number): StoredEvent[] {
    return this.repository.eventsAfter(deploymentId, afterId, limit);
  }
}
