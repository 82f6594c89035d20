// Fixture AWS Config: recorders with their status, managed rules and their evaluations.
import type { Cursor } from './reader.js';
import { configRuleId, resourceToken } from './defaults.js';
import type { ConfigRegion, WireObject } from './model.js';
import { arn, type Ctx } from './fixture-context.js';

const COMPLIANCE = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'] as const;

export function readConfig(c: Cursor, ctx: Ctx): ConfigRegion {
  c.keys(['recorders', 'rules']);
  const out: ConfigRegion = { recorders: [], statuses: [], rules: [] };
  for (const rc of c.list('recorders')) {
    rc.keys(['name', 'recording', 'last_status', 'all_supported', 'include_global', 'resource_types', 'role', 'last_start', 'last_stop', 'last_status_change', 'service_principal', 'frequency', 'daily_types', 'exclude_types']);
    // a service-linked recorder (one an AWS service keeps for itself) names its service
    const servicePrincipal = rc.optStr('service_principal');
    const name = rc.str('name', 'default');
    const recording = rc.bool('recording', true);
    const resourceTypes = rc.strings('resource_types');
    // recording mode (issue 22): the default frequency, daily overrides, and an exclusion list
    const frequency = rc.oneOf('frequency', ['CONTINUOUS', 'DAILY'] as const, 'CONTINUOUS');
    const dailyTypes = rc.strings('daily_types');
    const excluded = rc.strings('exclude_types');
    if (excluded.length > 0 && resourceTypes.length > 0) rc.fail('a recorder has either "resource_types" (an inclusion list) or "exclude_types", not both');
    out.recorders.push({
      arn: arn(ctx, 'config', `configuration-recorder/${name}/${resourceToken(16, ctx.account, ctx.region, name).toLowerCase()}`),
      name,
      roleARN: rc.str('role', `arn:aws:iam::${ctx.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`),
      recordingGroup: ((all) => ({
        allSupported: all, includeGlobalResourceTypes: rc.bool('include_global', true), resourceTypes,
        // AWS reports the strategy beside the flags
        ...(excluded.length ? { exclusionByResourceTypes: { resourceTypes: excluded } } : {}),
        recordingStrategy: { useOnly: all ? 'ALL_SUPPORTED_RESOURCE_TYPES' : excluded.length ? 'EXCLUSION_BY_RESOURCE_TYPES' : 'INCLUSION_BY_RESOURCE_TYPES' },
      }))(rc.bool('all_supported', resourceTypes.length === 0 && excluded.length === 0)),
      recordingMode: {
        recordingFrequency: frequency,
        recordingModeOverrides: dailyTypes.length ? [{ description: 'daily', resourceTypes: dailyTypes, recordingFrequency: 'DAILY' }] : [],
      },
      recordingScope: servicePrincipal ? 'INTERNAL' : 'PAID',
      ...(servicePrincipal ? { servicePrincipal } : {}),
    });
    const lastStart = rc.date('last_start', '90 days ago');
    out.statuses.push({
      arn: out.recorders[out.recorders.length - 1]!['arn'],
      name,
      lastStartTime: lastStart,
      lastStopTime: recording ? undefined : rc.date('last_stop', '1 day ago'),
      recording,
      lastStatus: rc.oneOf('last_status', ['SUCCESS', 'FAILURE', 'PENDING'] as const, 'SUCCESS'),
      lastStatusChangeTime: rc.date('last_status_change', '10 minutes ago'),
    });
  }
  for (const rc of c.list('rules')) {
    rc.keys(['name', 'source_identifier', 'owner', 'description', 'input_parameters', 'resource_types', 'state', 'frequency', 'evaluations', 'created_by']);
    const name = rc.str('name');
    if (out.rules.some((r) => r.rule.ConfigRuleName === name)) rc.fail(`config rule ${name} appears twice in ${ctx.region}`);
    const ruleId = configRuleId(ctx.account, ctx.region, name);
    const params = rc.scalarMap('input_parameters');
    const resourceTypes = rc.strings('resource_types');
    const rule: RuleObject = {
      ConfigRuleName: name,
      ConfigRuleArn: arn(ctx, 'config', `config-rule/${ruleId}`),
      ConfigRuleId: ruleId,
      Description: rc.str('description', `Managed rule ${rc.str('source_identifier')}`),
      Scope: resourceTypes.length ? { ComplianceResourceTypes: resourceTypes } : undefined,
      Source: { Owner: rc.oneOf('owner', ['AWS', 'CUSTOM_LAMBDA', 'CUSTOM_POLICY'] as const, 'AWS'), SourceIdentifier: rc.str('source_identifier') },
      InputParameters: Object.keys(params).length ? JSON.stringify(params) : '{}',
      MaximumExecutionFrequency: rc.optStr('frequency'),
      ConfigRuleState: rc.oneOf('state', ['ACTIVE', 'DELETING', 'DELETING_RESULTS', 'EVALUATING'] as const, 'ACTIVE'),
      EvaluationModes: [{ Mode: 'DETECTIVE' }],
      // rules an AWS service deployed (Security Hub, conformance packs) say which
      CreatedBy: rc.optStr('created_by'),
    };
    const evaluations = rc.list('evaluations').map((ec) => {
      ec.keys(['resource_type', 'resource_id', 'compliance', 'recorded', 'annotation']);
      const recorded = ec.date('recorded', '1 hour ago');
      return {
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ConfigRuleName: name, ResourceType: ec.str('resource_type'), ResourceId: ec.str('resource_id'), EvaluationMode: 'DETECTIVE' },
          OrderingTimestamp: recorded,
        },
        ComplianceType: ec.oneOf('compliance', COMPLIANCE),
        ResultRecordedTime: recorded,
        ConfigRuleInvokedTime: new Date(recorded.getTime() - 1000),
        Annotation: ec.optStr('annotation'),
      };
    });
    out.rules.push({ rule, evaluations });
  }
  return out;
}

type RuleObject = WireObject & { ConfigRuleName: string };
