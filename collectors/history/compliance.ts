// config.rule-evaluations at asOf, from the history of AWS::Config::ResourceCompliance: what
// each Config rule had reported on each resource then. Today's evaluations never stand in for
// a past date; without ResourceCompliance recorded at asOf the collection fails (ERROR).
import { ConfigServiceClient, paginateDescribeConfigRules, type ConfigRule } from '@aws-sdk/client-config-service';
import type { CollectContext } from '../types.js';
import type { EvidenceRecordDraft } from '../../src/evidence/model.js';
import { createClient, sendOptions } from '../common.js';
import { evaluatedResourceArn, inputParameters } from '../config-rule-evaluations.js';
import { member, prop, RECORDED_STATUSES } from './items.js';
import { errorRecord, requireRecorded } from './collectors.js';

const TYPE = 'AWS::Config::ResourceCompliance';

/**
 * Rule definitions by rule id. A rule's id names one rule for its whole life, so today's
 * definition of the same id says which managed rule (SourceIdentifier), owner and input
 * parameters it had; a rule deleted
 * since cannot be identified and its verdicts become error records.
 */
async function rulesById(ctx: CollectContext): Promise<Map<string, ConfigRule>> {
  const client = createClient(ctx, ConfigServiceClient);
  try {
    const out = new Map<string, ConfigRule>();
    for await (const page of paginateDescribeConfigRules({ client }, {}, sendOptions(ctx))) {
      for (const r of page.ConfigRules ?? []) if (r.ConfigRuleId) out.set(r.ConfigRuleId, r);
    }
    return out;
  } finally {
    client.destroy();
  }
}

export async function* ruleEvaluations(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const history = ctx.history;
  const asOf = ctx.asOf;
  if (!history || !asOf) throw new Error('history collectors need an as-of time and a history store');
  await requireRecorded(ctx, TYPE);
  const ids = await history.discovered(TYPE, ctx);
  const items = (await Promise.all(ids.map((id) => history.itemAt(id, asOf, ctx)))).filter((i) => i !== undefined);
  if (items.length === 0) return;
  const rules = await history.memo('DescribeConfigRules', () => rulesById(ctx));
  for (const item of items) {
    if (item.status === 'ResourceDeleted' || item.status === 'ResourceDeletedNotRecorded') continue;
    const targetType = String(item.configuration ? prop(item, 'configuration.targetResourceType') ?? '' : '');
    const targetId = String(item.configuration ? prop(item, 'configuration.targetResourceId') ?? '' : '');
    const resource = targetType && targetId ? evaluatedResourceArn(targetType, targetId, ctx.region, ctx.account) : item.arn ?? item.resourceId;
    if (!RECORDED_STATUSES.has(item.status) || !item.configuration) {
      yield errorRecord(ctx, 'config.rule-evaluations', targetType || TYPE, resource, asOf, item.status,
        `AWS Config did not record the compliance of ${item.resourceId} at ${asOf.toISOString()} (status ${item.status})`, item);
      continue;
    }
    const list = prop(item, 'configuration.configRuleList');
    for (const entry of Array.isArray(list) ? list : []) {
      const name = String(member(TYPE, 'configuration.configRuleList', entry, 'configRuleName') ?? '');
      const ruleId = String(member(TYPE, 'configuration.configRuleList', entry, 'configRuleId') ?? '');
      const compliance = member(TYPE, 'configuration.configRuleList', entry, 'complianceType');
      const rule = rules.get(ruleId);
      if (!rule) {
        yield errorRecord(ctx, 'config.rule-evaluations', targetType, resource, asOf, 'RuleNotFound',
          `rule ${name} (${ruleId}) reported ${String(compliance)} then, but no rule with that id exists today, so which managed rule it was cannot be told`, item);
        continue;
      }
      yield {
        collector: 'config.rule-evaluations',
        source: {
          service: 'config', operation: 'GetResourceConfigHistory+DescribeConfigRules',
          parameters: { resourceType: TYPE, resourceId: item.resourceId, asOf: asOf.toISOString(), ConfigRuleId: ruleId },
          region: ctx.region, account: ctx.account, time: item.captureTime.toISOString(),
          origin: 'config-history', configurationStateId: item.stateId, configurationItemStatus: item.status,
        },
        resourceType: targetType,
        resource,
        data: {
          EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: name, ResourceType: targetType, ResourceId: targetId } },
          ComplianceType: compliance ?? null,
          ConfigRuleName: name,
          SourceIdentifier: rule.Source?.SourceIdentifier ?? null,
          // config_rule controls also require an AWS-owned rule with input parameters at least as
          // strict as theirs (src/controls/expand.ts); without these fields every rebuilt verdict
          // would be out of scope and the control a false FAIL. They are today's definition of
          // the same rule id: Config's history does not keep a rule's past parameters.
          SourceOwner: rule.Source?.Owner ?? null,
          InputParameters: inputParameters(rule.InputParameters),
          CreatedBy: rule.CreatedBy ?? null,
          ResourceType: targetType,
          ResourceId: targetId,
          // the recorder was recording this type at asOf (requireRecorded)
          RecorderRecording: true,
        },
      };
    }
  }
}
