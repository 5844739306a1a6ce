// Quality gates 1, 3 and 4 of catalog.md over the bundled catalog, and the checker itself on bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/contracts/catalog.js';
import { checkCatalog, formatCheckReport, imageTagProblem } from '../../src/server/modules/catalog/catalog-check.js';
import { PORT_EXCEPTIONS } from '../../src/server/modules/catalog/port-exceptions.js';
import { BUNDLED_ROOT } from './catalog-fixtures.js';

const report = checkCatalog(BUNDLED_ROOT, { exceptions: PORT_EXCEPTIONS });
const problemsOf = (gate: number): string[] =>
  report.problems
    .filter((problem) => problem.gate === gate)
    .map((problem) => `${path.relative(BUNDLED_ROOT, problem.file)}: ${problem.message}`);

describe('the bundled catalog', () => {
  it('has at least 120 apps across the seed’s 15 categories, each category used', () => {
    expect(report.categories).toEqual([...CATEGORIES]);
    const used = new Set(report.entries.map((entry) => entry.app.category));
    expect(CATEGORIES.filter((category) => !used.has(category))).toEqual([]);
    expect(report.apps).toBeGreaterThanOrEqual(120);
  });

  it('gate 1: every template parses, passes the schema and declares exactly the variables it uses', () => {
    expect(problemsOf(1)).toEqual([]);
  });

  it('gate 3: default host ports are unique across the catalog, apart from the exceptions table', () => {
    expect(problemsOf(3)).toEqual([]);
  });

  it('gate 4: images are tagged and elevated rights are declared', () => {
    expect(problemsOf(4)).toEqual([]);
  });

  it('lists apps with a description, an icon and a web port or a reason to have none', () => {
    const missing = report.entries
      .filter(({ app }) => app.description.length < 20 || app.icon === '' || app.homepage === '')
      .map(({ app }) => app.id);
    expect(missing).toEqual([]);
  });
});

describe('checkCatalog', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hlr-check-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write(
    'system/bad.yml',
    `x-homelabarr:
  displayName: Bad
  description: Breaks several rules at once.
  web: { service: app, port: 80 }
  variables:
    BAD_PORT: { type: port, default: 8080, description: Host port }
    UNUSED: { type: string, description: Never used }
services:
  app:
    image: nginx:latest
    container_name: bad
    ports:
      - \${BAD_PORT}:80
      - 9999:9999
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
`,
  );
  write(
    'system/other.yml',
    `x-homelabarr:
  displayName: Other
  description: Shares a default host port.
  web: { service: app, port: 80 }
  variables:
    OTHER_PORT: { type: port, default: 8080, description: Host port }
services:
  app:
    # The project publishes only latest.
    image: example/other:latest
    ports:
      - \${OTHER_PORT}:80
`,
  );
  write('system/foreign.yml', 'services:\n  app:\n    image: nginx\n');

  it('reports each broken rule with its gate', () => {
    const result = checkCatalog(root);
    expect(result.problems.map((problem) => `${path.basename(problem.file)} [${problem.gate}] ${problem.message}`)).toEqual([
      'bad.yml [1] declares UNUSED but never uses it',
      'bad.yml [1] services.app.container_name: leave it out (compose names containers per project)',
      'bad.yml [3] services.app.ports: "9999:9999" publishes a literal host port; use a declared port variable',
      'bad.yml [3] default host port 8080 is also the default of system-other',
      'bad.yml [4] services.app: image nginx:latest uses latest (allowed only with a comment on or above that line saying the project publishes no other tag)',
      'bad.yml [4] needs elevated rights (app: mounts the Docker socket) but x-homelabarr.privileges does not say why',
      'foreign.yml [1] has no x-homelabarr block (bundled templates must declare their metadata)',
      'foreign.yml [4] services.app: image nginx has no tag',
      'other.yml [3] default host port 8080 is also the default of system-bad',
    ]);
    expect(formatCheckReport(result, root).split('\n').at(-2)).toBe('3 apps in 1 categories, 9 problem(s).');
  });

  it('accepts a shared port listed in the exceptions table', () => {
    const result = checkCatalog(root, { exceptions: { '8080': { apps: ['system-bad', 'system-other'], reason: 'test' } } });
    expect(result.problems.filter((problem) => problem.message.includes('also the default'))).toEqual([]);
  });

  it('knows tags, digests and registries with ports', () => {
    expect(imageTagProblem('lscr.io/linuxserver/sonarr:4.0.15')).toBeNull();
    expect(imageTagProblem('127.0.0.1:5000/app@sha256:abc')).toBeNull();
    expect(imageTagProblem('127.0.0.1:5000/app')).toBe('image 127.0.0.1:5000/app has no tag');
    expect(imageTagProblem('')).toBe('has no image');
  });
});
