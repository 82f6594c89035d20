// Random fault plans over the sample account, and one plan's run: collect in-process through the
// real SDK against the sandbox, evaluate with the shipped catalog, and report what the checks of
// test/reliability-faults.test.ts need. Shared by that suite and its child processes
// (reliability-faults-worker.ts), which run shards of the plans side by side: the SDK's back-off
// on throttling is real time, and AWS_ENDPOINT_URL is one per process.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { FaultPlan, FaultRule, Sandbox } from '../../src/sandbox/index.js';
import { collectEvidence } from '../../collectors/run.js';
import { UsageError } from '../../src/util/errors.js';
import type { Collection, EvidenceBundle } from '../../src/evidence/model.js';
import type { Results } from '../../src/engine/results.js';
import { ACCOUNT, NOW, REGIONS, TOOL_VERSION, evaluateSample } from './reliability-env.js';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/trustpack-audit`;
/** short enough that held (timeout) requests cost little, long enough for a loaded machine */
const COLLECT = { maxAttempts: 3, requestTimeoutMs: 600 } as const;
const RUN_ID = '20261128T233000Z-rel0';

const OPERATIONS: Record<string, string[]> = {
  sts: ['GetCallerIdentity', 'AssumeRole'],
  rds: ['DescribeDBClusters', 'DescribeDBInstances', 'DescribeDBClusterSnapshots', 'DescribeDBClusterSnapshotAttributes',
    'DescribeDBClusterAutomatedBackups', 'DescribeDBClusterParameters'],
  kms: ['DescribeKey', 'GetKeyRotationStatus', 'ListAliases'],
  config: ['DescribeConfigRules', 'DescribeComplianceByConfigRule', 'GetComplianceDetailsByConfigRule',
    'DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus'],
};
const SERVICES = Object.keys(OPERATIONS);
const KINDS = ['throttle', 'server-error', 'access-denied', 'timeout', 'truncate', 'malformed'] as const;
const RETRIED = new Set(['throttle', 'server-error', 'timeout']);

const target: fc.Arbitrary<Pick<FaultRule, 'service' | 'operation'>> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.constantFrom(...SERVICES).map((service) => ({ service })) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...SERVICES).chain((service) => fc.constantFrom(...OPERATIONS[service]!).map((operation) => ({ service, operation }))),
  },
  { weight: 1, arbitrary: fc.constantFrom(...Object.values(OPERATIONS).flat()).map((operation) => ({ operation })) },
);

const rule: fc.Arbitrary<FaultRule> = fc.record({
  target,
  region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined, freq: 2 }),
  // mostly any account; sometimes the sample's; sometimes one that never matches
  account: fc.option(fc.constantFrom(ACCOUNT, ACCOUNT, '444455556666'), { nil: undefined, freq: 3 }),
  kind: fc.constantFrom(...KINDS),
  rate: fc.option(fc.integer({ min: 1, max: 20 }).map((n) => n / 20), { nil: undefined, freq: 3 }),
  times: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 3 }),
}).map(({ target: t, region, account, kind, rate, times }) => {
  const r: FaultRule = { ...t, kind };
  if (region !== undefined) r.region = region;
  if (account !== undefined) r.account = account;
  if (rate !== undefined) r.rate = rate;
  // a retried kind on every call of a whole service makes a run slow (real back-off): bound it
  if (times !== undefined) r.times = times;
  else if (RETRIED.has(kind) && (rate ?? 1) > 0.3 && !t.operation) r.times = 6;
  return r;
});

export interface FaultCase {
  index: number;
  plan: FaultPlan;
  /** collect through sts:AssumeRole into the sample account (--role-arn) */
  role: boolean;
}

export function faultCases(seed: number, count: number): FaultCase[] {
  const arb = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
    role: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))), // a quarter through AssumeRole
  });
  return fc.sample(arb, { seed, numRuns: count }).map(({ seed: s, rules, role }, index) => ({ index, plan: { seed: s, rules }, role }));
}

/** `patient`: long timeouts and more attempts, for clean runs on a loaded machine (same evidence) */
function collectSample(role: boolean, patient = false): Promise<EvidenceBundle> {
  return collectEvidence({
    regions: REGIONS, toolVersion: TOOL_VERSION, now: () => NOW, runId: RUN_ID,
    ...(patient ? { maxAttempts: 5, requestTimeoutMs: 10_000 } : COLLECT),
    ...(role ? { roleArns: [ROLE_ARN] } : {}),
    // the pacer rides out up to 8 throttles of a call: a short back-off keeps always-throttling plans quick
    pacing: { backoffBaseMs: 2, backoffCapMs: 20 },
  });
}

const sha = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** What a comparison with the clean run must not depend on: run ids and times. */
function resultsDigest(r: Results): string {
  return sha({ summary: r.summary, controls: r.controls, expiredWaivers: r.expiredWaivers ?? [] });
}
function evidenceDigest(b: EvidenceBundle): string {
  return sha(b.records.map((r) => r.id));
}

export interface FaultOutcome {
  index: number;
  injected: number;
  /** collectEvidence threw instead of returning a bundle */
  thrown?: { name: string; message: string; usage: boolean };
  accounts: string[];
  collections: Pick<Collection, 'collector' | 'account' | 'region' | 'status' | 'error' | 'resourceErrors'>[];
  statuses: Record<string, string>;
  resultsDigest?: string;
  evidenceDigest?: string;
}

export interface CleanOutcome {
  role: boolean;
  errors: number;
  resultsDigest: string;
  evidenceDigest: string;
  statuses: Record<string, string>;
}

export async function runClean(role: boolean): Promise<CleanOutcome> {
  const bundle = await collectSample(role, true);
  const results = evaluateSample(bundle);
  return {
    role, errors: bundle.manifest.collections.filter((c) => c.status !== 'ok').length,
    resultsDigest: resultsDigest(results), evidenceDigest: evidenceDigest(bundle),
    statuses: Object.fromEntries(results.controls.map((c) => [c.id, c.status])),
  };
}

export async function runFaultCase(sb: Sandbox, c: FaultCase): Promise<FaultOutcome> {
  const before = sb.stats().faultsInjected;
  sb.setFaults(c.plan);
  let bundle: EvidenceBundle | undefined;
  let thrown: FaultOutcome['thrown'];
  try {
    bundle = await collectSample(c.role);
  } catch (err) {
    const e = err as Error;
    thrown = { name: String(e?.name), message: String(e?.message), usage: e instanceof UsageError };
  } finally {
    sb.setFaults(undefined);
  }
  const injected = sb.stats().faultsInjected - before;
  if (!bundle) return { index: c.index, injected, ...(thrown ? { thrown } : {}), accounts: [], collections: [], statuses: {} };
  const results = evaluateSample(bundle);
  return {
    index: c.index, injected, accounts: bundle.manifest.accounts,
    collections: bundle.manifest.collections.map(({ collector, account, region, status, error, resourceErrors }) => ({
      collector, account, region, status, ...(error ? { error } : {}), ...(resourceErrors ? { resourceErrors } : {}),
    })),
    statuses: Object.fromEntries(results.controls.map((x) => [x.id, x.status])),
    resultsDigest: resultsDigest(results), evidenceDigest: evidenceDigest(bundle),
  };
}
