// API tier: storage endpoints on link-local and metadata addresses, and loopback for non-admins, are
// refused before anything connects. Docker is faked with no mount container and no rclone runs: a
// refused request must answer 400 without getting as far as looking the container up (that would be
// a 404), so nothing was asked of rclone or of the endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, tokenFor } from '../helpers/auth.js';

let testApp: TestApp;
let userToken: string;
let adminToken: string;
const lookups: string[] = [];

beforeAll(async () => {
  testApp = await createTestApp({
    hostResolver: {
      // Stands in for DNS: a name re-pointed at the metadata service, a LAN name, and nothing else.
      resolve: (name) => {
        lookups.push(name);
        if (name === 'rebound.example.test') return Promise.resolve(['10.0.0.9', '169.254.169.254']);
        if (name === 'minio.lan') return Promise.resolve(['192.168.1.40']);
        return Promise.resolve([]);
      },
    },
  });
  [userToken, adminToken] = await Promise.all([tokenFor(testApp, 'user'), tokenFor(testApp, 'admin')]);
});

afterAll(async () => {
  await testApp?.close();
});

function store(token: string, provider: string, credentials: Record<string, string>) {
  return testApp.app.inject({
    method: 'POST',
    url: '/enhanced-mount/no-such-mount/auth/api-key',
    headers: bearer(token),
    payload: { provider, credentials },
  });
}

const s3 = (endpoint: string) => ({ access_key_id: 'AKIAEXAMPLE', secret_access_key: 'secret-example-key', endpoint });

describe('storage endpoints', () => {
  it('refuses link-local and cloud-metadata addresses for everyone, in every form', async () => {
    const cases: [string, Record<string, string>][] = [
      ['s3', s3('http://169.254.169.254/latest/meta-data/')],
      ['s3', s3('http://[::ffff:169.254.169.254]/')],
      ['webdav', { url: 'http://[fe80::1]:8080/dav', user: 'u', pass: 'p' }],
      ['webdav', { url: 'http://metadata.google.internal/computeMetadata/v1/', user: 'u', pass: 'p' }],
      ['sftp', { host: '169.254.170.2', user: 'u', pass: 'p' }],
      ['sftp', { host: '100.100.100.200', user: 'u', pass: 'p' }],
      ['ftp', { host: 'rebound.example.test', user: 'u', pass: 'p' }],
    ];
    for (const token of [userToken, adminToken]) {
      for (const [provider, credentials] of cases) {
        const response = await store(token, provider, credentials);
        expect(response.statusCode, JSON.stringify(credentials)).toBe(400);
        expect(response.json(), JSON.stringify(credentials)).toMatchObject({ error: 'Endpoint not allowed', code: 'VALIDATION_FAILED' });
      }
    }
    const rebound = await store(userToken, 'ftp', { host: 'rebound.example.test', user: 'u', pass: 'p' });
    expect(rebound.json().fields).toEqual([
      {
        path: 'body.credentials.host',
        message: 'rebound.example.test resolves to 169.254.169.254, which is a link-local or cloud-metadata address',
      },
    ]);
  });

  it('refuses loopback and localhost to a user but not to an admin', async () => {
    for (const credentials of [
      s3('http://127.0.0.1:9000'),
      s3('http://localhost:9000'),
      s3('http://[::1]:9000'),
      s3('http://0.0.0.0:9000'),
    ]) {
      const refused = await store(userToken, 's3', credentials);
      expect(refused.statusCode, credentials.endpoint).toBe(400);
      expect(refused.json().fields[0].message).toContain('only an admin may add such a remote');
      // Past the endpoint check, the admin's request goes on to find the mount container: there is none.
      const admitted = await store(adminToken, 's3', credentials);
      expect(admitted.statusCode, credentials.endpoint).toBe(404);
    }
  });

  it('lets LAN addresses and names through, since homelab object stores live there', async () => {
    for (const credentials of [s3('http://192.168.1.40:9000'), s3('http://minio.lan:9000'), s3('https://s3.example.test')]) {
      const response = await store(userToken, 's3', credentials);
      expect(response.statusCode, credentials.endpoint).toBe(404);
    }
    expect(lookups).toContain('minio.lan');
  });
});
