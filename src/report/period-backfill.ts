// What a period pack says about runs rebuilt from AWS Config's configuration history (backfill):
// how their marks differ, and, from the results stored with those runs, which controls history
// could not rebuild and why. The report reads results only; the reasons are the ones the engine
// recorded when each run was archived.
import { COLORS, type Writer } from './layout.js';
import type { PeriodPackInput } from './period-types.js';
import { drawRuleParametersApart } from './period-rule-parameters.js';

export const BACKFILL_LEGEND = 'Run source: a filled mark is a run observed live on the day; an outlined mark is a run rebuilt after the fact '
  + "from AWS Config's configuration history (trustpack backfill, source config-history). A rebuilt run shows what Config recorded, "
  + 'not what was observed then; an auditor may weigh the two differently.';

export function backfilledRuns(p: PeriodPackInput): number {
  return p.history.runs.filter((r) => r.source === 'config-history').length;
}

/** The controls in ERROR in rebuilt runs, with the first reason recorded: what history could not give. */
export function drawRebuiltNote(w: Writer, p: PeriodPackInput): void {
  const n = backfilledRuns(p);
  if (n === 0) return;
  w.heading('Runs rebuilt from AWS Config history', 2);
  w.para(`${n} of ${p.history.runs.length} runs in this period were rebuilt from AWS Config's configuration history (source config-history), `
    + 'each as of the end of its step. Their records name the configuration item they were rebuilt from (capture time and configurationStateId). '
    + 'What Config did not record is missing evidence (ERROR), never assumed from a later state:', { size: 8.5 });
  const reasons = new Map<string, string>();
  for (const c of p.history.controls) {
    for (const e of c.exceptions) {
      if (e.status !== 'ERROR' || e.source === 'live' || reasons.has(c.id)) continue;
      reasons.set(c.id, e.reason);
    }
  }
  if (reasons.size === 0) w.para('Every control had its evidence in the configuration history for every rebuilt run.', { size: 8.5 });
  for (const [id, reason] of reasons) w.para(`${id}: ${reason}`, { size: 7.5, color: COLORS.muted });
  drawRuleParametersApart(w, p);
}
