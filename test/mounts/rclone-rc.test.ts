// The RC client against a real `rclone rcd`: answers, rclone's errors, wrong credentials, no rclone.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/errors.js';
import { HttpRcloneClient, RcloneCallError, RcloneTimeoutError } from '../../src/server/infra/rclone-rc.js';
import { freePort } from '../helpers/server-process.js';
import { startRcd, type RcdProcess } from './rclone-processes.js';

const client = new HttpRcloneClient();
let rcd: RcdProcess;

beforeAll(async () => {
  rcd = await startRcd();
});
afterAll(async () => {
  await rcd.stop();
});

const endpoint = () => ({ urls: [rcd.url], user: rcd.user, pass: rcd.pass });

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('HttpRcloneClient', () => {
  it('posts JSON with basic auth and returns rclone’s answer', async () => {
    const answer = await client.call<{ version: string }>(endpoint(), 'core/version');
    expect(answer.version).toMatch(/^v1\.\d+/);
  });

  it('maps an rclone error body to RcloneCallError with rclone’s message and never the sent secrets', async () => {
    const error = await caught(
      client.call(
        endpoint(),
        'config/create',
        { name: 'x', type: 'no-such-backend', parameters: { pass: 'very-secret-value' } },
        { redact: ['very-secret-value'] },
      ),
    );
    expect(error).toBeInstanceOf(RcloneCallError);
    expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
      code: 'UPSTREAM_FAILED',
      status: 502,
      message: 'rclone could not config/create',
      details: 'rclone answered config/create with: couldn\'t find backend for type "no-such-backend"',
    });
    expect(JSON.stringify(error)).not.toContain('very-secret-value');
  });

  it('reports refused RC credentials as a 502 that says what to do', async () => {
    const error = await caught(client.call({ ...endpoint(), pass: 'wrong' }, 'core/version'));
    expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
      code: 'UPSTREAM_FAILED',
      status: 502,
      message: 'rclone refused HomelabARR’s credentials',
      details:
        'The RC user and password stored for this mount container do not match the running rclone. Redeploy the rclone mount app so both come from the same .env.',
    });
  });

  it('is RCLONE_UNAVAILABLE (503) when nothing listens', async () => {
    const port = await freePort();
    const error = await caught(client.call({ urls: [`http://127.0.0.1:${port}`], user: 'u', pass: 'p' }, 'core/version'));
    expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
      code: 'RCLONE_UNAVAILABLE',
      status: 503,
      message: 'rclone is not reachable',
      details: `The mount container's rclone did not answer (127.0.0.1:${port}: ECONNREFUSED). Check that the container is running and that HomelabARR can reach it.`,
    });
  });

  it('tries the next address when the first refuses the connection', async () => {
    const port = await freePort();
    const answer = await client.call<{ version: string }>({ ...endpoint(), urls: [`http://127.0.0.1:${port}`, rcd.url] }, 'core/version');
    expect(answer.version).toMatch(/^v1\./);
  });

  it('gives up after the timeout with RCLONE_UNAVAILABLE', async () => {
    // A server that accepts and never answers: what a hung rclone looks like.
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const error = await caught(client.call({ urls: [url], user: 'u', pass: 'p' }, 'core/stats', {}, { timeoutMs: 300 }));
      expect(error).toBeInstanceOf(RcloneTimeoutError);
      expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
        code: 'RCLONE_UNAVAILABLE',
        status: 503,
        message: 'rclone did not answer in time',
        details: 'rclone did not answer core/stats within 300 ms; the remote may be slow or unreachable',
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses method names that are not RC paths before sending anything', async () => {
    await expect(client.call(endpoint(), '../core/version')).rejects.toThrow('Not an rclone RC method: ../core/version');
  });
});
