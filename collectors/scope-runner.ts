// The scope runner: one account's collections, given everything a run shares as an explicit
// context. Per account the caller identity runs first (it names the account), then the global
// scope and each region's scope at once; within a scope every collector starts as soon as the
// collectors it joins are done. A failed collection is recorded, never thrown: its dependants
// are recorded as DependencyFailed and the run goes on.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Collection, EvidenceRecord, Manifest } from '../src/evidence/model.js';
import { toRecord } from '../src/evidence/canonical.js';
import type { RecordSpill } from '../src/evidence/spill.js';
import type { AccountPlan } from '../src/aws/account-plan.js';
import { explainSetupFailure } from '../src/aws/explain.js';
import { clientConfig, type ClientSettings } from '../src/aws/session.js';
import { listAccountRegions } from '../src/aws/regions.js';
import { newPacingStats, type Pacer } from '../src/aws/pacing.js';
import { describeError, type CollectionError } from '../src/aws/errors.js';
import type { ClientPool, Collector, CollectContext, ConfigHistory, EstateContext } from './types.js';
import { AccountClientPool } from './client-pool.js';

export const IDENTITY = 'sts.caller-identity';

export interface CollectProgress {
  account: string;
  region: string;
  collector: string;
  phase: 'start' | 'done' | 'error';
  records?: number;
  error?: string;
}

/** What every scope of a run shares; the results (`collections`, `records`, ...) are appended to. */
export interface RunContext {
  now: () => Date;
  settings: ClientSettings;
  /** the region of global collectors' clients */
  homeRegion: string;
  /** the regions asked for; `allRegions`: each account's enabled ones, listed per account */
  regions: readonly string[];
  allRegions: boolean;
  profile?: string;
  /** bounds the AWS requests in flight across the run */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  pacer?: Pacer;
  estate: EstateContext;
  signal?: AbortSignal;
  onProgress?: (e: CollectProgress) => void;
  spill?: RecordSpill;
  /** as-of runs: the time described, and the account and region's history store */
  asOf?: Date;
  historyFor?: (ctx: CollectContext) => ConfigHistory;
  /** the caller's own credentials, for an account whose credentials could not be set up */
  base: AwsCredentialIdentityProvider;
  // ---- appended to by the runner ----
  collections: Collection[];
  records: EvidenceRecord[];
  pacingTotals: NonNullable<Manifest['pacing']>;
  accountRegions: Map<string, string[]>;
  regionsNotEnabled: Record<string, { region: string; status: string }[]>;
}

/** How one collector ran in one account and region (not the engine's assertion Outcome). */
interface CollectionOutcome {
  ok: boolean;
  records: EvidenceRecord[];
  error?: CollectionError;
}

/** The run's view of the estate for collectors: each account's credentials, read once, and one memo. */
export function estateContext(estatePlans: ReadonlyMap<string, AccountPlan>): EstateContext {
  const credentialsByAccount = new Map<string, Promise<AwsCredentialIdentityProvider>>();
  const memo = new Map<string, Promise<unknown>>();
  return {
    credentialsFor: (account) => {
      let p = credentialsByAccount.get(account);
      const plan = estatePlans.get(account);
      if (!p && plan) {
        p = plan.credentials();
        p.catch(() => { /* the caller falls back to its own credentials */ });
        credentialsByAccount.set(account, p);
      }
      return p;
    },
    accounts: () => [...estatePlans.keys()].sort(),
    shared: <T>(key: string, make: () => Promise<T>): Promise<T> => {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = make();
        memo.set(key, p);
      }
      return p;
    },
  };
}

