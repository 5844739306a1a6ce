import os from 'node:os';
import type { Health } from '../../../contracts/health.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import type { ComposeInfo } from '../../infra/compose-cli.js';
import type { DockerEngine, DockerVersion } from '../../infra/docker/engine.js';

export type CatalogSummary = { apps: number; invalid: { file: string; error: string }[] };

export type HealthDeps = {
  config: Config;
  docker: DockerEngine;
  compose: () => ComposeInfo;
  checkDatabase: () => boolean;
  catalogSummary: () => CatalogSummary;
  clock: Clock;
  version: string;
  startedAtMs: number;
};

type DockerProbe = { ok: true; version: DockerVersion } | { ok: false; message: string };

// A burst of health checks (load balancers, dashboards) shares one daemon round trip per second.
const DOCKER_PROBE_TTL_MS = 1000;

export const SETUP_HINT = 'sudo bash scripts/setup-host.sh (installs and starts Docker Engine and compose v2 from Debian’s archive)';

export class HealthService {
  private probe: { atMs: number; outageCount: number | undefined; result: Promise<DockerProbe> } | null = null;

  constructor(private readonly deps: HealthDeps) {}

  private probeDocker(): Promise<DockerProbe> {
    const now = this.deps.clock.nowMs();
    const outageCount = this.deps.docker.outageCount;
    // A call that found Docker gone since the last probe makes that probe stale, however recent.
    if (this.probe && now - this.probe.atMs < DOCKER_PROBE_TTL_MS && this.probe.outageCount === outageCount) return this.probe.result;
    const result = this.deps.docker
      .version()
      .then((version): DockerProbe => ({ ok: true, version }))
      .catch((error: unknown): DockerProbe => ({ ok: false, message: error instanceof Error ? error.message : String(error) }));
    this.probe = { atMs: now, outageCount, result };
    return result;
  }

  /** Whether apps can be deployed: compose v2 is there (v1 cannot read the files the server writes). */
  composeAvailable(): boolean {
    const compose = this.deps.compose();
    return compose.available && compose.isV2;
  }

  /** Whether Docker answered the last probe (probing if none is fresh). */
  async isDockerUp(): Promise<boolean> {
    return (await this.probeDocker()).ok;
  }

  async check(isAdmin: boolean): Promise<{ statusCode: 200 | 503; body: Health }> {
    const { config } = this.deps;
    const docker = await this.probeDocker();
    const compose = this.deps.compose();
    const databaseOk = this.deps.checkDatabase();
    const catalog = this.deps.catalogSummary();
    const troubleshooting: Health['troubleshooting'] = [];
    const warnings: string[] = [];

    if (!docker.ok) {
      troubleshooting.push({
        problem: 'Docker is not reachable, so the server runs in catalog-only mode',
        fix: `Install and start Docker: ${SETUP_HINT}. If Docker runs elsewhere, set DOCKER_HOST. The server reconnects by itself.`,
      });
    }
    if (!compose.available) {
      troubleshooting.push({
        problem: 'docker compose v2 was not found, so apps cannot be deployed',
        fix: `Install compose v2: ${SETUP_HINT}, or set COMPOSE_BINARY to a docker-compose binary.`,
      });
    } else if (!compose.isV2) {
      troubleshooting.push({
        problem: `Only docker-compose ${compose.version ?? ''} (v1) was found, so apps cannot be deployed`,
        fix: `Install compose v2: ${SETUP_HINT}, or set COMPOSE_BINARY to a compose v2 binary. Compose v1 is no longer maintained and cannot read the compose files this server writes.`,
      });
    }
    if (!databaseOk) {
      troubleshooting.push({
        problem: 'The database does not answer',
        fix: 'Check that DATA_DIR is writable and has free space; see the server log.',
      });
    }
    if (catalog.invalid.length > 0) {
      troubleshooting.push({
        problem: `${catalog.invalid.length} catalog template(s) could not be loaded and were skipped`,
        fix: 'Run npm run catalog:check (or homelabarr catalog check) to see each file and its error.',
      });
    }
    if (!config.authEnabled) {
      warnings.push('AUTH_ENABLED=false: anyone who can reach this server can deploy and remove containers');
      troubleshooting.push({
        problem: 'Authentication is disabled',
        fix: 'Set AUTH_ENABLED=true unless the server is reachable only from a trusted network.',
      });
    }

    const isHealthy = docker.ok && compose.available && compose.isV2 && databaseOk;
    const status: Health['status'] = !databaseOk ? 'error' : isHealthy ? 'healthy' : 'degraded';
    const body: Health = {
      status,
      version: this.deps.version,
      uptime: Math.round((this.deps.clock.nowMs() - this.deps.startedAtMs) / 1000),
      timestamp: this.deps.clock.now().toISOString(),
      docker: {
        status: docker.ok ? 'connected' : 'unavailable',
        version: docker.ok ? docker.version.version : null,
        apiVersion: docker.ok ? docker.version.apiVersion : null,
        compose: { available: compose.available, version: compose.version },
        ...(docker.ok ? {} : { message: 'Docker is not reachable; see troubleshooting' }),
      },
      database: { status: databaseOk ? 'ok' : 'error' },
      catalog: { apps: catalog.apps, invalid: catalog.invalid.length },
      auth: { enabled: config.authEnabled },
      troubleshooting,
    };
    if (isAdmin) {
      body.platform = {
        node: process.version,
        os: `${os.type()} ${os.release()}`,
        arch: os.arch(),
        kernel: docker.ok ? docker.version.kernelVersion : null,
        pid: process.pid,
      };
      body.environment = { errors: [], warnings };
      body.cors = { origins: config.corsOrigins };
      body.paths = {
        dataDir: config.dataDir,
        appFolder: config.appFolder,
        catalog: [
          config.bundledCatalogPath,
          ...config.catalogPaths,
          ...(config.cliBridgeHostPath ? [`${config.cliBridgeHostPath}/apps`] : []),
        ],
      };
      body.catalogErrors = catalog.invalid;
    }
    if (!docker.ok && isAdmin) body.environment?.errors.push(docker.message);
    return { statusCode: status === 'healthy' ? 200 : 503, body };
  }
}
