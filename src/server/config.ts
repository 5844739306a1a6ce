// The only module that reads the environment. Everything else receives a Config.
import { readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const tcpPort = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const durationPattern = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "24h", "30m", "7d", "3600" (seconds) into seconds. */
export function parseDurationSeconds(value: string): number | null {
  const match = durationPattern.exec(value.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(amount * (UNIT_SECONDS[unit] ?? 1));
}

const duration = z
  .string()
  .refine((value) => (parseDurationSeconds(value) ?? 0) > 0, 'must be a duration such as 24h, 30m, 7d or seconds')
  .transform((value) => parseDurationSeconds(value) ?? 0);

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  message: 'must be one of fatal, error, warn, info, debug, trace, silent',
});

const absoluteHostPath = z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path');

const dockerHost = z
  .string()
  .refine(
    (value) => value.startsWith('unix://') || value.startsWith('/') || /^tcp:\/\/[^:/]+:\d+$/.test(value),
    'must be a unix socket path (/var/run/docker.sock or unix:///…) or tcp://host:port',
  );

const EnvSchema = z.object({
  BACKEND_PORT: tcpPort.default(8092),
  FRONTEND_PORT: tcpPort.default(8084),
  BIND_ADDRESS: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DOCKER_HOST: dockerHost.default('unix:///var/run/docker.sock'),
  AUTH_ENABLED: booleanFlag.default(true),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_EXPIRES_IN: duration.default(24 * 3600),
  CORS_ORIGIN: z.string().default(''),
  ALLOWED_HOSTS: z.string().default(''),
  TZ: z.string().min(1).default('UTC'),
  APPFOLDER: absoluteHostPath.default('/opt/appdata'),
  MEDIAFOLDER: absoluteHostPath.default('/mnt/media'),
  ID: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric user/group id')
    .default('1000'),
  UMASK: z
    .string()
    .regex(/^[0-7]{3,4}$/, 'must be an octal umask such as 002')
    .default('002'),
  RESTARTAPP: z
    .enum(['no', 'always', 'unless-stopped', 'on-failure'], {
      message: 'must be one of no, always, unless-stopped, on-failure',
    })
    .default('unless-stopped'),
  DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as example.com')
    .default('localhost'),
  CLI_BRIDGE_HOST_PATH: z.string().optional(),
  CATALOG_PATHS: z.string().default(''),
  DOCKER_CONFIG: z.string().optional(),
  LOG_LEVEL: logLevel.default('info'),
  ADMIN_PASSWORD: z.string().optional(),
  ADMIN_PASSWORD_FILE: z.string().optional(),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8, 'must be at least 8').max(128).default(8),
  TRUST_PROXY: z.string().default(''),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  AUTO_CREATE_PROXY_NETWORK: booleanFlag.default(true),
  PROXY_NETWORK: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a Docker network name')
    .default('proxy'),
  TRAEFIK_ENTRYPOINT: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('https'),
  TRAEFIK_CERT_RESOLVER: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .default('dns-cloudflare'),
  AUTHELIA_MIDDLEWARE: z
    .string()
    .regex(/^[A-Za-z0-9_@.-]+$/)
    .default('chain-authelia@file'),
  COMPOSE_PROJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, _ or -')
    .default('hlr'),
  DEPLOY_VERIFY_TIMEOUT: duration.default(120),
  DEPLOY_STEP_TIMEOUT: duration.default(15 * 60),
  COMPOSE_BINARY: z.string().optional(),
  RCLONE_OAUTH_CONFIG: z.string().optional(),
  MOUNT_LOCAL_ROOTS: z.string().default('/media'),
  MOUNTS_MONTHLY_BUDGET: z.coerce.number({ message: 'must be a number' }).min(0, 'must not be negative').optional(),
});

