// AWS Config (JSON 1.1, X-Amz-Target: StarlingDoveService.<Op>): rules, compliance, recorders.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { ConfigRule } from '../model.js';
import type { CallContext, Handler } from './context.js';
import { configHistoryOperations } from './config-history.js';

const badToken = () => new ApiError('InvalidNextTokenException', 400, 'The specified next token is invalid. Specify the nextToken string that was returned in the previous response to get the next page of results.');

function names(ctx: CallContext, field: string): string[] | undefined {
  const v = ctx.json[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ApiError('ValidationException', 400, `${field} must be a list of strings`);
  return v as string[];
}

function nextToken(ctx: CallContext): string | undefined {
  const t = ctx.json['NextToken'];
  return typeof t === 'string' ? t : undefined;
}

function rulesNamed(ctx: CallContext): ConfigRule[] {
  const wanted = names(ctx, 'ConfigRuleNames');
  if (!wanted || wanted.length === 0) return ctx.region.config.rules;
  return wanted.map((n) => {
    const r = ctx.region.config.rules.find((x) => x.rule.ConfigRuleName === n);
    if (!r) throw new ApiError('NoSuchConfigRuleException', 400, `The ConfigRule '${n}' provided in the request is invalid. Please check the configRule name.`);
    return r;
  });
}

/** A rule is NON_COMPLIANT if any resource is, COMPLIANT if some are and none fail, else INSUFFICIENT_DATA. */
function complianceOf(rule: ConfigRule) {
  const bad = rule.evaluations.filter((e) => e.ComplianceType === 'NON_COMPLIANT').length;
  if (bad > 0) return { ComplianceType: 'NON_COMPLIANT', ComplianceContributorCount: { CappedCount: Math.min(bad, 100), CapExceeded: bad > 100 } };
  if (rule.evaluations.some((e) => e.ComplianceType === 'COMPLIANT')) return { ComplianceType: 'COMPLIANT' };
  return { ComplianceType: 'INSUFFICIENT_DATA' };
}

const RULE_PAGE = 25; // DescribeConfigRules and DescribeComplianceByConfigRule have no Limit; AWS pages by 25

const describeConfigRules: Handler = (ctx) => {
  const p = page(rulesNamed(ctx), RULE_PAGE, nextToken(ctx), 'config:DescribeConfigRules', badToken);
  return { ConfigRules: p.items.map((r) => r.rule), NextToken: p.next };
};

const describeComplianceByConfigRule: Handler = (ctx) => {
  const types = names(ctx, 'ComplianceTypes');
  const all = rulesNamed(ctx).map((r) => ({ ConfigRuleName: r.rule.ConfigRuleName, Compliance: complianceOf(r) }))
    .filter((c) => !types || types.length === 0 || types.includes(c.Compliance.ComplianceType));
  const p = page(all, RULE_PAGE, nextToken(ctx), 'config:DescribeComplianceByConfigRule', badToken);
  return { ComplianceByConfigRules: p.items, NextToken: p.next };
};

const getComplianceDetailsByConfigRule: Handler = (ctx) => {
  const name = ctx.json['ConfigRuleName'];
  if (typeof name !== 'string' || !name) throw new ApiError('ValidationException', 400, "1 validation error detected: Value null at 'configRuleName' failed to satisfy constraint: Member must not be null");
  const [rule] = rulesNamed({ ...ctx, json: { ConfigRuleNames: [name] } });
  const types = names(ctx, 'ComplianceTypes');
  const limit = ctx.json['Limit'] ?? 10;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 100) {
    throw new ApiError('ValidationException', 400, `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`);
  }
  const results = rule!.evaluations.filter((e) => !types || types.length === 0 || types.includes(e.ComplianceType));
  const p = page(results, limit === 0 ? 10 : limit, nextToken(ctx), `config:GetComplianceDetailsByConfigRule:${name}`, badToken);
  return { EvaluationResults: p.items, NextToken: p.next };
};

function recordersNamed<T extends { name: string }>(ctx: CallContext, all: T[]): T[] {
  const wanted = names(ctx, 'ConfigurationRecorderNames');
  if (!wanted || wanted.length === 0) return all;
  return wanted.map((n) => {
    const r = all.find((x) => x.name === n);
    if (!r) throw new ApiError('NoSuchConfigurationRecorderException', 400, `Cannot find configuration recorder with the specified name '${n}'.`);
    return r;
  });
}

const describeConfigurationRecorders: Handler = (ctx) => ({ ConfigurationRecorders: recordersNamed(ctx, ctx.region.config.recorders) });

const describeConfigurationRecorderStatus: Handler = (ctx) => ({ ConfigurationRecordersStatus: recordersNamed(ctx, ctx.region.config.statuses) });

export const configOperations: Record<string, Handler> = {
  DescribeConfigRules: describeConfigRules,
  DescribeComplianceByConfigRule: describeComplianceByConfigRule,
  GetComplianceDetailsByConfigRule: getComplianceDetailsByConfigRule,
  DescribeConfigurationRecorders: describeConfigurationRecorders,
  DescribeConfigurationRecorderStatus: describeConfigurationRecorderStatus,
  ...configHistoryOperations,
};
