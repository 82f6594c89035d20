// Collection under the conditions AWS really produces: many pages, throttling, access denied,
// timeouts, broken answers, other accounts. Every failure is recorded and the run goes on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAccount, loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { writeBundle } from '../src/evidence/bundle.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { ACCESS_KEY, NOW, SAMPLE, SECRET, bundleText, byCollector, data, useSandboxEnv } from './collect-helpers.js';

const REGIONS = ['us-east-1', 'eu-central-1'];
let sb: Sandbox;
let tmp: string;

beforeAll(async () => {
  const sample = loadFixture(SAMPLE, NOW);
  // a second account (generated, >100 clusters in one region) to page through and to assume a role into
  const big = generateAccount({ regions: ['us-west-2'], clustersPerRegion: 130, seed: 7, accountId: '444455556666', now: NOW });
  sb = await startSandbox({ fixture: { accounts: [...sample.accounts, ...big.accounts] }, port: 0, now: NOW });
  tmp = await mkdtemp(join(tmpdir(), 'trustpack-faults-'));
});
afterAll(async () => {
  await sb?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  useSandboxEnv(sb.url);
  sb.setFaults(undefined);
});

const run = (extra: Partial<Parameters<typeof collectEvidence>[0]> = {}): Promise<EvidenceBundle> =>
  collectEvidence({ regions: REGIONS, toolVersion: 'test', now: () => NOW, ...extra });

const errors = (b: EvidenceBundle) => b.manifest.collections.filter((c) => c.status === 'error');

describe('pagination', () => {
  it('reads every page: 130 clusters, 260 instances, every snapshot, each parameter group', async () => {
    const before = sb.stats().byOperation;
    const b = await run({ regions: ['us-west-2'], roleArns: ['arn:aws:iam::444455556666:role/trustpack-audit'] });
    expect(errors(b)).toEqual([]);
    expect(byCollector(b, 'rds.db-clusters')).toHaveLength(130);
    expect(byCollector(b, 'rds.db-instances')).toHaveLength(260);
    expect(byCollector(b, 'rds.cluster-parameters')).toHaveLength(130);
    expect(byCollector(b, 'rds.cluster-topology')).toHaveLength(130);
    expect(byCollector(b, 'config.rule-evaluations').length).toBeGreaterThanOrEqual(130);
    const snaps = byCollector(b, 'rds.cluster-snapshots').length;
    expect(snaps).toBeGreaterThan(300);
    const after = sb.stats().byOperation;
    const calls = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
    expect(calls('rds:DescribeDBClusters')).toBe(2); // MaxRecords 100: two pages
    expect(calls('rds:DescribeDBInstances')).toBe(3);
    expect(calls('rds:DescribeDBClusterSnapshots')).toBe(Math.ceil(snaps / 100));
    expect(new Set(byCollector(b, 'rds.db-clusters').map((r) => r.resource)).size).toBe(130);
  });
});

