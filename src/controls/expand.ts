// Expands the `config_rule` shorthand (model.ts) into collector, scope, assert and
// when_none_in_scope, so the engine only ever sees the long form.
import type { Control } from './model.js';

export const CONFIG_RULE_COLLECTOR = 'config.rule-evaluations';

export function expandConfigRule(c: Control): Control {
  if (!c.config_rule) return c;
  return {
    ...c,
    collector: c.collector ?? CONFIG_RULE_COLLECTOR,
    // a control's own scope narrows the rule's resources (log_bucket_names); it never replaces the rule match
    scope: c.scope
      ? { all: [{ path: 'SourceIdentifier', op: 'equals', value: c.config_rule }, c.scope] }
      : { path: 'SourceIdentifier', op: 'equals', value: c.config_rule },
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
