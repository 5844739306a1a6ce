// api tier: GET /metrics — who may read it, that it parses as Prometheus text, and that every
// family moves with what it measures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentsRepository } from '../../src/server/modules/deployments/deployments.repository.js';
import type { SseConnection } from '../../src/server/modules/stream/stream-types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, ManualClock, tokenFor } from '../helpers/auth.js';
import { FakeDockerEngine } from '../helpers/fake-docker.js';
import { parsePrometheusText, sampleValue, type Family } from './prometheus-text.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let t: TestApp;
let docker: FakeDockerEngine;
let clock: ManualClock;
let adminToken: string;

async function scrape(): Promise<Map<string, Family>> {
  const response = await t.app.inject({ url: '/metrics', headers: bearer(METRICS_TOKEN) });
  expect(response.statusCode).toBe(200);
  return parsePrometheusText(response.body);
}

function openConnection(): SseConnection & { closeListeners: (() => void)[] } {
  const closeListeners: (() => void)[] = [];
  return {
    closeListeners,
    write: () => undefined,
    bufferedBytes: 0,
    onceDrained: () => undefined,
    onClose: (listener) => closeListeners.push(listener),
    end: () => undefined,
    destroy: () => undefined,
  };
}

beforeAll(async () => {
  docker = new FakeDockerEngine();
  clock = new ManualClock(Date.now());
  t = await createTestApp({ docker, clock, config: { metricsToken: METRICS_TOKEN } });
  adminToken = await tokenFor(t, 'admin');
});

afterAll(async () => {
  await t.close();
});

