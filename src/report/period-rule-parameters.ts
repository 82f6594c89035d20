// The period pack's list of config_rule verdicts in runs rebuilt from AWS Config history, apart
// from the rest (issue 18, "Rule parameters in history"): Config keeps no history of a rule's
// parameters, so every such verdict was judged with the rule's parameters as of the day the run
// was rebuilt, and its findings say "rule parameters as of today". The report reads the period's
// timelines and exceptions only.
import { COLORS, type Writer } from './layout.js';
import type { PeriodPackInput } from './period-types.js';
import { SHOWN_STATUS_ORDER } from '../engine/results.js';

const RULE_PARAMETERS_HEADING = 'Config rule verdicts in rebuilt runs: rule parameters as of today';

interface RebuiltRuleRuns {
  id: string;
  rule: string;
  runs: number;
  first: string;
  last: string;
  statuses: string;
  exceptions: string[];
}

/** Per config_rule control, its verdicts in the runs rebuilt from Config history. */
function rebuiltRuleRuns(p: PeriodPackInput): RebuiltRuleRuns[] {
  const rebuilt = p.history.runs.map((r) => r.source === 'config-history');
  const out: RebuiltRuleRuns[] = [];
  for (const d of p.controls) {
    if (!d.configRule) continue;
    const timeline = p.timelines.get(d.id) ?? [];
    const counts = new Map<string, number>();
    const days: string[] = [];
    timeline.forEach((status, i) => {
      if (status === undefined || !rebuilt[i]) return;
      counts.set(status, (counts.get(status) ?? 0) + 1);
      days.push(p.history.runs[i]!.asOf.slice(0, 10));
    });
    if (days.length === 0) continue;
    days.sort();
    out.push({
      id: d.id, rule: d.configRule, runs: days.length, first: days[0]!, last: days.at(-1)!,
      statuses: SHOWN_STATUS_ORDER.filter((s) => counts.has(s)).map((s) => `${s} ${counts.get(s)!}`).join(', '),
      exceptions: p.exceptions.filter((e) => e.controlId === d.id && (e.source === 'config-history' || e.source === 'mixed'))
        .map((e) => `${e.id}${e.source === 'mixed' ? ' (live and rebuilt runs)' : ''}`),
    });
  }
  return out;
}

export function drawRuleParametersApart(w: Writer, p: PeriodPackInput): void {
  const rows = rebuiltRuleRuns(p);
  if (rows.length === 0) return;
  w.heading(RULE_PARAMETERS_HEADING, 2);
  w.para('AWS Config keeps no history of a rule\'s parameters (there is no AWS::Config::ConfigRule configuration item), so in a run '
    + 'rebuilt from its history a Config rule control is judged with the rule\'s parameters as they were when the run was rebuilt, '
    + 'not on the day it stands for; each such finding says "rule parameters as of today". These runs and their exceptions are '
    + 'listed here apart from the runs observed live:', { size: 8.5 });
  for (const r of rows) {
    w.para(`${r.id} (AWS Config rule ${r.rule}): ${r.runs} rebuilt run${r.runs === 1 ? '' : 's'} from ${r.first} to ${r.last}; ${r.statuses}`
      + `${r.exceptions.length > 0 ? `; exceptions from rebuilt runs: ${r.exceptions.join(', ')}` : '; no exception from rebuilt runs'}.`, { size: 7.5, color: COLORS.muted });
  }
}
