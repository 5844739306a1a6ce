// `homelabarr doctor`: the server's health checks (the same HealthService as GET /health), plus
// what only matters on the machine itself (Node.js, DATA_DIR, ports, the dashboard build, the
// proxy network), each with the fix, printed for a terminal.
import type { Health } from '../../../contracts/health.js';
import type { Config } from '../../config.js';
import type { DataDirProbe } from '../../infra/data-dir-probe.js';
import { SETUP_HINT } from '../health/index.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';
export type DoctorCheck = { status: CheckStatus; title: string; fix?: string | undefined; isDatabaseCheck?: boolean };

export type DoctorProbes = {
  config: Config;
  nodeVersion: string;
  /** GET /health's body as an admin sees it. */
  health: () => Promise<Health>;
  /** missing: no database yet (the first start creates it); a string: opening it failed, and what to do. */
  database: 'open' | 'missing' | { error: string };
  dataDir: DataDirProbe;
  isDashboardBuilt: boolean;
  canBind: (port: number) => Promise<boolean>;
  /** null when Docker cannot be asked. */
  proxyNetworkExists: () => Promise<boolean | null>;
};

const MIN_NODE = [20, 19] as const;
const LOW_SPACE_BYTES = 1024 ** 3;

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function checkNode(version: string): DoctorCheck {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const isSupported = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return isSupported
    ? { status: 'ok', title: `Node.js ${version}` }
    : { status: 'fail', title: `Node.js ${version} is too old`, fix: `Install Node.js ${MIN_NODE.join('.')} or newer (Node 20 LTS).` };
}

function checkDataDir(config: Config, probe: DataDirProbe): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (!probe.isWritable) {
    checks.push({
      status: 'fail',
      title: `DATA_DIR ${config.dataDir} is not writable by this user`,
      fix: `Run as the server's user, or give it the folder: sudo chown -R $(id -u):$(id -g) ${config.dataDir}`,
    });
  } else {
    const space = probe.freeBytes === null ? '' : ` (${formatBytes(probe.freeBytes)} free)`;
    checks.push({ status: 'ok', title: `DATA_DIR ${config.dataDir}${probe.exists ? '' : ' (created at first start)'}${space}` });
  }
  if (probe.freeBytes !== null && probe.freeBytes < LOW_SPACE_BYTES) {
    checks.push({
      status: 'warn',
      title: `Only ${formatBytes(probe.freeBytes)} free next to DATA_DIR`,
      fix: 'Free disk space: docker image prune -a removes images no container uses.',
    });
  }
  checks.push(
    probe.serverPid !== null
      ? { status: 'info', title: `A server (pid ${probe.serverPid}) is running on this DATA_DIR` }
      : { status: 'info', title: 'No server is running on this DATA_DIR' },
  );
  return checks;
}

function checksFromHealth(config: Config, health: Health): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const fixFor = (keyword: string): string | undefined =>
    health.troubleshooting.find((item) => item.problem.toLowerCase().includes(keyword))?.fix;
  checks.push(
    health.docker.status === 'connected'
      ? { status: 'ok', title: `Docker ${health.docker.version ?? ''} (API ${health.docker.apiVersion ?? '?'}) at ${config.dockerHost}` }
      : {
          status: 'fail',
          title: `Docker is not reachable at ${config.dockerHost}${health.environment?.errors[0] ? `: ${health.environment.errors[0]}` : ''}`,
          fix:
            health.environment?.errors.some((error) => /EACCES|permission denied/i.test(error)) === true
              ? 'This user may not use the Docker socket: sudo usermod -aG docker $USER, then log in again (or run the server as a member of the docker group).'
              : (fixFor('docker is not reachable') ?? `Install and start Docker: ${SETUP_HINT}`),
        },
  );
  checks.push(
    health.docker.compose.available
      ? { status: 'ok', title: `docker compose ${health.docker.compose.version ?? ''}` }
      : { status: 'fail', title: 'docker compose was not found: apps cannot be deployed', fix: fixFor('compose') ?? SETUP_HINT },
  );
  for (const warning of health.environment?.warnings ?? []) {
    if (!/AUTH_ENABLED/.test(warning)) checks.push({ status: 'warn', title: warning });
  }
  checks.push(
    health.database.status === 'ok'
      ? { status: 'ok', title: 'Database answers', isDatabaseCheck: true }
      : {
          status: 'fail',
          title: 'The database does not answer',
          fix: fixFor('database') ?? 'Check DATA_DIR; see the server log.',
          isDatabaseCheck: true,
        },
  );
  checks.push(
    health.catalog.invalid === 0
      ? { status: 'ok', title: `Catalog: ${health.catalog.apps} apps` }
      : {
          status: 'warn',
          title: `Catalog: ${health.catalog.apps} apps, ${health.catalog.invalid} template(s) skipped: ${(health.catalogErrors ?? [])
            .slice(0, 3)
            .map((item) => `${item.file}: ${item.error}`)
            .join('; ')}`,
          fix: 'homelabarr catalog check <folder> lists every problem of a folder of templates.',
        },
  );
  if (!health.auth.enabled) {
    checks.push({
      status: 'warn',
      title: 'AUTH_ENABLED=false: anyone who can reach the server can deploy and remove containers',
      fix: fixFor('authentication'),
    });
  }
  return checks;
}

