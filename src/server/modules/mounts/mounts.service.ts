// The Enhanced Mount Manager's read side and mount switching: status, providers, costs,
// performance, enable and disable, each a handful of rclone RC calls on the mount container.
import { MOUNT_PROVIDERS, type EnableProviderBody, type MountProvider, type ProviderInfo } from '../../../contracts/mounts.js';
import path from 'node:path';
import { FORBIDDEN_LOCAL_FOLDERS, isSameOrInside } from '../../config.js';
import { AppError } from '../../errors.js';
import type { RcloneClient } from '../../infra/rclone-rc.js';
import type { ActivityService } from '../activity/index.js';
import type { Principal } from '../../principal.js';
import { RcloneCallError } from '../../infra/rclone-rc.js';
import { rcloneFailureOf } from '../../app-errors/rclone.js';
import type { MountContainer, MountContainerResolver } from './mount-container-resolver.js';
import { PRICE_TABLE_AS_OF, summarizeCosts } from './mount-costs.js';
import { PROVIDERS } from './mount-providers.js';
import { RcloneSession, type RcloneMount, type RcloneQuota } from './rclone-session.js';

const QUOTA_TIMEOUT_MS = 5_000;
const USAGE_TIMEOUT_MS = 20_000;
const MAX_LOCAL_PATH_DEPTH = 32;

export type MountSettings = {
  /** Owner and mode of mounted files, so apps running as PUID/PGID can use them. */
  uid: number;
  gid: number;
  umask: number;
  monthlyBudget: number | null;
  /** Folders of the mount container the local provider may expose (MOUNT_LOCAL_ROOTS); the first is the default. */
  localRoots: string[];
};

export type MountScope = { container: MountContainer; session: RcloneSession };

/** Who asks, for the activity log. */
export type MountActor = { principal: Principal | null; ip: string | null };

/** The provider a mounted fs string belongs to ("webdav:" or "webdav:sub/dir" → webdav). */
export function providerOfFs(fs: string): MountProvider | null {
  const name = fs.split(':')[0] ?? '';
  return (MOUNT_PROVIDERS as readonly string[]).includes(name) && fs.includes(':') ? (name as MountProvider) : null;
}

export function mountPointOf(container: MountContainer, provider: MountProvider): string {
  return `${container.mountPath === '/' ? '' : container.mountPath}/${provider}`;
}

/** Whose mount this is: by its mount point (rclone shows a local remote's fs as a bare path), else by its remote. */
export function providerOfMount(container: MountContainer, mount: RcloneMount): MountProvider | null {
  return MOUNT_PROVIDERS.find((provider) => mountPointOf(container, provider) === mount.mountPoint) ?? providerOfFs(mount.fs);
}

function mountsByProvider(container: MountContainer, mounts: RcloneMount[]): Map<MountProvider, RcloneMount> {
  const byProvider = new Map<MountProvider, RcloneMount>();
  for (const mount of mounts) {
    const provider = providerOfMount(container, mount);
    if (provider && !byProvider.has(provider)) byProvider.set(provider, mount);
  }
  return byProvider;
}

function hostPathOf(container: MountContainer, mountPoint: string): string | null {
  if (!container.hostMountPath || !mountPoint.startsWith(`${container.mountPath}/`)) return null;
  return `${container.hostMountPath}${mountPoint.slice(container.mountPath.length)}`;
}

export class MountsService {
  private readonly backendsByContainer = new Map<string, Set<string>>();

  constructor(
    private readonly resolver: MountContainerResolver,
    private readonly rclone: RcloneClient,
    private readonly settings: MountSettings,
    private readonly activity: ActivityService,
  ) {}

  /** Resolves the container (404/503 as the wire contract says) and opens an RC session on it. */
  async open(containerId: string): Promise<MountScope> {
    const container = await this.resolver.resolve(containerId);
    return { container, session: new RcloneSession(this.rclone, container.endpoint) };
  }

  /** Backends of this rclone build, cached per container (an image change means a new container). */
  async backends(scope: MountScope): Promise<Set<string>> {
    const cached = this.backendsByContainer.get(scope.container.id);
    if (cached) return cached;
    const backends = await scope.session.backends();
    this.backendsByContainer.set(scope.container.id, backends);
    return backends;
  }

