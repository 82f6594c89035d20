// Pacing under AWS's rate limits (src/aws/pacing.ts) against the sandbox's own token buckets:
// the buckets are tighter than the client's table and one API the sandbox limits is missing from
// the table, so throttles really happen and must be ridden out; at least 8 consecutive throttles
// of one call survive without spending the SDK's retry quota; connection failures fail at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { ConnectionFailure, mergePacing, newPacingStats, Pacer, TokenBucket, DEFAULT_PACING, UNPUBLISHED_RATES } from '../src/aws/pacing.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { describeError } from '../src/aws/errors.js';
import { NOW, SAMPLE, useSandboxEnv } from './collect-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE, NOW), port: 0, now: NOW });
});
afterAll(async () => { await sb?.close(); });
beforeEach(() => {
  useSandboxEnv(sb.url);
  sb.setFaults(undefined);
  sb.setRateLimits(undefined);
});

const noSleep = async (): Promise<void> => {};
const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const CALL = { service: 'config', operation: 'DescribeConfigRules', account: '111122223333', region: 'us-east-1' };
const errors = (b: EvidenceBundle) => b.manifest.collections.filter((c) => c.status === 'error' || c.resourceErrors);

describe('the pacer', () => {
  it('rides out 8 and more consecutive throttles of one call with capped back-off, then gives up', async () => {
    const delays: number[] = [];
    const pacer = new Pacer({ table: { shared: {}, apis: {} }, backoffBaseMs: 100, backoffCapMs: 1000, sleep: async (ms) => { delays.push(ms); }, random: () => 1 });
    let n = 0;
    const stats = newPacingStats();
    await expect(pacer.run(CALL, async () => { if (n++ < 8) throw throttle(); return 'ok'; }, stats)).resolves.toBe('ok');
    expect(stats).toMatchObject({ throttles: 8, retries: 8 });
    // doubling from the base, never above the cap
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    let m = 0;
    const gaveUp = await pacer.run(CALL, async () => { m++; throw throttle(); }, newPacingStats()).catch((e: unknown) => e);
    expect(m).toBe(9); // the first attempt and 8 retries
    // not a name the SDK retries (that would start the pacer over and spend the shared retry quota)
    expect(gaveUp).toMatchObject({ name: 'ThrottledPastRetries', throttledCode: 'ThrottlingException' });
    expect(describeError(gaveUp)).toEqual({ code: 'ThrottlingException', message: expect.stringMatching(/throttled 9 times in a row/) });
  });

  it('connection failures are not throttling: one attempt, and an error the SDK does not retry', async () => {
    const pacer = new Pacer({ sleep: noSleep });
    let n = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const err = await pacer.run(CALL, async () => { n++; throw refused; }, newPacingStats()).catch((e: unknown) => e);
    expect(n).toBe(1);
    expect(err).toBeInstanceOf(ConnectionFailure);
    expect(err).not.toHaveProperty('code');
    expect(err).not.toHaveProperty('cause');
  });

  it('a token bucket lets a burst through, then the sustained rate', async () => {
    let t = 0;
    const b = new TokenBucket({ rate: 10, burst: 3 }, () => t);
    const sleep = async (ms: number) => { t += ms; };
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(Math.round(await b.take(sleep)));
    expect(waits).toEqual([0, 0, 0, 100, 100, 100]);
    expect(t).toBe(300);
  });

  it('the table is one place: RDS shared per account and region, others per API, overridable', () => {
    const p = new Pacer({ table: mergePacing(DEFAULT_PACING, { apis: { 'kms:ListAliases': { rate: 0, burst: 0 }, 'sts:GetCallerIdentity': { rate: 1, burst: 1 } } }) });
    expect(p.bucketFor('rds', 'DescribeDBClusters', 'a', 'r')).toBe(p.bucketFor('rds', 'DescribeDBInstances', 'a', 'r'));
    expect(p.bucketFor('rds', 'DescribeDBClusters', 'a', 'r')).not.toBe(p.bucketFor('rds', 'DescribeDBClusters', 'a', 'r2'));
    expect(p.bucketFor('config', 'DescribeConfigRules', 'a', 'r')).not.toBe(p.bucketFor('config', 'DescribeComplianceByConfigRule', 'a', 'r'));
    expect(p.bucketFor('kms', 'ListAliases', 'a', 'r')).toBeUndefined();
    expect(p.bucketFor('sts', 'GetCallerIdentity', 'a', 'r')?.spec).toEqual({ rate: 1, burst: 1 });
  });
});

