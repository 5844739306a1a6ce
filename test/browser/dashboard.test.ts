// Browser tier: the built dashboard in Chromium against the real server, Docker and compose.
// One signed-in browser walks through the flows a new user takes, in order, and saves
// screenshots of each main screen to test-results/screenshots/ (docs/screenshots/ with UPDATE_SCREENSHOTS=true).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { docker, removeTestResources, requireDocker, testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { startOAuthServer, type OAuthFixture } from '../fixtures/oauth-server.js';
import { buildRcloneImage } from '../mounts/rclone-image.js';
import { captureScreen, launchBrowser, requireBuiltDashboard, ROOT, settled, unnamedControls, type Browser } from './dashboard-harness.js';
import { startTestRegistry, type TestRegistry } from './test-registry.js';

const ADMIN_PASSWORD = 'browser-admin-password-1';
const APP_ID = 'myapps-stub-web';
const MOUNT_APP_ID = 'myapps-stub-rclone-mount';
const PROJECT_PREFIX = `hlrb${testRunId}`;
const CATALOG = path.join(ROOT, 'test', 'fixtures', 'browser-catalog');
// Named after the run, so the cleanup of compose leftovers removes it with the projects' networks.
const PROXY_NETWORK = `${PROJECT_PREFIX}-proxy`;

let server: ServerProcess;
let oauth: OAuthFixture;
let registry: TestRegistry;
let scratch: string;
let browser: Browser;
let page: Page;
let appPort = 0;

