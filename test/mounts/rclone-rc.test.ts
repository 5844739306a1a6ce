// The RC client against a real `rclone rcd`: answers, rclone's errors, wrong credentials, no rclone.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpRcloneClient,
  RcloneCallError,
  RcloneCredentialsRefusedError,
  RcloneTimeoutError,
  RcloneUnreachableError,
} from '../../src/server/infra/rclone-rc.js';
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

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (failure: unknown) => failure,
  );
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
    expect(error).toMatchObject({
      method: 'config/create',
      rcloneStatus: 500,
      rcloneMessage: 'couldn\'t find backend for type "no-such-backend"',
      message: 'rclone answered config/create with: couldn\'t find backend for type "no-such-backend"',
    });
    expect(JSON.stringify(error)).not.toContain('very-secret-value');
  });

  it('reports refused RC credentials with the status rclone answered', async () => {
    const error = await caught(client.call({ ...endpoint(), pass: 'wrong-pass-4711' }, 'core/version'));
    expect(error).toBeInstanceOf(RcloneCredentialsRefusedError);
    expect(error).toMatchObject({ method: 'core/version', httpStatus: 401 });
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-pass-4711');
  });

  it('lists every address it tried when nothing listens', async () => {
    const port = await freePort();
    const error = await caught(client.call({ urls: [`http://127.0.0.1:${port}`], user: 'u', pass: 'p' }, 'core/version'));
    expect(error).toBeInstanceOf(RcloneUnreachableError);
    expect(error).toMatchObject({ attempts: [`127.0.0.1:${port}: ECONNREFUSED`] });
  });

  it('tries the next address when the first refuses the connection', async () => {
    const port = await freePort();
    const answer = await client.call<{ version: string }>({ ...endpoint(), urls: [`http://127.0.0.1:${port}`, rcd.url] }, 'core/version');
    expect(answer.version).toMatch(/^v1\./);
  });

  it('gives up after the timeout with RcloneTimeoutError', async () => {
    // A server that accepts and never answers: what a hung rclone looks like.
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const error = await caught(client.call({ urls: [url], user: 'u', pass: 'p' }, 'core/stats', {}, { timeoutMs: 300 }));
      expect(error).toBeInstanceOf(RcloneTimeoutError);
      expect(error).toMatchObject({ method: 'core/stats', timeoutMs: 300 });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses method names that are not RC paths before sending anything', async () => {
    await expect(client.call(endpoint(), '../core/version')).rejects.toThrow('Not an rclone RC method: ../core/version');
  });
});
