// API tier over a real socket: GET /stream/progress and POST /stream/deployments/:id/subscribe,
// with Docker and compose faked. The server listens on a free port; the client reads raw SSE.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/server/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiKeyFor, ensureTestUser, tokenFor, TEST_PASSWORD } from '../helpers/auth.js';
import { streamedTrail, trailUntilStarted } from '../helpers/deploy-trail.js';
import { FakeComposeRunner } from '../helpers/fake-compose.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { FakeHostPorts } from '../helpers/fake-host-ports.js';
import { connectSse, getJson, type SseClient, type SseEvent } from '../helpers/sse-client.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'deploy-catalog');

type Harness = { t: TestApp; compose: FakeComposeRunner; url: string; token: string };

let harness: Harness | null = null;
const clients: SseClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await harness?.t.ctx.services.deployments.settled();
  await harness?.t.close();
  harness = null;
});

async function setup(config: Partial<Config> = {}): Promise<Harness> {
  const docker = new FakeDockerEngine();
  docker.images.add('hlr-test/busybox:1');
  const compose = new FakeComposeRunner(docker);
  const t = await createTestApp({
    config: { catalogPaths: [FIXTURES], composeProjectPrefix: 'hlrt', deployVerifyTimeoutSeconds: 3, ...config },
    docker,
    composeRunner: compose,
    hostPorts: new FakeHostPorts(),
  });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const token = await tokenFor(t, 'user');
  harness = { t, compose, url: address, token };
  return harness;
}

async function open(h: Harness, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await connectSse(`${h.url}/stream/progress${query}`, headers);
  clients.push(client);
  return client;
}

