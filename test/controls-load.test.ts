import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAttestations, loadCatalog, loadProject, loadWaivers } from '../src/controls/load.js';
import type { LoadProblem } from '../src/controls/model.js';

const FIX = join(import.meta.dirname, 'fixtures');
const GOOD = join(FIX, 'controls-good');
const BAD = join(FIX, 'controls-bad', 'catalog');
const PROJECT = join(FIX, 'controls-bad', 'project');
const known = new Set(['rds.db-clusters', 'rds.cluster-topology', 'config.rule-evaluations']);

/** file name, line, col, rule: what a user needs to find and understand the problem */
const brief = (p: LoadProblem): [string, number, number, string] => [p.file.split('/').pop()!, p.line, p.col, p.rule];

describe('loadCatalog on a valid catalog', () => {
  const cat = loadCatalog(GOOD, { knownCollectors: known });

  it('loads every control sorted by file name, with no problems', () => {
    expect(cat.problems).toEqual([]);
    expect(cat.controls.map((c) => c.id)).toEqual(['cluster-encrypted', 'cluster-multi-az', 'trail-validation', 'backup-restore-test']);
    expect(cat.controls[0]!.source).toEqual({ file: join(GOOD, 'a-encrypted.yaml'), line: 1 });
  });

  it('keeps requirement ids and versions that YAML would read as numbers as their text', () => {
    const pci = cat.frameworks.find((f) => f.id === 'pci-dss-4.0.1')!;
    expect(pci.requirements.map((r) => r.id)).toEqual(['3.5.1', '3.10']);
    expect(cat.frameworks.find((f) => f.id === 'soc2')!.version).toBe('2017');
    expect(cat.controls[0]!.frameworks['pci-dss-4.0.1']).toEqual(['3.5.1', '3.10']);
  });

  it('accepts a requirement group heading', () => {
    expect(cat.frameworks.find((f) => f.id === 'soc2')!.requirements[0]).toEqual({ id: 'CC6.1', title: 'Logical access security', group: 'Logical and physical access' });
  });

  it('expands the config_rule shorthand', () => {
    const c = cat.controls.find((x) => x.id === 'trail-validation')!;
    expect(c.collector).toBe('config.rule-evaluations');
    // the managed rule by identifier, AWS-owned (a custom rule reusing the identifier does not count)
    expect(c.scope).toEqual({
      all: [
        { path: 'SourceIdentifier', op: 'equals', value: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED' },
        { path: 'SourceOwner', op: 'equals', value: 'AWS', says: 'the rule is an AWS managed rule' },
      ],
    });
    expect(c.assert).toEqual({
      all: [
        { path: 'ComplianceType', op: 'equals', value: 'COMPLIANT' },
        { path: 'RecorderRecording', op: 'equals', value: true, says: "the region's AWS Config recorder is recording" },
      ],
    });
    expect(c.when_none_in_scope).toBe('fail');
  });
});

describe('loadCatalog reports every problem at once with FILE:LINE:COL and a rule', () => {
  const cat = loadCatalog(BAD, { knownCollectors: known });
  const found = cat.problems.map(brief);
  const msg = (file: string): string => cat.problems.filter((p) => p.file.endsWith(file)).map((p) => p.message).join(' | ');

  it.each([
    ['01-yaml-syntax.yaml', 4, 1, 'yaml-syntax'],
    ['02-unknown-key.yaml', 4, 1, 'schema'],
    ['02-unknown-key.yaml', 1, 1, 'schema'],
    ['03-wrong-type.yaml', 9, 9, 'schema'],
    ['04-missing-field.yaml', 1, 1, 'schema'],
    ['06-duplicate-b.yaml', 2, 5, 'duplicate-id'],
    ['07-unknown-collector.yaml', 6, 12, 'unknown-collector'],
    ['08-unknown-framework.yaml', 10, 3, 'unknown-framework'],
    ['09-unknown-requirement.yaml', 9, 17, 'unknown-requirement'],
    ['10-invalid-jmespath.yaml', 10, 13, 'invalid-jmespath'],
    ['11-unknown-operator.yaml', 10, 11, 'unknown-operator'],
    ['12-unknown-parameter.yaml', 10, 10, 'unknown-parameter'],
    ['13-example-parameter.yaml', 15, 19, 'example-parameter'],
    ['14-automated-without-assert.yaml', 1, 1, 'schema'],
    // an automated control needs a passing and a failing example (at `kind`, or at `examples`)
    ['07-unknown-collector.yaml', 5, 7, 'missing-examples'],
    ['13-example-parameter.yaml', 12, 1, 'missing-examples'],
  ] as const)('%s:%i:%i %s', (file, line, col, rule) => {
    expect(found).toContainEqual([file, line, col, rule]);
  });

  it('says which key and what was expected, in plain words', () => {
    expect(msg('02-unknown-key.yaml')).toContain('unknown key "severty"');
    expect(msg('02-unknown-key.yaml')).toContain('missing required field "severity"');
    expect(msg('03-wrong-type.yaml')).toBe('frameworks.soc2 should be a list, got text "CC6.1"');
    expect(msg('04-missing-field.yaml')).toBe('missing required field "remediation" at the top level');
    expect(msg('06-duplicate-b.yaml')).toContain('already used by ' + join(BAD, '05-duplicate-a.yaml'));
    expect(msg('11-unknown-operator.yaml')).toContain('unknown operator "equal" in assert.any[0].op');
    expect(msg('10-invalid-jmespath.yaml')).toContain('assert.all[1].path');
    expect(msg('14-automated-without-assert.yaml')).toContain('needs `collector` and `assert`, or the `config_rule` shorthand');
    expect(msg('07-unknown-collector.yaml')).toContain('automated control "unknown-collector" needs examples of a resource that passes and of one that fails');
    expect(msg('13-example-parameter.yaml')).toContain('automated control "example-parameter" needs examples of a resource that fails (');
  });

  it('returns only the controls that are valid, and nothing else is reported', () => {
    expect(cat.controls.map((c) => c.id)).toEqual(['dup']);
    // 14 problems, plus missing-examples on the five automated controls that reach the catalog checks
    expect(cat.problems).toHaveLength(19);
    expect(cat.problems.filter((p) => p.rule === 'missing-examples')).toHaveLength(5);
  });

  it('reports a missing directory as a problem instead of throwing', () => {
    const r = loadCatalog(join(FIX, 'no-such-dir'), { knownCollectors: known });
    expect(r.problems.map(brief)).toEqual([['no-such-dir', 1, 1, 'missing-file']]);
    expect(r.controls).toEqual([]);
  });
});

describe('loadProject', () => {
  const controls = loadCatalog(GOOD, { knownCollectors: known }).controls;

  it('flags parameters and control_parameters no control declares', () => {
    const r = loadProject(join(PROJECT, 'trustpack.yaml'), { controls });
    expect(r.problems.map(brief)).toEqual([
      ['trustpack.yaml', 5, 3, 'unknown-parameter'],
      ['trustpack.yaml', 9, 5, 'unknown-parameter'],
      ['trustpack.yaml', 10, 3, 'unknown-parameter'],
    ]);
    expect(r.problems[1]!.message).toBe('control "cluster-multi-az" has no parameter "max_zones" (it declares: min_member_zones)');
    expect(r.config.control_parameters?.['cluster-multi-az']?.['min_member_zones']).toBe(2);
  });

  it('reports schema problems', () => {
    const r = loadProject(join(PROJECT, 'trustpack-bad-schema.yaml'));
    expect(r.problems.map(brief)).toEqual([
      ['trustpack-bad-schema.yaml', 3, 1, 'schema'],
      ['trustpack-bad-schema.yaml', 2, 10, 'schema'],
    ]);
  });

  it('reports a missing file', () => {
    expect(loadProject(join(PROJECT, 'nope.yaml')).problems.map(brief)).toEqual([['nope.yaml', 1, 1, 'missing-file']]);
  });
});

describe('loadWaivers and loadAttestations', () => {
  const controls = loadCatalog(GOOD, { knownCollectors: known }).controls;

  it('reports missing fields, bad and impossible dates, unknown controls, all at once', () => {
    const r = loadWaivers(join(PROJECT, 'waivers.yaml'), { controls });
    expect(r.problems.map(brief)).toEqual([
      ['waivers.yaml', 12, 5, 'schema'],
      ['waivers.yaml', 15, 14, 'schema'],
      ['waivers.yaml', 6, 14, 'schema'],
      ['waivers.yaml', 7, 14, 'unknown-control'],
    ]);
    expect(r.problems[0]!.message).toBe('missing required field "reason" in waivers[2]');
    expect(r.problems[2]!.message).toBe('waivers[0].expires "2027-02-30" is not a real date');
  });

  it('a waiver without approved_on loads, with one warning at its line saying how to add it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustpack-waivers-'));
    const file = join(dir, 'waivers.yaml');
    writeFileSync(file, [
      'waivers:',
      '  - control: rds-cluster-encrypted-at-rest',
      '    resource: "arn:aws:rds:*"',
      '    reason: rebuilt nightly',
      '    approver: CTO',
      '    approved_on: "2026-11-10"',
      '    expires: "2027-01-31"',
      '  - control: rds-cluster-encrypted-at-rest',
      '    resource: "arn:aws:rds:*:cluster:old-*"',
      '    reason: decommissioning',
      '    approver: CTO',
      '    expires: "2027-01-31"',
      '',
    ].join('\n'));
    const r = loadWaivers(file);
    expect(r.problems).toEqual([]);
    expect(r.waivers).toHaveLength(2);
    expect(r.warnings.map(brief)).toEqual([['waivers.yaml', 8, 5, 'waiver-approval-date']]);
    expect(r.warnings[0]!.message).toContain('approved_on: YYYY-MM-DD');
    expect(loadWaivers(file).waivers[0]!.approved_on).toBe('2026-11-10');
  });

  it('an impossible approved_on is a problem at its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustpack-waivers-'));
    const file = join(dir, 'waivers.yaml');
    writeFileSync(file, 'waivers:\n  - control: a\n    resource: x\n    reason: r\n    approver: p\n    approved_on: "2026-02-30"\n    expires: "2027-01-31"\n');
    expect(loadWaivers(file).problems.map(brief)).toEqual([['waivers.yaml', 6, 18, 'schema']]);
  });

  it('reports unknown keys and a malformed sha256', () => {
    const r = loadAttestations(join(PROJECT, 'attestations.yaml'));
    expect(r.problems.map(brief)).toEqual([
      ['attestations.yaml', 8, 5, 'schema'],
      ['attestations.yaml', 6, 13, 'schema'],
    ]);
    expect(r.attestations).toEqual([]);
  });
});

