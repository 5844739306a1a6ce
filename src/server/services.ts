// The composition of services from infrastructure (composition.ts builds it). main.ts and the CLI
// call it with the real infra, tests with fakes for the outside world; all get the same wiring.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Infra } from './composition.js';
import type { Db } from './infra/db.js';
import type { Authenticator } from './modules/auth/index.js';
import { ActivityRepository } from './modules/activity/index.js';
import { ActivityService } from './modules/activity/index.js';
import { HealthService } from './modules/health/index.js';
import { dockerWithAppErrors } from './app-errors/docker.js';
import { oauthWithAppErrors } from './app-errors/oauth.js';
import { rcloneWithAppErrors } from './app-errors/rclone.js';
import { ContainersService } from './modules/containers/index.js';
import { StatsSampler } from './modules/containers/index.js';
import { PortsService } from './modules/ports/index.js';
import { CatalogService, catalogOptionsFromConfig } from './modules/catalog/index.js';
import type { ApiKeysService } from './modules/auth/index.js';
import { createAuthModule } from './modules/auth/index.js';
import type { AuthService } from './modules/auth/index.js';
import type { UsageTracker } from './modules/auth/index.js';
import type { UsersService } from './modules/auth/index.js';
import { readOAuthSettingsFile } from './infra/oauth-token-client.js';
import { AppLifecycleService } from './modules/applications/index.js';
import { AppLocks } from './modules/stacks/index.js';
import { DeploymentEventLog } from './modules/deployments/index.js';
import { DeploymentsRepository } from './modules/deployments/index.js';
import { DeploymentsService } from './modules/deployments/index.js';
import { StreamHub } from './modules/stream/index.js';
import { MountAuthService } from './modules/mounts/index.js';
import { EndpointPolicy } from './modules/mounts/index.js';
import { MountContainerResolver } from './modules/mounts/index.js';
import { MountOAuthStatesRepository } from './modules/mounts/index.js';
import { MountsService } from './modules/mounts/index.js';
import { COMPOSE_PROJECT_LABEL, findContainerApp } from './modules/stacks/index.js';
import { DeploymentMetricsRepository } from './modules/metrics/index.js';
import { DEPLOYMENT_DURATION_BUCKETS, MetricsService } from './modules/metrics/index.js';

export type Services = {
  health: HealthService;
  activity: ActivityService;
  containers: ContainersService;
  ports: PortsService;
  catalog: CatalogService;
  auth: AuthService;
  users: UsersService;
  apiKeys: ApiKeysService;
  /** Batches sessions' lastSeen and keys' lastUsed; the auth routes start and stop it. */
  authUsage: UsageTracker;
  mounts: MountsService;
  mountAuth: MountAuthService;
  deployments: DeploymentsService;
  /** The progress stream's clients and subscriptions (GET /stream/progress). */
  stream: StreamHub;
  appLifecycle: AppLifecycleService;
  /** GET /metrics; other modules add metrics with metrics.registry.counter/gauge/histogram. */
  metrics: MetricsService;
};

const packageJsonPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'package.json');
export const PRODUCT_VERSION = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;

export function createServices(infra: Infra, db: Db): { services: Services; authenticator: Authenticator } {
  const { config, clock } = infra;
  // Every service gets the engine whose failures are already the API's answers (app-errors/docker.ts).
  const docker = dockerWithAppErrors(infra.docker);
  // Watching is cheap (one inotify watch per folder) and stops when the app closes.
  const catalog = new CatalogService(catalogOptionsFromConfig(config, { watch: true }));
  const health = new HealthService({
    config,
    docker,
    clock,
    compose: () => infra.compose.current(),
    checkDatabase: () => {
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    catalogSummary: () => catalog.summary(),
    version: PRODUCT_VERSION,
    startedAtMs: clock.nowMs(),
  });
  const activity = new ActivityService(new ActivityRepository(db), clock);
  const containers = new ContainersService({
    docker,
    activity,
    clock,
    sampler: new StatsSampler(docker, clock),
    composeProjectPrefix: config.composeProjectPrefix,
  });
  const ports = new PortsService({
    docker,
    hostPorts: infra.hostPorts,
    composeProjectPrefix: config.composeProjectPrefix,
  });
  const authModule = createAuthModule({
    db,
    clock,
    files: infra.secretFiles,
    activity,
    config,
    isKnownApp: (appId) => catalog.get(appId) !== null,
  });
  // First start: the admin exists before anything can listen (main.ts prints a generated password).
  authModule.users.ensureInitialAdmin();
  const authenticator: Authenticator = authModule.authenticator;
  const mounts = new MountsService(
    new MountContainerResolver(docker, infra.stackFiles),
    rcloneWithAppErrors(infra.rclone),
    {
      uid: config.userId,
      gid: config.userId,
      umask: config.umask,
      monthlyBudget: config.mountsMonthlyBudget,
      localRoots: config.mountLocalRoots,
    },
    activity,
  );
  const mountAuth = new MountAuthService(
    mounts,
    new MountOAuthStatesRepository(db),
    oauthWithAppErrors(infra.oauthTokens),
    { read: () => readOAuthSettingsFile(config.rcloneOAuthConfigPath), fileName: config.rcloneOAuthConfigPath ?? 'RCLONE_OAUTH_CONFIG' },
    clock,
    activity,
    new EndpointPolicy(infra.hostResolver),
  );
  const stacks = infra.stackFiles;
  const composeRunner = infra.compose;
  const deploymentsRepository = new DeploymentsRepository(db);
  const deploymentEvents = new DeploymentEventLog(deploymentsRepository, clock);
  const stream = new StreamHub(deploymentEvents, clock, {}, (owner) => authModule.authenticator.isPrincipalLive(owner));
  authModule.onCredentialsChanged(() => stream.revalidateOwners());
  deploymentEvents.listen((event) => stream.publish(event));
  const appLocks = new AppLocks();
  const deployments = new DeploymentsService({
    config,
    docker,
    compose: composeRunner,
    hostPorts: infra.hostPorts,
    stacks,
    events: deploymentEvents,
    repository: deploymentsRepository,
    activity,
    clock,
    catalog,
    locks: appLocks,
  });
  const appLifecycle = new AppLifecycleService({ config, docker, compose: composeRunner, stacks, locks: appLocks, activity });
  const metrics = new MetricsService({
    deployments: new DeploymentMetricsRepository(db, DEPLOYMENT_DURATION_BUCKETS),
    sseClients: () => stream.connectionCount,
    sseRememberedClients: () => stream.rememberedClientCount,
    isDockerUp: () => health.isDockerUp(),
    isComposeAvailable: () => health.composeAvailable(),
    catalogSummary: () => catalog.summary(),
    listAppContainers: async () =>
      (await docker.listContainers({ all: true, labels: [COMPOSE_PROJECT_LABEL] })).flatMap((container) => {
        const app = findContainerApp(container.labels, config.composeProjectPrefix);
        return app ? [{ appId: app.appId, state: container.state }] : [];
      }),
    version: PRODUCT_VERSION,
    metricsToken: config.metricsToken,
  });
  return {
    services: {
      deployments,
      stream,
      appLifecycle,
      health,
      activity,
      containers,
      ports,
      catalog,
      auth: authModule.auth,
      users: authModule.users,
      apiKeys: authModule.apiKeys,
      authUsage: authModule.usage,
      mounts,
      mountAuth,
      metrics,
    },
    authenticator,
  };
}
