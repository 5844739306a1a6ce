// Live progress of deployments, independent of any screen: closing the deploy dialog, moving to
// another page or reloading never loses a deployment. Ids live in localStorage; on load each one is
// resubscribed through EventSource and the server replays its stored events, which rebuild the view.
import { useSyncExternalStore } from 'react';
import { api, apiUrl } from './http-client.js';
import { authSession } from './auth-session.js';
import type { ActiveDeploymentsResponse, DeploymentStatusResponse } from './wire-types.js';
import type { StreamEvent } from './stream-events.js';

export const STEP_NAMES = ['validate', 'preflight', 'render', 'pull', 'deploy', 'verify'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const STEP_LABELS: Record<StepName, string> = {
  validate: 'Validate',
  preflight: 'Preflight checks',
  render: 'Render compose file',
  pull: 'Pull images',
  deploy: 'Start containers',
  verify: 'Verify running',
};

export type StepState = { status: 'pending' | 'started' | 'completed' | 'failed' | 'skipped'; message: string };
export type PullState = {
  image: string;
  percent: number;
  bytesDone: number;
  bytesTotal: number;
  status: 'pulling' | 'complete' | 'present';
};
export type OutputLine = { key: number; text: string; stream: 'stdout' | 'stderr'; command: string };
export type Outcome = { success: boolean; urls: string[]; containers: string[]; error: string | null; completedAt: string | null };
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'lost';

export type TrackedDeployment = {
  id: string;
  appId: string;
  appName: string;
  startedAt: number;
  steps: Record<StepName, StepState>;
  currentStep: StepName | null;
  /** The server's overall progress (0–100), from the latest step event. */
  progress: number;
  pulls: PullState[];
  output: OutputLine[];
  outcome: Outcome | null;
  connection: Connection;
  /** Why the stream could not be followed, when connection is 'lost'. */
  problem: string | null;
};

const STORAGE_KEY = 'hlr.deployments';
const MAX_OUTPUT_LINES = 2000;
const MAX_REMEMBERED = 10;

type Stored = { id: string; appId: string; appName: string; startedAt: number };

function emptySteps(): Record<StepName, StepState> {
  return Object.fromEntries(STEP_NAMES.map((name) => [name, { status: 'pending', message: '' }])) as Record<StepName, StepState>;
}

function isStepName(value: string): value is StepName {
  return (STEP_NAMES as readonly string[]).includes(value);
}

function describeContainer(container: { name: string; state: string; health: string | null }): string {
  return `${container.name.replace(/^\//, '')} (${container.health ?? container.state})`;
}

class DeploymentTracker {
  private items = new Map<string, TrackedDeployment>();
  private sources = new Map<string, EventSource>();
  private seen = new Map<string, Set<string>>();
  private retryTimers = new Map<string, number>();
  private snapshot: TrackedDeployment[] = [];
  private listeners = new Set<() => void>();
  private frame: number | null = null;
  private outputKey = 0;
  private parser: Promise<typeof import('./stream-events.js')> | null = null;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): TrackedDeployment[] => this.snapshot;

  get(id: string): TrackedDeployment | undefined {
    return this.items.get(id);
  }

  /** Resubscribes every remembered deployment and picks up ones started elsewhere (another tab, the API). */
  async restore(): Promise<void> {
    for (const stored of this.readStorage()) if (!this.items.has(stored.id)) this.startTracking(stored);
    try {
      const { deployments } = await api.get<ActiveDeploymentsResponse>('/deployments/active');
      for (const deployment of deployments) {
        if (!this.items.has(deployment.id))
          this.track({
            id: deployment.id,
            appId: deployment.appId,
            appName: deployment.appId,
            startedAt: Date.parse(deployment.startedAt) || Date.now(),
          });
      }
    } catch {
      // Viewers and older servers may not list active deployments; remembered ones are still followed.
    }
  }

  track(stored: Stored): void {
    if (this.items.has(stored.id)) return;
    this.writeStorage([stored, ...this.readStorage().filter((item) => item.id !== stored.id)].slice(0, MAX_REMEMBERED));
    this.startTracking(stored);
  }

  dismiss(id: string): void {
    this.closeSource(id);
    this.items.delete(id);
    this.seen.delete(id);
    this.writeStorage(this.readStorage().filter((item) => item.id !== id));
    this.schedule();
  }

  /** Stops all streams (sign-out); the remembered ids stay for the next sign-in. */
  stopAll(): void {
    for (const id of [...this.sources.keys()]) this.closeSource(id);
    this.items.clear();
    this.seen.clear();
    this.schedule();
  }

  private startTracking(stored: Stored): void {
    this.items.set(stored.id, {
      ...stored,
      steps: emptySteps(),
      currentStep: null,
      progress: 0,
      pulls: [],
      output: [],
      outcome: null,
      connection: 'connecting',
      problem: null,
    });
    this.seen.set(stored.id, new Set());
    this.schedule();
    void this.connect(stored.id);
  }

  private async connect(id: string): Promise<void> {
    this.parser ??= import('./stream-events.js');
    const { parseStreamEvent, DEPLOYMENT_EVENT_NAMES } = await this.parser;
    if (!this.items.has(id) || this.sources.has(id)) return;
    const token = authSession.token();
    const source = new EventSource(apiUrl('/stream/progress', { deploymentId: id, access_token: token }));
    this.sources.set(id, source);
    source.onopen = () => this.update(id, (item) => ({ ...item, connection: 'live', problem: null }));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (unknown deployment, expired token): ask for the status instead.
        this.sources.delete(id);
        void this.recoverFromStatus(id);
      } else {
        this.update(id, (item) => (item.outcome ? item : { ...item, connection: 'reconnecting' }));
      }
    };
    for (const name of DEPLOYMENT_EVENT_NAMES) {
      source.addEventListener(name, (event: MessageEvent<string>) => {
        const seen = this.seen.get(id);
        // A reconnect may replay events already shown; their ids tell them apart.
        if (event.lastEventId && seen) {
          if (seen.has(event.lastEventId)) return;
          seen.add(event.lastEventId);
        }
        const parsed = parseStreamEvent(name, event.data);
        if (parsed && parsed.data.deploymentId === id) this.apply(id, parsed);
      });
    }
  }

  private closeSource(id: string): void {
    this.sources.get(id)?.close();
    this.sources.delete(id);
    const timer = this.retryTimers.get(id);
    if (timer !== undefined) window.clearTimeout(timer);
    this.retryTimers.delete(id);
  }

  private async recoverFromStatus(id: string): Promise<void> {
    try {
      const { deployment } = await api.get<DeploymentStatusResponse>(`/deployments/${encodeURIComponent(id)}/status`);
      const finished = deployment.status !== 'queued' && deployment.status !== 'in-progress';
      if (finished) {
        this.update(id, (item) => ({
          ...item,
          connection: 'closed',
          outcome: item.outcome ?? {
            success: deployment.status === 'completed',
            urls: deployment.result?.urls ?? [],
            containers: (deployment.result?.containers ?? []).map(describeContainer),
            error: deployment.error ?? (deployment.status === 'completed' ? null : `Deployment ${deployment.status}`),
            completedAt: deployment.finishedAt,
          },
        }));
        return;
      }
      this.update(id, (item) => ({ ...item, connection: 'reconnecting' }));
      this.retryTimers.set(
        id,
        window.setTimeout(() => {
          this.retryTimers.delete(id);
          void this.connect(id);
        }, 3000),
      );
    } catch (error) {
      const status = (error as { status?: number }).status;
      this.update(id, (item) => ({
        ...item,
        connection: 'lost',
        problem:
          status === 404
            ? 'The server no longer knows this deployment.'
            : 'The progress stream is unavailable. Check the Apps page for the result.',
      }));
    }
  }

  private apply(id: string, event: StreamEvent): void {
    switch (event.type) {
      case 'deployment-subscribed':
        return;
      case 'deployment-step': {
        const { step, status, message, progress } = event.data;
        if (!isStepName(step)) return;
        this.update(id, (item) => ({
          ...item,
          progress,
          steps: { ...item.steps, [step]: { status, message } },
          currentStep: status === 'started' ? step : item.currentStep,
        }));
        return;
      }
      case 'pull-progress': {
        const { image, percent, bytesDone, bytesTotal, status } = event.data;
        this.update(id, (item) => {
          const next = { image, percent: Math.max(0, Math.min(100, percent)), bytesDone, bytesTotal, status };
          const exists = item.pulls.some((pull) => pull.image === image);
          return { ...item, pulls: exists ? item.pulls.map((pull) => (pull.image === image ? next : pull)) : [...item.pulls, next] };
        });
        return;
      }
      case 'command-output': {
        const { output, type, command } = event.data;
        const lines = output.replace(/\r?\n$/, '').split(/\r?\n/);
        this.update(id, (item) => {
          const added = lines.map((text) => ({ key: this.outputKey++, text, stream: type, command }));
          const all = item.output.concat(added);
          return { ...item, output: all.length > MAX_OUTPUT_LINES ? all.slice(all.length - MAX_OUTPUT_LINES) : all };
        });
        return;
      }
      case 'deployment-complete': {
        const { success, summary, completedAt } = event.data;
        this.update(id, (item) => ({
          ...item,
          connection: 'closed',
          outcome: {
            success,
            urls: summary.urls,
            containers: summary.containers.map(describeContainer),
            error: success ? null : (summary.error ?? failedStepMessage(item) ?? `The deployment ${event.data.status}`),
            completedAt,
          },
        }));
        // The replay and the result are in: nothing more will come on this stream.
        this.closeSource(id);
        return;
      }
    }
  }

  private update(id: string, change: (item: TrackedDeployment) => TrackedDeployment): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.set(id, change(item));
    this.schedule();
  }

  /** Many events can arrive in one burst (a replay): render once per frame. */
  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = null;
      this.snapshot = [...this.items.values()].sort((a, b) => b.startedAt - a.startedAt);
      for (const listener of this.listeners) listener();
    });
  }

  private readStorage(): Stored[] {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (item): item is Stored =>
          typeof item === 'object' &&
          item !== null &&
          typeof (item as Stored).id === 'string' &&
          typeof (item as Stored).appId === 'string',
      );
    } catch {
      return [];
    }
  }

  private writeStorage(items: Stored[]): void {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(items));
  }
}

function failedStepMessage(item: TrackedDeployment): string | null {
  for (const name of STEP_NAMES) {
    const step = item.steps[name];
    if (step.status === 'failed') return step.message || `${STEP_LABELS[name]} failed`;
  }
  return null;
}

export const deploymentTracker = new DeploymentTracker();

export function useDeployments(): TrackedDeployment[] {
  return useSyncExternalStore(deploymentTracker.subscribe, deploymentTracker.getSnapshot);
}

export function useDeployment(id: string | null): TrackedDeployment | undefined {
  const all = useDeployments();
  return id ? all.find((item) => item.id === id) : undefined;
}

export function isActive(item: TrackedDeployment): boolean {
  return item.outcome === null && item.connection !== 'lost';
}
