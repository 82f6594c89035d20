// How the runs of a period pack were judged, said where an auditor cannot miss it: from the
// results stored when each run was archived (the default), or re-evaluated from the archived
// evidence with today's catalog, parameters and waivers (--reevaluate). A re-evaluated pack says
// so on its cover, in the header of every page, and lists each run whose control statuses
// differ from what was stored.
import { COLORS, STATUS_COLORS, type Writer } from './layout.js';
import { fmtTime } from './context.js';
import type { PeriodPackInput } from './period-types.js';

/** "RE-EVALUATED" in every page's header, first so that no long name pushes it off; nothing for stored results. */
export function judgedMarker(p: Pick<PeriodPackInput, 'judged'>): string {
  return p.judged.mode === 'reevaluated' ? '  ·  RE-EVALUATED, not the stored results' : '';
}

const catalogs = (p: Pick<PeriodPackInput, 'judged'>) => p.judged.archivedCatalogs
  .map((c) => `${c.digest.slice(0, 16)}… (${c.runs} run${c.runs === 1 ? '' : 's'})`).join(', ');

/** Under the cover's title, in the colour of UNSIGNED: a re-evaluated pack is not the record of the runs. */
export function drawJudgedBanner(w: Writer, p: Pick<PeriodPackInput, 'judged'>): void {
  if (p.judged.mode !== 'reevaluated') return;
  w.para('RE-EVALUATED: the statuses in this pack come from judging the archived evidence again with today\'s catalog and waivers, not from the results stored when the runs were archived (see Results below and the appendix "Re-evaluation").', { font: 'bold', color: COLORS.danger });
}

/** The cover's line on how the results were judged. */
export function drawJudgedField(w: Writer, p: Pick<PeriodPackInput, 'judged'>): void {
  const j = p.judged;
  if (j.mode === 'stored') {
    w.field('Results', `AS STORED: the results evaluated when each run was archived, with the catalog and waivers of that day (catalog sha256 ${catalogs(p)}). Nothing of today's catalog, parameters or waivers file was applied.`);
    return;
  }
  const changed = j.differences?.length ?? 0;
  w.field('Results', `RE-EVALUATED: the archived evidence of every run judged again with today's catalog sha256 ${j.catalog?.slice(0, 16)}… (its controls, parameters and waivers, each waiver at the run's asOf), NOT the results stored with the runs (archived with catalog sha256 ${catalogs(p)}). ${changed} run${changed === 1 ? '' : 's'} judged differently from the stored results: listed in the appendix, "Re-evaluation".`);
}

/** The appendix part of a re-evaluated pack: every run whose statuses changed, control by control. */
export function drawReevaluation(w: Writer, p: Pick<PeriodPackInput, 'judged'>): void {
  const j = p.judged;
  if (j.mode !== 'reevaluated') return;
  w.newPage();
  w.heading('Re-evaluation: where today\'s judgement differs from the stored results', 1, { outline: true });
  w.para(`This pack was made with --reevaluate: each run's archived evidence bundle was evaluated again with today's catalog (sha256 ${j.catalog}), its parameters and its waivers file (a waiver covers a run only if the run's asOf lies from its approved_on to its expiry). The results stored when each run was archived were read as well, and every control whose status differs is listed below. Without --reevaluate, the pack uses the stored results and says "AS STORED" on its cover.`, { size: 8.5 });
  const diffs = j.differences ?? [];
  if (diffs.length === 0) {
    w.para('No run is judged differently: every control has the status its stored results gave it.', { size: 9 });
    return;
  }
  w.table(
    [
      { header: 'Run (as of)', width: 120 },
      { header: 'Control', width: 220, size: 6.5 },
      { header: 'Stored', width: 75 },
      { header: 'Re-evaluated', width: 84.28 },
    ],
    diffs.flatMap((d) => d.controls.map((c) => ({
      cells: [
        `${fmtTime(d.asOf)}\n${d.runId}`,
        c.id,
        { text: c.stored ?? 'not evaluated', color: (c.stored && STATUS_COLORS[c.stored]) || COLORS.muted },
        { text: c.now ?? 'not evaluated', color: (c.now && STATUS_COLORS[c.now]) || COLORS.muted },
      ],
    }))),
    { size: 7, continued: 'Re-evaluation' },
  );
}
