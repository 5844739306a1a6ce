// Fails when the TypeScript under the given folders (default: src) imports itself in a circle,
// type-only imports included: a cycle means two files that cannot be understood, tested or moved
// apart. Server modules (src/server/modules/<name>) are checked as wholes too: auth may use
// activity, or activity auth, not both. Part of `npm run check`. Usage: node scripts/check-import-cycles.mjs [folder...]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

function listSources(folder) {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : listSources(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** A relative specifier as the compiler resolves it: "./x.js" names ./x.ts, ./x.tsx or ./x/index.ts. */
function resolveRelative(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

export function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target) => target !== null);
    graph.set(path.resolve(file), [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  function visit(node) {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The same graph with each server module's files merged into one node named after the module. */
export function moduleGraph(graph) {
  const moduleOf = (file) => /[\\/]src[\\/]server[\\/]modules[\\/]([^\\/]+)[\\/]/.exec(file)?.[1] ?? null;
  const modules = new Map();
  for (const [file, targets] of graph) {
    const from = moduleOf(file);
    if (from === null) continue;
    const edges = modules.get(from) ?? new Set();
    for (const target of targets) {
      const to = moduleOf(target);
      if (to !== null && to !== from) edges.add(to);
    }
    modules.set(from, edges);
  }
  return new Map([...modules].map(([name, edges]) => [`module ${name}`, [...edges].map((to) => `module ${to}`)]));
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const folders = process.argv.slice(2);
  const files = (folders.length > 0 ? folders : ['src']).flatMap(listSources);
  const graph = importGraph(files);
  const cycles = [...findCycles(graph), ...findCycles(moduleGraph(graph))];
  for (const cycle of cycles) {
    const names = cycle.map((node) => (node.startsWith('module ') ? node : path.relative(process.cwd(), node)));
    console.error(`Import cycle: ${names.join(' ↔ ')}`);
  }
  if (cycles.length > 0) process.exit(1);
  console.log(`No import cycles among ${files.length} files.`);
}