export async function runDoctor(probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { config } = probes;
  const checks: DoctorCheck[] = [checkNode(probes.nodeVersion), { status: 'ok', title: 'Configuration is valid (.env and environment)' }];
  checks.push(...checkDataDir(config, probes.dataDir));
  const { database } = probes;
  if (database === 'missing') checks.push({ status: 'info', title: 'No database yet: the server creates it at first start' });
  else if (database !== 'open') checks.push({ status: 'fail', title: 'The database cannot be opened', fix: database.error });
  const health = await probes.health();
  const healthChecks = checksFromHealth(config, health);
  // The database line of the health checks only means something for a database that is open.
  checks.push(...(database === 'open' ? healthChecks : healthChecks.filter((check) => !check.isDatabaseCheck)));

  if (health.docker.status === 'connected') {
    const exists = await probes.proxyNetworkExists();
    if (exists === false) {
      checks.push(
        config.autoCreateProxyNetwork
          ? { status: 'info', title: `Docker network ${config.proxyNetwork} does not exist yet; the first Traefik deploy creates it` }
          : {
              status: 'warn',
              title: `Docker network ${config.proxyNetwork} does not exist: Traefik deploys will fail`,
              fix: `docker network create ${config.proxyNetwork}`,
            },
      );
    } else if (exists === true) checks.push({ status: 'ok', title: `Docker network ${config.proxyNetwork} exists` });
  }

  if (probes.dataDir.serverPid === null) {
    for (const [name, port] of [
      ['BACKEND_PORT', config.backendPort],
      ['FRONTEND_PORT', config.frontendPort],
    ] as const) {
      checks.push(
        (await probes.canBind(port))
          ? { status: 'ok', title: `Port ${port} (${name}) is free` }
          : {
              status: 'fail',
              title: `Port ${port} (${name}) is taken by another program`,
              fix: `Stop that program (ss -ltnp 'sport = :${port}' names it) or set ${name} to a free port.`,
            },
      );
    }
  }
  checks.push(
    probes.isDashboardBuilt
      ? { status: 'ok', title: 'Dashboard is built' }
      : {
          status: 'warn',
          title: 'The dashboard is not built: port 8084 shows a placeholder',
          fix: 'npm run build (npm start builds it too)',
        },
  );
  checks.push(
    config.metricsToken
      ? { status: 'info', title: 'METRICS_TOKEN is set: Prometheus can scrape /metrics with it' }
      : { status: 'info', title: 'GET /metrics needs an admin token; set METRICS_TOKEN to give Prometheus its own credential' },
  );
  return checks;
}

const LABELS: Record<CheckStatus, string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]', info: '[info]' };

export function formatDoctorReport(checks: DoctorCheck[], version: string): string {
  const lines = [`HomelabARR CE ${version}: doctor`, ''];
  for (const check of checks) {
    lines.push(`${LABELS[check.status]} ${check.title}`);
    if (check.fix && check.status !== 'ok') lines.push(`       fix: ${check.fix}`);
  }
  const failures = checks.filter((check) => check.status === 'fail').length;
  const warnings = checks.filter((check) => check.status === 'warn').length;
  lines.push('', failures === 0 && warnings === 0 ? 'Everything looks right.' : `${failures} problem(s), ${warnings} warning(s).`);
  return `${lines.join('\n')}\n`;
}
