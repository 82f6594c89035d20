// Expands the `config_rule` shorthand (model.ts) into collector, scope, assert and
// when_none_in_scope, so the engine only ever sees the long form.
import type { Comparison, Control } from './model.js';

export const CONFIG_RULE_COLLECTOR = 'config.rule-evaluations';

const OPS = { at_least: 'greater-or-equal', at_most: 'less-or-equal', equals: 'equals' } as const;

/** The comparisons that make a deployed rule's InputParameters at least as strict as the control asks. */
function strictnessComparisons(params: Control['config_rule_parameters']): Comparison[] {
  const out: Comparison[] = [];
  for (const [name, spec] of Object.entries(params ?? {})) {
    const [kind, v] = Object.entries(spec)[0] as [string, unknown];
    const base = kind.replace(/_param$/, '') as keyof typeof OPS;
    const path = `InputParameters.${name}`;
    out.push(kind.endsWith('_param')
      ? { path, op: OPS[base], param: String(v) }
      : { path, op: OPS[base], value: v });
  }
  return out;
}

/**
 * A rule counts when it is the managed rule the control names (its Source.SourceIdentifier,
 * whatever the rule is called: Security Hub's securityhub-..., a conformance pack's
 * ...-conformance-pack-..., an organization rule's OrgConfigRule-..., or a hand-made one), owned
 * by AWS (not a custom Lambda or Guard rule reusing the name), with input parameters at least as
 * strict as the control's. Every such rule's verdict counts; any NON_COMPLIANT one fails.
 */
export function expandConfigRule(c: Control): Control {
  if (!c.config_rule) return c;
  const strict = strictnessComparisons(c.config_rule_parameters);
  return {
    ...c,
    collector: c.collector ?? CONFIG_RULE_COLLECTOR,
    // a control's own scope narrows the rule's resources (log_bucket_names); it never replaces the
    // rule match, the AWS-owned check or the input parameters' strictness
    scope: {
      all: [
        { path: 'SourceIdentifier', op: 'equals', value: c.config_rule },
        { path: 'SourceOwner', op: 'equals', value: 'AWS', says: 'the rule is an AWS managed rule' },
        ...strict,
        ...(c.scope ? [c.scope] : []),
      ],
    },
    // Config results from a region whose recorder is off are stale: not evidence of anything now
    assert: c.assert ?? {
      all: [
        { path: 'ComplianceType', op: 'equals', value: 'COMPLIANT' },
        { path: 'RecorderRecording', op: 'equals', value: true, says: "the region's AWS Config recorder is recording" },
      ],
    },
    // a rule that is not deployed proves nothing, so its absence is a failure
    when_none_in_scope: c.when_none_in_scope ?? 'fail',
  };
}
