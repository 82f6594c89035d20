// Results -> a terminal table for engineers: one aligned row per control, then the failing
// resources of each failing control, then a one-line summary.
import { CONTROL_STATUSES, type ControlStatus, type Results } from '../engine/results.js';
import { oneLine } from './text.js';
import { alignColumns } from './text-table.js';

const ANSI: Record<ControlStatus, string> = {
  PASS: '\u001b[32m', // green
  FAIL: '\u001b[31m', // red
  ERROR: '\u001b[35m', // magenta: not a failure of the control, a failure to know
  NOT_APPLICABLE: '\u001b[90m', // grey
  MANUAL: '\u001b[36m', // cyan
  WAIVED: '\u001b[33m', // yellow
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

const HEADERS = ['STATUS', 'CONTROL', 'SEVERITY', 'TITLE', 'FAILING'] as const;

export function renderTable(results: Results, opts: { color: boolean; width?: number }): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${RESET}` : s);

  // every cell goes through oneLine: a reason from AWS must not move the cursor or inject escapes
  const rows = results.controls.map((c) => [
    c.status,
    oneLine(c.id),
    oneLine(c.severity),
    oneLine(c.title),
    // a control without findings (manual, or none in scope) has no resources to count: "FAILING 0"
    // next to a FAIL would read as a contradiction
    c.findings.length === 0 ? '—' : String(c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR').length),
  ]);
  // the title is the one column that may be cut to fit the terminal; the status is painted
  // before alignment (alignColumns does not count colour codes)
  const painted = rows.map((r, i) => [paint(ANSI[results.controls[i]!.status], r[0]!), ...r.slice(1)]);
  const [header, ...lines] = alignColumns([HEADERS, ...painted], opts.width !== undefined ? { shrink: { column: 3, total: opts.width } } : {});
  const out: string[] = [paint(BOLD, header!), ...lines];

  for (const c of results.controls) {
    if (c.status !== 'FAIL' && c.status !== 'ERROR') continue;
    const bad = c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
    // with findings listed below, the header counts them (the control's reason would repeat the
    // first one); a control without findings (manual, or nothing in scope) says why instead
    const why = bad.length > 0 ? `${bad.length} of ${c.findings.length} finding(s): ${c.title}` : c.reason;
    out.push('', paint(ANSI[c.status], `${c.status} ${oneLine(c.id)}`) + `: ${oneLine(why)}`);
    for (const f of bad) out.push(`  ${oneLine(f.resource)}  ${f.status === 'ERROR' ? '(error) ' : ''}${oneLine(f.reason)}`.trimEnd());
  }

  const warnings = results.warnings ?? [];
  if (warnings.length > 0) out.push('');
  for (const w of warnings) out.push(`${paint(ANSI.WAIVED, 'WARNING')} ${oneLine(w.message)}`);

  const counts = CONTROL_STATUSES.filter((s) => (results.summary[s] ?? 0) > 0).map((s) => paint(ANSI[s], `${results.summary[s]} ${s}`));
  const n = results.controls.length;
  const warned = warnings.length > 0 ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : '';
  out.push('', `${n} control${n === 1 ? '' : 's'}: ${counts.join(', ') || 'none evaluated'}${warned}`);
  return `${out.join('\n')}\n`;
}