describe('collection under the sandbox\'s rate limits', () => {
  it('eight consecutive throttles of one call are absorbed (the SDK alone gives up after 5 attempts) and counted', async () => {
    sb.setFaults({ seed: 1, rules: [{ service: 'rds', operation: 'DescribeDBClusters', region: 'us-east-1', kind: 'throttle', times: 8 }] });
    const b = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', now: () => NOW, collectors: ['rds.db-clusters'], pacing: { backoffBaseMs: 1 } });
    expect(errors(b)).toEqual([]);
    expect(b.manifest.pacing?.['rds.db-clusters']).toMatchObject({ throttles: 8, retries: 8 });
  });

  it('buckets tighter than the table, one API missing from it: no throttle reaches the evidence, the records equal an unthrottled run\'s', async () => {
    const opts = { regions: ['us-east-1', 'eu-central-1'], toolVersion: 'test', now: () => NOW, runId: '20261128T233000Z-aaaa' };
    const clean = await collectEvidence({ ...opts, pacing: false });
    sb.setRateLimits({
      shared: { rds: { rate: 25, burst: 5 } },
      apis: {
        'kms:DescribeKey': { rate: 10, burst: 2 },
        // not in the client's table below: only the back-off can deal with it
        'config:GetComplianceDetailsByConfigRule': { rate: 5, burst: 1 },
      },
    });
    const table = { shared: { rds: { rate: 20, burst: 4 } }, apis: { 'kms:DescribeKey': { rate: 8, burst: 2 } } };
    const paced = await collectEvidence({ ...opts, pacing: { table, backoffBaseMs: 5 } });
    expect(errors(paced)).toEqual([]);
    expect(paced.records.map((r) => r.id).sort()).toEqual(clean.records.map((r) => r.id).sort());
    expect(sb.stats().throttled).toBeGreaterThan(0);
    const p = paced.manifest.pacing ?? {};
    expect(p['config.rule-evaluations']?.throttles).toBeGreaterThan(0);
    // the RDS collectors waited for tokens rather than being throttled into errors
    expect(Object.entries(p).filter(([k]) => k.startsWith('rds.')).reduce((ms, [, v]) => ms + v.pacedMs, 0)).toBeGreaterThan(0);
  });

  it('a refused connection fails the collection at once, without SDK retries', async () => {
    process.env['AWS_ENDPOINT_URL_RDS'] = 'http://127.0.0.1:9'; // nothing listens there
    const b = await collectEvidence({ regions: ['us-east-1'], toolVersion: 'test', now: () => NOW, collectors: ['rds.db-clusters'], maxAttempts: 5 });
    const failed = b.manifest.collections.find((c) => c.collector === 'rds.db-clusters');
    expect(failed?.error?.code).toBe('NetworkError');
    expect(failed?.error?.message).toMatch(/^ECONNREFUSED/);
    expect(failed?.error?.message).not.toMatch(/after \d+ attempts/);
  });
});

describe('the pacing table covers the evidence read where it lives (issues 22 and 23)', () => {
  it('has a published rate or a stated "none published" for every API the new collectors call, never both', async () => {
    const { COLLECTORS } = await import('../collectors/registry.js');
    const ids = ['cloudtrail.trails', 'cloudtrail.region-coverage', 's3.buckets', 'kms.customer-keys', 'guardduty.detectors', 'logs.log-groups',
      'backup.vaults', 'backup.recovery-points', 'backup.plans', 'elbv2.listeners', 'cloudfront.distributions'];
    // the pacer keys a bucket by the SDK client's name (ElasticLoadBalancingV2Client: elasticloadbalancingv2)
    const pacerService = (s: string) => (s === 'elasticloadbalancing' ? 'elasticloadbalancingv2' : s);
    const missing: string[] = [];
    for (const c of COLLECTORS.filter((x) => ids.includes(x.id))) {
      for (const op of c.operations) {
        const key = op.includes(':') ? op : `${pacerService(c.service)}:${op}`;
        const paced = DEFAULT_PACING.apis[key] !== undefined || DEFAULT_PACING.shared[key.split(':')[0]!] !== undefined;
        // a rate AWS does not publish is never invented: the API is left to the learned bucket
        if (paced === (UNPUBLISHED_RATES[key] !== undefined)) missing.push(`${c.id} ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