describe('faults', () => {
  it('throttling absorbed by the retries gives the same records as a clean run', async () => {
    const clean = await run();
    sb.setFaults({ seed: 3, rules: [{ kind: 'throttle', rate: 0.4, times: 15 }] });
    const throttled = await run({ maxAttempts: 12 });
    expect(sb.stats().faultsInjected).toBeGreaterThan(0);
    expect(errors(throttled)).toEqual([]);
    expect(throttled.records.map((r) => r.id)).toEqual(clean.records.map((r) => r.id));
  });

  it('access denied in one region: that region\'s collections are errors, the rest are ok', async () => {
    sb.setFaults({ rules: [{ kind: 'access-denied', region: 'eu-central-1' }] });
    const b = await run();
    const eu = b.manifest.collections.filter((c) => c.region === 'eu-central-1');
    const rest = b.manifest.collections.filter((c) => c.region !== 'eu-central-1');
    expect(eu).toHaveLength(30);
    expect(eu.every((c) => c.status === 'error')).toBe(true);
    expect(rest.every((c) => c.status === 'ok')).toBe(true);
    // the caller identity, s3.buckets and cloudfront.distributions (global), 30 in us-east-1
    expect(rest).toHaveLength(33);
    const codes = new Set(eu.map((c) => c.error?.code));
    expect([...codes].sort()).toEqual(['AccessDenied', 'AccessDeniedException', 'DependencyFailed']);
    const topo = eu.find((c) => c.collector === 'rds.cluster-topology');
    expect(topo?.error).toEqual({ code: 'DependencyFailed', message: expect.stringMatching(/rds\.db-clusters.*AccessDenied/) });
    expect(eu.every((c) => c.records === 0 && !c.error!.message.includes('\n'))).toBe(true);
    // S3 is global, its bucket reads are not: the eu-central-1 bucket's reads are denied there, so
    // its record is an ERROR record and the us-east-1 bucket's is whole
    expect(b.records.filter((r) => r.source.region === 'eu-central-1').map((r) => [r.resource, r.error?.code])).toEqual([['arn:aws:s3:::example-eu-logs', 'AccessDenied']]);
    expect(byCollector(b, 's3.buckets').find((r) => r.resource.endsWith(':example-cloudtrail-logs'))?.error).toBeUndefined();
    expect(byCollector(b, 'rds.db-clusters')).toHaveLength(2);
  });

  it('a region that never answers: Timeout after the retries, and the run completes', async () => {
    sb.setFaults({ rules: [{ kind: 'timeout', region: 'eu-central-1' }] });
    const b = await run({ requestTimeoutMs: 300, maxAttempts: 2 });
    const eu = b.manifest.collections.filter((c) => c.region === 'eu-central-1');
    expect(eu.every((c) => c.status === 'error')).toBe(true);
    expect(new Set(eu.map((c) => c.error?.code))).toEqual(new Set(['Timeout', 'DependencyFailed']));
    expect(b.manifest.collections.filter((c) => c.region !== 'eu-central-1').every((c) => c.status === 'ok')).toBe(true);
  });

  it('a malformed answer fails its collection (MalformedResponse) and the joins that need it', async () => {
    sb.setFaults({ rules: [{ kind: 'malformed', service: 'kms', region: 'us-east-1' }] });
    const b = await run();
    expect(errors(b).map((c) => [c.collector, c.region, c.error?.code])).toEqual([
      ['kms.keys', 'us-east-1', 'MalformedResponse'],
      ['rds.encryption-keys', 'us-east-1', 'DependencyFailed'],
      ['kms.key-rotations', 'us-east-1', 'DependencyFailed'],
      ['kms.customer-keys', 'us-east-1', 'MalformedResponse'],
    ]);
  });

  it('a truncated answer is a MalformedResponse too', async () => {
    sb.setFaults({ rules: [{ kind: 'truncate', service: 'config', operation: 'DescribeConfigRules', region: 'us-east-1' }] });
    const b = await run();
    expect(errors(b).map((c) => [c.collector, c.error?.code])).toEqual([
      ['config.rules', 'MalformedResponse'], ['config.rule-evaluations', 'DependencyFailed'],
    ]);
  });

  it('server errors past the retries are recorded with the attempts made', async () => {
    sb.setFaults({ rules: [{ kind: 'server-error', service: 'rds', operation: 'DescribeDBInstances' }] });
    const b = await run({ maxAttempts: 2 });
    const inst = errors(b).filter((c) => c.collector === 'rds.db-instances');
    expect(inst).toHaveLength(2);
    expect(inst[0]?.error).toEqual({ code: 'InternalFailure', message: expect.stringContaining('after 2 attempts') });
    expect(inst[0]?.calls).toBe(1);
  });
});

describe('accounts', () => {
  it('one account per --role-arn; an unassumable role gives error collections for its account only', async () => {
    const assumed = sb.stats().byOperation['sts:AssumeRole'] ?? 0;
    const b = await run({
      regions: ['us-east-1'],
      collectors: ['rds.db-clusters'],
      roleArns: ['arn:aws:iam::111122223333:role/trustpack-audit', 'arn:aws:iam::444455556666:role/trustpack-audit', 'arn:aws:iam::999999999999:role/nope'],
    });
    expect(b.manifest.accounts).toEqual(['111122223333', '444455556666', '999999999999']);
    expect(b.manifest.caller?.arn).toMatch(/^arn:aws:sts::111122223333:assumed-role\/trustpack-audit\/trustpack-/);
    const ok = b.manifest.collections.filter((c) => c.status === 'ok');
    expect(ok.map((c) => `${c.account} ${c.region} ${c.collector}`)).toEqual([
      '111122223333 global sts.caller-identity', '111122223333 us-east-1 rds.db-clusters',
      '444455556666 global sts.caller-identity', '444455556666 us-east-1 rds.db-clusters',
    ]);
    const denied = errors(b);
    expect(denied.map((c) => `${c.account} ${c.region} ${c.collector} ${c.error?.code}`)).toEqual([
      '999999999999 global sts.caller-identity AccessDenied', '999999999999 us-east-1 rds.db-clusters AccessDenied',
    ]);
    expect(new Set(byCollector(b, 'rds.db-clusters').map((r) => r.source.account))).toEqual(new Set(['111122223333']));
    // one role session per account, shared by every client of the run
    expect((sb.stats().byOperation['sts:AssumeRole'] ?? 0) - assumed).toBe(3);
    // the sandbox hands out temporary keys: neither they nor ours may reach the evidence
    const { dir } = await writeBundle(b, join(tmp, 'roles'));
    const text = await bundleText(dir);
    for (const s of [SECRET, ACCESS_KEY, 'sandbox-secret-', 'ASIA']) expect(text).not.toContain(s);
  });
});

