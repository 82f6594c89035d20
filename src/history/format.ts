// History -> table (for a terminal) and CSV (for a spreadsheet: one row per exception, one per
// control without any). JSON is the History object itself.
import { csvCell } from '../output/csv.js';
import { CONTROL_STATUSES } from '../engine/results.js';
import { daysOpen } from '../archive/days.js';
import type { History } from './model.js';
import { isOpenStreak } from './streaks.js';

const SOURCE_LEGEND = 'legend: [history] = rebuilt after the fact from AWS Config\'s configuration history (backfill, source config-history); '
  + 'unmarked = observed live on the day; [mixed] = both';
const SOURCE_MARK: Record<string, string> = { 'config-history': ' [history]', mixed: ' [mixed]' };

export function historyTable(h: History): string {
  const backfilled = h.runs.filter((r) => r.source === 'config-history').length;
  const lines = [
    `period ${h.period.start}..${h.period.end}: ${h.runs.length} runs${backfilled ? ` (${h.runs.length - backfilled} live, ${backfilled} rebuilt from AWS Config history)` : ''}; ${h.days.withEvidence} of ${h.days.total} days with evidence`,
  ];
  // An auditor weighs a run observed on the day and one rebuilt later differently: say which is which.
  if (backfilled) lines.push(SOURCE_LEGEND);
  if (h.days.missing.length > 0) lines.push(`days without a run (gaps): ${h.days.missing.join(', ')}`);
  if (h.reevaluated) lines.push(`REEVALUATED: ${h.reevaluated.note}`);
  for (const c of h.controls) {
    const counts = CONTROL_STATUSES.filter((s) => c.runs[s] > 0).map((s) => `${s} ${c.runs[s]}`).join(', ');
    const open = c.exceptions.filter(isOpenStreak).length;
    lines.push('', `${c.id}  ${c.title}`, `  runs: ${counts || 'none'}; exceptions: ${c.exceptions.length} (${open} open)`);
    for (const e of c.exceptions) {
      const end = e.resolvedAt ?? (e.gone ? `gone after ${e.lastSeen}` : e.endedBy ? `ended: became ${e.endedBy}` : 'OPEN');
      const days = daysOpen(e.firstSeen, e.resolvedAt ?? e.lastSeen);
      lines.push(`  ${e.status} ${e.resource}  ${e.firstSeen} -> ${end}  (${e.runs} runs, ${days} days${e.waivedRuns ? `, ${e.waivedRuns} waived` : ''}${e.gaps.length ? `, ${e.gaps.length} gap runs` : ''})${SOURCE_MARK[e.source] ?? ''}${e.cause === 'missing-evidence' ? ' [missing evidence]' : ''}`);
      lines.push(`      ${e.reason}`);
    }
  }
  return lines.join('\n');
}

const HISTORY_CSV_HEADER = [
  'control_id', 'control_title', ...CONTROL_STATUSES.map((s) => `runs_${s}`), 'resource', 'account', 'region', 'status',
  'first_seen', 'last_seen', 'resolved_at', 'gone', 'waived_runs', 'source', 'runs', 'reason', 'cause', 'ended_by',
] as const;

export function historyCsv(h: History): string {
  const rows: string[][] = [];
  for (const c of h.controls) {
    const base = [c.id, c.title, ...CONTROL_STATUSES.map((s) => String(c.runs[s]))];
    if (c.exceptions.length === 0) rows.push([...base, '', '', '', '', '', '', '', '', '', '', '', '', '', '']);
    for (const e of c.exceptions) {
      rows.push([...base, e.resource, e.account ?? '', e.region ?? '', e.status, e.firstSeen, e.lastSeen, e.resolvedAt ?? '',
        String(e.gone), String(e.waivedRuns), e.source, String(e.runs), e.reason, e.cause, e.endedBy ?? '']);
    }
  }
  return [HISTORY_CSV_HEADER.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}
