// Docker tier: real deploys with real compose of the stub-image test templates, watched over a
// real SSE connection; failures with their reasons; cancel and the lock; stop, remove and logs.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, requireDocker, testRunId } from '../helpers/docker.js';
import { deployAndWait, getJson, postJson, removeDeployResources, startDeployApp, type DeployHarness } from '../helpers/deploy-harness.js';
import { FULL_TRAIL_WITH_LOCAL_IMAGES, streamedTrail } from '../helpers/deploy-trail.js';
import { freePort } from '../helpers/server-process.js';
import { connectSse, type SseClient } from '../helpers/sse-client.js';

let h: DeployHarness;
const clients: SseClient[] = [];

beforeAll(async () => {
  await requireDocker();
  h = await startDeployApp('d');
});

afterAll(async () => {
  for (const client of clients) client.close();
  await h?.t.ctx.services.deployments.settled();
  await h?.t.close();
  if (h) await removeDeployResources(h.prefix);
});

async function openStream(): Promise<{ client: SseClient; clientId: string }> {
  const client = await connectSse(`${h.url}/stream/progress`);
  clients.push(client);
  const connected = await client.waitFor((event) => event.event === 'connected');
  return { client, clientId: connected.json.clientId as string };
}

async function projectContainers(appId: string) {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${h.prefix}-${appId}`] } });
}

const run = { HLR_TEST_RUN: testRunId };

describe('deploying with real Docker and compose', () => {
  it(
    'deploys in standard mode, and a subscriber joining after the start sees every step from validate on',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const { client, clientId } = await openStream();
      const started = await postJson(`${h.url}/deploy`, {
        appId: 'hlrtest-web',
        config: { WEB_PORT: port, ...run },
        mode: { type: 'standard' },
      });
      expect(started.status).toBe(200);
      const deploymentId = started.body.deploymentId as string;
      expect(await postJson(`${h.url}/stream/deployments/${deploymentId}/subscribe`, { clientId })).toEqual({
        status: 200,
        body: { success: true, deploymentId, clientId },
      });
      const complete = await client.waitFor((event) => event.event === 'deployment-complete', 90_000);
      expect(complete.json).toMatchObject({
        deploymentId,
        success: true,
        summary: { appId: 'hlrtest-web', deploymentMode: 'standard', urls: [`http://localhost:${port}`], error: null },
      });
      expect(streamedTrail(client.events)).toEqual(FULL_TRAIL_WITH_LOCAL_IMAGES);
      const output = client.events.filter((event) => event.event === 'command-output').map((event) => String(event.json.output));
      expect(output.some((line) => line.includes(`${h.prefix}-hlrtest-web-web-1`) && line.includes('Started'))).toBe(true);
      expect(client.events.map((event) => Number(event.id))).toEqual(client.events.map((_, index) => index + 1));
      expect(client.events.some((event) => event.event === 'error')).toBe(false);

      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(await page.text()).toBe('stub\n');
      const [container] = await projectContainers('hlrtest-web');
      expect(container?.Labels).toMatchObject({
        'homelabarr.app-id': 'hlrtest-web',
        'homelabarr.deployment-id': deploymentId,
        'homelabarr.test': testRunId,
      });
      expect(container?.Labels['traefik.enable']).toBeUndefined();
    },
  );

  it('reads logs, redeploys in place, stops and removes an app on its own project', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const first = await deployAndWait(h, { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: port, ...run } });
    expect(first.deployment).toMatchObject({
      status: 'completed',
      result: { containers: [{ service: 'app', state: 'running', health: 'healthy' }] },
    });

    const newPort = await freePort();
    const second = await deployAndWait(h, { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: newPort, ...run } });
    expect(second.deployment).toMatchObject({ status: 'completed', isRedeploy: true, result: { urls: [`http://localhost:${newPort}`] } });
    expect(await (await fetch(`http://127.0.0.1:${newPort}/`)).text()).toBe('stub\n');
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(await projectContainers('hlrtest-healthy')).toHaveLength(1);

    const logs = await getJson(`${h.url}/applications/hlrtest-web/logs?lines=50`);
    expect(logs.status).toBe(200);
    expect(logs.body.entries).toContainEqual({
      service: 'web',
      container: `${h.prefix}-hlrtest-web-web-1`,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      stream: 'stdout',
      message: 'web: serving /www on 8080',
    });
    expect(logs.body.logs).toContain('web | web: serving /www on 8080');

    const stopped = await postJson(`${h.url}/applications/hlrtest-healthy/stop`, {});
    expect(stopped).toEqual({
      status: 200,
      body: {
        success: true,
        message: 'hlrtest-healthy stopped (1 container(s))',
        appId: 'hlrtest-healthy',
        containers: [expect.objectContaining({ name: `${h.prefix}-hlrtest-healthy-app-1`, service: 'app', state: 'exited' })],
      },
    });
    const removed = await getJson(`${h.url}/applications/hlrtest-healthy?removeVolumes=true`, { method: 'DELETE' });
    expect(removed).toEqual({
      status: 200,
      body: {
        success: true,
        message: 'hlrtest-healthy removed with its volumes; its data under APPFOLDER was kept',
        appId: 'hlrtest-healthy',
        removedVolumes: true,
      },
    });
    expect(await projectContainers('hlrtest-healthy')).toEqual([]);
    expect(existsSync(path.join(h.t.dataDir, 'stacks', 'hlrtest-healthy'))).toBe(false);
    expect((await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${h.prefix}-hlrtest-healthy`] } })).length).toBe(0);
    expect((await getJson(`${h.url}/applications/hlrtest-healthy/logs`)).status).toBe(404);
  });

  it(
    'deploys behind Traefik and Authelia: generated labels and the proxy network on the running container',
    { timeout: 120_000 },
    async () => {
      const traefik = await deployAndWait(h, {
        appId: 'hlrtest-web',
        config: { WEB_PORT: await freePort(), ...run },
        mode: { type: 'traefik' },
      });
      expect(traefik.deployment).toMatchObject({ status: 'completed', mode: 'traefik', result: { urls: ['https://web.localhost'] } });
      const network = await docker.getNetwork(h.proxyNetwork).inspect();
      expect(network.Labels).toMatchObject({ 'homelabarr.managed': 'true' });
      const router = `${h.prefix}-hlrtest-web`;
      let [summary] = await projectContainers('hlrtest-web');
      let inspected = await docker.getContainer(summary!.Id).inspect();
      expect(inspected.State.Running).toBe(true);
      expect(Object.keys(inspected.NetworkSettings.Networks)).toContain(h.proxyNetwork);
      expect(inspected.Config.Labels).toMatchObject({
        'traefik.enable': 'true',
        'traefik.docker.network': h.proxyNetwork,
        [`traefik.http.routers.${router}.rule`]: 'Host(`web.localhost`)',
        [`traefik.http.routers.${router}.entrypoints`]: 'https',
        [`traefik.http.routers.${router}.tls.certresolver`]: 'dns-cloudflare',
        [`traefik.http.services.${router}.loadbalancer.server.port`]: '8080',
      });
      expect(inspected.Config.Labels[`traefik.http.routers.${router}.middlewares`]).toBeUndefined();
      expect(inspected.HostConfig.PortBindings).toEqual({});

      const authelia = await deployAndWait(h, { appId: 'hlrtest-web', config: { ...run }, mode: { type: 'authelia' } });
      expect(authelia.deployment).toMatchObject({ status: 'completed', mode: 'authelia', isRedeploy: true });
      [summary] = await projectContainers('hlrtest-web');
      inspected = await docker.getContainer(summary!.Id).inspect();
      expect(Object.keys(inspected.NetworkSettings.Networks)).toContain(h.proxyNetwork);
      expect(inspected.Config.Labels).toMatchObject({
        [`traefik.http.routers.${router}.middlewares`]: 'chain-authelia@file',
        [`traefik.http.routers.${router}-api.rule`]: 'Host(`web.localhost`) && (PathPrefix(`/api`))',
        'homelabarr.deployment-id': authelia.id,
      });
    },
  );

  it('fails a deploy whose image cannot be pulled, saying why', { timeout: 60_000 }, async () => {
    const { deployment } = await deployAndWait(h, { appId: 'hlrtest-badimage', config: { ...run } });
    expect(deployment).toMatchObject({ status: 'failed', step: 'pull' });
    expect(deployment.error).toMatch(
      /^The image 127\.0\.0\.1:9\/hlrt\/missing:1 could not be pulled: .*connection refused.*\. Check the image name and tag, and that this machine can reach its registry\.$/,
    );
    expect(await projectContainers('hlrtest-badimage')).toEqual([]);
  });

  it('fails a deploy whose port a host program or another app holds, naming the holder', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
    try {
      const { deployment } = await deployAndWait(h, { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: port, ...run } });
      expect(deployment).toMatchObject({
        status: 'failed',
        step: 'preflight',
        error: `Port ${port}/tcp (service app) is already in use by a program on the host listening on 0.0.0.0:${port}. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.`,
      });
    } finally {
      server.close();
    }
    const holder = await deployAndWait(h, { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: port, ...run } });
    expect(holder.deployment).toMatchObject({ status: 'completed' });
    const { deployment } = await deployAndWait(h, { appId: 'hlrtest-web', config: { WEB_PORT: port, ...run }, mode: { type: 'standard' } });
    expect(deployment).toMatchObject({
      status: 'failed',
      step: 'preflight',
      error: `Port ${port}/tcp (service web) is already published by container ${h.prefix}-hlrtest-healthy-app-1 of app hlrtest-healthy. Choose another host port for the deploy (GET /ports/available finds a free one), or stop what holds it.`,
    });
    expect((await getJson(`${h.url}/applications/hlrtest-healthy`, { method: 'DELETE' })).status).toBe(200);
    expect(await projectContainers('hlrtest-healthy')).toEqual([]);
  });

  it('fails a deploy whose container turns unhealthy or exits, with its last log lines', { timeout: 90_000 }, async () => {
    const unhealthy = await deployAndWait(h, { appId: 'hlrtest-unhealthy', config: { ...run } });
    expect(unhealthy.deployment).toMatchObject({
      status: 'failed',
      step: 'verify',
      error: `Container ${h.prefix}-hlrtest-unhealthy-app-1 (service app) is unhealthy. Last log lines:\nconfig file /config/app.ini is missing`,
    });
    const crash = await deployAndWait(h, { appId: 'hlrtest-crash', config: { ...run } });
    expect(crash.deployment).toMatchObject({
      status: 'failed',
      step: 'verify',
      error: `Container ${h.prefix}-hlrtest-crash-app-1 (service app) exited with code 3. Last log lines:\nfatal: cannot open database /data/app.db`,
    });
    const events = await getJson(`${h.url}/deployments/${crash.id}/events?limit=1000`);
    const list = events.body.events as { event: string; data: Record<string, unknown> }[];
    expect(list.at(-2)).toMatchObject({
      event: 'deployment-step',
      data: { step: 'verify', status: 'failed', message: crash.deployment.error },
    });
    expect(list.at(-1)).toMatchObject({
      event: 'deployment-complete',
      data: { success: false, summary: { error: crash.deployment.error } },
    });
  });

  it(
    'holds the per-app lock while deploying and cancels cleanly, removing what the first deploy started',
    { timeout: 90_000 },
    async () => {
      const { client, clientId } = await openStream();
      const started = await postJson(`${h.url}/deploy`, { appId: 'hlrtest-slow', config: { ...run } });
      const deploymentId = started.body.deploymentId as string;
      await postJson(`${h.url}/stream/deployments/${deploymentId}/subscribe`, { clientId });
      await client.waitFor(
        (event) => event.event === 'deployment-step' && event.json.step === 'verify' && event.json.status === 'started',
        60_000,
      );
      expect(await projectContainers('hlrtest-slow')).toHaveLength(1);

      const second = await postJson(`${h.url}/deploy`, { appId: 'hlrtest-slow', config: { ...run } });
      expect(second).toEqual({
        status: 409,
        body: {
          error: 'HLR Test Slow is already being deployed',
          details: `Deployment ${deploymentId} of hlrtest-slow has not finished. Follow it at /deployments/${deploymentId}/status, or cancel it with POST /deployments/${deploymentId}/cancel.`,
          code: 'CONFLICT',
          requestId: expect.any(String),
        },
      });

      const cancelled = await postJson(`${h.url}/deployments/${deploymentId}/cancel`, {});
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.deployment).toMatchObject({ status: 'cancelled', error: 'Cancelled by an anonymous user' });
      const complete = await client.waitFor((event) => event.event === 'deployment-complete');
      expect(complete.json).toMatchObject({ success: false, status: 'cancelled' });
      expect(await projectContainers('hlrtest-slow')).toEqual([]);
      expect(existsSync(path.join(h.t.dataDir, 'stacks', 'hlrtest-slow'))).toBe(false);
      expect((await postJson(`${h.url}/applications/hlrtest-slow/stop`, {})).status).toBe(404);
    },
  );
  it(
    'deploys the original dashboard’s form config with real compose: its container gets the name asked for',
    { timeout: 90_000 },
    async () => {
      const port = await freePort();
      const name = `${h.prefix}-named-app`;
      const config = { containerName: name, port_8080: String(port), tz: 'Europe/Berlin', hlr_test_run: testRunId };
      const { deployment } = await deployAndWait(h, { appId: 'hlrtest-healthy', config, mode: { type: 'local' } });
      expect(deployment).toMatchObject({
        status: 'completed',
        result: { urls: [`http://localhost:${port}`], containers: [{ name, service: 'app', state: 'running', health: 'healthy' }] },
      });
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('stub\n');
      expect((await projectContainers('hlrtest-healthy')).map((container) => container.Names)).toEqual([[`/${name}`]]);

      // Another app may not take the name while this container has it.
      const taken = await postJson(`${h.url}/deploy`, { appId: 'hlrtest-web', config: { containerName: name, ...run } });
      expect(taken.status).toBe(409);
      expect(taken.body.error).toBe(`The container name ${name} is taken`);
      expect((await getJson(`${h.url}/applications/hlrtest-healthy`, { method: 'DELETE' })).status).toBe(200);
      expect(await projectContainers('hlrtest-healthy')).toEqual([]);
    },
  );
});
