// Which (account, region) scopes a collector must have covered, and whether each was.
// This is where "never a false pass" starts: a scope without an ok collection is an ERROR.
import type { Collection, EvidenceBundle, EvidenceRecord } from '../evidence/model.js';

export interface ScopeState {
  account: string;
  region: string;
  /** undefined when the collection is complete */
  problem?: string;
}

export interface IndexedRecord {
  record: EvidenceRecord;
  /** `[record.id]`, frozen and shared */
  evidence: string[];
}

const key = (collector: string, account: string, region: string): string => `${collector}\u0000${account}\u0000${region}`;

export class EvidenceIndex {
  private readonly collections = new Map<string, Collection[]>();
  private readonly globalCollectors = new Set<string>();
  private readonly records = new Map<string, IndexedRecord[]>();

  constructor(readonly bundle: EvidenceBundle, globalCollectors: Iterable<string> = []) {
    for (const g of globalCollectors) this.globalCollectors.add(g);
    for (const c of bundle.manifest.collections) {
      const k = key(c.collector, c.account, c.region);
      const list = this.collections.get(k);
      if (list) list.push(c);
      else this.collections.set(k, [c]);
      // a collector that recorded its run under `global` runs once per account
      if (c.region === 'global') this.globalCollectors.add(c.collector);
    }
    for (const r of bundle.records) {
      // a global collector's record may name where the resource lives (an S3 bucket's region in
      // source.region); it belongs to the account's one `global` scope all the same
      const k = key(r.collector, r.source.account, this.globalCollectors.has(r.collector) ? 'global' : r.source.region);
      // one frozen `[id]` per record, shared by every control's finding on it: 100,000
      // resources x 25 controls would otherwise allocate 2.5M identical arrays
      const entry: IndexedRecord = { record: r, evidence: Object.freeze([r.id]) as string[] };
      const list = this.records.get(k);
      if (list) list.push(entry);
      else this.records.set(k, [entry]);
    }
  }

  isGlobal(collector: string): boolean {
    return this.globalCollectors.has(collector);
  }

  /** Every scope the collector had to cover, each with why it is incomplete (if it is). */
  scopes(collector: string): ScopeState[] {
    const { accounts, regions, accountRegions } = this.bundle.manifest;
    const global = this.isGlobal(collector);
    const out: ScopeState[] = [];
    for (const account of accounts) {
      // `--regions all` records each account's enabled regions; else every account has them all
      const enabled = global ? undefined : accountRegions?.[account];
      const scopeRegions = global ? ['global'] : enabled ?? regions;
      for (const region of scopeRegions) {
        const runs = this.collections.get(key(collector, account, region)) ?? [];
        // an enabled region the run never reached is unseen data, whatever the control claims
        const problem = runs.length === 0 && enabled
          ? `enabled region ${region} of account ${account} was not collected (collector ${collector} did not run there), so data there would go unseen; collect with --regions all`
          : problemOf(collector, runs);
        out.push({ account, region, problem });
      }
    }
    return out;
  }

  recordsIn(collector: string, account: string, region: string): readonly IndexedRecord[] {
    return this.records.get(key(collector, account, region)) ?? [];
  }
}

function problemOf(collector: string, runs: readonly Collection[]): string | undefined {
  if (runs.length === 0) return `collector ${collector} did not run here, so there is no evidence`;
  // if one attempt errored, what the others returned may be partial: never trust it
  const failed = runs.find((r) => r.status !== 'ok');
  if (!failed) return undefined;
  const err = failed.error;
  return `collector ${collector} failed: ${err ? `${err.code}: ${err.message}` : 'unknown error'}`;
}

/** The wildcard ARN for a whole account/region scope of a collector's service. */
export function scopeArn(collector: string, account: string, region: string): string {
  const service = collector.split('.')[0] ?? collector;
  return `arn:aws:${service}:${region === 'global' ? '' : region}:${account}:*`;
}
