// Unit: the arithmetic of the monthly cost estimate.
import { describe, expect, it } from 'vitest';
import {
  EUR_TO_USD,
  estimateMonthlyCost,
  PRICE_TABLE,
  roundCents,
  summarizeCosts,
  type PriceModel,
} from '../../src/server/modules/mounts/mount-costs.js';

const GB = 1e9;
const TB = 1e12;

describe('estimateMonthlyCost', () => {
  it('charges per binary GB for S3 Standard', () => {
    expect(estimateMonthlyCost(PRICE_TABLE.s3, 100 * 2 ** 30)).toEqual({
      monthly: 2.3,
      plan: 'S3 Standard (us-east-1, first 50 TB) at $0.023/GB-month',
    });
  });

  it('subtracts B2’s free 10 GB before charging per decimal GB', () => {
    expect(estimateMonthlyCost(PRICE_TABLE.b2, 5 * GB).monthly).toBe(0);
    expect(estimateMonthlyCost(PRICE_TABLE.b2, 1 * TB)).toEqual({
      monthly: 5.94,
      plan: 'B2 Cloud Storage (first 10 GB free) at $0.006/GB-month',
    });
  });

  it('picks the cheapest plan that holds the data', () => {
    expect(estimateMonthlyCost(PRICE_TABLE.google, 10 * GB)).toEqual({ monthly: 0, plan: 'Free 15 GB' });
    expect(estimateMonthlyCost(PRICE_TABLE.google, 150 * GB)).toEqual({ monthly: 2.99, plan: 'Google One 200 GB' });
    expect(estimateMonthlyCost(PRICE_TABLE.google, 2 * TB)).toEqual({ monthly: 9.99, plan: 'Google One 2 TB' });
    expect(estimateMonthlyCost(PRICE_TABLE.onedrive, 500 * GB)).toEqual({ monthly: 9.99, plan: 'Microsoft 365 Personal 1 TB' });
  });

  it('counts several of the largest plan when the data outgrows it', () => {
    expect(estimateMonthlyCost(PRICE_TABLE.dropbox, 5 * TB)).toEqual({ monthly: 35.97, plan: '3 × Plus 2 TB' });
  });

  it('converts MEGA’s euro prices at the documented rate', () => {
    expect(EUR_TO_USD).toBe(1.1);
    expect(estimateMonthlyCost(PRICE_TABLE.mega, 1 * TB)).toEqual({ monthly: roundCents(9.99 * 1.1), plan: 'Pro I 2 TB' });
  });

  it('costs nothing for self-hosted remotes', () => {
    for (const provider of ['local', 'sftp', 'webdav', 'ftp', 'smb', 'nfs'] as const) {
      expect(estimateMonthlyCost(PRICE_TABLE[provider], 5 * TB)).toEqual({ monthly: 0, plan: 'Self-hosted (no provider fee)' });
    }
  });

  it('treats negative usage as none', () => {
    const model: PriceModel = { kind: 'per-gb', name: 'x', perGbMonth: 1, freeGb: 0, gigabyteBytes: GB };
    expect(estimateMonthlyCost(model, -5).monthly).toBe(0);
  });
});

describe('summarizeCosts', () => {
  it('totals the known estimates and names the mounted provider holding the most data', () => {
    const summary = summarizeCosts(
      [
        { provider: 'b2', usedBytes: 1 * TB, enabled: true },
        { provider: 'google', usedBytes: 150 * GB, enabled: false },
        { provider: 'webdav', usedBytes: 3 * TB, enabled: true },
        { provider: 's3', usedBytes: null, enabled: true },
      ],
      null,
    );
    expect(summary).toEqual({
      monthly: 8.93,
      currentProvider: 'webdav',
      overBudget: false,
      breakdown: [
        { provider: 'b2', usedBytes: 1 * TB, monthly: 5.94, plan: 'B2 Cloud Storage (first 10 GB free) at $0.006/GB-month', enabled: true },
        { provider: 'google', usedBytes: 150 * GB, monthly: 2.99, plan: 'Google One 200 GB', enabled: false },
        { provider: 'webdav', usedBytes: 3 * TB, monthly: 0, plan: 'Self-hosted (no provider fee)', enabled: true },
        { provider: 's3', usedBytes: null, monthly: null, plan: 'S3 Standard (us-east-1, first 50 TB) at $0.023/GB-month', enabled: true },
      ],
    });
  });

  it('compares the total with the budget', () => {
    const usages = [{ provider: 'google' as const, usedBytes: 2 * TB, enabled: true }];
    expect(summarizeCosts(usages, 5).overBudget).toBe(true);
    expect(summarizeCosts(usages, 10).overBudget).toBe(false);
  });

  it('has no current provider when nothing is mounted', () => {
    expect(summarizeCosts([{ provider: 'b2', usedBytes: 1, enabled: false }], null).currentProvider).toBeNull();
  });
});