async function removeComposeLeftovers(): Promise<void> {
  await removeTestResources({ runId: testRunId });
  const networks = await docker.listNetworks({ filters: { name: [PROJECT_PREFIX] } });
  await Promise.all(
    networks.map((network) =>
      docker
        .getNetwork(network.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
}

beforeAll(async () => {
  await requireDocker();
  requireBuiltDashboard();
  await buildRcloneImage();
  // The fake OAuth provider sends the browser back to the dashboard's own callback page.
  oauth = await startOAuthServer();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'hlr-browser-'));
  // The fixture catalog plus one app whose image has to be pulled from a local registry.
  registry = await startTestRegistry(scratch);
  const catalog = path.join(scratch, 'catalog');
  cpSync(CATALOG, catalog, { recursive: true });
  writeFileSync(
    path.join(catalog, 'myapps', 'stub-pulled.yml'),
    [
      'x-homelabarr:',
      '  displayName: Stub Pulled App',
      '  description: Runs an image the deploy pulls from a registry, for the live pull progress.',
      '  modes: [standard]',
      '  variables:',
      '    HLR_TEST_RUN: { type: string, required: true, default: none }',
      'services:',
      '  app:',
      `    image: ${registry.image}`,
      '    init: true',
      '    labels:',
      '      homelabarr.test: ${HLR_TEST_RUN}',
      '',
    ].join('\n'),
  );
  const frontendPort = await freePort();
  const oauthConfig = path.join(scratch, 'oauth.json');
  writeFileSync(
    oauthConfig,
    JSON.stringify({
      redirectUri: `http://127.0.0.1:${frontendPort}/mounts/oauth-callback`,
      providers: {
        google: { clientId: oauth.clientId, clientSecret: oauth.clientSecret, authUrl: oauth.authUrl, tokenUrl: oauth.tokenUrl },
      },
    }),
  );
  server = await startServer({
    ADMIN_PASSWORD,
    CATALOG_PATHS: catalog,
    COMPOSE_PROJECT_PREFIX: PROJECT_PREFIX,
    PROXY_NETWORK,
    FRONTEND_PORT: String(frontendPort),
    RCLONE_OAUTH_CONFIG: oauthConfig,
  });
  browser = await launchBrowser();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.frontendUrl });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await oauth?.close();
  await registry?.close();
  await removeComposeLeftovers();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

async function adminToken(): Promise<string> {
  const response = await fetch(`${server.backendUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** The stub web app's containers, as Docker sees them. */
/** Opens the deploy dialog of the app named `displayName`, found by `query`, and deploys it with this run's label. */
async function deployFromCatalog(query: string, displayName: string): Promise<Locator> {
  await page.goto(`${server.frontendUrl}/catalog?q=${query}`);
  await page.getByRole('button', { name: `Deploy ${displayName}` }).click();
  const dialog = page.getByTestId('deploy-dialog');
  await dialog.getByLabel(/^HLR_TEST_RUN/).fill(testRunId);
  await dialog.getByRole('button', { name: `Deploy ${displayName}` }).click();
  return dialog;
}

async function appContainers(): Promise<{ State: string; Labels: Record<string, string> }[]> {
  return docker.listContainers({ all: true, filters: { label: [`homelabarr.test=${testRunId}`, `homelabarr.app-id=${APP_ID}`] } });
}

/** Saves the screen's screenshots and checks that every control on it has an accessible name. */
async function checkScreen(name: string): Promise<void> {
  await captureScreen(page, name);
  expect(await unnamedControls(page), `controls without a name on ${name}`).toEqual([]);
}

// Generous: the machines running these are shared, and a browser waits on real Docker work.
describe('dashboard in Chromium', { timeout: 60_000 }, () => {
  it('explains where the first admin password is and signs in after a wrong password', async () => {
    await page.goto(server.frontendUrl + '/');
    await page.getByText('First start? Where is the admin password?').click();
    await page.getByText('DATA_DIR/initial-admin-password').waitFor();
    await checkScreen('sign-in');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid|incorrect|wrong/i);

    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Account menu for admin' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/catalog');
  });

  it('browses the whole catalog by category and search, and stars an app', async () => {
    await page.getByTestId('app-card').first().waitFor();
    const allCount = Number(await page.getByRole('tab', { name: /^All/ }).locator('.count').textContent());
    expect(allCount).toBeGreaterThan(100);
    // Windowed: only the rows near the viewport are in the DOM, however long the catalog is.
    const rendered = await page.getByTestId('app-card').count();
    expect(rendered).toBeGreaterThan(4);
    expect(rendered).toBeLessThan(allCount);
    const firstId = await page.getByTestId('app-card').first().getAttribute('data-app-id');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await settled(page);
    // Scrolled to the end: the last app is rendered and the first one has left the DOM.
    const catalog = (await (await fetch(`${server.backendUrl}/applications`)).json()) as {
      applications: Record<string, { id: string; displayName: string }[]>;
    };
    const sorted = Object.values(catalog.applications)
      .flat()
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    await page.locator(`[data-app-id="${sorted[sorted.length - 1]?.id}"]`).waitFor();
    expect(await page.locator(`[data-app-id="${firstId}"]`).count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await checkScreen('catalog');

    await page.getByRole('tab', { name: /^My apps/ }).click();
    expect(new URL(page.url()).searchParams.get('category')).toBe('myapps');
    await page.locator(`[data-app-id="${APP_ID}"]`).waitFor();

    await page.getByRole('tab', { name: /^All/ }).click();
    await page.getByLabel('Search apps').fill('stub web');
    await expect.poll(() => page.getByTestId('app-card').count(), { timeout: 10_000 }).toBe(1);
    const card = page.locator(`[data-app-id="${APP_ID}"]`);
    expect(await card.locator('h3').textContent()).toBe('Stub Web Server');
    expect(await card.textContent()).toContain('hlr-test/busybox:1');

    await card.getByRole('button', { name: 'Star Stub Web Server' }).click();
    await card.getByRole('button', { name: 'Unstar Stub Web Server' }).waitFor();
    await page.reload();
    await page.getByRole('tab', { name: /^Starred/ }).click();
    await page.locator(`[data-app-id="${APP_ID}"]`).getByRole('button', { name: 'Unstar Stub Web Server' }).waitFor();
    expect(
      await page
        .getByRole('tab', { name: /^Starred/ })
        .locator('.count')
        .textContent(),
    ).toBe('1');
  });

  it('deploys the stub app with live progress, survives a reload mid-deploy and shows the result', async () => {
    await page.goto(`${server.frontendUrl}/catalog?q=stub`);
    await page.getByRole('button', { name: 'Deploy Stub Web Server' }).click();
    const dialog = page.getByTestId('deploy-dialog');
    await dialog.waitFor();
    // Only the modes the app supports, and no domain field outside the proxy modes.
    expect(await dialog.getByRole('radio').count()).toBe(1);
    expect(await dialog.getByLabel(/^DOMAIN/).count()).toBe(0);
    expect(await dialog.getByLabel(/^STUB_WEB_GREETING/).inputValue()).toBe('hello');

    // A port in use is shown before deploying, with a free one suggested.
    const usedPort = Number(new URL(server.frontendUrl).port);
    await dialog.getByLabel(/^STUB_WEB_PORT/).fill(String(usedPort));
    const conflict = dialog.getByTestId('port-conflicts');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain(`port ${usedPort} is used by`);
    const suggestion = conflict.getByRole('button', { name: /^Use free port \d+$/ });
    await suggestion.waitFor();
    await suggestion.click();
    await dialog.getByTestId('ports-ok').waitFor();
    expect(Number(await dialog.getByLabel(/^STUB_WEB_PORT/).inputValue())).not.toBe(usedPort);

    appPort = await freePort();
    await dialog.getByLabel(/^STUB_WEB_PORT/).fill(String(appPort));
    await dialog.getByLabel(/^HLR_TEST_RUN/).fill(testRunId);
    await dialog.getByLabel(/^STUB_WEB_GREETING/).selectOption('hi');
    await dialog.getByTestId('ports-ok').waitFor();
    await checkScreen('deploy-dialog');
    await dialog.getByRole('button', { name: 'Deploy Stub Web Server' }).click();

    const progress = dialog.getByTestId('deployment-progress');
    await progress.waitFor();
    await progress.locator('[data-step="validate"][data-status="completed"]').waitFor();
    const deploymentId = await progress.getAttribute('data-deployment-id');
    expect(deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await progress.getAttribute('data-state')).toBe('running');
    await checkScreen('deploy-progress');

    await page.reload();
    // Still running after the reload (the app needs ~6 s to turn healthy): the stream is resumed.
    await page.getByRole('button', { name: '1 deployment in progress' }).click();
    const panel = page.getByTestId('deployments-panel');
    await panel.getByRole('button', { name: 'Details' }).click();
    const resumed = panel.locator(`[data-deployment-id="${deploymentId}"]`);
    await resumed.waitFor();
    await resumed.locator('[data-testid="deploy-result"][data-success="true"]').waitFor({ timeout: 90_000 });
    for (const step of ['validate', 'preflight', 'render', 'deploy', 'verify']) {
      expect(await resumed.locator(`[data-step="${step}"]`).getAttribute('data-status')).toBe('completed');
    }
    expect(['completed', 'skipped']).toContain(await resumed.locator('[data-step="pull"]').getAttribute('data-status'));
    await resumed.getByText(/^Raw output/).click();
    expect(await resumed.getByTestId('deploy-output').locator('div').count()).toBeGreaterThan(0);
    await checkScreen('deploy-result');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    const response = await fetch(`http://127.0.0.1:${appPort}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('stub\n');
    expect((await appContainers()).map((container) => container.State)).toEqual(['running']);
  }, 150_000);

  it('shows per-image pull progress while the deploy pulls', async () => {
    const dialog = await deployFromCatalog('pulled', 'Stub Pulled App');
    const bar = dialog.getByRole('progressbar', { name: `Pulling ${registry.image}` });
    await bar.waitFor();
    await dialog.locator('[data-testid="deploy-result"][data-success="true"]').waitFor({ timeout: 90_000 });
    expect(await dialog.locator('[data-step="pull"]').getAttribute('data-status')).toBe('completed');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await dialog.getByTestId('pull-progress').textContent()).toMatch(/8\.0 MB \/ 8\.0 MB · 100%/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const token = await adminToken();
    const removed = await fetch(`${server.backendUrl}/applications/myapps-stub-pulled`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(removed.status).toBe(200);
  }, 120_000);

  it('shows why a deployment failed', async () => {
    const dialog = await deployFromCatalog('crashing', 'Stub Crashing App');
    const result = dialog.locator('[data-testid="deploy-result"][data-success="false"]');
    await result.waitFor({ timeout: 90_000 });
    expect(await result.textContent()).toMatch(/^Deployment failed at “Verify running”/);
    expect(await result.textContent()).toContain('fatal: cannot open database /data/stub.db');
    expect(await dialog.locator('[data-step="verify"]').getAttribute('data-status')).toBe('failed');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The failed deployment stays listed until it is cleared.
    await page.getByRole('button', { name: 'Recent deployments' }).click();
    const panel = page.getByTestId('deployments-panel');
    await panel.getByText('Failed').waitFor();
    await panel.getByRole('button', { name: 'Clear Stub Crashing App from the list' }).click();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  }, 120_000);

  it('shows the deployed app with its port, live CPU and memory charts, and reads, searches and downloads its logs', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    const group = page.locator(`[data-testid="app-group"][data-app-id="${APP_ID}"]`);
    await group.waitFor();
    const row = group.getByTestId('container-row');
    expect(await row.getAttribute('data-state')).toBe('running');
    const portLink = row.getByRole('link', { name: `:${appPort}→8080` });
    expect(await portLink.getAttribute('href')).toBe(`http://127.0.0.1:${appPort}/`);
    // The charts fill up as the page polls ?stats=true.
    await row.locator('.metric .sparkline polyline').first().waitFor({ timeout: 20_000 });
    await checkScreen('apps');

    await row.getByRole('button', { name: /^Logs of / }).click();
    const logs = page.getByTestId('logs-dialog');
    await logs.getByTestId('log-lines').getByText('stub-web ready').waitFor();
    expect(await logs.getByTestId('log-lines').textContent()).toContain('stub-web says hi');
    await logs.getByLabel('Search logs').fill('ready');
    await expect.poll(() => logs.getByTestId('log-lines').locator('mark').count(), { timeout: 10_000 }).toBe(1);
    expect(await logs.getByText(/1 of \d+ lines match/).count()).toBe(1);
    await checkScreen('logs');
    const [download] = await Promise.all([page.waitForEvent('download'), logs.getByRole('button', { name: 'Download' }).click()]);
    expect(readFileSync((await download.path()) ?? '', 'utf8')).toContain('stub-web ready');
    await page.keyboard.press('Escape');
    await logs.waitFor({ state: 'detached' });
    // Focus goes back to the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Logs of /);
  });

  it('stops and removes the app only after confirmation', async () => {
    const group = page.locator(`[data-testid="app-group"][data-app-id="${APP_ID}"]`);
    await group.getByRole('button', { name: 'Stop app' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.textContent()).toContain(`Stop ${APP_ID}?`);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await appContainers()).map((container) => container.State)).toEqual(['running']);

    await group.getByRole('button', { name: 'Stop app' }).click();
    await confirm.getByRole('button', { name: 'Stop app' }).click();
    await confirm.waitFor({ state: 'detached' });
    await group.locator('[data-testid="container-row"][data-state="exited"]').waitFor();
    expect((await appContainers()).map((container) => container.State)).toEqual(['exited']);

    await group.getByRole('button', { name: 'Remove app' }).click();
    expect(await confirm.textContent()).toContain('Its data under APPFOLDER stays on disk');
    await confirm.getByRole('button', { name: 'Remove app' }).click();
    await group.waitFor({ state: 'detached' });
    expect(await appContainers()).toEqual([]);
  }, 60_000);

  it('deploys through Traefik with a domain, then behind Authelia, from the form', async () => {
    const appId = 'myapps-stub-proxied';
    const router = `${PROJECT_PREFIX}-${appId}`;
    const proxiedContainer = async () => {
      const [summary] = await docker.listContainers({
        all: true,
        filters: { label: [`homelabarr.test=${testRunId}`, `homelabarr.app-id=${appId}`] },
      });
      return summary ? docker.getContainer(summary.Id).inspect() : null;
    };
    const removeApp = async () => {
      const response = await fetch(`${server.backendUrl}/applications/${appId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      expect(response.status).toBe(200);
      expect(await proxiedContainer()).toBeNull();
    };
    const deployInMode = async (mode: 'traefik' | 'authelia') => {
      await page.goto(`${server.frontendUrl}/catalog?q=proxied`);
      await page.getByRole('button', { name: 'Deploy Stub Proxied Site' }).click();
      const dialog = page.getByTestId('deploy-dialog');
      await dialog.waitFor();
      expect(await dialog.getByRole('radio').count()).toBe(3);
      // Standard comes first and needs no domain; a proxy mode asks for one.
      expect(await dialog.getByLabel(/^DOMAIN/).count()).toBe(0);
      await dialog.locator(`input[name="mode"][value="${mode}"]`).check();
      await dialog.getByLabel(/^DOMAIN/).fill('home.test');
      await dialog.getByLabel(/^HLR_TEST_RUN/).fill(testRunId);
      expect(await unnamedControls(page), `controls without a name in the ${mode} form`).toEqual([]);
      await dialog.getByRole('button', { name: 'Deploy Stub Proxied Site' }).click();
      await dialog.locator('[data-testid="deploy-result"][data-success="true"]').waitFor({ timeout: 90_000 });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      const container = await proxiedContainer();
      if (!container) throw new Error(`no container after the ${mode} deploy`);
      return container;
    };

    const traefik = await deployInMode('traefik');
    const labels = traefik.Config.Labels;
    expect(labels['traefik.enable']).toBe('true');
    expect(labels[`traefik.http.routers.${router}.rule`]).toBe('Host(`stub-proxied.home.test`)');
    expect(labels[`traefik.http.routers.${router}.tls`]).toBe('true');
    expect(labels[`traefik.http.services.${router}.loadbalancer.server.port`]).toBe('8080');
    expect(labels['traefik.docker.network']).toBe(PROXY_NETWORK);
    expect(labels[`traefik.http.routers.${router}.middlewares`]).toBeUndefined();
    // On the network Traefik watches, and not published on the host (the form's checkbox was left off).
    expect(Object.keys(traefik.NetworkSettings.Networks)).toContain(PROXY_NETWORK);
    expect(Object.keys(traefik.NetworkSettings.Ports ?? {}).flatMap((port) => traefik.NetworkSettings.Ports[port] ?? [])).toEqual([]);
    await removeApp();

    const authelia = await deployInMode('authelia');
    expect(authelia.Config.Labels[`traefik.http.routers.${router}.rule`]).toBe('Host(`stub-proxied.home.test`)');
    expect(authelia.Config.Labels[`traefik.http.routers.${router}.middlewares`]).toBe('chain-authelia@file');
    await removeApp();
  }, 240_000);

  it('creates an API key shown once, copies it, and revokes it', async () => {
    await page.getByRole('button', { name: 'Account menu for admin' }).click();
    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'Create API key' }).click();
    const create = page.getByTestId('create-api-key');
    await create.getByLabel('Label').fill('browser test key');
    await create.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByTestId('api-key-created');
    const secret = (await created.getByTestId('api-key-secret').textContent()) ?? '';
    expect(secret).toMatch(/^hlr_[a-f0-9]{64}$/);
    await created.getByRole('button', { name: 'Copy' }).click();
    await created.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const withKey = () => fetch(`${server.backendUrl}/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await withKey()).status).toBe(200);
    await created.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('[data-testid="api-key-row"][data-key-label="browser test key"]');
    await row.waitFor();
    // Shown once: the list has only the prefix.
    expect(await page.getByText(secret).count()).toBe(0);
    // The notices of the app removal before go away by themselves; the screenshot waits for them.
    await expect.poll(() => page.locator('.toast').count(), { timeout: 15_000 }).toBe(0);
    await checkScreen('api-keys');

    await row.getByRole('button', { name: 'Revoke API key browser test key' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await withKey()).status).toBe(401);
  });

  it('manages the storage of an rclone mount container: credentials, a connection test, and the OAuth link flow', async () => {
    // The mount container comes from the catalog like any app (deployed here through the API).
    const token = await adminToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const deploy = await fetch(`${server.backendUrl}/deploy`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        appId: MOUNT_APP_ID,
        config: { HLR_TEST_RUN: testRunId, RCLONE_RC_PORT: await freePort() },
        mode: { type: 'standard' },
      }),
    });
    expect(deploy.status).toBe(200);
    const { deploymentId } = (await deploy.json()) as { deploymentId: string };
    await expect
      .poll(
        async () => {
          const status = (await (await fetch(`${server.backendUrl}/deployments/${deploymentId}/status`, { headers })).json()) as {
            deployment: { status: string };
          };
          return status.deployment.status;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe('completed');

    // Other mount containers may share this Docker daemon: pick ours.
    const [mountContainer] = await docker.listContainers({ filters: { label: [`homelabarr.test=${testRunId}`, 'homelabarr.mount'] } });
    const mountName = (mountContainer?.Names[0] ?? '').replace(/^\//, '');
    expect(mountName).toContain(PROJECT_PREFIX);
    await page.goto(`${server.frontendUrl}/mounts?container=${mountName}`);
    const providers = page.getByTestId('providers-table');
    await providers.waitFor();
    expect(await page.getByText(/^v1\.\d+/).count()).toBe(1);
    await checkScreen('mounts');

    const webdav = providers.locator('[data-provider="webdav"]');
    await webdav.getByRole('button', { name: 'Connect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect WebDAV' });
    await dialog.getByLabel(/^url/).fill('http://127.0.0.1:9/dav');
    await dialog.getByLabel(/^user/).fill('homelab');
    await dialog.getByLabel(/^pass/).fill('dav-secret');
    await dialog.getByRole('button', { name: 'Save and connect' }).click();
    await dialog.waitFor({ state: 'detached' });
    await webdav.getByText('connected', { exact: true }).waitFor();
    await webdav.getByRole('button', { name: 'Test WebDAV' }).click();
    const failure = page.getByRole('alert').filter({ hasText: 'WebDAV does not answer' });
    await failure.waitFor();
    expect(await failure.textContent()).toContain('connection refused');

    const google = providers.locator('[data-provider="google"]');
    await google.getByRole('button', { name: 'Connect' }).click();
    const oauthDialog = page.getByRole('dialog', { name: 'Connect Google Drive' });
    const [popup] = await Promise.all([
      browser.context.waitForEvent('page'),
      oauthDialog.getByRole('button', { name: 'Sign in with Google Drive' }).click(),
    ]);
    await popup.getByText('Google Drive is connected.').waitFor();
    expect(new URL(popup.url()).pathname).toBe('/mounts/oauth-callback');
    await popup.close();
    // The tab that started the sign-in hears of it and shows the provider connected.
    await oauthDialog.waitFor({ state: 'detached' });
    await google.getByText('connected', { exact: true }).waitFor();
    expect(oauth.tokenRequests.map((request) => request.grant_type)).toContain('authorization_code');
  }, 120_000);

  it('shows the ports, health, sessions and users screens', async () => {
    await page.goto(`${server.frontendUrl}/ports`);
    const ports = page.getByTestId('ports-table');
    await ports.waitFor();
    expect(await ports.textContent()).toContain(new URL(server.frontendUrl).port);
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await page.getByTestId('free-port').textContent()).toMatch(/Port \d+ is free/);
    await checkScreen('ports');

    await page.goto(`${server.frontendUrl}/health`);
    expect(await page.getByTestId('health-status').textContent()).toContain('(healthy)');
    await checkScreen('health');

    await page.goto(`${server.frontendUrl}/account/sessions`);
    const sessions = page.getByTestId('sessions-table');
    await sessions.waitFor();
    expect(await sessions.getByText('this browser').count()).toBe(1);

    await page.goto(`${server.frontendUrl}/users`);
    const users = page.getByTestId('users-table');
    await users.waitFor();
    expect(await users.getByRole('combobox', { name: 'Role of admin' }).inputValue()).toBe('admin');
    const activity = page.getByTestId('activity-table');
    await activity.getByText('apikey.revoke').waitFor();
    expect(await activity.getByText('deploy.start').count()).toBeGreaterThan(0);
    await checkScreen('users');

    // The list is the bare array GET /auth/users answers; a user added here shows up in it.
    await page.getByRole('button', { name: 'Add user' }).click();
    const create = page.getByRole('dialog', { name: 'Add user' });
    await create.getByLabel('Username').fill('browser-viewer');
    await create.getByLabel('Password', { exact: true }).fill('browser-password-1');
    await create.getByLabel('Role', { exact: true }).selectOption('viewer');
    await create.getByRole('button', { name: 'Create user' }).click();
    const role = users.getByRole('combobox', { name: 'Role of browser-viewer' });
    await role.waitFor();
    expect(await role.inputValue()).toBe('viewer');
  });

  it('keeps keyboard focus inside a dialog, closes it on Escape and gives focus back to its opener', async () => {
    await page.goto(`${server.frontendUrl}/users`);
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.waitFor();
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-username');
    expect(await unnamedControls(page)).toEqual([]);

    // Tab past the last control comes back to the first, and Shift+Tab from the first goes to the last.
    await dialog.getByRole('button', { name: 'Create user' }).focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Close dialog');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Create user');
    for (let step = 0; step < 8; step += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.querySelector('dialog[open]')?.contains(document.activeElement))).toBe(true);
    }

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused()).toBe('Add user');
  });

  it('works from the keyboard: menu with arrows, Escape closes, theme toggles', async () => {
    await page.goto(`${server.frontendUrl}/catalog`);
    const trigger = page.getByRole('button', { name: 'Account menu for admin' });
    await trigger.focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu', { name: 'Account' });
    await menu.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Change password');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sessions');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Account menu for admin');

    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    expect(await theme()).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await theme()).toBe('dark');
    await page.reload();
    expect(await theme()).toBe('dark');
    await trigger.click();
    await page.getByRole('menuitemradio', { name: 'System' }).click();
    expect(await theme()).toBe('light');
  });

  it('logs no console errors or warnings on the way', () => {
    // Expected: the wrong password's 401, which Chromium always logs, and requests Chromium itself
    // aborts when Docker adds a network interface to the host (the page asks again on its next poll).
    const unexpected = browser.problems.filter(
      (problem) =>
        !(problem.text.includes('status of 401') && problem.url.endsWith('/api/auth/login')) &&
        !problem.text.includes('net::ERR_NETWORK_CHANGED'),
    );
    expect(unexpected).toEqual([]);
  });
});