async function runOne(
  run: RunContext, collector: Collector, account: string, region: string, credentials: AwsCredentialIdentityProvider,
  prior: ReadonlyMap<string, readonly EvidenceRecord[]>, clients: ClientPool, joined = true,
): Promise<CollectionOutcome> {
  const { now, asOf } = run;
  const startedAt = now().toISOString();
  let calls = 0;
  const stats = newPacingStats();
  run.onProgress?.({ account, region, collector: collector.id, phase: 'start' });
  const ctx: CollectContext = {
    account, region, credentials,
    clientConfig: clientConfig(region === 'global' ? run.homeRegion : region, credentials, run.settings),
    prior,
    countCall: () => { calls += 1; },
    // an as-of run's joins describe asOf; the caller identity is asked now
    now: asOf && collector.id !== IDENTITY ? () => asOf : now,
    limit: run.limit,
    estate: run.estate,
    clients,
    ...(run.pacer ? { pacing: { pacer: run.pacer, stats } } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
  };
  if (asOf && run.historyFor) {
    const historyFor = run.historyFor;
    ctx.asOf = asOf;
    // a history store outlives the account (a backfill's steps share it): it keeps its own client
    const { clients: _pooled, ...unpooled } = ctx;
    if (region !== 'global') ctx.history = historyFor(unpooled);
    else {
      // a global type's history lives in regions: Config records a bucket in its own region,
      // CloudFront distributions in us-east-1; one store per account and region, shared with
      // that region's own scope
      ctx.historyIn = (r) => historyFor({ ...unpooled, region: r, clientConfig: clientConfig(r, credentials, run.settings) });
      ctx.historyRegions = run.accountRegions.get(account) ?? run.regions;
    }
  }
  const got: EvidenceRecord[] = [];
  let error: CollectionError | undefined;
  try {
    run.signal?.throwIfAborted();
    for await (const draft of collector.collect(ctx)) {
      got.push(toRecord(draft));
      // Hashing a large page is CPU work: let answers that arrived meanwhile be read, so
      // requests in flight are not held up behind it.
      if (got.length % 32 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    error = describeError(err);
  }
  if (stats.throttles > 0 || stats.pacedMs >= 1) {
    const t = (run.pacingTotals[collector.id] ??= { throttles: 0, retries: 0, backoffMs: 0, pacedMs: 0 });
    t.throttles += stats.throttles;
    t.retries += stats.retries;
    t.backoffMs += Math.round(stats.backoffMs);
    t.pacedMs += Math.round(stats.pacedMs);
  }
  // The identity record names the account, which was only a guess (or unknown) before.
  const finalAccount = collector.id === IDENTITY && !error ? got[0]?.source.account ?? account : account;
  run.collections.push({
    collector: collector.id, account: finalAccount, region, status: error ? 'error' : 'ok',
    ...(error ? { error } : {}),
    calls, records: error ? 0 : got.length,
    ...(!error && got.some((r) => r.error) ? { resourceErrors: got.filter((r) => r.error).length } : {}),
    startedAt, endedAt: now().toISOString(),
  });
  if (error) {
    run.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'error', error: `${error.code}: ${error.message}` });
    return { ok: false, records: [], error };
  }
  if (run.spill) await run.spill.append(collector.id, got);
  else run.records.push(...got);
  run.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'done', records: got.length });
  // spilled records nothing joins on are on disk: not held until the scope ends
  return { ok: true, records: run.spill && !joined ? [] : got };
}