describe('GET /metrics access', () => {
  it('answers 401 with the error body when no credentials are sent', async () => {
    const response = await t.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'Authentication required',
      details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('answers 401 to a bearer token that is neither METRICS_TOKEN nor a valid credential', async () => {
    const response = await t.app.inject({ url: '/metrics', headers: bearer(`hlr_${'0'.repeat(64)}`) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'Invalid API key',
      details: 'The API key is unknown or was revoked',
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('answers 403 to a signed-in user who is not an admin', async () => {
    const response = await t.app.inject({ url: '/metrics', headers: bearer(await tokenFor(t, 'user')) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: 'Not allowed',
      details: 'This action needs the admin role or higher',
      code: 'FORBIDDEN',
      requestId: expect.any(String),
    });
  });

  it('serves the Prometheus text format to an admin token and to METRICS_TOKEN', async () => {
    for (const token of [adminToken, METRICS_TOKEN]) {
      const response = await t.app.inject({ url: '/metrics', headers: bearer(token) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const families = parsePrometheusText(response.body);
      expect(families.get('homelabarr_http_requests_total')?.type).toBe('counter');
      expect(families.get('homelabarr_http_request_duration_seconds')?.type).toBe('histogram');
      expect(families.get('homelabarr_deployment_duration_seconds')?.type).toBe('histogram');
      expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
      for (const family of families.values()) expect(family.help, family.name).toEqual(expect.any(String));
    }
  });
});

describe('GET /metrics content', () => {
  it('counts requests and their latency by route pattern and status, raw URLs never', async () => {
    const before = await scrape();
    for (let i = 0; i < 25; i += 1) expect((await t.app.inject({ url: '/applications' })).statusCode).toBe(200);
    for (let i = 0; i < 3; i += 1)
      expect((await t.app.inject({ url: `/containers/missing-${i}/logs`, headers: bearer(adminToken) })).statusCode).toBe(404);
    for (let i = 0; i < 2; i += 1) expect((await t.app.inject({ url: `/no/such/route/${i}` })).statusCode).toBe(404);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>): number =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
    expect(delta('homelabarr_http_requests_total', { method: 'GET', route: '/applications', status: '200' })).toBe(25);
    expect(delta('homelabarr_http_request_duration_seconds_count', { method: 'GET', route: '/applications', status: '200' })).toBe(25);
    expect(
      delta('homelabarr_http_request_duration_seconds_bucket', { method: 'GET', route: '/applications', status: '200', le: '+Inf' }),
    ).toBe(25);
    expect(delta('homelabarr_http_requests_total', { method: 'GET', route: '/containers/:id/logs', status: '404' })).toBe(3);
    expect(delta('homelabarr_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(2);
    const routes = after.get('homelabarr_http_requests_total')?.samples.map((sample) => sample.labels.route) ?? [];
    expect(routes.filter((route) => route?.includes('missing-') || route?.includes('/no/such'))).toEqual([]);
    expect(sampleValue(after, 'homelabarr_http_request_duration_seconds_sum', { route: '/applications', status: '200' })).toBeGreaterThan(
      0,
    );
  });

  it('reports finished deployments by outcome and mode, failures by step, and durations from their rows', async () => {
    const repository = new DeploymentsRepository(t.db);
    const start = Date.parse('2025-01-15T10:00:00.000Z');
    const add = (
      id: string,
      mode: 'standard' | 'traefik',
      status: 'completed' | 'failed' | 'in-progress',
      seconds: number | null,
      step: 'pull' | null = null,
    ): void => {
      repository.create({
        id,
        appId: 'mediaserver-plex',
        mode,
        project: 'hlr-mediaserver-plex',
        isRedeploy: false,
        userId: null,
        username: null,
        configKeys: [],
        startedAt: new Date(start).toISOString(),
      });
      const finishedAt = seconds === null ? null : new Date(start + seconds * 1000).toISOString();
      repository.update(id, { status, step, finishedAt, error: status === 'failed' ? 'pull failed' : null }, new Date(start).toISOString());
    };
    add('00000000-0000-4000-8000-000000000001', 'standard', 'completed', 4);
    add('00000000-0000-4000-8000-000000000002', 'standard', 'completed', 45);
    add('00000000-0000-4000-8000-000000000003', 'traefik', 'failed', 200, 'pull');
    add('00000000-0000-4000-8000-000000000004', 'traefik', 'in-progress', null);

    const families = await scrape();
    expect(sampleValue(families, 'homelabarr_deployments_finished_total', { status: 'completed', mode: 'standard' })).toBe(2);
    expect(sampleValue(families, 'homelabarr_deployments_finished_total', { status: 'failed', mode: 'traefik' })).toBe(1);
    expect(sampleValue(families, 'homelabarr_deployments_active', { status: 'in-progress', mode: 'traefik' })).toBe(1);
    expect(sampleValue(families, 'homelabarr_deployments_active', { status: 'queued', mode: 'standard' })).toBe(0);
    expect(sampleValue(families, 'homelabarr_deployment_failures_total', { step: 'pull' })).toBe(1);
    const completed = { status: 'completed' };
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_bucket', { ...completed, le: '5' })).toBe(1);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_bucket', { ...completed, le: '30' })).toBe(1);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_bucket', { ...completed, le: '60' })).toBe(2);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_count', completed)).toBe(2);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_sum', completed)).toBeCloseTo(49, 3);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_bucket', { status: 'failed', le: '120' })).toBe(0);
    expect(sampleValue(families, 'homelabarr_deployment_duration_seconds_bucket', { status: 'failed', le: '300' })).toBe(1);
  });

  it("reports Docker's reachability and the state of deployed apps' containers, and drops them while Docker is down", async () => {
    const prefix = t.config.composeProjectPrefix;
    docker.addContainer({
      name: 'plex',
      state: 'running',
      labels: { 'com.docker.compose.project': `${prefix}-mediaserver-plex`, 'homelabarr.app-id': 'mediaserver-plex' },
    });
    docker.addContainer({ name: 'plex-sidecar', state: 'exited', labels: { 'com.docker.compose.project': `${prefix}-mediaserver-plex` } });
    docker.addContainer({ name: 'hand-made', state: 'running', labels: { 'com.docker.compose.project': 'somebody-else' } });
    clock.advance(2000);
    let families = await scrape();
    expect(sampleValue(families, 'homelabarr_docker_up')).toBe(1);
    expect(families.get('homelabarr_app_containers')?.samples).toEqual([
      { name: 'homelabarr_app_containers', labels: { app_id: 'mediaserver-plex', state: 'running' }, value: 1 },
      { name: 'homelabarr_app_containers', labels: { app_id: 'mediaserver-plex', state: 'exited' }, value: 1 },
    ]);

    docker.isUp = false;
    clock.advance(2000);
    families = await scrape();
    expect(sampleValue(families, 'homelabarr_docker_up')).toBe(0);
    expect(families.get('homelabarr_app_containers')?.samples).toEqual([]);
    expect(sampleValue(families, 'homelabarr_metrics_collector_errors')).toBe(0);
    docker.isUp = true;
    clock.advance(2000);
  });

  it('reports open progress streams, the catalog size and the process', async () => {
    const connection = openConnection();
    t.ctx.services.stream.connect(connection);
    const families = await scrape();
    expect(sampleValue(families, 'homelabarr_sse_clients')).toBe(1);
    for (const listener of connection.closeListeners) listener();
    expect(sampleValue(await scrape(), 'homelabarr_sse_clients')).toBe(0);

    const catalog = t.ctx.services.catalog.summary();
    expect(sampleValue(families, 'homelabarr_catalog_apps')).toBe(catalog.apps);
    expect(sampleValue(families, 'homelabarr_catalog_invalid_templates')).toBe(catalog.invalid.length);
    expect(sampleValue(families, 'homelabarr_compose_available')).toBe(0);
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sampleValue(families, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sampleValue(families, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(families, 'nodejs_eventloop_delay_seconds', { quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    expect(families.get('homelabarr_build_info')?.samples[0]?.labels.node_version).toBe(process.version);
  });
});
