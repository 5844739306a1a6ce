// Reads catalog roots from disk: every first-level folder is a category, every .yml/.yaml in it
// (or <name>/docker-compose.yml below it) a template. Broken files are reported, never fatal.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CatalogEntry, CatalogSource, GlobalDefaults } from './catalog-template.js';
import { parseTemplate, TemplateError } from './template-parser.js';

export type CatalogRoot = { path: string; source: CatalogSource };
export type InvalidTemplate = { file: string; error: string };
export type CatalogClash = { id: string; file: string; overridden: string };

export type LoadedCatalog = {
  /** By app id, in load order (later roots replace earlier ones). */
  entries: Map<string, CatalogEntry>;
  invalid: InvalidTemplate[];
  clashes: CatalogClash[];
  /** Every category folder found, sorted. */
  categories: string[];
  /** Files a change of which should reload the catalog: the folders that were read. */
  folders: string[];
};

const MAX_TEMPLATE_BYTES = 1024 * 1024;
const TEMPLATE_FILE = /\.ya?ml$/i;
const NESTED_COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'];

/** Folder and file names become ids: lowercase letters, digits, '-' and '_'. */
export function toIdPart(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

function listDirectory(folder: string): { name: string; isDirectory: boolean; isFile: boolean }[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .map((entry) => {
      // Follow symlinks: users link their own template folders into a catalog root.
      const isLink = entry.isSymbolicLink();
      const stats = isLink ? statSync(path.join(folder, entry.name), { throwIfNoEntry: false }) : undefined;
      return {
        name: entry.name,
        isDirectory: isLink ? (stats?.isDirectory() ?? false) : entry.isDirectory(),
        isFile: isLink ? (stats?.isFile() ?? false) : entry.isFile(),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function templateFiles(categoryFolder: string): { file: string; name: string }[] {
  const files: { file: string; name: string }[] = [];
  for (const entry of listDirectory(categoryFolder)) {
    if (entry.isFile && TEMPLATE_FILE.test(entry.name)) {
      files.push({ file: path.join(categoryFolder, entry.name), name: entry.name.replace(TEMPLATE_FILE, '') });
    } else if (entry.isDirectory) {
      const nested = NESTED_COMPOSE_FILES.map((candidate) => path.join(categoryFolder, entry.name, candidate)).find((candidate) =>
        existsSync(candidate),
      );
      if (nested) files.push({ file: nested, name: entry.name });
    }
  }
  return files;
}

export function loadCatalog(roots: readonly CatalogRoot[], globals: GlobalDefaults): LoadedCatalog {
  const entries = new Map<string, CatalogEntry>();
  const invalid: InvalidTemplate[] = [];
  const clashes: CatalogClash[] = [];
  const categories = new Set<string>();
  const folders: string[] = [];
  for (const root of roots) {
    if (!existsSync(root.path)) {
      if (root.source !== 'bundled') invalid.push({ file: root.path, error: 'catalog folder does not exist' });
      continue;
    }
    folders.push(root.path);
    const seenInRoot = new Map<string, string>();
    let categoryFolders: { name: string; isDirectory: boolean }[];
    try {
      categoryFolders = listDirectory(root.path).filter((entry) => entry.isDirectory);
    } catch (error) {
      invalid.push({ file: root.path, error: `cannot read the folder: ${(error as Error).message}` });
      continue;
    }
    for (const folder of categoryFolders) {
      const category = toIdPart(folder.name);
      if (!category) continue;
      const categoryPath = path.join(root.path, folder.name);
      folders.push(categoryPath);
      categories.add(category);
      let files: { file: string; name: string }[];
      try {
        files = templateFiles(categoryPath);
      } catch (error) {
        invalid.push({ file: categoryPath, error: `cannot read the folder: ${(error as Error).message}` });
        continue;
      }
      for (const { file, name: rawName } of files) {
        const name = toIdPart(rawName);
        if (!name) continue;
        const id = `${category}-${name}`;
        try {
          const size = statSync(file).size;
          if (size > MAX_TEMPLATE_BYTES) throw new TemplateError(`larger than ${MAX_TEMPLATE_BYTES} bytes`);
          const entry = parseTemplate(readFileSync(file, 'utf8'), { file, category, name, source: root.source }, globals);
          if (!entry) continue;
          const sameRoot = seenInRoot.get(id);
          if (sameRoot) {
            invalid.push({ file, error: `the id ${id} is already used by ${sameRoot}` });
            continue;
          }
          seenInRoot.set(id, file);
          const previous = entries.get(id);
          if (previous) {
            clashes.push({ id, file, overridden: previous.template.file });
            entries.delete(id);
          }
          entries.set(id, entry);
        } catch (error) {
          invalid.push({ file, error: error instanceof TemplateError ? error.message : `cannot be read: ${(error as Error).message}` });
        }
      }
    }
  }
  return { entries, invalid, clashes, categories: [...categories].sort(), folders };
}
