import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchedLogDestination } from '../../src/server/infra/log-destination.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-log-destination-'));
let fd: number | null = null;

afterEach(() => {
  if (fd !== null) closeSync(fd);
  fd = null;
});

process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

function openLog(name: string): { file: string; fd: number } {
  const file = path.join(dir, name);
  fd = openSync(file, 'a');
  return { file, fd };
}

describe('createBatchedLogDestination', () => {
  it('writes the lines of one event-loop turn together, in order, right after the turn', async () => {
    const log = openLog('turn.log');
    const destination = createBatchedLogDestination(log.fd);
    destination.write('{"msg":"one"}\n');
    destination.write('{"msg":"two"}\n');
    expect(readFileSync(log.file, 'utf8')).toBe('');
    await nextTurn();
    expect(readFileSync(log.file, 'utf8')).toBe('{"msg":"one"}\n{"msg":"two"}\n');
    destination.write('{"msg":"three"}\n');
    await nextTurn();
    expect(readFileSync(log.file, 'utf8')).toBe('{"msg":"one"}\n{"msg":"two"}\n{"msg":"three"}\n');
  });

  it('writes what is pending at once on flushSync, and nothing twice afterwards', async () => {
    const log = openLog('flush.log');
    const destination = createBatchedLogDestination(log.fd);
    destination.write('{"msg":"before a console message"}\n');
    destination.flushSync();
    expect(readFileSync(log.file, 'utf8')).toBe('{"msg":"before a console message"}\n');
    await nextTurn();
    expect(readFileSync(log.file, 'utf8')).toBe('{"msg":"before a console message"}\n');
  });

  it('keeps multi-byte text whole', async () => {
    const log = openLog('utf8.log');
    const destination = createBatchedLogDestination(log.fd);
    destination.write('{"msg":"Größe ✓ 日本"}\n');
    await nextTurn();
    expect(readFileSync(log.file, 'utf8')).toBe('{"msg":"Größe ✓ 日本"}\n');
  });
});
