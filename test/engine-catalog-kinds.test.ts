// The engine features the catalog's claims need: inherited controls, attestation examples,
// error_when (a resource that cannot be judged) and needs_every_region (residency).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/engine/evaluate.js';
import { runExamples } from '../src/engine/examples.js';
import type { Control } from '../src/controls/model.js';
import { bundle, complete, record } from './engine-helpers.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const base = { description: 'd', severity: 'high' as const, frameworks: { soc2: ['A1.2'] }, remediation: 'r' };

const inherited: Control = {
  ...base, id: 'inherited-storage', title: 'provider storage', kind: 'inherited',
  provider: { name: 'Amazon Web Services', documentation: 'https://docs.aws.amazon.com/' },
  attestation: { evidence: 'the provider SOC 2 report', max_age_days: 365 },
};

describe('inherited controls', () => {
  it('are MANUAL with a current attestation and FAIL without, like manual ones', () => {
    const b = bundle(['111122223333'], ['us-east-1'], [], []);
    const without = evaluate([inherited], b, { toolVersion: 't', now: NOW });
    expect(without.controls[0]).toMatchObject({ kind: 'inherited', status: 'FAIL' });
    // a held copy of the provider's report (a bare URL is FAIL: its content can change; see test/claims.test.ts)
    const a = { control: 'inherited-storage', attested_by: 'Dana', attested_at: '2026-06-01', document: 'documents/aws-soc2.pdf', sha256: 'a'.repeat(64), expires: '2027-05-31' };
    const withIt = evaluate([inherited], b, { toolVersion: 't', now: NOW, attestations: [a] });
    expect(withIt.controls[0]).toMatchObject({ status: 'MANUAL', attestation: { current: true } });
  });
});

describe('attestation examples', () => {
  const text = 'the report\n';
  const sha = createHash('sha256').update(text).digest('hex');
  const att = { attested_by: 'Dana', attested_at: '2026-06-01', document: 'documents/r.md', sha256: sha, expires: '2027-05-31' };
  it('judge current, expired and changed documents with the run\'s own rules', () => {
    const c: Control = { ...inherited, examples: [
      { name: 'current', now: NOW.toISOString(), attestation: att, document_text: text, expect: 'manual' },
      { name: 'expired', now: '2027-06-01T00:00:00Z', attestation: att, document_text: text, expect: 'fail' },
      { name: 'changed', now: NOW.toISOString(), attestation: att, document_text: 'the report, edited\n', expect: 'fail' },
      { name: 'wrongly expected', now: NOW.toISOString(), attestation: att, document_text: text, expect: 'fail' },
    ] };
    const r = runExamples([c]);
    expect(r.map((x) => [x.example, x.actual, x.ok])).toEqual([
      ['current', 'manual', true], ['expired', 'fail', true], ['changed', 'fail', true], ['wrongly expected', 'manual', false],
    ]);
    expect(r[2]!.reason).toMatch(/changed after it was attested/);
  });
});

describe('error_when', () => {
  const c: Control = {
    ...base, id: 'tls-min', title: 't', kind: 'automated', collector: 'rds.cluster-tls-version',
    error_when: { path: 'MinimumTlsVersion', op: 'absent', says: 'the default is unknown' },
    assert: { path: 'MinimumTlsVersion', op: 'in', value: ['TLSv1.2', 'TLSv1.3'] },
  };
  const recs = (v: string | null) => [record('rds.cluster-tls-version', '111122223333', 'us-east-1', 'arn:aws:rds:us-east-1:111122223333:cluster:a', { MinimumTlsVersion: v })];
  const run = (v: string | null) => evaluate([c], bundle(['111122223333'], ['us-east-1'], complete('rds.cluster-tls-version', ['111122223333'], ['us-east-1']), recs(v)), { toolVersion: 't', now: NOW }).controls[0]!;
  it('makes an unjudgeable resource ERROR, never PASS or FAIL', () => {
    const r = run(null);
    expect(r.status).toBe('ERROR');
    expect(r.findings[0]).toMatchObject({ status: 'ERROR', reason: 'cannot be judged: the default is unknown' });
    expect(r.reason).toMatch(/cannot be judged/);
  });
  it('leaves judgeable resources to the assertion', () => {
    expect(run('TLSv1.2').status).toBe('PASS');
    expect(run('TLSv1').status).toBe('FAIL');
  });
  it('gives examples the error verdict', () => {
    const r = runExamples([{ ...c, examples: [{ name: 'unknown', resource: { MinimumTlsVersion: null }, expect: 'error' }] }]);
    expect(r[0]).toMatchObject({ actual: 'error', ok: true });
  });
});

