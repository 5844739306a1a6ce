// Api tier: who may call the Enhanced Mount Manager when AUTH_ENABLED is on (Conditional: GETs
// viewer, POSTs user). The container does not exist, so an authorized call ends in the 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { tokenFor } from '../helpers/auth.js';

let testApp: TestApp;
let viewer: string;
let user: string;

beforeAll(async () => {
  testApp = await createTestApp({ config: { authEnabled: true } });
  viewer = await tokenFor(testApp, 'viewer');
  user = await tokenFor(testApp, 'user');
});
afterAll(async () => {
  await testApp.close();
});

const notFound = {
  error: 'Mount container not found',
  details: 'No container has the id or name mount-1',
  code: 'NOT_FOUND',
  requestId: expect.any(String),
};

describe('Enhanced Mount Manager auth', () => {
  it('refuses calls without a token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/enhanced-mount/mount-1/status' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'Authentication required',
      details: 'Send Authorization: Bearer <token> from POST /auth/login, or an API key',
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('lets a viewer read but not change mounts', async () => {
    const read = await testApp.app.inject({
      method: 'GET',
      url: '/enhanced-mount/mount-1/costs',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(read.statusCode).toBe(404);
    expect(read.json()).toEqual(notFound);
    const write = await testApp.app.inject({
      method: 'POST',
      url: '/enhanced-mount/mount-1/providers/webdav/enable',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toEqual({
      error: 'Not allowed',
      details: 'This action needs the user role or higher',
      code: 'FORBIDDEN',
      requestId: expect.any(String),
    });
  });

  it('lets a user change mounts', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/enhanced-mount/mount-1/auth/test',
      headers: { authorization: `Bearer ${user}` },
      payload: { provider: 'webdav' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(notFound);
  });
});
