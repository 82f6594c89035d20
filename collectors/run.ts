// collectEvidence: every selected collector, for every account and region, into one bundle.
// Three steps, each in its own module: account planning (src/aws/account-plan.ts), the scope
// runner (collectors/scope-runner.ts: per account and region the collectors run in dependency
// order, everything independent at once, one bound on the AWS requests in flight across the
// run; a failed collection is recorded, its dependants skipped, the run goes on) and manifest
// assembly (src/evidence/assemble.ts). This file wires them: options, shared state, history.
import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import type { Collection, EvidenceBundle, EvidenceRecord, Manifest } from '../src/evidence/model.js';
import { assembleBundle } from '../src/evidence/assemble.js';
import type { RecordSpill } from '../src/evidence/spill.js';
import { UsageError } from '../src/util/errors.js';
import { defaultCredentials, resolveRegions, sharedAgents, type ClientSettings } from '../src/aws/session.js';
import { isAllRegions } from '../src/aws/regions.js';
import { Pacer, type PacingOptions } from '../src/aws/pacing.js';
import type { Shard } from '../src/aws/estate.js';
import { checkAccountFlags, planAccounts } from '../src/aws/account-plan.js';
import { collectorIds, isCollectorId, loadCollector, withDependencies } from './registry.js';
import { estateContext, IDENTITY, runAccount, type CollectProgress, type RunContext } from './scope-runner.js';
import type { ConfigHistoryStore } from './history/store.js';

export type { CollectProgress };

export interface CollectOptions {
  /** default: the region the SDK resolves (AWS_REGION, profile) */
  regions?: string[];
  /** when given, only these accounts (one AssumeRole each); else the caller's own account */
  roleArns?: string[];
  /** the organization's ACTIVE accounts, each through this role name (organizations:ListAccounts) */
  orgRole?: string;
  /** only these accounts (of the organization, or of roleArns) */
  accounts?: string[];
  excludeAccounts?: string[];
  /** the K-th of N deterministic slices of the accounts */
  shard?: Shard;
  /** recorded in the manifest so `merge` can refuse shards of different catalogs */
  catalogDigest?: string;
  /** things the user should know that are not failures (a role missing in the management account) */
  onNotice?: (message: string) => void;
  /** pacing and throttle back-off (src/aws/pacing.ts): the table, the back-off base; false: none */
  pacing?: PacingOptions | false;
  /**
   * stream every finished collection's records to disk instead of holding them: the returned
   * bundle has no records and `spill.finish(manifest, dir)` puts the bundle in place
   */
  spill?: RecordSpill;
  profile?: string;
  /** collector ids; their dependencies are added; default: all */
  collectors?: string[];
  /** AWS requests in flight at most, across the whole run (default 8) */
  concurrency?: number;
  /** accounts collected at once (default: half the concurrency, at least 4) */
  accountConcurrency?: number;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  onProgress?: (e: CollectProgress) => void;
  signal?: AbortSignal;
  toolVersion: string;
  runId?: string;
  now?: () => Date;
  /** rebuild the state at this time from AWS Config's configuration history (`collect --as-of`) */
  asOf?: Date;
  /** history read once and shared by several as-of runs (a backfill); default: read for asOf alone */
  history?: HistoryStores;
}

/** The configuration history of each account and region, read for one time range. */
export interface HistoryStores {
  from: Date;
  to: Date;
  /** by `account/region`, created by the first collection that needs one */
  stores: Map<string, ConfigHistoryStore>;
  /** false: no BatchGetResourceConfig shortcut, every resource walks its history (tests compare both) */
  batchCurrent?: boolean;
}

const DEFAULT_CONCURRENCY = 8;

/** A time-sortable run id: 20261128T233000Z-1a2b. */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

