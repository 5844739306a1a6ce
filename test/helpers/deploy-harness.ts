// Docker-tier deployments: the real app (real Docker, real compose) on a free port, with the deploy
// test catalog, a compose project prefix and proxy network of its own, and cleanup by prefix.
import path from 'node:path';
import type { Config } from '../../src/server/config.js';
import { detectCompose } from '../../src/server/infra/compose-cli.js';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';
import { createTestApp, type TestApp } from './app.js';
import { docker, DOCKER_SOCKET, removeTestResources, testEnv, testRunId } from './docker.js';

export const DEPLOY_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');

export type DeployHarness = { t: TestApp; url: string; prefix: string; proxyNetwork: string };

/** `suffix` keeps the projects of two test files of one run apart. */
export async function startDeployApp(suffix: string, config: Partial<Config> = {}): Promise<DeployHarness> {
  const prefix = `hlrt${testRunId}${suffix}`;
  const proxyNetwork = `${prefix}-proxy`;
  const compose = await detectCompose(testEnv());
  if (!compose.available) throw new Error('docker compose v2 is needed: run sudo bash scripts/setup-host.sh');
  const t = await createTestApp({
    config: {
      catalogPaths: [DEPLOY_FIXTURES],
      composeProjectPrefix: prefix,
      proxyNetwork,
      authEnabled: false,
      deployVerifyTimeoutSeconds: 30,
      ...config,
    },
    docker: new EngineApiClient(`unix://${DOCKER_SOCKET}`),
    compose,
  });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, url, prefix, proxyNetwork };
}

/** Removes every container, network and volume of the prefix's compose projects, and its proxy network. */
export async function removeDeployResources(prefix: string): Promise<void> {
  const ofPrefix = (labels: Record<string, string> | undefined): boolean =>
    (labels?.['com.docker.compose.project'] ?? '').startsWith(`${prefix}-`);
  const containers = await docker.listContainers({ all: true, filters: { label: ['com.docker.compose.project'] } });
  await Promise.all(
    containers
      .filter((item) => ofPrefix(item.Labels))
      .map((item) =>
        docker
          .getContainer(item.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
  );
  const networks = await docker.listNetworks();
  await Promise.all(
    networks
      .filter((network) => ofPrefix(network.Labels) || network.Name === `${prefix}-proxy`)
      .map((network) =>
        docker
          .getNetwork(network.Id)
          .remove()
          .catch(() => undefined),
      ),
  );
  const { Volumes } = await docker.listVolumes({ filters: { label: ['com.docker.compose.project'] } });
  await Promise.all(
    (Volumes ?? [])
      .filter((volume) => ofPrefix(volume.Labels ?? undefined))
      .map((volume) =>
        docker
          .getVolume(volume.Name)
          .remove()
          .catch(() => undefined),
      ),
  );
  await removeTestResources({ runId: testRunId });
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Deploys and waits for the deployment to end; returns its final status body. */
export async function deployAndWait(
  h: DeployHarness,
  body: Record<string, unknown>,
): Promise<{ id: string; deployment: Record<string, unknown> }> {
  const started = await postJson(`${h.url}/deploy`, body);
  if (started.status !== 200) throw new Error(`POST /deploy answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.deploymentId as string;
  await h.t.ctx.services.deployments.settled();
  const status = await getJson(`${h.url}/deployments/${id}/status`);
  return { id, deployment: status.body.deployment as Record<string, unknown> };
}