describe('endpoints', () => {
  it('honours AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL (handled by the SDK)', async () => {
    process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:9'; // nothing listens there
    for (const s of ['STS', 'RDS', 'KMS', 'CONFIG_SERVICE', 'S3', 'CLOUDTRAIL', 'CLOUDWATCH_LOGS', 'GUARDDUTY', 'BACKUP', 'ELASTIC_LOAD_BALANCING_V2', 'CLOUDFRONT']) process.env[`AWS_ENDPOINT_URL_${s}`] = sb.url;
    const b = await run({ regions: ['us-east-1'], maxAttempts: 1 });
    expect(errors(b)).toEqual([]);
    expect(byCollector(b, 'kms.keys')).toHaveLength(2);

    delete process.env['AWS_ENDPOINT_URL_KMS'];
    const noKms = await run({ regions: ['us-east-1'], maxAttempts: 1 });
    expect(errors(noKms).map((c) => [c.collector, c.error?.code])).toEqual([
      ['kms.keys', 'NetworkError'], ['rds.encryption-keys', 'DependencyFailed'], ['kms.key-rotations', 'DependencyFailed'],
      ['kms.customer-keys', 'NetworkError'],
    ]);
  });

  it('reads region and keys from a named profile through the SDK chain', async () => {
    const { writeFile } = await import('node:fs/promises');
    process.env['AWS_CONFIG_FILE'] = join(tmp, 'config');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(tmp, 'credentials');
    await writeFile(join(tmp, 'config'), '[profile audit]\nregion = eu-central-1\n');
    await writeFile(join(tmp, 'credentials'), `[audit]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET}\n`);
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    const b = await collectEvidence({ profile: 'audit', toolVersion: 'test', now: () => NOW, collectors: ['rds.db-clusters'] });
    expect(b.manifest.regions).toEqual(['eu-central-1']);
    expect(errors(b)).toEqual([]);
    expect(byCollector(b, 'rds.db-clusters').map((r) => data(r)['DBClusterIdentifier']).sort()).toEqual(['analytics-eu', 'customers-eu']);
  });

  it('an endpoint that cannot be reached stops the run with one clear line naming it', async () => {
    process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:9';
    const err = await run({ regions: ['us-east-1'], maxAttempts: 1 }).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('UsageError');
    expect(err?.message).toMatch(/^cannot reach the AWS endpoint: nothing accepts connections at 127\.0\.0\.1:9 \(connection refused\)\. The endpoint comes from AWS_ENDPOINT_URL=/);
    expect(err?.message).not.toContain('\n');
  });
});

describe('abort', () => {
  it('stops the run when the signal fires', async () => {
    const ac = new AbortController();
    sb.setLatency(100);
    try {
      const p = run({ signal: ac.signal, onProgress: (e) => { if (e.phase === 'done') ac.abort(); } });
      await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      sb.setLatency(0);
    }
  });
});

describe('record details under load', () => {
  it('keeps source parameters free of pagination tokens', async () => {
    const b = await run({ regions: ['us-west-2'], roleArns: ['arn:aws:iam::444455556666:role/trustpack-audit'], collectors: ['rds.db-clusters'] });
    const params = new Set(byCollector(b, 'rds.db-clusters').map((r) => JSON.stringify(r.source.parameters)));
    expect([...params]).toEqual(['{"MaxRecords":100}']);
    expect(data(byCollector(b, 'rds.db-clusters')[0])).toHaveProperty('DBClusterArn');
  });
});
