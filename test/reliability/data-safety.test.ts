// Nothing a user keeps is lost: removing an app keeps its named volumes unless asked and never
// touches its data under APPFOLDER; deploys of different apps running at once do not interfere;
// a second server on the same DATA_DIR refuses to start while the first is deploying. (That no
// route at all deletes APPFOLDER data is also checked by abuse-fuzz.test.ts after ~8,000 hostile
// requests; test/foundation/server-process.test.ts covers the DATA_DIR lock on an idle server.)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { FigureRecorder } from './figures.js';
import { adminSession, pollUntil, type ApiClient } from './http-client.js';
import { startPrivateDocker, type PrivateDocker } from './private-docker.js';

const CATALOGS = [
  path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog'),
  path.resolve(import.meta.dirname, 'fixtures', 'catalog'),
];
const PREFIX = `hlrs${testRunId}`;
const figures = new FigureRecorder('data-safety');

let daemon: PrivateDocker;
let server: ServerProcess;
let api: ApiClient;
let work: string;
let appFolder: string;
let dataDir: string;

beforeAll(async () => {
  daemon = await startPrivateDocker('safety');
  work = mkdtempSync(path.join(os.tmpdir(), 'hlr-safety-'));
  appFolder = path.join(work, 'appdata');
  dataDir = path.join(work, 'data');
  mkdirSync(appFolder);
  mkdirSync(dataDir);
  server = await startServer({
    DATA_DIR: dataDir,
    DOCKER_HOST: daemon.host,
    CATALOG_PATHS: CATALOGS.join(':'),
    COMPOSE_PROJECT_PREFIX: PREFIX,
    APPFOLDER: appFolder,
    DEPLOY_VERIFY_TIMEOUT: '30',
  });
  ({ api } = await adminSession(server.backendUrl, figures));
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await daemon?.destroy();
  rmSync(work, { recursive: true, force: true });
  figures.write();
}, 120_000);

async function deployAndWait(appId: string, config: Record<string, unknown>): Promise<{ id: string; deployment: Record<string, unknown> }> {
  const accepted = await api.post('/deploy', { appId, config: { HLR_TEST_RUN: testRunId, ...config }, mode: { type: 'standard' } });
  expect([appId, accepted.status, accepted.body.error]).toEqual([appId, 200, undefined]);
  const id = accepted.body.deploymentId as string;
  return { id, deployment: await waitForEnd(id) };
}

async function waitForEnd(id: string): Promise<Record<string, unknown>> {
  return pollUntil(
    `deployment ${id} ends`,
    async () => {
      const deployment = (await api.get(`/deployments/${id}/status`)).body.deployment as Record<string, unknown>;
      return ['completed', 'failed', 'cancelled', 'interrupted'].includes(deployment.status as string) ? deployment : undefined;
    },
    90_000,
    250,
  );
}

async function volumeNames(): Promise<string[]> {
  const { Volumes } = await daemon.client.listVolumes();
  return (Volumes ?? []).map((volume) => volume.Name).sort();
}

