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
import { UsageError } from '../src/util/errors.js';
import {
  assumeRoleCredentials, clientConfig, defaultCredentials, resolveRegions, roleAccount, type ClientSettings,
} from '../src/aws/session.js';
import { describeError, type CollectionError } from '../src/aws/errors.js';
import { collectorIds, loadCollector, withDependencies } from './registry.js';
import type { Collector, CollectContext } from './types.js';
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
  profile?: string;
  /** collector ids; their dependencies are added; default: all */
  collectors?: string[];
  /** AWS requests in flight at most, across the whole run (default 8) */
  concurrency?: number;
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
}

export const DEFAULT_CONCURRENCY = 8;
const IDENTITY = 'sts.caller-identity';

/** A time-sortable run id: 20261128T233000Z-1a2b. */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

interface Outcome {
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

export async function collectEvidence(opts: CollectOptions): Promise<EvidenceBundle> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const runId = opts.runId ?? newRunId(started);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  for (const arn of opts.roleArns ?? []) roleAccount(arn); // a usage error before any call
  const known = new Set(collectorIds());
  for (const id of opts.collectors ?? []) {
    if (!known.has(id)) throw new UsageError(`unknown collector "${id}" (known: ${[...known].join(', ')})`);
  }
  // The caller identity always runs: it names the account every other record belongs to.
  const ids = withDependencies([IDENTITY, ...(opts.collectors ?? collectorIds())]);
  const asOf = opts.asOf;
  const history = asOf ? opts.history ?? { from: asOf, to: asOf, stores: new Map<string, ConfigHistoryStore>() } : undefined;
  if (asOf && history && (asOf < history.from || asOf > history.to)) throw new Error('as-of time outside the history range read');
  const historyModule = asOf ? await import('./history/registry.js') : undefined;
  const storeModule = asOf ? await import('./history/store.js') : undefined;
  const collectors = await Promise.all(ids.map((id) => historyModule ? historyModule.loadHistoryCollector(id) : loadCollector(id)));
  const regions = await resolveRegions(opts.regions, opts.profile);
  const homeRegion = regions[0]!;
  const settings: ClientSettings = {
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
  };
  const limit = pLimit(concurrency);
  const limitFn = <T>(fn: () => Promise<T>): Promise<T> => limit(fn);
  const base = await defaultCredentials(opts.profile);

  const plans: AccountPlan[] = opts.roleArns && opts.roleArns.length > 0
    ? [...new Set(opts.roleArns)].map((roleArn) => ({
      account: roleAccount(roleArn), roleArn,
      credentials: () => assumeRoleCredentials(base, roleArn, runId, homeRegion, settings),
    }))
    : [{ account: '', credentials: async () => base }];

  const collections: Collection[] = [];
  const records: EvidenceRecord[] = [];
  const identities: (EvidenceRecord | undefined)[] = [];

  const runOne = async (
    collector: Collector, account: string, region: string, credentials: AwsCredentialIdentityProvider,
    prior: ReadonlyMap<string, readonly EvidenceRecord[]>,
  ): Promise<Outcome> => {
    const startedAt = now().toISOString();
    let calls = 0;
    opts.onProgress?.({ account, region, collector: collector.id, phase: 'start' });
    const ctx: CollectContext = {
      account, region, credentials,
      clientConfig: clientConfig(region === 'global' ? homeRegion : region, credentials, settings),
      prior,
      countCall: () => { calls += 1; },
      // an as-of run's joins describe asOf; the caller identity is asked now
      now: asOf && collector.id !== IDENTITY ? () => asOf : now,
      limit: limitFn,
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    if (asOf && history && storeModule && region !== 'global') {
      const key = `${account}/${region}`;
      let store = history.stores.get(key);
      if (!store) history.stores.set(key, store = new storeModule.ConfigHistoryStore(ctx, history.from, history.to));
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
    // The identity record names the account, which was only a guess (or unknown) before.
    const finalAccount = collector.id === IDENTITY && !error ? got[0]?.source.account ?? account : account;
    collections.push({
      collector: collector.id, account: finalAccount, region, status: error ? 'error' : 'ok',
      ...(error ? { error } : {}),
      calls, records: error ? 0 : got.length, startedAt, endedAt: now().toISOString(),
    });
    if (error) {
      opts.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'error', error: `${error.code}: ${error.message}` });
      return { ok: false, records: [], error };
    }
    records.push(...got);
    opts.onProgress?.({ account: finalAccount, region, collector: collector.id, phase: 'done', records: got.length });
    return { ok: true, records: got };
  };

  /** Every collector of one scope, each as soon as its dependencies are done. */
  const runScope = async (
    scoped: readonly Collector[], account: string, region: string, credentials: AwsCredentialIdentityProvider,
  ): Promise<void> => {
    const outcomes = new Map<string, Promise<Outcome>>();
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

  await Promise.all(plans.map(async (plan, index) => {
    let credentials: AwsCredentialIdentityProvider;
    let identityOutcome: Outcome;
    try {
      credentials = await plan.credentials();
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
        const e = identityOutcome.error;
        const setup = !e || /Credential|AccessDenied|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient/.test(e.code);
        throw new UsageError(`cannot use the AWS credentials: ${e ? `${e.code}: ${e.message}` : 'GetCallerIdentity gave no identity'}`, setup ? 2 : 1);
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
    await Promise.all([
      globals.length > 0 ? runScope(globals, account, 'global', credentials) : Promise.resolve(),
      ...regions.map((region) => runScope(regionals, account, region, credentials)),
    ]);
  }));

  // a store read for this run alone is done with; a backfill's stores serve its next steps
  if (history && !opts.history) for (const s of history.stores.values()) s.destroy();

  if (opts.signal?.aborted) {
    const err = new Error('collection aborted');
    err.name = 'AbortError';
    throw err;
  }

  const order = new Map(ids.map((id, i) => [id, i]));
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
    regions,
    startedAt: started.toISOString(),
    endedAt: now().toISOString(),
    collections,
    files: [],
    ...(asOf ? { asOf: asOf.toISOString(), source: 'config-history' as const } : {}),
  };
  const bundle: EvidenceBundle = { manifest, records };
  // Fill files[] as the bundle on disk will have them, so the in-memory manifest is the same.
  const written = JSON.parse(bundleFiles(bundle).at(-1)!.bytes.toString('utf8')) as Manifest;
  manifest.files = written.files;
  return bundle;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
