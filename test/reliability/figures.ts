// The numbers the reliability suite produces (requests sent, bad inputs tried, faults survived,
// failures), written per test file to test-results/reliability/<suite>.json. docs/security.md's
// table is copied from `npx tsx test/reliability/print-figures.ts`, which sums these files.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIGURES_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'reliability');

export type SuiteFigures = {
  /** HTTP requests (or SSE connections) the suite sent. */
  requestsSent: number;
  /** Requests built to be hostile: malformed, oversized, injected, forged. */
  badInputsTried: number;
  /** Faults injected (a daemon stopped, a process killed, a disk filled…) that the server came through. */
  faultsSurvived: number;
  /** Answers ≥ 500, crashes, hangs, wrong authorization, lost data: always expected to be 0. */
  failures: number;
  /** Free-form figures of one suite (latencies, fd counts…), shown in its own row of notes. */
  notes: Record<string, number | string>;
};

/** Accumulates one test file's figures; write() stores them when the file's tests are done. */
export class FigureRecorder {
  readonly figures: SuiteFigures = { requestsSent: 0, badInputsTried: 0, faultsSurvived: 0, failures: 0, notes: {} };

  constructor(readonly suite: string) {}

  request(count = 1): void {
    this.figures.requestsSent += count;
  }

  badInput(count = 1): void {
    this.figures.badInputsTried += count;
    this.figures.requestsSent += count;
  }

  /** A request already counted by request() that was hostile (an unauthorized caller, a forged token). */
  hostile(count = 1): void {
    this.figures.badInputsTried += count;
  }

  fault(count = 1): void {
    this.figures.faultsSurvived += count;
  }

  failure(count = 1): void {
    this.figures.failures += count;
  }

  note(name: string, value: number | string): void {
    this.figures.notes[name] = value;
  }

  write(): void {
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(
      path.join(FIGURES_DIR, `${this.suite}.json`),
      `${JSON.stringify({ suite: this.suite, writtenAt: new Date().toISOString(), ...this.figures }, null, 2)}\n`,
    );
  }
}

export type StoredFigures = SuiteFigures & { suite: string; writtenAt: string };

export function readAllFigures(): StoredFigures[] {
  let files: string[] = [];
  try {
    files = readdirSync(FIGURES_DIR).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((file) => JSON.parse(readFileSync(path.join(FIGURES_DIR, file), 'utf8')) as StoredFigures);
}