/** Every collector of one scope, each as soon as its dependencies are done. */
async function runScope(
  run: RunContext, scoped: readonly Collector[], account: string, region: string, credentials: AwsCredentialIdentityProvider, clients: ClientPool,
): Promise<void> {
  const outcomes = new Map<string, Promise<CollectionOutcome>>();
  const joined = new Set(scoped.flatMap((c) => c.dependsOn ?? []));
  for (const collector of scoped) {
    const deps = (collector.dependsOn ?? []).filter((d) => scoped.some((c) => c.id === d));
    outcomes.set(collector.id, (async () => {
      const depOutcomes = await Promise.all(deps.map((d) => outcomes.get(d)!));
      const failed = deps.filter((_, i) => !depOutcomes[i]!.ok);
      if (failed.length > 0) {
        const at = run.now().toISOString();
        const first = depOutcomes.find((o) => !o.ok)?.error;
        const error = {
          code: 'DependencyFailed',
          message: `not run: it reads ${failed.join(', ')}, which failed${first ? ` (${first.code})` : ''}`,
        };
        run.collections.push({ collector: collector.id, account, region, status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
        run.onProgress?.({ account, region, collector: collector.id, phase: 'error', error: `${error.code}: ${error.message}` });
        return { ok: false, records: [], error };
      }
      const prior = new Map(deps.map((d, i) => [d, depOutcomes[i]!.records] as const));
      return runOne(run, collector, account, region, credentials, prior, clients, joined.has(collector.id));
    })());
  }
  await Promise.all(outcomes.values());
}

/**
 * One account: its identity, then its global and regional scopes. Returns the identity record
 * (undefined when the account could not be read; its collections then say why). Throws only
 * when the caller's own account cannot be read at all: nothing can be collected then.
 */
export async function runAccount(run: RunContext, plan: AccountPlan, collectors: readonly Collector[]): Promise<EvidenceRecord | undefined> {
  const clients = new AccountClientPool();
  try {
    return await runAccountWith(run, plan, collectors, clients);
  } finally {
    clients.destroy();
  }
}

async function runAccountWith(run: RunContext, plan: AccountPlan, collectors: readonly Collector[], clients: AccountClientPool): Promise<EvidenceRecord | undefined> {
  const identity = collectors.find((c) => c.id === IDENTITY)!;
  const globals = collectors.filter((c) => c.scope === 'global' && c.id !== IDENTITY);
  const regionals = collectors.filter((c) => c.scope === 'regional');
  let credentials: AwsCredentialIdentityProvider;
  let identityOutcome: CollectionOutcome;
  try {
    // registered before any await: every account's collectors can find every other's
    const pending = (plan.account ? run.estate.credentialsFor(plan.account) : undefined) ?? plan.credentials();
    pending.catch(() => { /* reported below, by this account's own identity collection */ });
    credentials = await pending;
    identityOutcome = await runOne(run, identity, plan.account, 'global', credentials, new Map(), clients);
  } catch (err) {
    // the credentials could not even be set up (runOne itself never throws)
    const error = describeError(err);
    const at = run.now().toISOString();
    run.collections.push({ collector: IDENTITY, account: plan.account, region: 'global', status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
    identityOutcome = { ok: false, records: [], error };
    credentials = run.base;
  }
  const idRecord = identityOutcome.records[0];
  if (!identityOutcome.ok || !idRecord) {
    if (!plan.roleArn) {
      // Without a working identity for the caller's own account nothing can be collected.
      // Say what failed: the endpoint, the override, DNS, the profile, or no credentials at all.
      throw await explainSetupFailure(identityOutcome.error, { ...(run.profile ? { profile: run.profile } : {}), region: run.homeRegion, service: 'sts' });
    }
    // Another account's role failed: every collection for it is missing, and says why.
    const e = identityOutcome.error ?? { code: 'Error', message: 'no caller identity' };
    const at = run.now().toISOString();
    const error = { code: e.code, message: `account ${plan.account} unavailable (${plan.roleArn}): ${e.message}` };
    const skip = (collector: string, region: string): void => {
      run.collections.push({ collector, account: plan.account, region, status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
      run.onProgress?.({ account: plan.account, region, collector, phase: 'error', error: `${error.code}: ${error.message}` });
    };
    for (const c of globals) skip(c.id, 'global');
    for (const region of run.regions) for (const c of regionals) skip(c.id, region);
    return idRecord;
  }
  const account = idRecord.source.account;
  plan.account = account;
  let planRegions = run.regions;
  if (run.allRegions) {
    const at = run.now().toISOString();
    try {
      const listed = await listAccountRegions(clientConfig('us-east-1', credentials, run.settings), run.signal);
      planRegions = listed.enabled;
      run.accountRegions.set(account, listed.enabled);
      if (listed.notEnabled.length > 0) run.regionsNotEnabled[account] = listed.notEnabled;
    } catch (err) {
      // Without the list no region of this account can be shown complete: the engine sees
      // every regional collection missing for it, and the manifest says why.
      const error = describeError(err);
      run.collections.push({ collector: 'account.regions', account, region: 'global', status: 'error', error, calls: 1, records: 0, startedAt: at, endedAt: run.now().toISOString() });
      run.onProgress?.({ account, region: 'global', collector: 'account.regions', phase: 'error', error: `${error.code}: ${error.message}` });
      planRegions = [];
    }
  }
  await Promise.all([
    globals.length > 0 ? runScope(run, globals, account, 'global', credentials, clients) : Promise.resolve(),
    ...planRegions.map((region) => runScope(run, regionals, account, region, credentials, clients)),
  ]);
  return idRecord;
}
