// config.rules: every AWS Config rule with its compliance summary.
import {
  ConfigServiceClient, paginateDescribeComplianceByConfigRule, paginateDescribeConfigRules,
  type ComplianceByConfigRule, type ConfigRule,
} from '@aws-sdk/client-config-service';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, makeDraft, requireArray, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, ConfigServiceClient);
  try {
    const readRules = async (): Promise<ConfigRule[]> => {
      const all: ConfigRule[] = [];
      for await (const page of paginateDescribeConfigRules({ client }, {}, sendOptions(ctx))) {
        all.push(...requireArray(page.ConfigRules, 'ConfigRules'));
      }
      return all;
    };
    const readCompliance = async (): Promise<ComplianceByConfigRule[]> => {
      const all: ComplianceByConfigRule[] = [];
      for await (const page of paginateDescribeComplianceByConfigRule({ client }, {}, sendOptions(ctx))) {
        all.push(...requireArray(page.ComplianceByConfigRules, 'ComplianceByConfigRules'));
      }
      return all;
    };
    const [rules, compliance] = await Promise.all([readRules(), readCompliance()]);
    const time = ctx.now().toISOString();
    for (const rule of rules) {
      const name = requireString(rule.ConfigRuleName, 'ConfigRuleName');
      yield makeDraft(ctx, 'config.rules', {
        service: 'config', operation: 'DescribeConfigRules+DescribeComplianceByConfigRule', parameters: {}, time,
        resourceType: 'AWS::Config::ConfigRule',
        resource: requireString(rule.ConfigRuleArn, 'ConfigRuleArn'),
        data: { ConfigRule: rule, Compliance: compliance.find((c) => c.ConfigRuleName === name) ?? null },
      });
    }
  } finally {
    client.destroy();
  }
}
