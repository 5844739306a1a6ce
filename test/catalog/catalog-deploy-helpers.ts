// Shared by the Docker-tier catalog gates: values for required variables, bounded concurrency,
// and writing a rendered stack the way the deployments module does (compose.yaml + .env).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeployModeType } from '../../src/contracts/deployments.js';
import type { CatalogEntry, TemplateVariable } from '../../src/server/modules/catalog/catalog-template.js';
import { resolveDeployValues } from '../../src/server/modules/catalog/deploy-values.js';
import { renderCompose, type RenderedStack } from '../../src/server/modules/catalog/render-compose.js';
import { GLOBALS, renderSettings } from './catalog-fixtures.js';

/** A value of the variable's type, for required variables without a default. */
export function sampleValue(variable: TemplateVariable): string {
  switch (variable.type) {
    case 'port':
      return '18080';
    case 'path':
      return `${GLOBALS.APPFOLDER}/sample`;
    case 'boolean':
      return 'true';
    case 'number':
      return '1';
    case 'enum':
      return variable.values?.[0] ?? '';
    case 'url':
      return 'https://example.com';
    case 'email':
      return 'admin@example.com';
    case 'secret':
      return 'sample-secret-value-0123456789abcdef';
    case 'string':
      return 'sample';
  }
}

export function sampleConfig(entry: CatalogEntry): Record<string, string> {
  const config: Record<string, string> = {};
  for (const variable of Object.values(entry.template.variables)) {
    if (variable.required && (variable.default === null || variable.default === '')) config[variable.name] = sampleValue(variable);
  }
  return config;
}

export function renderForTest(
  entry: CatalogEntry,
  mode: DeployModeType,
  projectName: string,
  labels: Record<string, string> = {},
): RenderedStack {
  const { values } = resolveDeployValues(entry, sampleConfig(entry), { isAdmin: true, mode, globals: GLOBALS });
  return renderCompose({ entry, mode, values, settings: renderSettings({ projectName, labels }) });
}

export function writeStack(folder: string, composeYaml: string, envFile: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'compose.yaml'), composeYaml);
  writeFileSync(path.join(folder, '.env'), envFile, { mode: 0o600 });
}

/** Runs work over items with at most `limit` in flight; resolves with each item's outcome in order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T) };
      } catch (error) {
        results[index] = { status: 'rejected', reason: error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
