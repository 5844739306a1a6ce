// The rclone RC calls the mount manager makes, typed, for one mount container.
import type { RcloneClient, RcloneEndpoint } from '../../infra/rclone-rc.js';

export type RcloneMount = { fs: string; mountPoint: string; mountedOn: string | null };
export type RcloneQuota = { total: number | null; used: number | null; free: number | null; trashed: number | null };
export type RcloneVfsStats = {
  fs: string;
  cacheBytesUsed: number;
  cacheFiles: number;
  uploadsInProgress: number;
  uploadsQueued: number;
  erroredFiles: number;
  outOfSpace: boolean;
  metadataDirs: number;
  metadataFiles: number;
};
export type RcloneCoreStats = {
  speed: number;
  bytes: number;
  totalBytes: number;
  transfers: number;
  errors: number;
  checks: number;
  elapsedTime: number;
  lastError: string | null;
  transferring: { name: string; size: number; bytes: number; percentage: number; speed: number }[];
};

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export class RcloneSession {
  constructor(
    private readonly client: RcloneClient,
    readonly endpoint: RcloneEndpoint,
  ) {}

  private call<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    options: { timeoutMs?: number; redact?: string[] } = {},
  ) {
    return this.client.call<T>(this.endpoint, method, params, options);
  }

  async version(): Promise<string> {
    const answer = await this.call<{ version?: string }>('core/version');
    return answer.version ?? 'unknown';
  }

  /** The backends this rclone build has (config/providers lists every option of every backend; only names are kept). */
  async backends(): Promise<Set<string>> {
    const answer = await this.call<{ providers?: { Prefix?: string; Name?: string }[] }>('config/providers');
    return new Set((answer.providers ?? []).map((provider) => provider.Prefix ?? provider.Name ?? '').filter(Boolean));
  }

  /** Remote name → backend type. config/dump carries (obscured) secrets: only the types leave this method. */
  async remoteTypes(): Promise<Record<string, string>> {
    const dump = await this.call<Record<string, { type?: string }>>('config/dump');
    const types: Record<string, string> = {};
    for (const [name, section] of Object.entries(dump)) {
      if (typeof section?.type === 'string') types[name] = section.type;
    }
    return types;
  }

  async mounts(): Promise<RcloneMount[]> {
    const answer = await this.call<{ mountPoints?: { Fs?: string; MountPoint?: string; MountedOn?: string }[] }>('mount/listmounts');
    return (answer.mountPoints ?? []).map((mount) => ({
      fs: mount.Fs ?? '',
      mountPoint: mount.MountPoint ?? '',
      mountedOn: mount.MountedOn ?? null,
    }));
  }

  async vfsList(): Promise<string[]> {
    const answer = await this.call<{ vfses?: string[] }>('vfs/list');
    return answer.vfses ?? [];
  }

  async vfsStats(fs: string): Promise<RcloneVfsStats> {
    const answer = await this.call<{
      diskCache?: Record<string, unknown>;
      metadataCache?: Record<string, unknown>;
    }>('vfs/stats', { fs });
    const disk = answer.diskCache ?? {};
    return {
      fs,
      cacheBytesUsed: num(disk.bytesUsed),
      cacheFiles: num(disk.files),
      uploadsInProgress: num(disk.uploadsInProgress),
      uploadsQueued: num(disk.uploadsQueued),
      erroredFiles: num(disk.erroredFiles),
      outOfSpace: disk.outOfSpace === true,
      metadataDirs: num(answer.metadataCache?.dirs),
      metadataFiles: num(answer.metadataCache?.files),
    };
  }

  async coreStats(): Promise<RcloneCoreStats> {
    const stats = await this.call<Record<string, unknown>>('core/stats');
    const transferring = Array.isArray(stats.transferring) ? (stats.transferring as Record<string, unknown>[]) : [];
    return {
      speed: num(stats.speed),
      bytes: num(stats.bytes),
      totalBytes: num(stats.totalBytes),
      transfers: num(stats.transfers),
      errors: num(stats.errors),
      checks: num(stats.checks),
      elapsedTime: num(stats.elapsedTime),
      lastError: typeof stats.lastError === 'string' && stats.lastError !== '' ? stats.lastError : null,
      transferring: transferring.map((item) => ({
        name: typeof item.name === 'string' ? item.name : '',
        size: num(item.size),
        bytes: num(item.bytes),
        percentage: num(item.percentage),
        speed: num(item.speed),
      })),
    };
  }

  async about(fs: string, timeoutMs: number): Promise<RcloneQuota> {
    const answer = await this.call<Record<string, unknown>>('operations/about', { fs, _config: { LowLevelRetries: 1 } }, { timeoutMs });
    return {
      total: numOrNull(answer.total),
      used: numOrNull(answer.used),
      free: numOrNull(answer.free),
      trashed: numOrNull(answer.trashed),
    };
  }

  async size(fs: string, timeoutMs: number): Promise<number> {
    const answer = await this.call<{ bytes?: number }>('operations/size', { fs, _config: { LowLevelRetries: 1 } }, { timeoutMs });
    return num(answer.bytes);
  }

  /** Lists the root of a remote; LowLevelRetries 1 so a wrong password fails at once instead of after retries. */
  async listRoot(fs: string, timeoutMs: number): Promise<number> {
    const answer = await this.call<{ list?: unknown[] }>(
      'operations/list',
      { fs, remote: '', _config: { LowLevelRetries: 1 } },
      { timeoutMs },
    );
    return answer.list?.length ?? 0;
  }

  /**
   * The real sub-folders of a folder. rclone's local backend leaves symlinks out of listings (without
   * --copy-links), so a symlinked folder is not among them.
   */
  async subfolders(fs: string): Promise<Set<string>> {
    const answer = await this.call<{ list?: { Name?: unknown; IsDir?: unknown }[] }>('operations/list', {
      fs,
      remote: '',
      opt: { dirsOnly: true, noModTime: true, noMimeType: true },
    });
    return new Set(
      (answer.list ?? []).filter((entry) => entry.IsDir === true && typeof entry.Name === 'string').map((entry) => entry.Name as string),
    );
  }

  /** Stores a remote, replacing any remote of that name; rclone obscures its password options. */
  async replaceRemote(
    name: string,
    type: string,
    parameters: Record<string, string>,
    secrets: string[],
    existingTypes: Record<string, string>,
  ): Promise<void> {
    if (existingTypes[name] !== undefined) await this.call('config/delete', { name });
    await this.call('config/create', { name, type, parameters, opt: { obscure: true, nonInteractive: true } }, { redact: secrets });
    // Cached backends keep the old credentials until cleared; older rclones lack the call, which is harmless.
    await this.call('fscache/clear').catch(() => undefined);
  }

  async mkdir(parent: string, child: string): Promise<void> {
    await this.call('operations/mkdir', { fs: parent, remote: child });
  }

  async mount(fs: string, mountPoint: string, vfsOpt: Record<string, unknown>, mountOpt: Record<string, unknown>): Promise<void> {
    await this.call('mount/mount', { fs, mountPoint, vfsOpt, mountOpt }, { timeoutMs: 60_000 });
  }

  async unmount(mountPoint: string): Promise<void> {
    await this.call('mount/unmount', { mountPoint }, { timeoutMs: 60_000 });
  }
}