  isConfigured(provider: MountProvider, remoteTypes: Record<string, string>): boolean {
    const type = PROVIDERS[provider].rcloneType;
    return type !== null && remoteTypes[provider] === type;
  }

  async status(containerId: string) {
    const scope = await this.open(containerId);
    const { session, container } = scope;
    const [version, remoteTypes, mounts, vfses, backends] = await Promise.all([
      session.version(),
      session.remoteTypes(),
      session.mounts(),
      session.vfsList(),
      this.backends(scope),
    ]);
    const vfs = await Promise.all(vfses.map((fs) => session.vfsStats(fs)));
    const mounted = mountsByProvider(container, mounts);
    const quotas = await Promise.all(
      [...mounted.entries()].map(
        async ([provider, mount]) => [provider, await session.about(mount.fs, QUOTA_TIMEOUT_MS).catch(() => null)] as const,
      ),
    );
    const quotaByProvider = new Map<MountProvider, RcloneQuota | null>(quotas);
    const providers: Record<
      string,
      { enabled: boolean; status: 'mounted' | 'configured' | 'not_configured' | 'unavailable'; quota: RcloneQuota | null }
    > = {};
    for (const provider of MOUNT_PROVIDERS) {
      const type = PROVIDERS[provider].rcloneType;
      const isMounted = mounted.has(provider);
      const status = isMounted
        ? 'mounted'
        : type === null || !backends.has(type)
          ? 'unavailable'
          : this.isConfigured(provider, remoteTypes)
            ? 'configured'
            : 'not_configured';
      providers[provider] = { enabled: isMounted, status, quota: quotaByProvider.get(provider) ?? null };
    }
    return {
      version,
      remotes: Object.keys(remoteTypes).sort(),
      mountPath: container.mountPath,
      hostMountPath: container.hostMountPath,
      providers,
      mounts: mounts.map((mount) => this.describeMount(container, mount)),
      vfs: vfs.map(({ metadataDirs: _dirs, metadataFiles: _files, ...rest }) => rest),
    };
  }

  private describeMount(container: MountContainer, mount: RcloneMount) {
    return {
      provider: providerOfMount(container, mount) ?? mount.fs.split(':')[0] ?? '',
      fs: mount.fs,
      mountPoint: mount.mountPoint,
      hostPath: hostPathOf(container, mount.mountPoint),
      mountedOn: mount.mountedOn,
    };
  }

  async providers(containerId: string): Promise<{ providers: ProviderInfo[] }> {
    const scope = await this.open(containerId);
    const [remoteTypes, mounts, backends] = await Promise.all([scope.session.remoteTypes(), scope.session.mounts(), this.backends(scope)]);
    const mountedProviders = mountsByProvider(scope.container, mounts);
    return {
      providers: MOUNT_PROVIDERS.map((provider) => {
        const spec = PROVIDERS[provider];
        const available = spec.rcloneType !== null && backends.has(spec.rcloneType);
        return {
          id: provider,
          name: spec.name,
          rcloneType: spec.rcloneType,
          authType: spec.authType,
          available,
          configured: this.isConfigured(provider, remoteTypes),
          enabled: mountedProviders.has(provider),
          credentialFields: spec.fields.map((item) => ({
            name: item.name,
            required: item.required,
            secret: item.secret,
            description: item.description,
          })),
          note:
            spec.note ??
            (available ? null : `This rclone build has no ${spec.rcloneType ?? provider} backend; use the official rclone image`),
        };
      }),
    };
  }

  async costs(containerId: string) {
    const { session, container } = await this.open(containerId);
    const [remoteTypes, mounts] = await Promise.all([session.remoteTypes(), session.mounts()]);
    const mountedFs = new Map([...mountsByProvider(container, mounts)].map(([provider, mount]) => [provider, mount.fs] as const));
    const configured = MOUNT_PROVIDERS.filter((provider) => this.isConfigured(provider, remoteTypes) || mountedFs.has(provider));
    const usages = await Promise.all(
      configured.map(async (provider) => {
        const fs = mountedFs.get(provider) ?? `${provider}:`;
        const usage = await this.measureUsage(session, fs);
        return { provider, enabled: mountedFs.has(provider), ...usage };
      }),
    );
    const summary = summarizeCosts(usages, this.settings.monthlyBudget);
    return {
      monthly: summary.monthly,
      budget: this.settings.monthlyBudget,
      overBudget: summary.overBudget,
      currency: 'USD' as const,
      breakdown: summary.breakdown.map((entry, index) => ({
        ...entry,
        usageSource: usages[index]?.usageSource ?? null,
        error: usages[index]?.error ?? null,
      })),
      current_provider: summary.currentProvider,
      priceTable: { asOf: PRICE_TABLE_AS_OF, documentation: 'docs/mounts.md' },
    };
  }

