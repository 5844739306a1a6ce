// Docker tier, whole product: a server killed in the middle of a deploy marks the deployment
// interrupted when it starts again on the same DATA_DIR, and reports what Docker runs for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, testRunId } from '../helpers/docker.js';
import { DEPLOY_FIXTURES, getJson, removeDeployResources } from '../helpers/deploy-harness.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { connectSse } from '../helpers/sse-client.js';

const prefix = `hlrt${testRunId}k`;
const env = {
  CATALOG_PATHS: DEPLOY_FIXTURES,
  COMPOSE_PROJECT_PREFIX: prefix,
  PROXY_NETWORK: `${prefix}-proxy`,
  AUTH_ENABLED: 'false',
  DEPLOY_VERIFY_TIMEOUT: '120',
};
const servers: ServerProcess[] = [];

beforeAll(async () => {
  await requireDocker();
});

afterAll(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  await removeDeployResources(prefix);
});

describe('a restart in the middle of a deploy', () => {
  it(
    'marks the deployment interrupted, reconciles it with the containers Docker runs, and stops gracefully with a stream open',
    { timeout: 120_000 },
    async () => {
      const first = await startServer(env);
      servers.push(first);
      const started = await fetch(`${first.backendUrl}/deploy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: 'hlrtest-slow', config: { HLR_TEST_RUN: testRunId } }),
      });
      expect(started.status).toBe(200);
      const { deploymentId } = (await started.json()) as { deploymentId: string };
      const stream = await connectSse(`${first.backendUrl}/stream/progress?deploymentId=${deploymentId}`);
      await stream.waitFor(
        (event) => event.event === 'deployment-step' && event.json.step === 'verify' && event.json.status === 'started',
        60_000,
      );
      stream.close();
      await first.stop('SIGKILL');

      const second = await startServer({ ...env, DATA_DIR: first.dataDir });
      servers.push(second);
      expect(second.output()).toContain(`Deployment ${deploymentId} of hlrtest-slow was interrupted by a restart`);
      const container = `${prefix}-hlrtest-slow-app-1`;
      const status = await getJson(`${second.backendUrl}/deployments/${deploymentId}/status`);
      expect(status.body.deployment).toMatchObject({
        id: deploymentId,
        status: 'interrupted',
        step: 'verify',
        error: `The server stopped while this deployment was at the verify step. Its containers are running: ${container}. Deploy the app again to finish it.`,
        result: { urls: [], ports: [], containers: [expect.objectContaining({ name: container, state: 'running', health: 'starting' })] },
      });
      expect((await getJson(`${second.backendUrl}/deployments/active`)).body).toEqual({ success: true, deployments: [] });

      const replay = await connectSse(`${second.backendUrl}/stream/progress?deploymentId=${deploymentId}`);
      const complete = await replay.waitFor((event) => event.event === 'deployment-complete');
      replay.close();
      expect(complete.json).toMatchObject({
        success: false,
        status: 'interrupted',
        summary: { error: (status.body.deployment as { error: string }).error },
      });
      expect(replay.events.filter((event) => event.event === 'deployment-step').at(-1)?.json).toMatchObject({
        step: 'verify',
        status: 'failed',
        details: { interrupted: true },
      });

      const removed = await fetch(`${second.backendUrl}/applications/hlrtest-slow`, { method: 'DELETE' });
      expect(removed.status).toBe(200);

      // A graceful stop ends open streams instead of waiting on them.
      const open = await connectSse(`${second.backendUrl}/stream/progress`);
      await open.waitFor((event) => event.event === 'connected');
      expect(await second.stop()).toBe(0);
      await open.ended;
    },
  );
});
