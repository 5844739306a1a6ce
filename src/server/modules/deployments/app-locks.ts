// One operation per app at a time: a deploy, a stop or a removal. Two deploys of one app would
// race on the same compose project and files; a removal in the middle of a deploy would leave
// half an app behind.

export type AppOperation = { kind: 'deploy' | 'stop' | 'remove'; deploymentId?: string };

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
}