describe('needs_every_region', () => {
  const c: Control = {
    ...base, id: 'residency', title: 'r', kind: 'automated', collector: 'rds.data-locations', needs_every_region: true,
    assert: { path: 'Region', op: 'in', value: ['us-east-1', 'eu-central-1'] },
  };
  const recs = [record('rds.data-locations', '111122223333', 'us-east-1', 'arn:aws:rds:us-east-1:111122223333:cluster:a', { Region: 'us-east-1' })];
  const run = (accountRegions?: Record<string, string[]>) => {
    const b = bundle(['111122223333'], ['us-east-1'], complete('rds.data-locations', ['111122223333'], ['us-east-1']), recs);
    // what a --regions all collection records: the regions enabled in each account
    if (accountRegions) Object.assign(b.manifest, { accountRegions });
    return evaluate([c], b, { toolVersion: 't', now: NOW }).controls[0]!;
  };
  it('is ERROR when the run does not say which regions are enabled', () => {
    const r = run();
    expect(r.status).toBe('ERROR');
    expect(r.findings.find((f) => f.status === 'ERROR')?.reason).toMatch(/does not record which regions are enabled in account 111122223333/);
  });
  it('names the enabled regions the run did not collect, once each', () => {
    const r = run({ '111122223333': ['us-east-1', 'eu-central-1', 'ap-southeast-2'] });
    expect(r.status).toBe('ERROR');
    // one ERROR finding per unseen region (the engine judges the account over its enabled
    // regions), none duplicating it; the collected region is still judged
    const errors = r.findings.filter((f) => f.status === 'ERROR');
    expect(errors.map((f) => f.region).sort()).toEqual(['ap-southeast-2', 'eu-central-1']);
    for (const f of errors) {
      expect(f.reason).toMatch(new RegExp(`enabled region ${f.region} of account 111122223333 was not collected .*would go unseen`));
    }
    expect(r.findings.filter((f) => f.status === 'PASS').map((f) => f.region)).toEqual(['us-east-1']);
  });
  it('is ERROR for an unseen enabled region even without needs_every_region: never a PASS', () => {
    const b = bundle(['111122223333'], ['us-east-1'], complete('rds.data-locations', ['111122223333'], ['us-east-1']), recs);
    Object.assign(b.manifest, { accountRegions: { '111122223333': ['us-east-1', 'ap-southeast-2'] } });
    const r = evaluate([{ ...c, needs_every_region: false }], b, { toolVersion: 't', now: NOW }).controls[0]!;
    expect(r.status).toBe('ERROR');
    expect(r.findings.filter((f) => f.status === 'ERROR').map((f) => f.region)).toEqual(['ap-southeast-2']);
  });
  it('passes only when every enabled region was collected', () => {
    expect(run({ '111122223333': ['us-east-1'] }).status).toBe('PASS');
  });
});

describe('config_rule with a scope of its own', () => {
  it('narrows the rule\'s resources and still matches the rule', async () => {
    const { expandConfigRule } = await import('../src/controls/expand.js');
    const c = expandConfigRule({
      ...base, id: 'lock', title: 'l', kind: 'automated', config_rule: 'S3_BUCKET_DEFAULT_LOCK_ENABLED',
      config_rule_parameters: { mode: { equals: 'COMPLIANCE' } },
      scope: { path: 'ResourceId', op: 'in', value: ['logs'] },
    });
    // shaped as collectors/config-rule-evaluations.ts writes them: the rule's owner and parsed InputParameters
    const ev = (rule: string, bucket: string, compliance: string, mode = 'COMPLIANCE', owner = 'AWS') => record('config.rule-evaluations', '111122223333', 'us-east-1', `arn:aws:s3:::${bucket}`,
      { SourceIdentifier: rule, SourceOwner: owner, InputParameters: { mode }, ResourceId: bucket, ComplianceType: compliance, RecorderRecording: true });
    const b = bundle(['111122223333'], ['us-east-1'], complete('config.rule-evaluations', ['111122223333'], ['us-east-1']), [
      ev('S3_BUCKET_DEFAULT_LOCK_ENABLED', 'logs', 'COMPLIANT'),
      ev('S3_BUCKET_DEFAULT_LOCK_ENABLED', 'marketing', 'NON_COMPLIANT'),
      ev('S3_BUCKET_VERSIONING_ENABLED', 'logs', 'NON_COMPLIANT'),
      // the control's own scope never replaces the owner and strictness checks
      ev('S3_BUCKET_DEFAULT_LOCK_ENABLED', 'logs', 'NON_COMPLIANT', 'GOVERNANCE'),
      ev('S3_BUCKET_DEFAULT_LOCK_ENABLED', 'logs', 'NON_COMPLIANT', 'COMPLIANCE', 'CUSTOM_LAMBDA'),
    ]);
    const r = evaluate([c], b, { toolVersion: 't', now: NOW }).controls[0]!;
    expect(r.status).toBe('PASS');
    expect(r.findings.map((f) => f.resource)).toEqual(['arn:aws:s3:::logs']);
  });
});