  /** The remote's own figure (about) when it has one, else a count of its files (size). */
  private async measureUsage(
    session: RcloneSession,
    fs: string,
  ): Promise<{ usedBytes: number | null; usageSource: 'about' | 'size' | null; error: string | null }> {
    try {
      const quota = await session.about(fs, USAGE_TIMEOUT_MS);
      if (quota.used !== null) return { usedBytes: quota.used, usageSource: 'about', error: null };
    } catch (error) {
      // Many backends (FTP, …) have no about: counting the files is the fallback. Any other
      // failure (the remote is unreachable) would only fail again, slower.
      const failure = rcloneFailureOf(error);
      if (!(failure instanceof RcloneCallError) || !/support about/i.test(failure.rcloneMessage)) {
        return { usedBytes: null, usageSource: null, error: error instanceof AppError ? error.details : 'usage could not be measured' };
      }
    }
    try {
      return { usedBytes: await session.size(fs, USAGE_TIMEOUT_MS), usageSource: 'size', error: null };
    } catch (error) {
      return { usedBytes: null, usageSource: null, error: error instanceof AppError ? error.details : 'usage could not be measured' };
    }
  }

  async performance(containerId: string) {
    const { session, container } = await this.open(containerId);
    const [stats, vfses, mounts] = await Promise.all([session.coreStats(), session.vfsList(), session.mounts()]);
    const vfs = await Promise.all(vfses.map((fs) => session.vfsStats(fs)));
    const providerByFs = new Map(mounts.map((mount) => [mount.fs, providerOfMount(container, mount)] as const));
    return {
      ...stats,
      activeTransfers: stats.transferring.length,
      vfs: vfs.map((entry) => ({
        ...entry,
        provider: providerByFs.get(entry.fs) ?? providerOfFs(entry.fs) ?? entry.fs.split(':')[0] ?? '',
      })),
    };
  }

  async enable(actor: MountActor, containerId: string, provider: MountProvider, options: EnableProviderBody) {
    const scope = await this.open(containerId);
    const { session, container } = scope;
    const spec = PROVIDERS[provider];
    const backends = await this.backends(scope);
    if (spec.rcloneType === null || !backends.has(spec.rcloneType)) {
      throw new AppError(
        'BAD_REQUEST',
        `${spec.name} cannot be mounted here`,
        spec.note ?? `This rclone build has no ${spec.rcloneType} backend; use the official rclone image`,
      );
    }
    const mountPoint = mountPointOf(container, provider);
    const [remoteTypes, mounts] = await Promise.all([session.remoteTypes(), session.mounts()]);
    if (mountsByProvider(container, mounts).has(provider)) {
      return { provider, enabled: true, changed: false, remoteCreated: false, mountPoint, hostPath: hostPathOf(container, mountPoint) };
    }
    // local mounts a folder of the container (absolute, checked before anything changes); other remotes a folder relative to their root.
    const remotePath =
      provider === 'local' ? await this.checkedLocalPath(session, options.remotePath) : (options.remotePath ?? '').replace(/^\/+/, '');
    let remoteCreated = false;
    if (!this.isConfigured(provider, remoteTypes)) {
      if (spec.authType !== 'none') {
        const how = spec.authType === 'oauth' ? 'auth/start and auth/complete' : 'auth/api-key';
        throw new AppError(
          'CONFLICT',
          `${spec.name} is not configured`,
          `Store its credentials first with POST /enhanced-mount/${containerId}/${how}`,
        );
      }
      await session.replaceRemote(provider, spec.rcloneType, {}, [], remoteTypes);
      remoteCreated = true;
    }
    await session.mkdir(container.mountPath, provider);
    try {
      // allow_other lets the apps' containers in; default_permissions makes the kernel check the modes the umask set.
      await session.mount(`${provider}:${remotePath}`, mountPoint, this.vfsOptions(options), {
        AllowOther: true,
        AllowNonEmpty: false,
        DefaultPermissions: true,
      });
    } catch (error) {
      const failure = rcloneFailureOf(error);
      if (failure instanceof RcloneCallError) {
        throw new AppError('UPSTREAM_FAILED', `${spec.name} could not be mounted`, `rclone could not mount it: ${failure.rcloneMessage}`);
      }
      throw error;
    }
    this.activity.record({ ...actor, action: 'mount.enable', target: container.name, details: { provider, mountPoint } });
    return { provider, enabled: true, changed: true, remoteCreated, mountPoint, hostPath: hostPathOf(container, mountPoint) };
  }

