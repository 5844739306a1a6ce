import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthWrites, CredentialCache, OTHER_WRITERS_CHECK_MS } from './credential-cache.js';

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
