// `config_rule:` controls match the managed rule identifier, whoever deployed the rule (Security
// Hub, a conformance pack, an organization rule, by hand), count only AWS-owned rules whose input
// parameters are at least as strict as the control's, fail when any counted rule is
// NON_COMPLIANT and say which rule decided. Service-linked recorders are not the region's recorder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { expandConfigRule } from '../src/controls/expand.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import type { Control } from '../src/controls/model.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { NOW, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const ESTATE = new URL('../examples/estate/organization.yaml', import.meta.url).pathname;
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
let sb: Sandbox;
let bundle: EvidenceBundle;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(ESTATE, NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  bundle = await collectEvidence({
    regions: ['us-east-1'], toolVersion: 'test', now: () => NOW, collectors: ['config.rule-evaluations', 'config.recorders'],
    roleArns: ['arn:aws:iam::111100000003:role/trustpack-audit', 'arn:aws:iam::111100000004:role/trustpack-audit'],
  });
});
afterAll(async () => { await sb?.close(); });

// the shipped rule control corroborates rds-instance-encrypted-at-rest: evaluated when the project asks
const run = (controls: Control[]) => evaluate(controls, bundle, { toolVersion: 'test', now: NOW, project: { corroborate_with_config_rules: true } }).controls;
const shipped = (id: string) => catalog.controls.find((c) => c.id === id)!;

describe('config rules by managed rule identifier', () => {
  it('counts the Security Hub, conformance pack and organization rules, not a custom rule reusing the name; the NON_COMPLIANT one decides', () => {
    const [r] = run([shipped('config-rule-rds-storage-encrypted')]);
    const inAccount = r!.findings.filter((f) => f.account === '111100000003');
    // siem-db-instance-1: three AWS rules, all COMPLIANT (the custom Lambda rule's NON_COMPLIANT does not count)
    const siem = inAccount.filter((f) => f.resource.endsWith(':db:siem-db-instance-1'));
    expect(siem.map((f) => f.status)).toEqual(['PASS', 'PASS', 'PASS']);
    const byok = inAccount.filter((f) => f.resource.endsWith(':db:byok-db-instance-1'));
    expect(byok.map((f) => f.status).sort()).toEqual(['FAIL', 'PASS']);
    const fail = byok.find((f) => f.status === 'FAIL')!;
    expect(fail.reason).toMatch(/NON_COMPLIANT.*\(AWS Config rule rds-storage-encrypted-conformance-pack-x1y2z3\)/);
    expect(r!.status).toBe('FAIL');
    expect(r!.reason).toContain('rds-storage-encrypted-conformance-pack-x1y2z3');
  });

  it('a service-linked recorder is not the region\'s recorder: its rule results are stale evidence, and the recorder control fails', () => {
    const [rule, recorder] = run([shipped('config-rule-rds-storage-encrypted'), shipped('config-recorder-on')]);
    const search = rule!.findings.find((f) => f.account === '111100000004')!;
    expect(search.status).toBe('FAIL');
    expect(search.reason).toMatch(/RecorderRecording/);
    const own = recorder!.findings.filter((f) => f.account === '111100000003');
    expect(own.map((f) => [f.resource.split('/').at(-2) ?? f.resource, f.status])).toEqual([[expect.stringMatching(/default/), 'PASS']]);
    const none = recorder!.findings.filter((f) => f.account === '111100000004');
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/^no config\.recorders resource where .* found in us-east-1/) });
  });

  it('counts only rules whose input parameters are at least as strict as the control asks', () => {
    const base: Control = {
      id: 'rds-backup-by-config', title: 'AWS Config says RDS clusters are backed up', description: 'd', severity: 'medium', kind: 'automated',
      config_rule: 'DB_BACKUP_ENABLED', frameworks: { soc2: ['A1.2'] }, remediation: 'r',
      parameters: { min_days: { type: 'days', default: 7, description: 'minimum retention', unit: 'days' } },
      config_rule_parameters: { backupRetentionMinimum: { at_least_param: 'min_days' } },
    };
    // the lax conformance-pack rule (1 day) is NON_COMPLIANT but proves less than 7 days: not counted
    const [seven] = run([expandConfigRule(base)]);
    const mine = seven!.findings.filter((f) => f.account === '111100000003');
    expect(mine).toEqual([expect.objectContaining({ status: 'PASS', resource: expect.stringMatching(/:cluster:siem-db$/) })]);
    // asking for 1 day counts both rules: the lax one's NON_COMPLIANT now decides
    const [one] = run([expandConfigRule({ ...base, config_rule_parameters: { backupRetentionMinimum: { at_least: 1 } } })]);
    const both = one!.findings.filter((f) => f.account === '111100000003');
    expect(both.map((f) => f.status).sort()).toEqual(['FAIL', 'PASS']);
    expect(both.find((f) => f.status === 'FAIL')!.reason).toContain('db-backup-enabled-conformance-pack-lax');
    // asking for 30 days counts neither: no rule strict enough is deployed, which fails
    const [thirty] = run([expandConfigRule({ ...base, config_rule_parameters: { backupRetentionMinimum: { at_least: 30 } } })]);
    const none = thirty!.findings.filter((f) => f.account === '111100000003');
    expect(none).toEqual([expect.objectContaining({ status: 'FAIL', reason: expect.stringMatching(/no AWS-owned AWS Config rule with identifier DB_BACKUP_ENABLED and input parameters at least as strict/) })]);
  });
});
