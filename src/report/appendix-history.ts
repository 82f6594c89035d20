// The appendix of a pack whose run was rebuilt from AWS Config's configuration history
// (`collect --as-of`): per collector and per control, what came from history and what could
// not, read from the manifest and the results (the report never imports a collector).
import { COLORS, STATUS_COLORS } from './layout.js';
import { fmtTime, type PackContext } from './context.js';

export function drawHistoryNote(ctx: PackContext): void {
  const { w, manifest: m } = ctx;
  if (!m || m.source !== 'config-history') return;
  w.heading('Rebuilt from AWS Config history', 2);
  w.para(`This run describes the state as of ${fmtTime(m.asOf ?? m.startedAt)}, rebuilt on ${fmtTime(m.startedAt)} from AWS Config's `
    + 'configuration history, not observed then. Each record names the configuration item it was rebuilt from (its capture time and '
    + 'configurationStateId, hashed into the record id). What Config did not record is missing evidence (ERROR), never assumed from a later state.',
  { size: 8.5 });
  const byCollector = new Map<string, { ok: number; records: number; cannot?: string }>();
  for (const c of m.collections) {
    const e = byCollector.get(c.collector) ?? { ok: 0, records: 0 };
    if (c.status === 'ok') {
      e.ok++;
      e.records += c.records;
    } else {
      e.cannot ??= `${c.error?.code ?? 'Error'}: ${c.error?.message ?? ''}`;
    }
    byCollector.set(c.collector, e);
  }
  w.table(
    [{ header: 'Collector', width: 130 }, { header: 'From history', width: 369.28 }],
    [...byCollector].map(([id, e]) => ({
      cells: [id, e.cannot
        ? { text: `not rebuilt: ${e.cannot}`, color: STATUS_COLORS.ERROR }
        : id === 'sts.caller-identity' ? 'asked live: who rebuilt the run' : `${e.records} records rebuilt from configuration items`],
    })),
    { size: 7 },
  );
  w.para('By control: an automated control in ERROR in this run could not be judged from history, for the reason shown; the others were judged on the rebuilt records.', { size: 8.5, color: COLORS.muted });
  const errors = ctx.input.results.controls.filter((c) => c.kind === 'automated' && c.status === 'ERROR');
  if (errors.length === 0) w.para('Every automated control was judged from history.', { size: 8.5 });
  for (const c of errors) w.para(`${c.id}: ${c.reason}`, { size: 7.5, color: COLORS.muted });
}
