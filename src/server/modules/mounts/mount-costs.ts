// The price table behind GET …/costs and the arithmetic of a monthly estimate. Pure.
// docs/mounts.md shows the same table with its sources; change both together.
import type { MountProvider } from '../../../contracts/mounts.js';

export const PRICE_TABLE_AS_OF = '2025-06-01';
/** MEGA lists its prices in euros; converted at this rate (approximate, as of the table's date). */
export const EUR_TO_USD = 1.1;

const GB = 1e9;
const GIB = 2 ** 30;
const TB = 1e12;

export type Plan = { name: string; capacityBytes: number; monthly: number };

export type PriceModel =
  | { kind: 'self-hosted' }
  /** Pay per stored gigabyte; `gigabyteBytes` is how the provider counts a GB. */
  | { kind: 'per-gb'; name: string; perGbMonth: number; freeGb: number; gigabyteBytes: number }
  /** Fixed-size subscription plans; the estimate is the cheapest plan that holds the data. */
  | { kind: 'plans'; plans: Plan[] };

export const PRICE_TABLE: Record<MountProvider, PriceModel> = {
  google: {
    kind: 'plans',
    plans: [
      { name: 'Free 15 GB', capacityBytes: 15 * GB, monthly: 0 },
      { name: 'Google One 100 GB', capacityBytes: 100 * GB, monthly: 1.99 },
      { name: 'Google One 200 GB', capacityBytes: 200 * GB, monthly: 2.99 },
      { name: 'Google One 2 TB', capacityBytes: 2 * TB, monthly: 9.99 },
    ],
  },
  dropbox: {
    kind: 'plans',
    plans: [
      { name: 'Basic 2 GB', capacityBytes: 2 * GB, monthly: 0 },
      { name: 'Plus 2 TB', capacityBytes: 2 * TB, monthly: 11.99 },
    ],
  },
  onedrive: {
    kind: 'plans',
    plans: [
      { name: 'Free 5 GB', capacityBytes: 5 * GB, monthly: 0 },
      { name: 'Microsoft 365 Basic 100 GB', capacityBytes: 100 * GB, monthly: 1.99 },
      { name: 'Microsoft 365 Personal 1 TB', capacityBytes: 1 * TB, monthly: 9.99 },
    ],
  },
  box: {
    kind: 'plans',
    plans: [
      { name: 'Individual 10 GB', capacityBytes: 10 * GB, monthly: 0 },
      { name: 'Personal Pro 100 GB', capacityBytes: 100 * GB, monthly: 14 },
    ],
  },
  mega: {
    kind: 'plans',
    plans: [
      { name: 'Free 20 GB', capacityBytes: 20 * GB, monthly: 0 },
      { name: 'Pro Lite 400 GB', capacityBytes: 400 * GB, monthly: roundCents(4.99 * EUR_TO_USD) },
      { name: 'Pro I 2 TB', capacityBytes: 2 * TB, monthly: roundCents(9.99 * EUR_TO_USD) },
      { name: 'Pro II 8 TB', capacityBytes: 8 * TB, monthly: roundCents(19.99 * EUR_TO_USD) },
      { name: 'Pro III 16 TB', capacityBytes: 16 * TB, monthly: roundCents(29.99 * EUR_TO_USD) },
    ],
  },
  // AWS bills a "GB-month" of binary gigabytes; S3 Standard, US East (N. Virginia), first 50 TB.
  s3: { kind: 'per-gb', name: 'S3 Standard (us-east-1, first 50 TB)', perGbMonth: 0.023, freeGb: 0, gigabyteBytes: GIB },
  b2: { kind: 'per-gb', name: 'B2 Cloud Storage (first 10 GB free)', perGbMonth: 0.006, freeGb: 10, gigabyteBytes: GB },
  local: { kind: 'self-hosted' },
  sftp: { kind: 'self-hosted' },
  webdav: { kind: 'self-hosted' },
  ftp: { kind: 'self-hosted' },
  smb: { kind: 'self-hosted' },
  nfs: { kind: 'self-hosted' },
};

export function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

export type CostEstimate = { monthly: number; plan: string };

/** The monthly cost of storing `usedBytes` with `model`. Data beyond the largest plan needs several of it. */
export function estimateMonthlyCost(model: PriceModel, usedBytes: number): CostEstimate {
  const used = Math.max(0, usedBytes);
  switch (model.kind) {
    case 'self-hosted':
      return { monthly: 0, plan: 'Self-hosted (no provider fee)' };
    case 'per-gb': {
      const billableGb = Math.max(0, used / model.gigabyteBytes - model.freeGb);
      return { monthly: roundCents(billableGb * model.perGbMonth), plan: `${model.name} at $${model.perGbMonth}/GB-month` };
    }
    case 'plans': {
      const fitting = model.plans.filter((plan) => plan.capacityBytes >= used).sort((a, b) => a.monthly - b.monthly)[0];
      if (fitting) return { monthly: fitting.monthly, plan: fitting.name };
      const largest = [...model.plans].sort((a, b) => b.capacityBytes - a.capacityBytes)[0];
      if (!largest) return { monthly: 0, plan: 'No plan known' };
      const count = Math.ceil(used / largest.capacityBytes);
      return { monthly: roundCents(count * largest.monthly), plan: `${count} × ${largest.name}` };
    }
  }
}

export type ProviderUsage = { provider: MountProvider; usedBytes: number | null; enabled: boolean };

export type CostSummary = {
  monthly: number;
  currentProvider: MountProvider | null;
  overBudget: boolean;
  breakdown: { provider: MountProvider; usedBytes: number | null; monthly: number | null; plan: string; enabled: boolean }[];
};

/** Totals the per-provider estimates; the current provider is the mounted one holding the most data. */
export function summarizeCosts(
  usages: ProviderUsage[],
  budget: number | null,
  table: Record<MountProvider, PriceModel> = PRICE_TABLE,
): CostSummary {
  const breakdown = usages.map((usage) => {
    const model = table[usage.provider];
    if (usage.usedBytes === null)
      return { provider: usage.provider, usedBytes: null, monthly: null, plan: estimateMonthlyCost(model, 0).plan, enabled: usage.enabled };
    const estimate = estimateMonthlyCost(model, usage.usedBytes);
    return { provider: usage.provider, usedBytes: usage.usedBytes, monthly: estimate.monthly, plan: estimate.plan, enabled: usage.enabled };
  });
  const monthly = roundCents(breakdown.reduce((sum, entry) => sum + (entry.monthly ?? 0), 0));
  const current = usages.filter((usage) => usage.enabled).sort((a, b) => (b.usedBytes ?? -1) - (a.usedBytes ?? -1))[0];
  return { monthly, currentProvider: current?.provider ?? null, overBudget: budget !== null && monthly > budget, breakdown };
}
