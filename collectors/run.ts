// collectEvidence: every selected collector, for every account and region, into one bundle.
// Per account and region the collectors run in dependency order; everything independent runs
// at once, and a single bound caps the AWS requests in flight across the whole run. A failed
// collection is recorded (never silently dropped), its dependants are skipped, the run goes on.
import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Collection, EvidenceBundle, EvidenceRecord, Manifest } from '../src/evidence/model.js';
import { toRecord } from '../src/evidence/canonical.js';
import { bundleFiles } from '../src/evidence/bundle.js';
import type { RecordSpill } from '../src/evidence/spill.js';
import { UsageError } from '../src/util/errors.js';
import { explainSetupFailure } from '../src/aws/explain.js';
import {
  assumeRoleCredentials, callerIdentity, clientConfig, defaultCredentials, resolveRegions, roleAccount, sharedAgents, type ClientSettings,
} from '../src/aws/session.js';
import { isAllRegions, listAccountRegions } from '../src/aws/regions.js';
import { newPacingStats, Pacer, type PacingOptions } from '../src/aws/pacing.js';
import {
  accountsDigest, listOrganizationAccounts, selectOrgAccounts, shardAccounts, type Shard, type SkippedAccount,
} from '../src/aws/estate.js';
import { describeError, type CollectionError } from '../src/aws/errors.js';
import { collectorIds, isCollectorId, loadCollector, withDependencies } from './registry.js';
import type { Collector, CollectContext, EstateContext } from './types.js';
import type { ConfigHistoryStore } from './history/store.js';

export interface CollectProgress {
  account: string;
  region: string;
  collector: string;
  phase: 'start' | 'done' | 'error';
  records?: number;
  error?: string;
}

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
const IDENTITY = 'sts.caller-identity';

/** A time-sortable run id: 20261128T233000Z-1a2b. */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

/** How one collector ran in one account and region (not the engine's assertion Outcome). */
interface CollectionOutcome {
  ok: boolean;
  records: EvidenceRecord[];
  error?: CollectionError;
}

interface AccountPlan {
  /** the account id, known from the role ARN or, for the caller's own, after STS answers */
  account: string;
  roleArn?: string;
  credentials: () => Promise<AwsCredentialIdentityProvider>;
}

const ROLE_NAME = /^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

