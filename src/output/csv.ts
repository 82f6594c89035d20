// Results -> CSV (RFC 4180): one row per finding, one per control without findings.
// Spreadsheets are where this ends up, so cells that a spreadsheet would run as a formula
// are neutralised (OWASP "CSV injection").
import type { ControlResult, Finding, Results } from '../engine/results.js';
import { frameworkRefs, stripControlChars } from './text.js';

export const CSV_HEADER = [
  'control_id', 'control_title', 'control_status', 'severity', 'resource', 'account', 'region',
  'finding_status', 'reason', 'evidence', 'frameworks',
] as const;

/** A leading = + - @ (or tab / CR, which some spreadsheets skip before one) starts a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  let v = stripControlChars(value);
  if (FORMULA_START.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function row(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}

function findingRow(c: ControlResult, f: Finding | undefined): string[] {
  return [
    c.id, c.title, c.status, c.severity,
    f?.resource ?? '', f?.account ?? '', f?.region ?? '', f?.status ?? '',
    f ? f.reason : c.reason,
    f ? f.evidence.join(' ') : '',
    frameworkRefs(c.frameworks),
  ];
}

export function renderCsv(results: Results): string {
  const lines = [row(CSV_HEADER)];
  for (const c of results.controls) {
    if (c.findings.length === 0) lines.push(row(findingRow(c, undefined)));
    for (const f of c.findings) lines.push(row(findingRow(c, f)));
  }
  // a warning is a row of its own: the control it names, status WARNING, the entry's pattern
  for (const w of results.warnings ?? []) lines.push(row([w.control, '', 'WARNING', '', w.resource, '', '', 'WARNING', w.message, '', '']));
  // RFC 4180: CRLF after every record, the last one included
  return lines.map((l) => `${l}\r\n`).join('');
}