async function startDeploy(h: Harness, port: number, token = h.token): Promise<string> {
  const response = await fetch(`${h.url}/deploy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ appId: 'hlrtest-web', config: { WEB_PORT: port }, mode: { type: 'standard' } }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { deploymentId: string }).deploymentId;
}

async function subscribe(h: Harness, deploymentId: string, clientId: string, token: string | null = h.token) {
  const response = await fetch(`${h.url}/stream/deployments/${deploymentId}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ clientId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const isComplete = (event: SseEvent): boolean => event.event === 'deployment-complete';
const steps = (client: SseClient): string[] => streamedTrail(client.events);

describe('GET /stream/progress', () => {
  it('opens an event stream with retry first, then connected with a clientId, every event with an id', async () => {
    const h = await setup();
    const client = await open(h);
    const connected = await client.waitFor((event) => event.event === 'connected');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['x-request-id']).toEqual(expect.any(String));
    expect(client.raw().startsWith('retry: 3000\n\n')).toBe(true);
    expect(connected).toEqual({
      id: '1',
      event: 'connected',
      data: expect.any(String),
      json: {
        clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        message: 'Connected to the progress stream',
        resumed: false,
        timestamp: expect.any(String),
      },
    });
  });

  it('sends nothing of a deployment before the subscribe, then replays it from validate on', async () => {
    const h = await setup();
    const client = await open(h);
    const { clientId } = (await client.waitFor((event) => event.event === 'connected')).json as { clientId: string };
    const deploymentId = await startDeploy(h, 18201);
    await h.t.ctx.services.deployments.settled();
    expect(client.events.map((event) => event.event)).toEqual(['connected']);

    const response = await subscribe(h, deploymentId, clientId);
    expect(response).toEqual({ status: 200, body: { success: true, deploymentId, clientId } });
    await client.waitFor(isComplete);
    expect(client.events.map((event) => event.event)).toEqual([
      'connected',
      'deployment-subscribed',
      ...Array<string>(7).fill('deployment-step'),
      'pull-progress',
      'deployment-step',
      'deployment-step',
      'command-output',
      'command-output',
      'deployment-step',
      'deployment-step',
      'deployment-step',
      'deployment-complete',
    ]);
    expect(steps(client)[0]).toBe('validate:started');
    expect(client.events.map((event) => Number(event.id))).toEqual(client.events.map((_, index) => index + 1));
    expect(client.events.some((event) => event.event === 'error')).toBe(false);
  });

  it('replays the steps so far to a subscriber that joins mid-deploy, then streams the rest live', async () => {
    const h = await setup();
    h.compose.isUpHanging = true;
    const upStarted = h.compose.nextUp();
    const deploymentId = await startDeploy(h, 18202);
    await upStarted;
    const client = await open(h);
    const { clientId } = (await client.waitFor((event) => event.event === 'connected')).json as { clientId: string };
    await subscribe(h, deploymentId, clientId);
    await client.waitFor((event) => event.event === 'command-output');
    expect(steps(client)).toEqual(trailUntilStarted('deploy'));
    await fetch(`${h.url}/deployments/${deploymentId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${h.token}` } });
    const complete = await client.waitFor(isComplete);
    expect(complete.json).toMatchObject({
      deploymentId,
      success: false,
      status: 'cancelled',
      summary: { error: 'Cancelled by test-user' },
    });
    expect(steps(client).at(-1)).toBe('deploy:failed');
  });

  it('subscribes at connect with ?deploymentId= and a token in access_token', async () => {
    const h = await setup();
    const deploymentId = await startDeploy(h, 18203);
    await h.t.ctx.services.deployments.settled();
    const client = await open(h, `?deploymentId=${deploymentId}&access_token=${h.token}`);
    await client.waitFor(isComplete);
    expect(client.events.slice(0, 3).map((event) => event.event)).toEqual(['connected', 'deployment-subscribed', 'deployment-step']);
  });

  it('refuses ?deploymentId= without a token when auth is on', async () => {
    const h = await setup();
    const deploymentId = await startDeploy(h, 18204);
    expect(await getJson(`${h.url}/stream/progress?deploymentId=${deploymentId}`)).toEqual({
      status: 401,
      body: {
        error: 'Authentication required',
        details: 'Subscribing at connect needs a token: send Authorization: Bearer <token>, or access_token=<token> for EventSource',
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      },
    });
  });

  it('answers 404 for ?deploymentId= of an unknown deployment and 400 for a malformed one', async () => {
    const h = await setup();
    const unknown = await getJson(`${h.url}/stream/progress?deploymentId=00000000-0000-4000-8000-000000000000&access_token=${h.token}`);
    expect(unknown).toEqual({
      status: 404,
      body: {
        error: 'Deployment not found',
        details: 'No deployment has the id 00000000-0000-4000-8000-000000000000',
        code: 'NOT_FOUND',
        requestId: expect.any(String),
      },
    });
    const malformed = await getJson(`${h.url}/stream/progress?deploymentId=..%2Fetc`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.stringContaining('querystring.deploymentId') });
  });

  it('resumes with ?clientId= and Last-Event-ID: the rest of the events, none twice', async () => {
    const h = await setup();
    const deploymentId = await startDeploy(h, 18205);
    await h.t.ctx.services.deployments.settled();
    const first = await open(h);
    const { clientId } = (await first.waitFor((event) => event.event === 'connected')).json as { clientId: string };
    await subscribe(h, deploymentId, clientId);
    await first.waitFor(isComplete);
    const all = first.events
      .filter((event) => event.json.deploymentId === deploymentId && event.event !== 'deployment-subscribed')
      .map((event) => event.data);
    first.close();
    // The client got the events up to the fifth deployment event before the connection broke.
    const lastSeen = first.events.filter((event) => event.event !== 'connected' && event.event !== 'deployment-subscribed')[4]!;
    const second = await open(h, `?clientId=${clientId}`, { 'last-event-id': lastSeen.id ?? '' });
    await second.waitFor(isComplete);
    expect(second.events[0]?.json).toMatchObject({ clientId, resumed: true });
    const seenBefore = first.events.filter(
      (event) =>
        Number(event.id) <= Number(lastSeen.id) && event.json.deploymentId === deploymentId && event.event !== 'deployment-subscribed',
    );
    const resent = second.events.filter((event) => event.json.deploymentId === deploymentId);
    expect([...seenBefore.map((event) => event.data), ...resent.map((event) => event.data)]).toEqual(all);
    expect(Number(second.events[0]?.id)).toBeGreaterThan(Number(first.events.at(-1)?.id));
  });

  it('ends open streams cleanly when the server closes', async () => {
    const h = await setup();
    const client = await open(h);
    await client.waitFor((event) => event.event === 'connected');
    await h.t.app.close();
    await client.ended;
    expect(client.raw().endsWith('\n\n')).toBe(true);
  });
});

