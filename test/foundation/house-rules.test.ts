// The checks `npm run check` adds to the house: module boundaries (ESLint) and import cycles.
// Each is shown to catch what it is there for, on small trees written here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import boundaries from '../../eslint-rules/module-boundaries.js';
import { findCycles, importGraph, moduleGraph } from '../../scripts/check-import-cycles.mjs';

const workDir = mkdtempSync(path.join(tmpdir(), 'hlr-house-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeTree(root: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const full = path.join(root, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  });
}

describe('module boundaries rule', () => {
  const linter = new Linter({ configType: 'flat' });
  const lint = (file: string, code: string): string[] =>
    linter
      .verify(code, [{ files: ['**/*.ts'], plugins: { homelabarr: boundaries }, rules: { 'homelabarr/module-boundaries': 'error' } }], {
        filename: path.join(process.cwd(), file),
      })
      .map((message) => message.message);

  it("refuses another module's internal file, from a module or from outside", () => {
    expect(lint('src/server/modules/deployments/x.ts', "import { AppLocks } from '../stacks/app-locks.js';")).toEqual([
      expect.stringContaining("'../stacks/app-locks.js' is an internal file of the stacks module"),
    ]);
    expect(lint('src/server/services.ts', "export { MountsService } from './modules/mounts/mounts.service.js';")).toHaveLength(1);
  });

  it("allows a module's index, its own files, and routes files from the app outside modules/", () => {
    expect(lint('src/server/modules/deployments/x.ts', "import { AppLocks } from '../stacks/index.js';")).toEqual([]);
    expect(lint('src/server/modules/deployments/x.ts', "import { DeployRunner } from './deploy-runner.js';")).toEqual([]);
    expect(lint('src/server/app.ts', "import { portsRoutes } from './modules/ports/ports.routes.js';")).toEqual([]);
  });

  it("refuses another module's routes file from inside a module", () => {
    expect(lint('src/server/modules/openapi/x.ts', "import { webRoutes } from '../web/web.routes.js';")).toHaveLength(1);
  });
});

describe('import cycle check', () => {
  it('finds a file cycle through a type-only import, and names its files', () => {
    const root = path.join(workDir, 'files');
    const files = writeTree(root, {
      'a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'b.ts': "import { c } from './c.js';\nimport type { A } from './a.js';\nexport type B = { a?: A; c: typeof c };\n",
      'c.ts': 'export const c = 1;\n',
    });
    expect(findCycles(importGraph(files))).toEqual([[path.join(root, 'a.ts'), path.join(root, 'b.ts')]]);
  });

  it('finds a cycle between two modules even when no file cycle exists', () => {
    const root = path.join(workDir, 'modules', 'src', 'server', 'modules');
    const files = writeTree(root, {
      'auth/index.ts': "export { login } from './login.js';\n",
      'auth/login.ts': "import { record } from '../activity/index.js';\nexport const login = () => record();\n",
      'activity/index.ts': "export { record } from './record.js';\n",
      'activity/record.ts': 'export const record = () => 1;\n',
      'activity/owner.ts': "import { login } from '../auth/index.js';\nexport const owner = login;\n",
    });
    const graph = importGraph(files);
    expect(findCycles(graph)).toEqual([]);
    expect(findCycles(moduleGraph(graph))).toEqual([['module activity', 'module auth']]);
  });

  it('passes a tree without cycles', () => {
    const files = writeTree(path.join(workDir, 'clean'), {
      'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'b.ts': 'export const b = 2;\n',
    });
    expect(findCycles(importGraph(files))).toEqual([]);
  });
});