export async function collectEvidence(opts: CollectOptions): Promise<EvidenceBundle> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const runId = opts.runId ?? newRunId(started);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  for (const arn of opts.roleArns ?? []) roleAccount(arn); // a usage error before any call
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
  if (opts.orgRole !== undefined && !ROLE_NAME.test(opts.orgRole)) throw new UsageError(`--org-role: "${opts.orgRole}" is not an IAM role name`);
  if (opts.orgRole !== undefined && opts.roleArns && opts.roleArns.length > 0) throw new UsageError('--org-role and --role-arn cannot be combined: the organization lists the accounts');
  const settings: ClientSettings = {
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    agents: sharedAgents(Math.max(50, concurrency * 2)),
  };
  const pacer = opts.pacing === false ? undefined : new Pacer(opts.pacing ?? {});
  const pacingTotals: NonNullable<Manifest['pacing']> = {};
  const limit = pLimit(concurrency);
  const limitFn = <T>(fn: () => Promise<T>): Promise<T> => limit(fn);
  const base = await defaultCredentials(opts.profile);

  const notices: string[] = [];
  const notice = (m: string): void => {
    notices.push(m);
    opts.onNotice?.(m);
  };
  let skippedAccounts: SkippedAccount[] | undefined;
  let estateAccounts: string[] | undefined;
  let plans: AccountPlan[];
  if (opts.orgRole !== undefined) {
    const orgRole = opts.orgRole;
    const homeConfig = clientConfig(homeRegion, base, settings);
    let caller: Awaited<ReturnType<typeof callerIdentity>>;
    let members: Awaited<ReturnType<typeof listOrganizationAccounts>>;
    try {
      caller = await callerIdentity(homeConfig, opts.signal);
      members = await listOrganizationAccounts(homeConfig, opts.signal);
    } catch (err) {
      const e = describeError(err);
      throw new UsageError(`--org-role: cannot list the organization's accounts (organizations:ListAccounts from the management account or a delegated administrator): ${e.code}: ${e.message}`, 1);
    }
    const selected = selectOrgAccounts(members, opts.accounts, opts.excludeAccounts);
    skippedAccounts = selected.skipped;
    estateAccounts = selected.active;
    const partition = /^arn:(aws[\w-]*):/.exec(caller.arn)?.[1] ?? 'aws';
    plans = selected.active.map((account) => {
      const roleArn = `arn:${partition}:iam::${account}:role/${orgRole}`;
      return {
        account, roleArn,
        credentials: async () => {
          const assumed = await assumeRoleCredentials(base, roleArn, runId, homeRegion, settings);
          if (account !== caller.account) return assumed;
          // The management account often lacks the member role: its own credentials read it.
          try {
            await assumed();
            return assumed;
          } catch (err) {
            const e = describeError(err);
            notice(`the management account ${account} has no role ${orgRole} the caller may assume (${e.code}); using the caller's own credentials (${caller.arn}) there`);
            return base;
          }
        },
      };
    });
  } else if (opts.roleArns && opts.roleArns.length > 0) {
    const exclude = new Set(opts.excludeAccounts ?? []);
    const only = opts.accounts && opts.accounts.length > 0 ? new Set(opts.accounts) : undefined;
    plans = [...new Set(opts.roleArns)]
      .filter((roleArn) => !exclude.has(roleAccount(roleArn)) && (!only || only.has(roleAccount(roleArn))))
      .map((roleArn) => ({
        account: roleAccount(roleArn), roleArn,
        credentials: () => assumeRoleCredentials(base, roleArn, runId, homeRegion, settings),
      }));
    estateAccounts = [...new Set(plans.map((p) => p.account))].sort();
  } else {
    if (opts.shard) throw new UsageError('--shard needs accounts to slice: --org-role NAME or --role-arn ARN ...');
    plans = [{ account: '', credentials: async () => base }];
  }
  // Every account of the estate, this shard's or not: a key another account owns is read in its
  // owner's account even when that account is collected by another shard, so that the shards'
  // records are exactly the unsharded run's.
  const estatePlans = new Map(plans.filter((p) => p.account !== '').map((p) => [p.account, p] as const));
  let shardInfo: Manifest['shard'];
  if (opts.shard && estateAccounts) {
    const mine = new Set(shardAccounts(estateAccounts, opts.shard));
    shardInfo = { k: opts.shard.k, n: opts.shard.n, accountsSha256: accountsDigest(estateAccounts), accounts: estateAccounts.length };
    plans = plans.filter((p) => mine.has(p.account));
  }
  if (plans.length === 0 && !opts.shard) throw new UsageError('no accounts left to collect (check --accounts / --exclude-accounts)');
  const accountRegions = new Map<string, string[]>();
  const regionsNotEnabled: Record<string, { region: string; status: string }[]> = {};

  const collections: Collection[] = [];
  const records: EvidenceRecord[] = [];
  // The estate as collectors see it: each account's credentials (a key another account of the
  // run owns is read with them) and one memo so such a resource is read once per run.
  const credentialsByAccount = new Map<string, Promise<AwsCredentialIdentityProvider>>();
  const memo = new Map<string, Promise<unknown>>();
  const estate: EstateContext = {
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
  const identities: (EvidenceRecord | undefined)[] = [];

  const runOne = async (
    collector: Collector, account: string, region: string, credentials: AwsCredentialIdentityProvider,
    prior: ReadonlyMap<string, readonly EvidenceRecord[]>,
  ): Promise<CollectionOutcome> => {
    const startedAt = now().toISOString();
    let calls = 0;
    const stats = newPacingStats();
    opts.onProgress?.({ account, region, collector: collector.id, phase: 'start' });
    const ctx: CollectContext = {
      account, region, credentials,
      clientConfig: clientConfig(region === 'global' ? homeRegion : region, credentials, settings),
      prior,
      countCall: () => { calls += 1; },
      // an as-of run's joins describe asOf; the caller identity is asked now
      now: asOf && collector.id !== IDENTITY ? () => asOf : now,
      limit: limitFn,
      estate,
      ...(pacer ? { pacing: { pacer, stats } } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    if (asOf && history && storeModule && region !== 'global') {
      const key = `${account}/${region}`;
      let store = history.stores.get(key);
      if (!store) history.stores.set(key, store = new storeModule.ConfigHistoryStore(ctx, history.from, history.to,
        history.batchCurrent === undefined ? {} : { batchCurrent: history.batchCurrent }));
      ctx.asOf = asOf;
      ctx.history = store;
    }
    const got: EvidenceRecord[] = [];
    let error: CollectionError | undefined;
    try {
      opts.signal?.throwIfAborted();
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
      const t = (pacingTotals[collector.id] ??= { throttles: 0, retries: 0, backoffMs: 0, pacedMs: 0 });
      t.throttles += stats.throttles;
      t.retries += stats.retries;
      t.backoffMs += Math.round(stats.backoffMs);
      t.pacedMs += Math.round(stats.pacedMs);
    }
    // The identity record names the account, which was only a guess (or unknown) before.
    const finalAccount = collector.id === IDENTITY && !error ? got[0]?.source.account ?? account : account;
    collections.push({
      collector: collector.id, account: finalAccount, region, status: error ? 'error' : 'ok',
      ...(error ? { error } : {}),
      calls, records: error ? 0 : got.length,
      ...(!error && got.some((r) => r.error) ? { resourceErrors: got.filter((r) => r.error).length } : {}),
      startedAt, endedAt: now().toISOString(),
    });
    if (error) {
      opts.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'error', error: `${error.code}: ${error.message}` });
      return { ok: false, records: [], error };
    }
    if (opts.spill) await opts.spill.append(collector.id, got);
    else records.push(...got);
    opts.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'done', records: got.length });
    return { ok: true, records: got };
  };

  /** Every collector of one scope, each as soon as its dependencies are done. */
  const runScope = async (
    scoped: readonly Collector[], account: string, region: string, credentials: AwsCredentialIdentityProvider,
  ): Promise<void> => {
    const outcomes = new Map<string, Promise<CollectionOutcome>>();
    for (const collector of scoped) {
      const deps = (collector.dependsOn ?? []).filter((d) => scoped.some((c) => c.id === d));
      outcomes.set(collector.id, (async () => {
        const depOutcomes = await Promise.all(deps.map((d) => outcomes.get(d)!));
        const failed = deps.filter((_, i) => !depOutcomes[i]!.ok);
        if (failed.length > 0) {
          const at = now().toISOString();
          const first = depOutcomes.find((o) => !o.ok)?.error;
          const error = {
            code: 'DependencyFailed',
            message: `not run: it reads ${failed.join(', ')}, which failed${first ? ` (${first.code})` : ''}`,
          };
          collections.push({ collector: collector.id, account, region, status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
          opts.onProgress?.({ account, region, collector: collector.id, phase: 'error', error: `${error.code}: ${error.message}` });
          return { ok: false, records: [], error };
        }
        const prior = new Map(deps.map((d, i) => [d, depOutcomes[i]!.records] as const));
        return runOne(collector, account, region, credentials, prior);
      })());
    }
    await Promise.all(outcomes.values());
  };

  const identity = collectors.find((c) => c.id === IDENTITY)!;
  const globals = collectors.filter((c) => c.scope === 'global' && c.id !== IDENTITY);
  const regionals = collectors.filter((c) => c.scope === 'regional');

  // Accounts in flight at once: enough scopes to keep `concurrency` requests busy, few enough that
  // only their records (needed by the joins until their scope ends) are in memory at a time.
  const accountLimit = pLimit(opts.accountConcurrency ?? Math.max(4, Math.ceil(concurrency / 2)));
  await Promise.all(plans.map((plan, index) => accountLimit(async () => {
    let credentials: AwsCredentialIdentityProvider;
    let identityOutcome: CollectionOutcome;
    try {
      // registered before any await: every account's collectors can find every other's
      const pending = (plan.account ? estate.credentialsFor(plan.account) : undefined) ?? plan.credentials();
      pending.catch(() => { /* reported below, by this account's own identity collection */ });
      credentials = await pending;
      identityOutcome = await runOne(identity, plan.account, 'global', credentials, new Map());
    } catch (err) {
      // the credentials could not even be set up (runOne itself never throws)
      const error = describeError(err);
      const at = now().toISOString();
      collections.push({ collector: IDENTITY, account: plan.account, region: 'global', status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
      identityOutcome = { ok: false, records: [], error };
      credentials = base;
    }
    const idRecord = identityOutcome.records[0];
    identities[index] = idRecord;
    if (!identityOutcome.ok || !idRecord) {
      if (!plan.roleArn) {
        // Without a working identity for the caller's own account nothing can be collected.
        // Say what failed: the endpoint, the override, DNS, the profile, or no credentials at all.
        throw await explainSetupFailure(identityOutcome.error, { ...(opts.profile ? { profile: opts.profile } : {}), region: homeRegion, service: 'sts' });
      }
      // Another account's role failed: every collection for it is missing, and says why.
      const e = identityOutcome.error ?? { code: 'Error', message: 'no caller identity' };
      const at = now().toISOString();
      const error = { code: e.code, message: `account ${plan.account} unavailable (${plan.roleArn}): ${e.message}` };
      const skip = (collector: string, region: string): void => {
        collections.push({ collector, account: plan.account, region, status: 'error', error, calls: 0, records: 0, startedAt: at, endedAt: at });
        opts.onProgress?.({ account: plan.account, region, collector, phase: 'error', error: `${error.code}: ${error.message}` });
      };
      for (const c of globals) skip(c.id, 'global');
      for (const region of regions) for (const c of regionals) skip(c.id, region);
      return;
    }
    const account = idRecord.source.account;
    plan.account = account;
    let planRegions = regions;
    if (allRegions) {
      const at = now().toISOString();
      try {
        const listed = await listAccountRegions(clientConfig('us-east-1', credentials, settings), opts.signal);
        planRegions = listed.enabled;
        accountRegions.set(account, listed.enabled);
        if (listed.notEnabled.length > 0) regionsNotEnabled[account] = listed.notEnabled;
      } catch (err) {
        // Without the list no region of this account can be shown complete: the engine sees
        // every regional collection missing for it, and the manifest says why.
        const error = describeError(err);
        collections.push({ collector: 'account.regions', account, region: 'global', status: 'error', error, calls: 1, records: 0, startedAt: at, endedAt: now().toISOString() });
        opts.onProgress?.({ account, region: 'global', collector: 'account.regions', phase: 'error', error: `${error.code}: ${error.message}` });
        planRegions = [];
      }
    }
    await Promise.all([
      globals.length > 0 ? runScope(globals, account, 'global', credentials) : Promise.resolve(),
      ...planRegions.map((region) => runScope(regionals, account, region, credentials)),
    ]);
  })));

  // a store read for this run alone is done with; a backfill's stores serve its next steps
  if (history && !opts.history) for (const s of history.stores.values()) s.destroy();

  settings.agents?.close();
  if (opts.signal?.aborted) {
    const err = new Error('collection aborted');
    err.name = 'AbortError';
    throw err;
  }

  const order = new Map<string, number>(ids.map((id, i) => [id, i]));
  collections.sort((a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || (order.get(a.collector)! - order.get(b.collector)!));
  records.sort((a, b) => (order.get(a.collector)! - order.get(b.collector)!) || cmp(a.id, b.id));
  const callerRecord = identities.find((r) => r !== undefined);
  const callerData = (callerRecord?.data ?? {}) as { Account?: string; Arn?: string; UserId?: string };
  const manifest: Manifest = {
    formatVersion: 1,
    runId,
    tool: { name: 'trustpack', version: opts.toolVersion },
    ...(callerData.Account && callerData.Arn
      ? { caller: { account: callerData.Account, arn: callerData.Arn, ...(callerData.UserId ? { userId: callerData.UserId } : {}) } }
      : {}),
    accounts: [...new Set(plans.map((p) => p.account))],
    regions: allRegions ? [...new Set([...accountRegions.values()].flat())].sort() : regions,
    startedAt: started.toISOString(),
    endedAt: now().toISOString(),
    collections,
    files: [],
    ...(asOf ? { asOf: asOf.toISOString(), source: 'config-history' as const } : {}),
  };
  if (allRegions) {
    manifest.accountRegions = Object.fromEntries([...accountRegions].sort(([a], [b]) => cmp(a, b)));
    if (Object.keys(regionsNotEnabled).length > 0) manifest.regionsNotEnabled = regionsNotEnabled;
  }
  if (opts.orgRole !== undefined) manifest.organization = { role: opts.orgRole, skippedAccounts: skippedAccounts ?? [] };
  if (shardInfo) manifest.shard = shardInfo;
  if (opts.catalogDigest) manifest.catalogDigest = opts.catalogDigest;
  if (notices.length > 0) manifest.notices = notices;
  if (Object.keys(pacingTotals).length > 0) manifest.pacing = Object.fromEntries(Object.entries(pacingTotals).sort(([a], [b]) => cmp(a, b)));
  const bundle: EvidenceBundle = { manifest, records };
  // spilled: the files are on disk, and spill.finish() lists them
  if (opts.spill) return bundle;
  // Fill files[] as the bundle on disk will have them, so the in-memory manifest is the same.
  const written = JSON.parse(bundleFiles(bundle).at(-1)!.bytes.toString('utf8')) as Manifest;
  manifest.files = written.files;
  return bundle;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
