// Browser tier: the built dashboard in Chromium against the real server, Docker and compose.
// One signed-in browser walks through the flows a new user takes, in order, and saves
// screenshots of each main screen to docs/screenshots/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { docker, removeTestResources, requireDocker, testRunId } from '../helpers/docker.js';
import { freePort, startServer, type ServerProcess } from '../helpers/server-process.js';
import { captureScreen, launchBrowser, requireBuiltDashboard, ROOT, settled, type Browser } from './dashboard-harness.js';

const ADMIN_PASSWORD = 'browser-admin-password-1';
const APP_ID = 'myapps-stub-web';
const PROJECT_PREFIX = `hlrb${testRunId}`;
const CATALOG = path.join(ROOT, 'test', 'fixtures', 'browser-catalog');

let server: ServerProcess;
let browser: Browser;
let page: Page;
let appPort = 0;

async function removeComposeLeftovers(): Promise<void> {
  await removeTestResources({ runId: testRunId });
  const networks = await docker.listNetworks({ filters: { name: [PROJECT_PREFIX] } });
  await Promise.all(networks.map((network) => docker.getNetwork(network.Id).remove().catch(() => undefined)));
}

beforeAll(async () => {
  await requireDocker();
  requireBuiltDashboard();
  server = await startServer({
    ADMIN_PASSWORD,
    CATALOG_PATHS: CATALOG,
    COMPOSE_PROJECT_PREFIX: PROJECT_PREFIX,
  });
  browser = await launchBrowser();
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.frontendUrl });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await removeComposeLeftovers();
}, 120_000);

async function appContainers(): Promise<{ State: string; Labels: Record<string, string> }[]> {
  return docker.listContainers({ all: true, filters: { label: [`homelabarr.test=${testRunId}`] } });
}

describe('dashboard in Chromium', () => {
  it('explains where the first admin password is and signs in after a wrong password', async () => {
    await page.goto(server.frontendUrl + '/');
    await page.getByText('First start? Where is the admin password?').click();
    await expect.poll(() => page.getByText('DATA_DIR/initial-admin-password').isVisible()).toBe(true);
    await captureScreen(page, 'sign-in');

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
    await page.getByRole('tab', { name: /^All/ }).waitFor();
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
    const catalog = (await (await fetch(`${server.backendUrl}/applications`)).json()) as { applications: Record<string, { id: string; displayName: string }[]> };
    const sorted = Object.values(catalog.applications).flat().sort((a, b) => a.displayName.localeCompare(b.displayName));
    await page.locator(`[data-app-id="${sorted[sorted.length - 1]?.id}"]`).waitFor();
    expect(await page.locator(`[data-app-id="${firstId}"]`).count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await captureScreen(page, 'catalog');

    await page.getByRole('tab', { name: /^My apps/ }).click();
    expect(new URL(page.url()).searchParams.get('category')).toBe('myapps');
    await page.locator(`[data-app-id="${APP_ID}"]`).waitFor();

    await page.getByRole('tab', { name: /^All/ }).click();
    await page.getByLabel('Search apps').fill('stub web');
    await expect.poll(() => page.getByTestId('app-card').count()).toBe(1);
    const card = page.locator(`[data-app-id="${APP_ID}"]`);
    expect(await card.locator('h3').textContent()).toBe('Stub Web Server');
    expect(await card.textContent()).toContain('hlr-test/busybox:1');

    await card.getByRole('button', { name: 'Star Stub Web Server' }).click();
    await card.getByRole('button', { name: 'Unstar Stub Web Server' }).waitFor();
    await page.reload();
    await page.getByRole('tab', { name: /^Starred/ }).click();
    await page.locator(`[data-app-id="${APP_ID}"]`).getByRole('button', { name: 'Unstar Stub Web Server' }).waitFor();
    expect(await page.getByRole('tab', { name: /^Starred/ }).locator('.count').textContent()).toBe('1');
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
    await captureScreen(page, 'deploy-dialog');
    await dialog.getByRole('button', { name: 'Deploy Stub Web Server' }).click();

    const progress = dialog.getByTestId('deployment-progress');
    await progress.waitFor();
    await progress.locator('[data-step="validate"][data-status="completed"]').waitFor();
    const deploymentId = await progress.getAttribute('data-deployment-id');
    expect(deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await progress.getAttribute('data-state')).toBe('running');
    await captureScreen(page, 'deploy-progress');

    await page.reload();
    await page.getByRole('button', { name: /deployments? in progress|Recent deployments/ }).click();
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
    await captureScreen(page, 'deploy-result');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    const response = await fetch(`http://127.0.0.1:${appPort}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('stub\n');
    expect((await appContainers()).map((container) => container.State)).toEqual(['running']);
  }, 150_000);

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
    await captureScreen(page, 'apps');

    await row.getByRole('button', { name: /^Logs of / }).click();
    const logs = page.getByTestId('logs-dialog');
    await logs.getByTestId('log-lines').getByText('stub-web ready').waitFor();
    expect(await logs.getByTestId('log-lines').textContent()).toContain('stub-web says hi');
    await logs.getByLabel('Search logs').fill('ready');
    await expect.poll(() => logs.getByTestId('log-lines').locator('mark').count()).toBe(1);
    expect(await logs.getByText(/1 of \d+ lines match/).count()).toBe(1);
    await captureScreen(page, 'logs');
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
    await captureScreen(page, 'api-keys');

    await row.getByRole('button', { name: 'Revoke API key browser test key' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await withKey()).status).toBe(401);
  });

  it('shows the ports, health, mounts, sessions and users screens', async () => {
    await page.goto(`${server.frontendUrl}/ports`);
    const ports = page.getByTestId('ports-table');
    await ports.waitFor();
    expect(await ports.textContent()).toContain(new URL(server.frontendUrl).port);
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await page.getByTestId('free-port').textContent()).toMatch(/Port \d+ is free/);
    await captureScreen(page, 'ports');

    await page.goto(`${server.frontendUrl}/health`);
    expect(await page.getByTestId('health-status').textContent()).toContain('(healthy)');
    await captureScreen(page, 'health');

    await page.goto(`${server.frontendUrl}/mounts`);
    await page.getByText('No mount container yet').waitFor();
    await captureScreen(page, 'mounts');

    await page.goto(`${server.frontendUrl}/account/sessions`);
    const sessions = page.getByTestId('sessions-table');
    await sessions.waitFor();
    expect(await sessions.getByText('this browser').count()).toBe(1);

    await page.goto(`${server.frontendUrl}/users`);
    const users = page.getByTestId('users-table');
    await users.waitFor();
    expect(await users.getByRole('combobox', { name: 'Role of admin' }).inputValue()).toBe('admin');
    await captureScreen(page, 'users');
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
    // The one expected failure: the wrong password's 401, which Chromium always logs.
    const unexpected = browser.problems.filter((problem) => !(problem.text.includes('status of 401') && problem.url.endsWith('/api/auth/login')));
    expect(unexpected).toEqual([]);
  });
});
