// The static quality gates of catalog.md (1, 3 and 4) as one report, shared by the test suite and
// `homelabarr catalog check [path]`. Gates 2 and 5 need Docker and live in test/catalog.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog, type CatalogRoot } from './catalog-loader.js';
import type { CatalogEntry, GlobalDefaults } from './catalog-template.js';
import { findVariableReferences, forEachString, interpolate } from './compose-variables.js';
import { listingValues } from './template-parser.js';
import { PORT_EXCEPTIONS, type PortExceptions } from './port-exceptions.js';
import { portKey } from './port-spec.js';
import { asList, detectPrivileges, resolvePorts } from './template-inspection.js';

export type CheckProblem = { gate: 1 | 3 | 4; file: string; appId: string | null; message: string };

/** Default host ports two apps may share on purpose, with the reason: "<port>[/udp]" → app ids. */

export type CatalogCheckReport = { apps: number; categories: string[]; problems: CheckProblem[]; entries: CatalogEntry[] };

/** Globals used only to evaluate defaults; the real ones come from the server's config. */
export const CHECK_GLOBALS: GlobalDefaults = {
  ID: '1000',
  TZ: 'UTC',
  UMASK: '002',
  APPFOLDER: '/opt/appdata',
  MEDIAFOLDER: '/mnt/media',
  DOMAIN: 'example.com',
  RESTARTAPP: 'unless-stopped',
};

