// The parameter type registry and where it is enforced: control defaults and examples (the
// catalog), trustpack.yaml's parameters and control_parameters (the project), the CLI's exit 2.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkParameterValue, PARAMETER_TYPE_IDS } from '../src/controls/parameter-types.js';
import { loadCatalog, loadProject } from '../src/controls/load.js';
import type { LoadProblem } from '../src/controls/model.js';
import { COLLECTORS } from '../collectors/registry.js';
import { ROOT, runCli } from './helpers/cli.js';

const FIX = join(import.meta.dirname, 'fixtures', 'parameter-types');
const brief = (p: LoadProblem): [string, number, number, string] => [p.file.split('/').pop()!, p.line, p.col, p.rule];
const known = new Set(COLLECTORS.map((c) => c.id));

describe('the registry', () => {
  it('is the enum of control.schema.json, one list in step with the other', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'controls', 'schema', 'control.schema.json'), 'utf8'));
    expect(schema.$defs.parameter.properties.type.enum).toEqual(PARAMETER_TYPE_IDS);
    expect(schema.$defs.parameter.required).toContain('type');
  });

  it.each([
    ['days', 15, true], ['days', 0, true], ['days', -1, false], ['days', 1.5, false], ['days', '15 days', false], ['days', '15', false],
    ['count', 3, true], ['count', true, false],
    ['account-ids', ['012345678901'], true], ['account-ids', [], true], ['account-ids', [12345678901], false],
    ['account-ids', ['1234'], false], ['account-ids', '012345678901', false],
    ['regions', ['eu-central-1', 'us-gov-west-1'], true], ['regions', ['EU Central'], false], ['regions', 'eu-central-1', false],
    ['arns', ['arn:aws:iam::111122223333:role/audit', 'arn:aws:s3:::bucket'], true], ['arns', ['role/audit'], false],
    ['string', 'aurora', true], ['string', 3, false],
    ['strings', ['rds-ca-rsa2048-g1'], true], ['strings', [1], false],
  ] as const)('%s accepts %j: %s', (type, value, ok) => {
    expect(checkParameterValue(type, value).length === 0).toBe(ok);
  });

  it('names an account id that YAML read as a number, and how to write it', () => {
    const [p] = checkParameterValue('account-ids', [12345678901], () => '012345678901');
    expect(p!.at).toEqual([0]);
    expect(p!.message).toContain('012345678901 is a number');
    expect(p!.message).toContain('quote it: "012345678901"');
  });

  it('every parameter of the shipped catalog declares a type its default fits', () => {
    const cat = loadCatalog(join(ROOT, 'controls'), { knownCollectors: known });
    expect(cat.problems).toEqual([]);
    const params = cat.controls.flatMap((c) => Object.entries(c.parameters ?? {}));
    expect(params.length).toBeGreaterThan(0);
    for (const [, def] of params) expect(checkParameterValue(def.type, def.default)).toEqual([]);
    const accounts = cat.controls.find((c) => c.id === 'rds-snapshot-shared-only-with-allowed-accounts')!;
    expect(accounts.parameters!['allowed_snapshot_accounts']!.type).toBe('account-ids');
  });
});

describe('the catalog', () => {
  const cat = loadCatalog(join(FIX, 'catalog'), { knownCollectors: known });
  const found = cat.problems.map(brief);

  it('a default that does not fit its type, a missing type, two types for one name, a numeric account id in an example', () => {
    expect(found).toContainEqual(['a-bad-default.yaml', 9, 39, 'parameter-type']);
    expect(found).toContainEqual(['b-untyped.yaml', 9, 16, 'schema']);
    expect(found).toContainEqual(['c-conflict.yaml', 9, 24, 'parameter-type']);
    expect(found).toContainEqual(['c-conflict.yaml', 15, 33, 'parameter-type']);
    const text = cat.problems.map((p) => p.message).join('\n');
    expect(text).toContain('parameters.window_days.default (days) should be a whole number of days, 0 or more, got text "15 days"');
    expect(text).toContain('missing required field "type"');
    expect(text).toMatch(/declared as account-ids here but as days in .*a-bad-default\.yaml/);
    expect(text).toContain('012345678901 is a number');
    expect(cat.controls).toEqual([]);
  });
});

describe('trustpack.yaml', () => {
  const controls = loadCatalog(join(ROOT, 'controls'), { knownCollectors: known }).controls;

  it('checks parameters and control_parameters against the declared type, each at its line', () => {
    const r = loadProject(join(FIX, 'trustpack-bad.yaml'), { controls });
    expect(r.problems.map(brief)).toEqual([
      ['trustpack-bad.yaml', 3, 25, 'parameter-type'],
      ['trustpack-bad.yaml', 4, 31, 'parameter-type'],
      ['trustpack-bad.yaml', 4, 45, 'parameter-type'],
      ['trustpack-bad.yaml', 6, 53, 'parameter-type'],
    ]);
    expect(r.problems[0]!.message).toBe('parameters.deletion_window_days (days: a whole number of days, 0 or more) should be a whole number of days, 0 or more, got text "15 days"');
    expect(r.problems[1]!.message).toContain('12-digit AWS account id 012345678901 is a number');
    expect(r.problems[2]!.message).toContain('"44445555666" is not a 12-digit AWS account id');
    expect(r.problems[3]!.message).toContain('control_parameters.rds-cluster-members-multi-az.min_member_zones (count');
  });

  it('takes values that fit', () => {
    expect(loadProject(join(FIX, 'trustpack-good.yaml'), { controls }).problems).toEqual([]);
  });
});

describe('the CLI', () => {
  it('a project value of the wrong type is exit 2 with FILE:LINE:COL and the rule, before any evidence is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-ptypes-'));
    writeFileSync(join(dir, 'trustpack.yaml'), `controls: ${join(ROOT, 'controls')}\nparameters:\n  deletion_window_days: "15 days"\n`);
    for (const args of [['controls', 'validate'], ['evaluate', '--evidence', join(dir, 'no-bundle')]]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${join(dir, 'trustpack.yaml')}:3:25: parameters.deletion_window_days (days`);
      expect(r.stderr).toContain('[parameter-type]');
    }
  });
});