describe('POST /stream/deployments/:deploymentId/subscribe', () => {
  it('answers 404 for a client that never connected', async () => {
    const h = await setup();
    const deploymentId = await startDeploy(h, 18210);
    expect(await subscribe(h, deploymentId, 'cccccccc-0000-4000-8000-000000000000')).toEqual({
      status: 404,
      body: {
        error: 'Stream client not found',
        details: 'Open GET /stream/progress first and use the clientId of its connected event',
        code: 'NOT_FOUND',
        requestId: expect.any(String),
      },
    });
  });

  it('answers 404 for an unknown deployment and 401 without a token', async () => {
    const h = await setup();
    const client = await open(h);
    const { clientId } = (await client.waitFor((event) => event.event === 'connected')).json as { clientId: string };
    expect(await subscribe(h, '00000000-0000-4000-8000-000000000000', clientId)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', error: 'Deployment not found' },
    });
    const deploymentId = await startDeploy(h, 18211);
    expect(await subscribe(h, deploymentId, clientId, null)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(client.events.map((event) => event.event)).toEqual(['connected']);
  });
});

describe('streams end with the session that made them', () => {
  async function openSubscribed(h: Harness, token: string, deployToken = h.token): Promise<{ client: SseClient; clientId: string }> {
    const deploymentId = await startDeploy(h, 18220 + clients.length, deployToken);
    await h.t.ctx.services.deployments.settled();
    const client = await open(h);
    const { clientId } = (await client.waitFor((event) => event.event === 'connected')).json as { clientId: string };
    expect((await subscribe(h, deploymentId, clientId, token)).status).toBe(200);
    await client.waitFor(isComplete);
    return { client, clientId };
  }

  async function expectEndedAndRefused(h: Harness, client: SseClient, clientId: string): Promise<void> {
    await client.ended;
    expect(h.t.ctx.services.stream.clientCount).toBe(0);
    const resumed = await getJson(`${h.url}/stream/progress?clientId=${clientId}`);
    expect(resumed).toEqual({
      status: 401,
      body: {
        error: 'Stream ended',
        details: 'The session or API key that opened this stream was signed out or revoked; sign in again and open a new stream',
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      },
    });
  }

  const post = (h: Harness, url: string, token: string, body: unknown = {}, method = 'POST') =>
    fetch(`${h.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it('closes the stream and refuses its resume after logout', async () => {
    const h = await setup();
    const { client, clientId } = await openSubscribed(h, h.token);
    expect((await post(h, '/auth/logout', h.token)).status).toBe(200);
    await expectEndedAndRefused(h, client, clientId);
  });

  it('closes the stream when the user changes the password, and when an admin deletes the user', async () => {
    const h = await setup();
    const first = await openSubscribed(h, h.token);
    const other = await tokenFor(h.t, 'user');
    const changed = await post(h, '/auth/change-password', other, { currentPassword: TEST_PASSWORD, newPassword: 'another-password-456' });
    expect(changed.status).toBe(200);
    await expectEndedAndRefused(h, first.client, first.clientId);

    const viewer = await tokenFor(h.t, 'viewer');
    const admin = await tokenFor(h.t, 'admin');
    const second = await openSubscribed(h, viewer, admin);
    const viewerId = await ensureTestUser(h.t, 'viewer');
    expect((await post(h, `/auth/users/${viewerId}`, admin, undefined, 'DELETE')).status).toBe(200);
    await expectEndedAndRefused(h, second.client, second.clientId);
  });

  it('closes a stream subscribed with an API key when the key is revoked', async () => {
    const h = await setup();
    const key = await apiKeyFor(h.t, 'user');
    const { client, clientId } = await openSubscribed(h, key);
    const keys = (await (await fetch(`${h.url}/auth/api-keys`, { headers: { authorization: `Bearer ${h.token}` } })).json()) as {
      apiKeys?: { id: string }[];
      keys?: { id: string }[];
    };
    const keyId = (keys.apiKeys ?? keys.keys ?? [])[0]?.id;
    expect(keyId).toEqual(expect.any(String));
    expect((await post(h, `/auth/api-keys/${keyId}`, h.token, undefined, 'DELETE')).status).toBe(200);
    await expectEndedAndRefused(h, client, clientId);
  });

  it('refuses to subscribe another session to a stream that is bound to a session', async () => {
    const h = await setup();
    const { clientId } = await openSubscribed(h, h.token);
    const deploymentId = await startDeploy(h, 18230);
    const admin = await tokenFor(h.t, 'admin');
    expect(await subscribe(h, deploymentId, clientId, admin)).toMatchObject({
      status: 403,
      body: { error: 'Not your stream', code: 'FORBIDDEN' },
    });
  });
});