export type Config = {
  backendPort: number;
  frontendPort: number;
  bindAddress: string;
  dataDir: string;
  dockerHost: string;
  authEnabled: boolean;
  jwtSecret: string | undefined;
  jwtExpiresInSeconds: number;
  corsOrigins: string[];
  /** Host names the server is reached by beyond its own (behind a proxy, a DNS name): the DNS-rebinding guard trusts them. */
  allowedHosts: string[];
  timezone: string;
  appFolder: string;
  mediaFolder: string;
  /** ID: the user and group id apps run as (PUID/PGID in their templates). */
  userId: number;
  /** UMASK as mode bits (0o002), parsed once here from its octal text. */
  umask: number;
  restartPolicy: string;
  domain: string;
  catalogPaths: string[];
  cliBridgeHostPath: string | undefined;
  logLevel: z.infer<typeof logLevel>;
  adminPassword: string | undefined;
  adminPasswordFile: string | undefined;
  passwordMinLength: number;
  trustProxy: string[];
  metricsToken: string | undefined;
  autoCreateProxyNetwork: boolean;
  proxyNetwork: string;
  traefikEntrypoint: string;
  traefikCertResolver: string;
  autheliaMiddleware: string;
  composeProjectPrefix: string;
  deployVerifyTimeoutSeconds: number;
  deployStepTimeoutSeconds: number;
  composeBinary: string | undefined;
  rcloneOAuthConfigPath: string | undefined;
  /**
   * Folders of the mount container the `local` provider may expose (MOUNT_LOCAL_ROOTS); the rclone
   * mount app binds MEDIAFOLDER at /media. Never its config folder or `/`.
   */
  mountLocalRoots: string[];
  /** Monthly budget the mount cost estimate is compared with (USD); null when unset. */
  mountsMonthlyBudget: number | null;
  /** Where the bundled catalog lives (apps/ at the project root). */
  bundledCatalogPath: string;
  /** Where the built dashboard lives. */
  webRoot: string;
  /** PATH handed to subprocesses so they can find docker and its plugins. */
  executablePath: string;
  /**
   * HOME handed to docker and compose: the CLI reads its config.json and looks for plugins under it,
   * and fails to find compose when it cannot read them (e.g. HOME=/root for a non-root service user).
   */
  commandHome: string;
  /** DOCKER_CONFIG handed to docker and compose (a folder holding config.json: registry logins); unset means HOME/.docker. */
  dockerConfigDir: string | undefined;
  isCI: boolean;
};

/** The home folder of the account the server runs as (from the user database, not the environment). */
function accountHome(): string {
  try {
    return os.userInfo().homedir;
  } catch {
    return os.tmpdir();
  }
}

/** Folders of the mount container no local mount may expose or contain: its secrets, caches and system folders. */
export const FORBIDDEN_LOCAL_FOLDERS = [
  '/config',
  '/cache',
  '/mnt/remotes',
  '/etc',
  '/root',
  '/proc',
  '/sys',
  '/dev',
  '/run',
  '/var',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
];

/** Whether one absolute, normalized path is the other or inside it. */
export function isSameOrInside(child: string, parent: string): boolean {
  return parent === '/' || child === parent || child.startsWith(`${parent}/`);
}

