import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthWrites, CredentialCache, OTHER_WRITERS_CHECK_MS } from '../../src/server/modules/auth/credential-cache.js';

describe('CredentialCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function cacheWith(otherWriters: () => boolean = () => false) {
    const writes = new AuthWrites();
    const cache = new CredentialCache<{ role: string }>(writes, otherWriters);
    let loads = 0;
    let role = 'admin';
    const load = () => {
      loads += 1;
      return role === 'gone' ? null : { role };
    };
    return {
      writes,
      lookup: () => cache.lookup('ses_1', load),
      loads: () => loads,
      setRole: (next: string) => {
        role = next;
      },
    };
  }

  it('answers repeated lookups without loading again', () => {
    const subject = cacheWith();
    expect(subject.lookup()).toEqual({ role: 'admin' });
    expect(subject.lookup()).toEqual({ role: 'admin' });
    expect(subject.loads()).toBe(1);
  });

  it('loads again after any write this process made to the auth tables', () => {
    const subject = cacheWith();
    subject.lookup();
    subject.setRole('viewer');
    subject.writes.notify();
    expect(subject.lookup()).toEqual({ role: 'viewer' });
    expect(subject.loads()).toBe(2);
  });

  it('does not remember unknown credentials, so one created later is found', () => {
    const subject = cacheWith();
    subject.setRole('gone');
    expect(subject.lookup()).toBeNull();
    subject.setRole('user');
    expect(subject.lookup()).toEqual({ role: 'user' });
  });

  it("sees another process's write on the first lookup after the check interval", () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    let probes = 0;
    let changedElsewhere = false;
    const subject = cacheWith(() => {
      probes += 1;
      const changed = changedElsewhere;
      changedElsewhere = false;
      return changed;
    });
    subject.lookup();
    subject.lookup();
    // Within one interval the probe (a SQLite statement) runs once, however many lookups there are.
    expect(probes).toBe(1);
    subject.setRole('gone');
    changedElsewhere = true;
    vi.advanceTimersByTime(OTHER_WRITERS_CHECK_MS);
    expect(subject.lookup()).toBeNull();
    expect(probes).toBe(2);
  });
});

describe('writes to the auth tables', () => {
  it('happen only in the repositories that tell AuthWrites (the server sees its own other writes nowhere else)', () => {
    const serverRoot = path.resolve(import.meta.dirname, '..', '..', 'src', 'server');
    const files = readdirSync(serverRoot, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    );
    const writers = files.filter((file) =>
      /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+(users|sessions|api_keys|user_stars)\b/i.test(
        readFileSync(path.join(serverRoot, file), 'utf8'),
      ),
    );
    expect(writers.sort()).toEqual([
      path.join('modules', 'auth', 'api-keys.repository.ts'),
      path.join('modules', 'auth', 'sessions.repository.ts'),
      path.join('modules', 'auth', 'users.repository.ts'),
    ]);
    for (const file of writers) {
      const source = readFileSync(path.join(serverRoot, file), 'utf8');
      // Every method that runs a statement changing rows notifies first.
      const methods = source
        .split(/\n {2}(?=[a-zA-Z]+\()/)
        .filter((method) => /\.run\(|transaction\(/.test(method) && !/^transaction\(/.test(method));
      for (const method of methods) expect(method, `${file}: ${method.split('\n')[0]}`).toContain('this.writes.notify()');
    }
  });
});