export async function collectEvidence(opts: CollectOptions): Promise<EvidenceBundle> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const runId = opts.runId ?? newRunId(started);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  checkAccountFlags({ ...(opts.roleArns ? { roleArns: opts.roleArns } : {}) }); // a usage error before any call
  for (const id of opts.collectors ?? []) {
    if (!isCollectorId(id)) throw new UsageError(`unknown collector "${id}" (known: ${collectorIds().join(', ')})`);
  }
  // The caller identity always runs: it names the account every other record belongs to.
  const ids = withDependencies([IDENTITY, ...(opts.collectors ?? collectorIds())]);
  const asOf = opts.asOf;
  const history = asOf ? opts.history ?? { from: asOf, to: asOf, stores: new Map<string, ConfigHistoryStore>() } : undefined;
  if (asOf && history && (asOf < history.from || asOf > history.to)) throw new Error('as-of time outside the history range read');
  const historyModule = asOf ? await import('./history/registry.js') : undefined;
  const storeModule = asOf ? await import('./history/store.js') : undefined;
  const collectors = await Promise.all(ids.map((id) => historyModule ? historyModule.loadHistoryCollector(id) : loadCollector(id)));
  const allRegions = isAllRegions(opts.regions);
  const regions = allRegions ? [] : await resolveRegions(opts.regions, opts.profile);
  const homeRegion = regions[0] ?? (await resolveRegions(undefined, opts.profile).catch(() => ['us-east-1']))[0]!;
  checkAccountFlags({ ...(opts.roleArns ? { roleArns: opts.roleArns } : {}), ...(opts.orgRole !== undefined ? { orgRole: opts.orgRole } : {}) });
  const settings: ClientSettings = {
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    agents: sharedAgents(Math.max(50, concurrency * 2)),
  };
  const limit = pLimit(concurrency);
  const base = await defaultCredentials(opts.profile);

  const notices: string[] = [];
  const notice = (m: string): void => {
    notices.push(m);
    opts.onNotice?.(m);
  };
  const { plans, estatePlans, skippedAccounts, shardInfo } = await planAccounts({
    ...(opts.roleArns ? { roleArns: opts.roleArns } : {}),
    ...(opts.orgRole !== undefined ? { orgRole: opts.orgRole } : {}),
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
    ...(opts.excludeAccounts ? { excludeAccounts: opts.excludeAccounts } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    base, runId, homeRegion, settings, notice,
  });

  const collections: Collection[] = [];
  const records: EvidenceRecord[] = [];
  const pacingTotals: NonNullable<Manifest['pacing']> = {};
  const accountRegions = new Map<string, string[]>();
  const regionsNotEnabled: Record<string, { region: string; status: string }[]> = {};
  const run: RunContext = {
    now, settings, homeRegion, regions, allRegions, base,
    limit: <T>(fn: () => Promise<T>): Promise<T> => limit(fn),
    ...(opts.pacing === false ? {} : { pacer: new Pacer(opts.pacing ?? {}) }),
    // The estate as collectors see it: each account's credentials (a key another account of the
    // run owns is read with them) and one memo so such a resource is read once per run.
    estate: estateContext(estatePlans),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.spill ? { spill: opts.spill } : {}),
    ...(asOf && history && storeModule ? {
      asOf,
      historyFor: (ctx) => {
        const key = `${ctx.account}/${ctx.region}`;
        let store = history.stores.get(key);
        if (!store) history.stores.set(key, store = new storeModule.ConfigHistoryStore(ctx, history.from, history.to,
          history.batchCurrent === undefined ? {} : { batchCurrent: history.batchCurrent }));
        return store;
      },
    } : {}),
    collections, records, pacingTotals, accountRegions, regionsNotEnabled,
  };

  // Accounts in flight at once: enough scopes to keep `concurrency` requests busy, few enough that
  // only their records (needed by the joins until their scope ends) are in memory at a time.
  const accountLimit = pLimit(opts.accountConcurrency ?? Math.max(4, Math.ceil(concurrency / 2)));
  const identities = await Promise.all(plans.map((plan) => accountLimit(() => runAccount(run, plan, collectors))));

  // a store read for this run alone is done with; a backfill's stores serve its next steps
  if (history && !opts.history) for (const s of history.stores.values()) s.destroy();

  settings.agents?.close();
  if (opts.signal?.aborted) {
    const err = new Error('collection aborted');
    err.name = 'AbortError';
    throw err;
  }
  const callerRecord = identities.find((r) => r !== undefined);
  return assembleBundle({
    runId, toolVersion: opts.toolVersion, collectorOrder: ids,
    ...(callerRecord ? { callerRecord } : {}),
    accounts: plans.map((p) => p.account), regions, allRegions, accountRegions, regionsNotEnabled,
    startedAt: started, endedAt: now(), collections, records,
    ...(asOf ? { asOf } : {}),
    ...(opts.orgRole !== undefined ? { orgRole: opts.orgRole, skippedAccounts: skippedAccounts ?? [] } : {}),
    ...(shardInfo ? { shard: shardInfo } : {}),
    ...(opts.catalogDigest ? { catalogDigest: opts.catalogDigest } : {}),
    notices, pacing: pacingTotals, spilled: opts.spill !== undefined,
  });
}