/** Why a folder cannot be a local-mount root; null when it can. */
export function localRootProblem(root: string): string | null {
  if (!root.startsWith('/') || root.split('/').includes('..')) return 'must be an absolute path without ..';
  if (root === '/') return 'must not be / (the whole container, its rclone config included)';
  const clash = FORBIDDEN_LOCAL_FOLDERS.find((folder) => isSameOrInside(root, folder) || isSameOrInside(folder, root));
  return clash ? `must not be or contain ${clash} (the mount container's config, caches or system folders)` : null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads KEY=VALUE lines; quotes are stripped, comments and blank lines ignored. */
export function parseDotEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values[match[1] as string] = value;
  }
  return values;
}

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function splitList(value: string, separator: string): string[] {
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * Builds the configuration from an environment (process.env by default) and the .env file
 * of the working directory; real environment variables win over the file.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; cwd?: string; readDotEnv?: boolean } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dotEnvPath = path.join(cwd, '.env');
  const fromFile = options.readDotEnv !== false && existsSync(dotEnvPath) ? parseDotEnv(readFileSync(dotEnvPath, 'utf8')) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined) merged[key] = value;
  }
  for (const key of Object.keys(merged)) {
    if (merged[key] === '') delete merged[key];
  }
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}=${JSON.stringify(merged[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.BACKEND_PORT === e.FRONTEND_PORT) {
    throw new ConfigError([`FRONTEND_PORT=${e.FRONTEND_PORT}: must differ from BACKEND_PORT`]);
  }
  const mountLocalRoots = splitList(e.MOUNT_LOCAL_ROOTS, ',').map((root) => path.posix.normalize(root).replace(/(.)\/+$/, '$1'));
  const badRoots = mountLocalRoots.filter((root) => localRootProblem(root) !== null);
  if (badRoots.length > 0) {
    throw new ConfigError(badRoots.map((root) => `MOUNT_LOCAL_ROOTS=${JSON.stringify(root)}: ${localRootProblem(root) ?? ''}`));
  }
  const dockerSocket = e.DOCKER_HOST.startsWith('/') ? `unix://${e.DOCKER_HOST}` : e.DOCKER_HOST;
  return {
    backendPort: e.BACKEND_PORT,
    frontendPort: e.FRONTEND_PORT,
    bindAddress: e.BIND_ADDRESS,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    dockerHost: dockerSocket,
    authEnabled: e.AUTH_ENABLED,
    jwtSecret: e.JWT_SECRET,
    jwtExpiresInSeconds: e.JWT_EXPIRES_IN,
    corsOrigins: splitList(e.CORS_ORIGIN, ','),
    allowedHosts: splitList(e.ALLOWED_HOSTS, ','),
    timezone: e.TZ,
    appFolder: e.APPFOLDER,
    mediaFolder: e.MEDIAFOLDER,
    userId: Number(e.ID),
    umask: parseInt(e.UMASK, 8),
    restartPolicy: e.RESTARTAPP,
    domain: e.DOMAIN,
    catalogPaths: splitList(e.CATALOG_PATHS, ':').map((item) => path.resolve(cwd, item)),
    cliBridgeHostPath: e.CLI_BRIDGE_HOST_PATH ? path.resolve(cwd, e.CLI_BRIDGE_HOST_PATH) : undefined,
    logLevel: e.LOG_LEVEL,
    adminPassword: e.ADMIN_PASSWORD,
    adminPasswordFile: e.ADMIN_PASSWORD_FILE,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    trustProxy: splitList(e.TRUST_PROXY, ','),
    metricsToken: e.METRICS_TOKEN,
    autoCreateProxyNetwork: e.AUTO_CREATE_PROXY_NETWORK,
    proxyNetwork: e.PROXY_NETWORK,
    traefikEntrypoint: e.TRAEFIK_ENTRYPOINT,
    traefikCertResolver: e.TRAEFIK_CERT_RESOLVER,
    autheliaMiddleware: e.AUTHELIA_MIDDLEWARE,
    composeProjectPrefix: e.COMPOSE_PROJECT_PREFIX,
    deployVerifyTimeoutSeconds: e.DEPLOY_VERIFY_TIMEOUT,
    deployStepTimeoutSeconds: e.DEPLOY_STEP_TIMEOUT,
    composeBinary: e.COMPOSE_BINARY,
    rcloneOAuthConfigPath: e.RCLONE_OAUTH_CONFIG,
    mountLocalRoots,
    mountsMonthlyBudget: e.MOUNTS_MONTHLY_BUDGET ?? null,
    bundledCatalogPath: path.join(projectRoot, 'apps'),
    webRoot: path.join(projectRoot, 'dist', 'web'),
    executablePath: env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    commandHome: env.HOME ?? accountHome(),
    dockerConfigDir: e.DOCKER_CONFIG ? path.resolve(cwd, e.DOCKER_CONFIG) : undefined,
    isCI: env.CI === 'true',
  };
}

/** A configuration for tests: defaults plus overrides, never reading the real environment. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ env: { PATH: process.env.PATH, CI: process.env.CI, HOME: process.env.HOME }, readDotEnv: false });
  return { ...base, ...overrides };
}