describe('app data and volumes', () => {
  it('keeps APPFOLDER data through stop and remove, keeps named volumes unless asked, and removes only the volume when asked', async () => {
    const port = await freePort();
    const { deployment } = await deployAndWait('hlrsafe-data', { DATA_PORT: port });
    expect(deployment).toMatchObject({ status: 'completed' });
    const folder = path.join(appFolder, 'hlrsafe-data');
    expect(readFileSync(path.join(folder, 'written-by-app.txt'), 'utf8')).toBe('app\n');
    writeFileSync(path.join(folder, 'settings.xml'), '<settings user="kept"/>');
    const volume = `${PREFIX}-hlrsafe-data_cache`;
    expect(await volumeNames()).toContain(volume);

    expect((await api.post('/applications/hlrsafe-data/stop')).status).toBe(200);
    const removed = await api.call('DELETE', '/applications/hlrsafe-data');
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      success: true,
      appId: 'hlrsafe-data',
      message: 'hlrsafe-data removed; its data under APPFOLDER was kept',
      removedVolumes: false,
    });
    expect(
      await daemon.client.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${PREFIX}-hlrsafe-data`] } }),
    ).toEqual([]);
    expect(await volumeNames()).toContain(volume);
    expect(readFileSync(path.join(folder, 'settings.xml'), 'utf8')).toBe('<settings user="kept"/>');
    expect(existsSync(path.join(dataDir, 'stacks', 'hlrsafe-data'))).toBe(false);

    // Deployed again, it finds its volume and folder as it left them; then removed with its volumes.
    expect((await deployAndWait('hlrsafe-data', { DATA_PORT: port })).deployment).toMatchObject({ status: 'completed' });
    const again = await api.call('DELETE', '/applications/hlrsafe-data?removeVolumes=true');
    expect(again.body).toMatchObject({
      success: true,
      removedVolumes: true,
      message: 'hlrsafe-data removed with its volumes; its data under APPFOLDER was kept',
    });
    expect(await volumeNames()).not.toContain(volume);
    expect(readFileSync(path.join(folder, 'settings.xml'), 'utf8')).toBe('<settings user="kept"/>');
    expect(readFileSync(path.join(folder, 'written-by-app.txt'), 'utf8')).toBe('app\n');

    // Removing an app that is not deployed (any more) is a 404 and touches nothing.
    const gone = await api.call('DELETE', '/applications/hlrsafe-data?removeVolumes=true');
    expect(gone.status).toBe(404);
    expect(existsSync(path.join(folder, 'settings.xml'))).toBe(true);
  });
});

describe('concurrent deploys', () => {
  it('deploys different apps at once without one touching another, and refuses a second deploy of the same app', async () => {
    const ports = { web: await freePort(), healthy: await freePort(), data: await freePort() };
    const requests = [
      { appId: 'hlrtest-web', config: { WEB_PORT: ports.web } },
      { appId: 'hlrtest-healthy', config: { HEALTHY_PORT: ports.healthy } },
      { appId: 'hlrsafe-data', config: { DATA_PORT: ports.data } },
    ];
    const accepted = await Promise.all(
      requests.map((request) =>
        api.post('/deploy', { ...request, config: { ...request.config, HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } }),
      ),
    );
    expect(accepted.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const duplicate = await api.post('/deploy', {
      appId: 'hlrtest-web',
      config: { WEB_PORT: ports.web, HLR_TEST_RUN: testRunId },
      mode: { type: 'standard' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'CONFLICT', error: 'HLR Test Web is already being deployed' });

    const ids = accepted.map((answer) => answer.body.deploymentId as string);
    const finished = await Promise.all(ids.map((id) => waitForEnd(id)));
    expect(finished.map((deployment) => [deployment.appId, deployment.status])).toEqual([
      ['hlrtest-web', 'completed'],
      ['hlrtest-healthy', 'completed'],
      ['hlrsafe-data', 'completed'],
    ]);
    for (const [index, id] of ids.entries()) {
      const appId = requests[index]?.appId as string;
      const events = (await api.get(`/deployments/${id}/events?limit=1000`)).body.events as {
        event: string;
        data: Record<string, unknown>;
      }[];
      expect(events.every((event) => event.data.deploymentId === id)).toBe(true);
      const output = events.filter((event) => event.event === 'command-output').map((event) => String(event.data.output));
      // compose output names containers and networks; none of another app's project appears.
      for (const other of requests.map((request) => request.appId).filter((name) => name !== appId)) {
        expect(output.filter((line) => line.includes(`${PREFIX}-${other}`))).toEqual([]);
      }
      const containers = await daemon.client.listContainers({ filters: { label: [`com.docker.compose.project=${PREFIX}-${appId}`] } });
      expect(containers.map((container) => container.Labels['homelabarr.deployment-id'] ?? id)).toEqual([id]);
    }
    for (const [name, port] of Object.entries(ports)) {
      const page = await daemon.fetchText(`http://127.0.0.1:${port}/`);
      expect([name, page]).toEqual([name, 'stub\n']);
    }
    figures.note('apps deployed at once', requests.length);
  });

  it('keeps a second server off the DATA_DIR while the first is deploying, and the deploy completes untouched', async () => {
    const accepted = await api.post('/deploy', { appId: 'hlrtest-slow', config: { HLR_TEST_RUN: testRunId }, mode: { type: 'standard' } });
    expect(accepted.status).toBe(200);
    const second = await startServer({ DATA_DIR: dataDir, DOCKER_HOST: daemon.host }, { waitForReady: false });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `Another HomelabARR server (pid ${server.process.pid as number}) is using this DATA_DIR (${dataDir})`,
    );
    const status = (await api.get(`/deployments/${accepted.body.deploymentId as string}/status`)).body.deployment as Record<
      string,
      unknown
    >;
    expect(['queued', 'in-progress']).toContain(status.status);
    const cancelled = await api.post(`/deployments/${accepted.body.deploymentId as string}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((cancelled.body.deployment as Record<string, unknown>).status).toBe('cancelled');
    figures.fault();
  });
});