/** An image reference with a real tag or digest; `latest` and untagged references are not. */
export function imageTagProblem(image: string): string | null {
  if (!image) return 'has no image';
  if (image.includes('@sha256:')) return null;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image ${image} has no tag`;
  if (lastSegment.slice(colon + 1) === 'latest') return `image ${image} uses latest`;
  return null;
}

/** Whether the template explains `latest` in a comment on the image line or the line above it. */
function hasCommentOnImageLine(text: string, rawImage: string): boolean {
  const lines = text.split('\n');
  return lines.some((line, index) => {
    if (!line.includes('image:') || !line.includes(rawImage)) return false;
    return /\s#\s*\S/.test(line) || /^\s*#\s*\S/.test(lines[index - 1] ?? '');
  });
}

function checkTemplate(entry: CatalogEntry, text: string): CheckProblem[] {
  const { template, app } = entry;
  const problems: CheckProblem[] = [];
  const add = (gate: CheckProblem['gate'], message: string): void => {
    problems.push({ gate, file: template.file, appId: app.id, message });
  };
  if (template.isForeign) add(1, 'has no x-homelabarr block (bundled templates must declare their metadata)');

  const used = new Set<string>();
  forEachString(template.compose, (value) => {
    for (const reference of findVariableReferences(value)) used.add(reference.name);
  });
  for (const name of Object.keys(template.variables)) {
    if (!used.has(name)) add(1, `declares ${name} but never uses it`);
  }

  const values = listingValues(template, CHECK_GLOBALS);
  const ports = resolvePorts(template.compose, values);
  for (const [service, definition] of Object.entries(template.compose.services)) {
    for (const entryText of asList(definition.ports)) {
      const portText = typeof entryText === 'string' ? entryText : JSON.stringify(entryText);
      const published = resolvePorts({ services: { probe: { ports: [entryText] } } }, values).some((port) => port.hostPort !== null);
      const hostPart = typeof entryText === 'string' ? entryText.split(':').slice(0, -1).join(':') : '';
      if (published && !/\$\{?[A-Z]/.test(hostPart))
        add(3, `services.${service}.ports: "${portText}" publishes a literal host port; use a declared port variable`);
    }
    if ('container_name' in definition) add(1, `services.${service}.container_name: leave it out (compose names containers per project)`);
    if ('build' in definition) add(1, `services.${service}.build: templates run published images only`);
    const healthcheck = definition.healthcheck as Record<string, unknown> | undefined;
    if (healthcheck && 'start_interval' in healthcheck) add(1, `services.${service}.healthcheck.start_interval needs Docker Engine 25+`);
    for (const key of Object.keys(
      definition.labels && typeof definition.labels === 'object' ? (Array.isArray(definition.labels) ? {} : definition.labels) : {},
    )) {
      if (key.startsWith('traefik.')) add(1, `services.${service}.labels: no Traefik labels in templates (the renderer generates them)`);
    }
    if (Array.isArray(definition.labels) && definition.labels.some((label) => String(label).startsWith('traefik.'))) {
      add(1, `services.${service}.labels: no Traefik labels in templates (the renderer generates them)`);
    }

    const rawImage = typeof definition.image === 'string' ? definition.image : '';
    const tagProblem = imageTagProblem(interpolate(rawImage, values));
    if (tagProblem && !(tagProblem.endsWith('uses latest') && hasCommentOnImageLine(text, rawImage))) {
      add(
        4,
        `services.${service}: ${tagProblem}${tagProblem.endsWith('latest') ? ' (allowed only with a comment on or above that line saying the project publishes no other tag)' : ''}`,
      );
    }
  }
  if (template.web) {
    const published = ports.find(
      (port) =>
        port.service === template.web?.service &&
        port.containerPort === template.web.port &&
        port.protocol === 'tcp' &&
        port.hostPort !== null,
    );
    if (!published)
      add(1, `x-homelabarr.web: port ${template.web.port} of ${template.web.service} is not published (standard mode has no URL)`);
  }
  const findings = detectPrivileges(template.compose);
  if (findings.length > 0 && !template.hasDeclaredPrivileges) {
    add(4, `needs elevated rights (${findings.join('; ')}) but x-homelabarr.privileges does not say why`);
  }
  return problems;
}

/** Default host ports used by more than one app, unless the exceptions table allows exactly those apps. */
function checkPortUniqueness(entries: CatalogEntry[], exceptions: PortExceptions): CheckProblem[] {
  const owners = new Map<string, { appId: string; file: string }[]>();
  for (const { app, template } of entries) {
    for (const [containerKey, hostPort] of Object.entries(app.ports)) {
      const protocol = containerKey.includes('/') ? containerKey.slice(containerKey.indexOf('/') + 1) : 'tcp';
      const key = portKey({ containerPort: hostPort, protocol: protocol as 'tcp' });
      const list = owners.get(key) ?? [];
      if (!list.some((owner) => owner.appId === app.id)) list.push({ appId: app.id, file: template.file });
      owners.set(key, list);
    }
  }
  const problems: CheckProblem[] = [];
  for (const [key, list] of owners) {
    if (list.length < 2) continue;
    const allowed = exceptions[key]?.apps ?? [];
    const unexpected = list.filter((owner) => !allowed.includes(owner.appId));
    for (const owner of unexpected) {
      problems.push({
        gate: 3,
        file: owner.file,
        appId: owner.appId,
        message: `default host port ${key} is also the default of ${list
          .filter((other) => other.appId !== owner.appId)
          .map((other) => other.appId)
          .join(', ')}`,
      });
    }
  }
  return problems;
}

/** Runs gates 1, 3 and 4 over one catalog folder (each first-level folder a category). */
export function checkCatalog(root: string, options: { exceptions?: PortExceptions } = {}): CatalogCheckReport {
  const roots: CatalogRoot[] = [{ path: path.resolve(root), source: 'bundled' }];
  const loaded = loadCatalog(roots, CHECK_GLOBALS);
  const problems: CheckProblem[] = loaded.invalid.map((invalid) => ({ gate: 1, file: invalid.file, appId: null, message: invalid.error }));
  const entries = [...loaded.entries.values()];
  for (const entry of entries) {
    let text = '';
    try {
      text = readFileSync(entry.template.file, 'utf8');
    } catch {
      // The loader just read it; a file deleted in between is reported by the next check.
    }
    try {
      problems.push(...checkTemplate(entry, text));
    } catch (error) {
      problems.push({ gate: 1, file: entry.template.file, appId: entry.app.id, message: (error as Error).message });
    }
  }
  problems.push(...checkPortUniqueness(entries, options.exceptions ?? {}));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.gate - b.gate);
  return { apps: entries.length, categories: loaded.categories, problems, entries };
}

/** The report as text lines for the CLI. */
export function formatCheckReport(report: CatalogCheckReport, root: string): string {
  const lines = report.problems.map(
    (problem) => `${path.relative(root, problem.file) || problem.file}: [gate ${problem.gate}] ${problem.message}`,
  );
  lines.push(`${report.apps} apps in ${report.categories.length} categories, ${report.problems.length} problem(s).`);
  return `${lines.join('\n')}\n`;
}

/** `homelabarr catalog check [path]`: the report on stdout, exit code 1 when anything is wrong. */
export function runCatalogCheck(root: string, io: { out(text: string): void; err(text: string): void }): number {
  const folder = path.resolve(root);
  if (!existsSync(folder)) {
    io.err(`${folder} does not exist.\n`);
    return 1;
  }
  const report = checkCatalog(folder, { exceptions: PORT_EXCEPTIONS });
  io.out(formatCheckReport(report, folder));
  return report.problems.length > 0 ? 1 : 0;
}
