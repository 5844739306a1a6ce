// ESLint rule: a file outside src/server/modules/<name>/ may import that module only through its
// index.ts. Each module's index says what the rest of the server may use; its other files can
// change without anyone else noticing. The one other entry is a module's *.routes.ts, which only
// the app outside modules/ registers (an index re-exporting routes would tie every service
// importer to the route types, and those to app-context: a cycle). Tests may reach inside.
import path from 'node:path';

const MODULES_DIR = path.join('src', 'server', 'modules');

/** The module folder a file lies in ("stacks" for src/server/modules/stacks/x.ts), or null. */
function moduleOf(file) {
  const relative = path.relative(process.cwd(), file);
  const parts = relative.split(path.sep);
  const base = MODULES_DIR.split(path.sep);
  if (parts.length <= base.length + 1) return null;
  return base.every((part, index) => parts[index] === part) ? parts[base.length] : null;
}

function isModuleIndex(file) {
  return /^index\.(ts|js)$/.test(path.basename(file)) && path.dirname(path.dirname(file)).endsWith(MODULES_DIR);
}

function isRoutesFile(file) {
  return /\.routes\.(ts|js)$/.test(file);
}

export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Import another module only through its index.ts' },
    messages: {
      internal:
        "'{{source}}' is an internal file of the {{module}} module: import it from '{{module}}/index.js', and export it there if others need it (only the app outside modules/ imports *.routes.ts).",
    },
    schema: [],
  },
  create(context) {
    const importer = context.filename;
    const importerModule = moduleOf(importer);
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(importer), source);
      const targetModule = moduleOf(target);
      if (targetModule === null || targetModule === importerModule || isModuleIndex(target)) return;
      if (importerModule === null && isRoutesFile(target)) return;
      context.report({ node, messageId: 'internal', data: { source, module: targetModule } });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { 'module-boundaries': moduleBoundaries } };
