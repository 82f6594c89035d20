// Issue 23, S3 data buckets end to end: buckets trustpack has never seen, served over S3's REST
// XML by the sandbox and read by the real SDK, show each defect with its deciding value (region,
// algorithm, replication destination's region found in the DR account's own ListBuckets, days),
// a destination no account of the run owns is ERROR naming it, and the clean buckets pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import type { Results } from '../src/engine/results.js';
import { NOW, byCollector, data, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const APP = '444400001111';
const DR = '444400002222';
const role = (account: string) => `arn:aws:iam::${account}:role/trustpack-audit`;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });

let sb: Sandbox;
let bundle: EvidenceBundle;
let results: Results;
beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'test/fixtures/sandbox/never-seen-data-buckets.yaml'), NOW), now: NOW });
  useSandboxEnv(sb.url);
  bundle = await collectEvidence({
    regions: ['eu-central-1'], toolVersion: 'test', now: () => NOW, collectors: ['s3.buckets'], roleArns: [role(APP), role(DR)],
  });
  results = evaluate(catalog.controls, bundle, {
    toolVersion: 'test', now: NOW,
    project: { parameters: {
      accepted_sse_algorithms: ['aws:kms', 'aws:kms:dsse'],
      deleted_data_buckets: ['app-deleted-accounts', 'app-purge'],
      allowed_replication_accounts: [DR],
    } },
  });
});
afterAll(async () => sb?.close());

function findings(control: string): Record<string, { status: string; reason: string }> {
  const c = results.controls.find((x) => x.id === control);
  expect(c, control).toBeDefined();
  return Object.fromEntries(c!.findings.filter((f) => f.account === APP).map((f) => [f.resource.replace('arn:aws:s3:::', ''), { status: f.status, reason: f.reason }]));
}

describe('S3 data buckets never seen before', () => {
  it('residency: a bucket in Singapore FAILs, a replica in Tokyo (read in the DR account) FAILs, an unowned destination is ERROR', () => {
    const r = findings('s3-data-bucket-residency');
    expect(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.status]))).toEqual({
      'app-uploads-apac': 'FAIL', 'app-exports': 'PASS', 'app-reports': 'FAIL', 'app-deleted-accounts': 'PASS',
      'app-media': 'ERROR', 'app-documents': 'PASS', 'app-documents-ireland': 'PASS', 'app-purge': 'PASS',
    });
    expect(r['app-uploads-apac']!.reason).toContain('ap-southeast-1');
    expect(r['app-reports']!.reason).toContain('ap-northeast-1');
    expect(r['app-media']!.reason).toContain('arn:aws:s3:::media-copy-somewhere');
    expect(r['app-media']!.reason).toContain(`searched ${APP}, ${DR}`);
    // the join: the destination's region came from the DR account's own ListBuckets, asked as its role
    const reports = byCollector(bundle, 's3.buckets').find((x) => x.resource.endsWith(':app-reports'))!;
    expect(data(reports)['ReplicationDestinations']).toEqual([{
      Rule: 'to-dr', Bucket: `arn:aws:s3:::dr-reports-${DR}`, Account: DR, SameAccount: false, Region: 'ap-northeast-1', RegionFrom: `ListBuckets of ${DR}`,
    }]);
    const documents = byCollector(bundle, 's3.buckets').find((x) => x.resource.endsWith(':app-documents'))!;
    // the disabled rule copies nothing and is not judged
    expect(data(documents)['ReplicationDestinations']).toEqual([{
      Rule: 'to-ireland', Bucket: 'arn:aws:s3:::app-documents-ireland', Account: APP, SameAccount: true, Region: 'eu-west-1', RegionFrom: `ListBuckets of ${APP}`,
    }]);
    // the DR account is listed once for the whole run, whichever collection asked first
    expect(sb.callLog().filter((c) => c.call === 's3:ListBuckets' && c.account === DR).length).toBe(2);
  });

  it('encryption: SSE-S3 where the project accepts KMS only FAILs naming AES256; KMS and DSSE-KMS pass', () => {
    const r = findings('s3-data-bucket-encryption');
    expect(r['app-exports']).toMatchObject({ status: 'FAIL' });
    expect(r['app-exports']!.reason).toContain('AES256');
    for (const b of ['app-uploads-apac', 'app-reports', 'app-documents', 'app-purge']) expect(r[b]?.status, b).toBe('PASS');
    // the media bucket's unknown replication destination does not hide its encryption, which was read
    expect(r['app-media']?.status).toBe('PASS');
  });

  it('deletion window: kept 90 days with noncurrent versions forever FAILs with the days; the purge bucket passes', () => {
    const r = findings('s3-data-bucket-deletion-window');
    // only the buckets the project names; the media bucket's unknown destination leaves its name, hence its scope, known
    expect(Object.keys(r).sort()).toEqual(['app-deleted-accounts', 'app-purge']);
    expect(r['app-deleted-accounts']!.status).toBe('FAIL');
    expect(r['app-deleted-accounts']!.reason).toContain('90');
    expect(r['app-purge']!.status).toBe('PASS');
  });
});
