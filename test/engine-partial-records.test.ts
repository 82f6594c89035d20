// A record missing some fields (AWS Config's history keeps whether a key rotates, not how often):
// a control reading them is ERROR for it unless a part of its top-level `all` that reads none of
// them already fails, and the scope can be judged without them (a scope that reads none of them
// decides as usual: out of scope is no finding).
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/engine/evaluate.js';
import type { Control } from '../src/controls/model.js';
import type { EvidenceRecord } from '../src/evidence/model.js';
import { bundle, complete, record } from './engine-helpers.js';

const ACC = '111122223333';
const REGION = 'us-east-1';
const now = new Date('2026-11-28T12:00:00Z');

const rotation: Control = {
  id: 'kms-cmk-rotation-enabled', title: 'Rotation', description: 'd', severity: 'medium', kind: 'automated', collector: 'kms.keys',
  scope: { path: 'KeyMetadata.Origin', op: 'equals', value: 'AWS_KMS' },
  assert: { all: [
    { path: 'KeyRotationEnabled', op: 'equals', value: true },
    { path: 'RotationPeriodInDays', op: 'less-or-equal', value: 365 },
  ] },
  frameworks: { soc2: ['CC6.1'] }, remediation: 'r',
};

function fromHistory(name: string, data: Record<string, unknown>, fields = ['RotationPeriodInDays', 'NextRotationDate']): EvidenceRecord {
  return { ...record('kms.keys', ACC, REGION, `arn:aws:kms:${REGION}:${ACC}:key/${name}`, data),
    error: { operation: 'config:GetResourceConfigHistory', code: 'FieldNotRecorded', message: 'not kept', fields } };
}

const judge = (control: Control, recs: EvidenceRecord[]) =>
  evaluate([control], bundle([ACC], [REGION], complete('kms.keys', [ACC], [REGION]), recs), { toolVersion: '0.1.0', now }).controls[0]!;

describe('records missing some fields', () => {
  it('FAIL when a known part of the all fails, ERROR when only the unknown part could decide', () => {
    const c = judge(rotation, [
      fromHistory('off', { KeyMetadata: { Origin: 'AWS_KMS' }, KeyRotationEnabled: false }),
      fromHistory('on', { KeyMetadata: { Origin: 'AWS_KMS' }, KeyRotationEnabled: true }),
    ]);
    const by = Object.fromEntries(c.findings.map((f) => [f.resource.split('/').pop(), f]));
    expect(by['off']).toMatchObject({ status: 'FAIL', reason: 'KeyRotationEnabled is false, expected true', values: { KeyRotationEnabled: false } });
    expect(by['on']).toMatchObject({ status: 'ERROR', reason: expect.stringContaining('FieldNotRecorded') as unknown });
    expect(c.status).toBe('FAIL');
  });

  it('a scope reading only known fields still decides: out of scope is no finding; a scope reading a missing field stays ERROR', () => {
    // the scope reads KeyMetadata, which the record has: the key is certainly out of scope
    const external = judge(rotation, [fromHistory('ext', { KeyMetadata: { Origin: 'EXTERNAL' }, KeyRotationEnabled: false })]);
    expect(external.findings.find((f) => f.resource.endsWith('/ext'))).toBeUndefined();
    expect(external.status).toBe('NOT_APPLICABLE');
    const unknownScope = judge(rotation, [fromHistory('x', { KeyRotationEnabled: false }, ['KeyMetadata', 'RotationPeriodInDays'])]);
    expect(unknownScope.findings.find((f) => f.resource.endsWith('/x'))?.status).toBe('ERROR');
  });

  it('an assertion that is not an all stays ERROR whatever the known fields say', () => {
    const any: Control = { ...rotation, assert: { any: [
      { path: 'KeyRotationEnabled', op: 'equals', value: true },
      { path: 'RotationPeriodInDays', op: 'less-or-equal', value: 365 },
    ] } };
    const c = judge(any, [fromHistory('off', { KeyMetadata: { Origin: 'AWS_KMS' }, KeyRotationEnabled: false })]);
    expect(c.findings[0]?.status).toBe('ERROR');
  });
});