  /** The folder the local provider exposes when none is named (the first of MOUNT_LOCAL_ROOTS). */
  defaultLocalFolder(): string | null {
    return this.settings.localRoots[0] ?? null;
  }

  /**
   * The local provider exposes a folder of the mount container on the host, so it may only be one
   * under MOUNT_LOCAL_ROOTS, never the container's rclone config or system folders, and reached
   * without a symlink (one planted by another app could point anywhere in the container).
   */
  private async checkedLocalPath(session: RcloneSession, requested: string | undefined): Promise<string> {
    const roots = this.settings.localRoots;
    const refuse = (why: string): AppError =>
      new AppError(
        'BAD_REQUEST',
        'Folder not allowed',
        `${why}. The local provider may expose folders under ${roots.join(', ') || '(none: MOUNT_LOCAL_ROOTS is empty)'}.`,
      );
    const wanted = requested ?? this.defaultLocalFolder() ?? undefined;
    if (wanted === undefined) throw refuse('No folder was given and MOUNT_LOCAL_ROOTS names none');
    const folder = path.posix.normalize(`/${wanted.replace(/^\/+/, '')}`).replace(/(.)\/+$/, '$1');
    const forbidden = FORBIDDEN_LOCAL_FOLDERS.find((item) => isSameOrInside(folder, item));
    if (folder === '/' || forbidden) throw refuse(`${folder} holds the mount container's own files`);
    const root = roots.find((item) => isSameOrInside(folder, item));
    if (!root) throw refuse(`${folder} is outside the allowed folders`);
    const steps = folder === root ? [] : folder.slice(root.length + 1).split('/');
    if (steps.length > MAX_LOCAL_PATH_DEPTH) throw refuse(`${folder} is nested too deep`);
    let current = root;
    for (const step of steps) {
      // `:local:` is rclone's on-the-fly local backend: no remote has to exist for the check.
      if (!(await session.subfolders(`:local:${current}`)).has(step)) throw refuse(`${current}/${step} is not a folder (or is a symlink)`);
      current = `${current === '/' ? '' : current}/${step}`;
    }
    return folder;
  }

  /** Sane defaults for media: a bounded on-disk cache for reads and writes, files owned by PUID/PGID. */
  private vfsOptions(options: EnableProviderBody): Record<string, unknown> {
    const second = 1e9;
    return {
      CacheMode: options.cacheMode ?? 'full',
      CacheMaxSize: options.cacheMaxSize ?? '10G',
      // Durations go as nanoseconds: older rclones accept no other form.
      CacheMaxAge: 24 * 3600 * second,
      DirCacheTime: 300 * second,
      PollInterval: 60 * second,
      ReadOnly: options.readOnly ?? false,
      UID: this.settings.uid,
      GID: this.settings.gid,
      // Files belong to the apps' user and group: never readable by every account on the host.
      Umask: this.settings.umask | 0o007,
    };
  }

  async disable(actor: MountActor, containerId: string, provider: MountProvider) {
    const { session, container } = await this.open(containerId);
    const mountPoint = mountPointOf(container, provider);
    const mounts = await session.mounts();
    const active = mounts.filter((mount) => providerOfMount(container, mount) === provider);
    for (const mount of active) await session.unmount(mount.mountPoint);
    if (active.length > 0) this.activity.record({ ...actor, action: 'mount.disable', target: container.name, details: { provider } });
    return {
      provider,
      enabled: false,
      changed: active.length > 0,
      mountPoint: active[0]?.mountPoint ?? null,
      hostPath: hostPathOf(container, mountPoint),
    };
  }
}
