// What an auditor reads first: how to read the statuses (the legend) and every exception in one
// list (failed and in-error findings, failing manual controls, waived findings), so nobody has
// to page through every control to find what did not pass. Also the small wording helpers the
// other sections share, so a framework or a waiver is named the same way everywhere.
import type { Framework } from '../controls/model.js';
import type { Finding } from '../engine/results.js';
import { COLORS, STATUS_COLORS, type Row } from './layout.js';
import { fmtTime, type PackContext } from './context.js';

/** What each status means, in the words of the results contract. */
const STATUS_LEGEND: readonly [string, string][] = [
  ['PASS', 'Evidence was collected for every account and region in scope, and every in-scope resource satisfies the control.'],
  ['FAIL', 'At least one resource does not satisfy the control; or, for a manual control, its attestation is missing, expired or does not match its document.'],
  ['ERROR', 'Evidence could not be collected (access denied, throttled, unreachable, malformed). Never counted as a pass.'],
  ['WAIVED', 'Every failing resource is covered by a current waiver: a reason, an approver and an expiry date.'],
  ['MANUAL', 'No API can prove this control; a current attestation with a matching document hash does.'],
  ['NOT APPLICABLE', 'Evidence was collected and no resource is in scope. Shown as such, never counted as a pass.'],
];

/** "SOC 2 — ... (with 2022 revised points of focus) · version 2017 (rev. 2022)": the version once. */
export function frameworkLabel(fw: Pick<Framework, 'title' | 'version'>): string {
  if (!fw.version || fw.title.includes(fw.version)) return fw.title;
  return `${fw.title} · version ${fw.version}`;
}

/** Short names for metadata: "SOC 2, PCI DSS v4.0.1" (the registry's names). */
export function frameworkNames(ids: readonly string[], names: ReadonlyMap<string, string>): string {
  return ids.map((id) => names.get(id) ?? id).join(', ');
}

/**
 * A waived finding's reason without the waiver's own text, which the engine appends as
 * " (waived until EXPIRES by APPROVER: REASON)": the waiver is printed once, in the waiver list.
 */
export function reasonWithoutWaiverText(f: Finding): string {
  if (!f.waiver) return f.reason;
  const suffix = ` (waived until ${f.waiver.expires} by ${f.waiver.approver}: ${f.waiver.reason})`;
  return f.reason.endsWith(suffix) ? f.reason.slice(0, -suffix.length) : f.reason;
}

export function drawLegend(ctx: PackContext): void {
  const { w } = ctx;
  w.heading('How to read the statuses', 2);
  w.table(
    [
      { header: 'Status', width: 90 },
      { header: 'Meaning', width: w.width - 90 },
    ],
    STATUS_LEGEND.map(([s, meaning]) => ({
      cells: [{ text: s, font: 'bold' as const, color: STATUS_COLORS[s.replace(' ', '_')] ?? COLORS.text }, meaning],
    })),
  );
}

export function drawExceptions(ctx: PackContext): void {
  const { w } = ctx;
  w.newPage();
  w.heading('Exceptions', 1, { dest: 'exceptions', outline: true });
  // numbered once (src/report/run-criteria.ts): the criterion parts and controls cite E-n
  const list = ctx.criteria.exceptions;
  if (list.length === 0) {
    w.para('None: no control failed, no evidence is missing and no finding is waived.', { size: 9.5 });
    return;
  }
  const count = (s: string) => list.filter((e) => e.status === s).length;
  w.para(`Every finding that did not pass, in one list: ${count('FAIL')} failed, ${count('ERROR')} in error (evidence missing), ${count('WAIVED')} waived. Each control's section has the evidence; waiver reasons are under Waivers and attestations.`, { size: 8.5, color: COLORS.muted });
  const rows: Row[] = list.map(({ id, control: c, finding: f, status, cause }) => {
    const why = f ? reasonWithoutWaiverText(f) : c.reason;
    const waiver = f?.waiver ? `\nwaived until ${fmtTime(f.waiver.expires)} by ${f.waiver.approver}, ${f.waiver.approvedOn ? `approved ${f.waiver.approvedOn.slice(0, 10)}` : 'approval date unknown'}` : '';
    return {
      cells: [
        { text: id, font: 'bold' as const },
        { text: status, font: 'bold' as const, color: STATUS_COLORS[status] ?? COLORS.text },
        `${c.id}\n(${c.severity})`,
        { text: f ? f.resource : cause === 'attestation' ? '(attestation)' : '(no resource)', font: 'mono' as const, size: 6.5 },
        f ? `${f.account}\n${f.region}` : '—',
        why + waiver,
      ],
    };
  });
  w.table(
    [
      { header: 'Id', width: 28 },
      { header: 'Status', width: 44 },
      { header: 'Control (severity)', width: 106 },
      { header: 'Resource', width: 126, font: 'mono', size: 6.5 },
      { header: 'Account / region', width: 62 },
      { header: 'Reason', width: w.width - 366 },
    ],
    rows,
    { continued: 'Exceptions' },
  );
}