describe('schema problems are worded for YAML authors', () => {
  const cat = loadCatalog(join(FIX, 'controls-bad', 'shapes'), { knownCollectors: known });
  const lines = cat.problems.map((p) => `${p.file.split('/').pop()}:${p.line}:${p.col}: ${p.message} [${p.rule}]`);

  it.each([
    'assertion-shapes.yaml:9:7: assert.all[0]: `exists` and `absent` take no value or param [schema]',
    'assertion-shapes.yaml:10:7: assert.all[1]: a comparison needs exactly one of `value` or `param` [schema]',
    'assertion-shapes.yaml:11:14: assert.all[2].not: a comparison needs exactly one of `value` or `param` [schema]',
    'assertion-shapes.yaml:12:14: assert.all[3].any must list at least 1 item(s) [schema]',
    'assertion-shapes.yaml:13:53: unknown key "extra" in assert.all[4]; allowed keys: all [schema]',
    'manual-with-collector.yaml:1:1: a manual control is proven by an attestation; remove collector, scope, assert, config_rule and when_none_in_scope [schema]',
    'manual-with-collector.yaml:1:5: id is "Bad_ID", which must be lower-case letters, digits and dashes (e.g. rds-cluster-encrypted-at-rest) [schema]',
    'manual-with-collector.yaml:4:11: severity is "urgent", expected one of: critical, high, medium, low, info [schema]',
    'manual-with-collector.yaml:9:3: parameters has an invalid name "Window": parameter names are lower_snake_case [schema]',
    'manual-with-collector.yaml:9:22: parameters.Window.default: a parameter default is a number, a string, a boolean or a list of strings [schema]',
    'manual-with-collector.yaml:10:13: frameworks: map at least one framework to a list of requirement ids [schema]',
    'manual-with-collector.yaml:15:38: examples[0].expect is "passes", expected one of: pass, fail, not-applicable, error, manual [schema]',
  ])('%s', (line) => {
    expect(lines).toContain(line);
  });
});

describe('files that are not one control', () => {
  it('reports empty files, lists and multi-document files, and ignores non-YAML files', () => {
    const cat = loadCatalog(join(FIX, 'controls-bad', 'odd-files'), { knownCollectors: known });
    expect(cat.problems.map((p) => [...brief(p), p.message])).toEqual([
      ['empty.yaml', 1, 1, 'schema', 'the file is empty'],
      ['list.yaml', 1, 1, 'schema', 'the file should be a mapping (key: value), got a list'],
      ['multi.yaml', 2, 1, 'yaml-syntax', 'the file holds more than one YAML document (a second ---); keep one per file'],
    ]);
  });

  it('a catalog without frameworks/ says where framework catalogs belong', () => {
    const cat = loadCatalog(join(FIX, 'controls-bad', 'project'), { knownCollectors: known });
    expect(cat.problems[0]).toMatchObject({ line: 1, col: 1, rule: 'missing-file' });
    expect(cat.problems[0]!.file.endsWith('frameworks')).toBe(true);
    expect(cat.problems[0]!.message).toBe('directory not found; expected the folder of framework catalogs (one <framework-id>.yaml each)');
  });
});
