import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTORS } from '../collectors/registry.js';
import { loadCatalog } from '../src/controls/load.js';
import { formatProblem } from '../src/controls/model.js';
import { runExamples } from '../src/engine/examples.js';

// The ids collectors/README.md lists; the CLI passes the registry's ids instead.
const KNOWN = new Set([
  'sts.caller-identity', 'rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups',
  'rds.cluster-parameters', 'kms.keys', 'rds.cluster-topology', 'rds.cluster-tls', 'rds.encryption-keys',
  'config.recorders', 'config.rules', 'config.rule-evaluations',
  'rds.cluster-tls-version', 'rds.cluster-audit-settings', 'kms.key-rotations', 'rds.engine-lifecycles',
  'rds.instance-automated-backups', 'rds.global-clusters', 'rds.data-locations',
]);
const ROOT = join(import.meta.dirname, '..');

describe('runExamples', () => {
  it('runs the examples of the test catalog through scope and assertion', () => {
    const cat = loadCatalog(join(ROOT, 'test', 'fixtures', 'controls-good'), { knownCollectors: KNOWN });
    const results = runExamples(cat.controls);
    expect(results.map((r) => [r.control, r.example, r.actual])).toEqual([
      ['cluster-encrypted', 'encrypted', 'pass'],
      ['cluster-encrypted', 'plain', 'fail'],
      ['cluster-multi-az', 'two zones', 'pass'],
      ['cluster-multi-az', 'one zone', 'fail'],
      ['cluster-multi-az', 'one zone allowed', 'pass'],
      ['cluster-multi-az', 'not aurora', 'not-applicable'],
      ['trail-validation', 'compliant', 'pass'],
      ['trail-validation', 'recorder off', 'fail'],
      ['trail-validation', 'other rule', 'not-applicable'],
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[1]!.reason).toBe('StorageEncrypted is false, expected true');
  });

  it('reports a wrong expectation as not ok, with the reason', () => {
    const cat = loadCatalog(join(ROOT, 'test', 'fixtures', 'controls-good'), { knownCollectors: KNOWN });
    const c = { ...cat.controls[0]!, examples: [{ name: 'wrong', resource: { StorageEncrypted: false }, expect: 'pass' as const }] };
    expect(runExamples([c])).toEqual([{ control: 'cluster-encrypted', example: 'wrong', expected: 'pass', actual: 'fail', ok: false, reason: 'StorageEncrypted is false, expected true' }]);
  });

  it('project parameters apply, example parameters override them', () => {
    const cat = loadCatalog(join(ROOT, 'test', 'fixtures', 'controls-good'), { knownCollectors: KNOWN });
    const multi = cat.controls.filter((c) => c.id === 'cluster-multi-az');
    const r = runExamples(multi, { parameters: { min_member_zones: 3 } });
    expect(r.map((x) => x.actual)).toEqual(['fail', 'fail', 'pass', 'not-applicable']);
  });

  it('every example of the real catalog in controls/ holds', () => {
    // the real catalog against the real registry: every collector a control may name
    const cat = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
    expect(cat.problems.map(formatProblem)).toEqual([]);
    expect(cat.controls.length).toBeGreaterThan(0);
    const failing = runExamples(cat.controls).filter((r) => !r.ok);
    expect(failing).toEqual([]);
  });
});
