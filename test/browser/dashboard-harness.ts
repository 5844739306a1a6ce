// Drives the built dashboard in Debian's Chromium (playwright-core, never a downloaded browser)
// against the real server process, and saves screenshots of its screens for the README.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
// Every run keeps its screenshots as test artifacts; UPDATE_SCREENSHOTS=true refreshes the README's set
// instead, so a plain `npm test` leaves the working tree as it found it.
export const SCREENSHOT_DIR =
  process.env.UPDATE_SCREENSHOTS === 'true' ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, 'test-results', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ConsoleProblem = { type: string; text: string; url: string };

export type Browser = {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, in order. */
  problems: ConsoleProblem[];
  close(): Promise<void>;
};

/** The dashboard is served from dist/: the tests need `npm run build` first. */
export function requireBuiltDashboard(): void {
  for (const file of ['dist/server/main.js', 'dist/web/index.html']) {
    if (!existsSync(path.join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` before the browser tests`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'hlr-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    acceptDownloads: true,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: ConsoleProblem[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push({ type: message.type(), text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => problems.push({ type: 'pageerror', text: error.message, url: '' }));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves after the browser has laid out and painted the current state. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

const VARIANTS = [
  { suffix: 'light', width: 1280, height: 800, colorScheme: 'light' },
  { suffix: 'dark', width: 1280, height: 800, colorScheme: 'dark' },
  { suffix: 'mobile', width: 390, height: 844, colorScheme: 'light' },
] as const;

/**
 * Saves <SCREENSHOT_DIR>/<name>-light.png, -dark.png (1280×800) and -mobile.png (390×844), then
 * returns the page to 1280×800 light. The dashboard follows prefers-color-scheme, emulated here.
 */
export async function captureScreen(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const files: string[] = [];
  for (const variant of VARIANTS) {
    await page.setViewportSize({ width: variant.width, height: variant.height });
    await page.emulateMedia({ colorScheme: variant.colorScheme });
    await settled(page);
    const file = path.join(SCREENSHOT_DIR, `${name}-${variant.suffix}.png`);
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    files.push(file);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
  await settled(page);
  return files;
}

// Roles a screen reader announces by name: without one, a control is just "button" or "edit text".
const NAMED_ROLES = new Set([
  'button',
  'checkbox',
  'combobox',
  'link',
  'listbox',
  'menuitem',
  'menuitemradio',
  'progressbar',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
]);

// Role and name values are strings in Chromium's tree.
type AXValue = { value?: string };
type AXNode = { ignored: boolean; role?: AXValue; name?: AXValue; backendDOMNodeId?: number };

/**
 * The controls on the page, as Chromium's accessibility tree has them, that have no accessible name
 * (no label, no text, no aria-label), each as its tag and attributes.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const unnamed = nodes.filter(
      (node) => !node.ignored && NAMED_ROLES.has(node.role?.value ?? '') && (node.name?.value ?? '').trim() === '',
    );
    const described: string[] = [];
    for (const node of unnamed) {
      const { node: dom } = (await cdp.send('DOM.describeNode', { backendNodeId: node.backendDOMNodeId })) as {
        node: { localName: string; attributes?: string[] };
      };
      described.push(`${node.role?.value ?? ''}: <${dom.localName} ${(dom.attributes ?? []).join(' ')}>`);
    }
    return described;
  } finally {
    await cdp.detach();
  }
}
