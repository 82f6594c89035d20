// Config rules as corroboration, not proof (issue 22): a config_rule control whose claim a
// read-API control proves is evaluated only when the project asks; then its verdict is shown
// beside the read-API control's (which keeps its own status) and a disagreement is a warning.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluate } from '../src/engine/evaluate.js';
import { loadCatalog } from '../src/controls/load.js';
import { COLLECTORS } from '../collectors/registry.js';
import { renderJson } from '../src/output/json.js';
import { bundle, complete, record } from './engine-helpers.js';
import { ROOT } from './helpers/cli.js';

const ACC = '111122223333';
const REGION = 'us-east-1';
const now = new Date('2026-11-28T12:00:00Z');
const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACC}:trail/org-trail`;

// the trail stopped logging (the API says FAIL) while the validation rule still reports it COMPLIANT
const evidence = bundle([ACC], [REGION], [...complete('cloudtrail.trails', [ACC], [REGION]), ...complete('config.rule-evaluations', [ACC], [REGION])], [
  record('cloudtrail.trails', ACC, REGION, TRAIL, { Name: 'org-trail', TrailARN: TRAIL, HomeRegion: REGION, IsMultiRegionTrail: true, LogFileValidationEnabled: true, Status: { IsLogging: false } }),
  record('config.rule-evaluations', ACC, REGION, `${TRAIL}#cloudtrail-log-file-validation-enabled`, {
    ConfigRuleName: 'cloudtrail-log-file-validation-enabled', SourceIdentifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', SourceOwner: 'AWS',
    ResourceType: 'AWS::CloudTrail::Trail', ResourceId: 'org-trail', ComplianceType: 'COMPLIANT', RecorderRecording: true, InputParameters: {},
  }),
]);
const controls = catalog.controls.filter((c) => ['cloudtrail-trail-logging-validated', 'cloudtrail-log-file-validation'].includes(c.id));

describe('config rules as corroboration', () => {
  it('the catalog marks every rule whose claim a read API proves', () => {
    const marked = Object.fromEntries(catalog.controls.filter((c) => c.corroborates).map((c) => [c.id, c.corroborates]));
    expect(marked).toEqual({
      'cloudtrail-log-file-validation': 'cloudtrail-trail-logging-validated',
      'cloudtrail-multi-region-all-events': 'cloudtrail-trail-records-management-events',
      'cloudwatch-log-group-retention': 'cloudwatch-audit-log-groups-retention',
      'config-rule-rds-storage-encrypted': 'rds-instance-encrypted-at-rest',
      'guardduty-enabled': 'guardduty-detector-features-findings',
      'guardduty-rds-protection': 'guardduty-detector-features-findings',
      's3-log-buckets-object-lock-compliance': 'cloudtrail-trail-bucket-vaulted',
    });
  });

  it('by default the rule is not evaluated: the API alone decides, and no rule evaluation is needed', () => {
    const r = evaluate(controls, evidence, { toolVersion: 't', now });
    expect(r.controls.map((c) => [c.id, c.status])).toEqual([['cloudtrail-trail-logging-validated', 'FAIL']]);
    expect(r.warnings).toBeUndefined();
  });

  it('enabled, the rule is shown beside the API control, which keeps its status; the disagreement is a warning', () => {
    const r = evaluate(controls, evidence, { toolVersion: 't', now, project: { corroborate_with_config_rules: true } });
    const api = r.controls.find((c) => c.id === 'cloudtrail-trail-logging-validated')!;
    const rule = r.controls.find((c) => c.id === 'cloudtrail-log-file-validation')!;
    expect(api.status).toBe('FAIL');
    expect(rule).toMatchObject({ status: 'PASS', corroborates: 'cloudtrail-trail-logging-validated' });
    expect(api.corroboration).toEqual([{ control: 'cloudtrail-log-file-validation', status: 'PASS', agrees: false }]);
    expect(r.warnings).toEqual([expect.objectContaining({ kind: 'corroboration-disagrees', control: 'cloudtrail-trail-logging-validated', resource: 'cloudtrail-log-file-validation' })]);
    expect(r.warnings![0]!.message).toContain("the API's verdict stands");
    // the JSON contract carries both
    const json = JSON.parse(renderJson(r)) as { controls: { id: string; corroboration?: unknown }[] };
    expect(json.controls.find((c) => c.id === api.id)!.corroboration).toEqual([{ control: 'cloudtrail-log-file-validation', status: 'PASS', agrees: false }]);
  });

  it('a rule that agrees is shown as agreeing, without a warning', () => {
    const logging = structuredClone(evidence);
    (logging.records[0]!.data as { Status: { IsLogging: boolean } }).Status.IsLogging = true;
    const r = evaluate(controls, logging, { toolVersion: 't', now, project: { corroborate_with_config_rules: true } });
    expect(r.controls.find((c) => c.id === 'cloudtrail-trail-logging-validated')!.corroboration).toEqual([{ control: 'cloudtrail-log-file-validation', status: 'PASS', agrees: true }]);
    expect(r.warnings).toBeUndefined();
  });
});
