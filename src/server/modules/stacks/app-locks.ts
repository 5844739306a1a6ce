// One operation per app at a time: a deploy, a stop or a removal. Two deploys of one app would
// race on the same compose project and files; a removal in the middle of a deploy would leave
// half an app behind.
import { AppError } from '../../errors.js';

export type AppOperation = { kind: 'deploy' | 'stop' | 'remove'; deploymentId?: string };

const PAST_PARTICIPLE: Record<AppOperation['kind'], string> = { deploy: 'deployed', stop: 'stopped', remove: 'removed' };

export class AppLocks {
  private readonly held = new Map<string, AppOperation>();

  holder(appId: string): AppOperation | null {
    return this.held.get(appId) ?? null;
  }

  /** Takes the app's lock; false when another operation holds it. */
  tryAcquire(appId: string, operation: AppOperation): boolean {
    if (this.held.has(appId)) return false;
    this.held.set(appId, operation);
    return true;
  }

  release(appId: string, operation: AppOperation): void {
    if (this.held.get(appId) === operation) this.held.delete(appId);
  }

  /**
   * The 409 for an operation that found the app's lock taken; `appName` is what the user sees
   * (the display name, or the id where no catalog entry is at hand).
   */
  busyError(appId: string, appName: string, wanted: AppOperation['kind']): AppError {
    const holder = this.holder(appId);
    const doing = PAST_PARTICIPLE[holder?.kind ?? 'stop'];
    const error = `${appName} is ${holder?.kind === wanted ? 'already ' : ''}being ${doing}`;
    if (holder?.kind === 'deploy' && holder.deploymentId) {
      const id = holder.deploymentId;
      return new AppError(
        'CONFLICT',
        error,
        `Deployment ${id} of ${appId} has not finished. Follow it at /deployments/${id}/status, or cancel it with POST /deployments/${id}/cancel.`,
      );
    }
    return new AppError('CONFLICT', error, `Wait until it has been ${doing}, then retry`);
  }
}
