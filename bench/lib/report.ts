// The result table: one row per figure with its reference, the ratio and the budget, printed as
// Markdown (so the same text goes into bench/README.md) and written there on request.
import { readFileSync, writeFileSync } from 'node:fs';

export type Row = {
  figure: string;
  value: string;
  reference: string;
  ratio: string;
  budget: string;
  /** null: measured for information, no budget; a string: the row could not be measured. */
  pass: boolean | null | string;
};

export const ms = (value: number): string =>
  Number.isNaN(value) ? 'n/a' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
export const seconds = (valueMs: number): string => `${(valueMs / 1000).toFixed(2)} s`;
export const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

function verdict(pass: Row['pass']): string {
  if (pass === true) return 'pass';
  if (pass === false) return '**FAIL**';
  if (pass === null) return '—';
  return `**ERROR**: ${pass}`;
}

export function renderTable(rows: Row[]): string {
  const header = ['Figure', 'Value', 'Reference (same run)', 'Ratio', 'Budget', 'Result'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = [row.figure, row.value, row.reference, row.ratio, row.budget, verdict(row.pass)].map((cell) =>
      cell.replace(/\|/g, '\\|').replace(/\n/g, ' '),
    );
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** Replaces the README's latest-results section (between the markers) with `text`. */
export function writeLatestIntoReadme(readmePath: string, text: string): void {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) throw new Error(`${readmePath} has no ${START} … ${END} section`);
  writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${text}\n${readme.slice(end)}`);
}
