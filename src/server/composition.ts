// The composition root of the outside world: createInfra(config) builds every adapter the services
// use (Docker, compose, rclone, OAuth token endpoints, stack and secret files, host ports, name
// lookups, the clock) once, from the configuration. main.ts, the CLI and the tests all start here;
// tests replace any adapter with a fake by spreading over the result.
import type { Config } from './config.js';
import { systemClock, type Clock } from './infra/clock.js';
import { CliComposeRunner, composeProcessEnv, type ComposeRunner } from './infra/compose-cli.js';
import { EngineApiClient } from './infra/docker/engine-api-client.js';
import type { DockerEngine } from './infra/docker/engine.js';
import { ProcHostPorts, type HostPorts } from './infra/host-ports.js';
import { SystemHostResolver, type HostResolver } from './infra/host-resolver.js';
import { HttpOAuthTokenClient, type OAuthTokenClient } from './infra/oauth-token-client.js';
import { HttpRcloneClient, type RcloneClient } from './infra/rclone-rc.js';
import { nodeSecretFiles, type SecretFiles } from './infra/secret-files.js';
import { StackFiles } from './infra/stack-files.js';

export type Infra = {
  config: Config;
  clock: Clock;
  docker: DockerEngine;
  /** Finds and runs docker compose; `detect()` at start, and again by a deploy while none is found. */
  compose: ComposeRunner;
  /** The host's listening sockets and a bind probe. */
  hostPorts: HostPorts;
  /** Resolves storage endpoints' names before rclone connects to them. */
  hostResolver: HostResolver;
  rclone: RcloneClient;
  oauthTokens: OAuthTokenClient;
  /** DATA_DIR/stacks: each deployed app's compose.yaml and .env. */
  stackFiles: StackFiles;
  /** Files that hold secrets (the generated JWT secret, the first admin's password), written 0600. */
  secretFiles: SecretFiles;
};

/** Every adapter, built and not yet used: nothing here connects, spawns or reads until asked. */
export function createInfra(config: Config): Infra {
  return {
    config,
    clock: systemClock,
    docker: new EngineApiClient(config.dockerHost),
    compose: new CliComposeRunner(composeProcessEnv(config), config.composeBinary),
    hostPorts: new ProcHostPorts(),
    hostResolver: new SystemHostResolver(),
    rclone: new HttpRcloneClient(),
    oauthTokens: new HttpOAuthTokenClient(),
    stackFiles: new StackFiles(config.dataDir),
    secretFiles: nodeSecretFiles,
  };
}
