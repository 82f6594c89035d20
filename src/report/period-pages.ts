// The pages of a period pack: cover (period, system, archive head, preparer and reviewer), a
// status legend, the period at a glance, a timeline per control (one mark per run),
// exceptions with their dates and covers, gaps, population and sample, and how to verify.
import { COLORS, PAGE, STATUS_COLORS, type Writer } from './layout.js';
import { fmtTime } from './context.js';
import { CRITERIA_ATTACHMENT, HISTORY_ATTACHMENT, type SignerIdentity } from '../pack/contract.js';
import type { PeriodPackInput } from './period-types.js';
import { SHOWN_STATUS_ORDER as STATUSES } from '../engine/results.js';
import { isOpenStreak } from '../history/streaks.js';
import { BACKFILL_LEGEND, backfilledRuns, drawRebuiltNote } from './period-backfill.js';
import { controlRunsSentence, exceptionCounts } from '../history/counts.js';
import { exceptionsByControlAndAccount } from '../history/by-account.js';
import { drawConclusionRules } from './period-criteria-pages.js';
import { drawJudgedBanner, drawJudgedField } from './period-judged.js';
import type { PeriodException } from './period-types.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '');

export function drawPeriodCover(w: Writer, p: PeriodPackInput, signer: SignerIdentity | undefined): void {
  const doc = w.doc;
  const h = p.history;
  doc.rect(0, 0, PAGE.width, 150).fillColor(COLORS.accent).fill();
  w.drawLine('Period evidence pack', PAGE.left, 52, 'bold', 26, '#ffffff');
  w.drawLine(p.organisation ?? 'Organisation not named', PAGE.left, 92, 'sans', 15, '#ffffff');
  w.drawLine(`Audit period ${h.period.start} to ${h.period.end} (UTC, both days included)`, PAGE.left, 116, 'sans', 10, '#dbe6f1');
  w.y = 175;
  if (p.unsigned) w.para('UNSIGNED: this pack carries no signature; nothing proves it is unchanged since it was generated.', { font: 'bold', color: COLORS.danger });
  if (p.demoSigner) w.para('DEMO SIGNER — not for audit use: signed with a throw-away key.', { font: 'bold', color: COLORS.danger });
  drawJudgedBanner(w, p);

  w.heading('The system', 2);
  w.field('Scope', p.system?.scope ?? 'not stated (add system.scope to trustpack.yaml)');
  w.field('In-scope accounts', p.system?.accounts?.join(', ') || [...new Set(h.runs.flatMap((r) => r.accounts))].join(', ') || '—');
  w.field('In-scope services', p.system?.services?.join(', ') || '—');
  w.field('Regions observed', [...new Set(h.runs.flatMap((r) => r.regions))].sort().join(', ') || '—');

  w.heading('The period', 2);
  w.field('Period', `${h.period.start} to ${h.period.end}`);
  w.field('Runs', `${h.runs.length} (${h.runs.filter((r) => r.source === 'config-history').length} rebuilt from AWS Config history)`);
  w.field('Days with evidence', `${h.days.withEvidence} of ${h.days.total}${h.days.missing.length ? `; ${h.days.missing.length} without a run (listed under Gaps)` : ''}`);
  w.field('Frameworks', p.framework === 'all' ? 'every framework, one part each' : p.framework ?? 'all mapped frameworks (organised by control)');
  drawJudgedField(w, p);
  drawCounts(w, p);
  w.field('Prepared by', p.preparer ?? 'not stated (preparer in trustpack.yaml)');
  w.field('Reviewed by', p.reviewer ?? 'not stated (reviewer in trustpack.yaml)');

  w.heading('The archive it was made from', 2);
  w.field('Archive', p.archive.location, { valueFont: 'mono' });
  w.field('Head', `${p.archive.head.sha256}:${p.archive.head.n}`, { valueFont: 'mono', size: 7 });
  w.field('Immutability', p.archive.immutable
    ? 'S3 Object Lock: every object is retained and cannot be changed or deleted during its retention'
    : 'none (no Object Lock): removed newest entries are caught only against a head recorded elsewhere, e.g. this one');

  w.heading('Signature', 2);
  if (signer && !p.unsigned) {
    w.field('Signer', [signer.commonName, signer.organisation].filter(Boolean).join(', ') || signer.subject);
    w.field('Certificate issuer', signer.issuer);
    w.field('Signing time', fmtTime(p.signingTime));
  } else {
    w.field('Signer', 'none — UNSIGNED');
  }
}

function drawLegend(w: Writer, backfilled = false): void {
  w.heading('Status legend', 2);
  const meaning: Record<string, string> = {
    PASS: 'evidence was collected for every account and region in scope and every in-scope resource satisfied the assertion',
    FAIL: 'at least one in-scope resource did not satisfy the assertion (or a manual control had no current attestation)',
    ERROR: 'evidence could not be collected (access denied, throttled, unreachable): never counted as a pass',
    WAIVED: 'failing findings covered by a waiver with reason, approver and expiry',
    MANUAL: 'a control no API can prove, with a current attestation',
    NOT_APPLICABLE: 'evidence was collected and no resource was in scope; not a pass',
  };
  for (const s of STATUSES) {
    w.ensure(14);
    w.doc.rect(PAGE.left, w.y + 1, 9, 9).fillColor(STATUS_COLORS[s] ?? COLORS.muted).fill();
    w.drawLine(s.replace('_', ' '), PAGE.left + 14, w.y, 'bold', 8.5);
    const lines = w.wrap(meaning[s]!, w.width - 110, 'sans', 8.5);
    lines.forEach((l, i) => w.drawLine(l, PAGE.left + 110, w.y + i * 10.6, 'sans', 8.5));
    w.y += Math.max(1, lines.length) * 10.6 + 2;
  }
  if (backfilled) w.para(BACKFILL_LEGEND, { size: 8.5 });
  w.y += 4;
}

export function drawPeriodSummary(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('The period at a glance', 1, { outline: true });
  drawLegend(w, backfilledRuns(p) > 0);
  drawCounts(w, p);
  w.heading('Runs per status, per control (each cell counts runs)', 2);
  w.table(
    [
      { header: 'Control', width: 165 },
      ...STATUSES.map((s) => ({ header: s === 'NOT_APPLICABLE' ? 'N/A' : s, width: 42 })),
      { header: 'Exceptions (open)', width: 82.28 },
    ],
    p.history.controls.map((c) => {
      const open = c.exceptions.filter(isOpenStreak).length;
      return {
        cells: [
          c.id,
          ...STATUSES.map((s) => ({ text: String(c.runs[s]), ...(c.runs[s] > 0 && s !== 'PASS' ? { color: STATUS_COLORS[s] } : {}) })),
          `${c.exceptions.length} (${open})`,
        ],
      };
    }),
  );
}

/** One row of marks per control, one mark per run, placed by its asOf along the period. */
export function drawTimelines(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('Timelines', 1, { outline: true });
  w.para('Each mark is one run, coloured by the control\'s status in that run and placed on the day its state was observed; several runs of one day stand side by side in that day\'s width, in time order. A blank stretch is time without a run (see Gaps).', { size: 8.5, color: COLORS.muted });
  const multi = [...new Set(p.history.runs.map((r) => r.asOf.slice(0, 10)))].filter((d) => p.history.runs.filter((r) => r.asOf.startsWith(d)).length > 1);
  if (multi.length > 0) w.para(`Days with more than one run: ${multi.length} (${multi.slice(0, 6).join(', ')}${multi.length > 6 ? ', …' : ''}).`, { size: 8.5, color: COLORS.muted });
  if (backfilledRuns(p) > 0) w.para(BACKFILL_LEGEND, { size: 8.5, color: COLORS.muted });
  const h = p.history;
  const t0 = Date.parse(`${h.period.start}T00:00:00Z`);
  const t1 = Date.parse(`${h.period.end}T00:00:00Z`) + 86_400_000;
  const left = PAGE.left + 150;
  const width = PAGE.right - left;
  const dayW = width / Math.max(1, (t1 - t0) / 86_400_000);
  // each run's place among the runs of its day (runs are in asOf order)
  const slots: { k: number; of: number }[] = [];
  const perDay = new Map<string, number>();
  for (const r of h.runs) perDay.set(r.asOf.slice(0, 10), (perDay.get(r.asOf.slice(0, 10)) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const r of h.runs) {
    const d = r.asOf.slice(0, 10);
    const k = seen.get(d) ?? 0;
    seen.set(d, k + 1);
    slots.push({ k, of: perDay.get(d)! });
  }
  const rowH = 17;
  const axis = (): void => {
    w.drawLine(h.period.start, left, w.y, 'sans', 6.5, COLORS.muted);
    const end = h.period.end;
    w.drawLine(end, PAGE.right - w.measure(end, 'sans', 6.5), w.y, 'sans', 6.5, COLORS.muted);
    w.y += 10;
  };
  axis();
  for (const c of h.controls) {
    if (w.y + rowH > PAGE.bottom) {
      w.newPage();
      axis();
    }
    w.drawLine(c.id, PAGE.left, w.y + 3, 'sans', 6.5);
    w.doc.moveTo(left, w.y + rowH - 3).lineTo(PAGE.right, w.y + rowH - 3).lineWidth(0.3).strokeColor(COLORS.rule).stroke();
    const line = p.timelines.get(c.id) ?? [];
    h.runs.forEach((r, i) => {
      const s = line[i];
      if (!s) return;
      // runs of one day share that day's width side by side: FAIL, FAIL, PASS is three marks
      const slot = slots[i]!;
      const dayStart = Date.parse(`${r.asOf.slice(0, 10)}T00:00:00Z`);
      const dayX = left + ((dayStart - t0) / (t1 - t0)) * width;
      const slotW = dayW / slot.of;
      const markW = Math.max(0.35, Math.min(6, slotW * 0.8));
      const x = Math.min(dayX + slot.k * slotW, PAGE.right - markW);
      const mark = w.doc.rect(x, w.y + 2, markW, rowH - 7);
      // rebuilt from Config history: outlined, so it is never mistaken for a live observation
      if (r.source === 'config-history') mark.lineWidth(0.5).strokeColor(STATUS_COLORS[s] ?? COLORS.muted).stroke();
      else mark.fillColor(STATUS_COLORS[s] ?? COLORS.muted).fill();
    });
    w.y += rowH;
  }
  w.y += 6;
}

function drawCounts(w: Writer, p: PeriodPackInput): void {
  w.para(controlRunsSentence(p.history.controls), { size: 9 });
  w.para(exceptionCounts(p.exceptions).sentence, { size: 9 });
}

const endOf = (e: PeriodException) =>
  e.resolvedAt ? day(e.resolvedAt) : e.gone ? `gone after ${day(e.lastSeen)}` : e.endedBy ? `became ${e.endedBy} after ${day(e.lastSeen)}` : { text: 'OPEN', color: STATUS_COLORS.FAIL };

function exceptionTable(w: Writer, rows: readonly PeriodException[]): void {
  w.table(
    [
      { header: 'Id', width: 28 },
      { header: 'Control', width: 112, size: 6.5 },
      { header: 'Status', width: 34 },
      { header: 'First seen', width: 50 },
      { header: 'Ended', width: 62 },
      { header: 'Days open', width: 30 },
      { header: 'Runs', width: 48 },
      { header: 'Waivers and management response', width: 135.28 },
    ],
    rows.map((e) => ({
      cells: [
        e.id,
        `${e.controlId}${e.source === 'config-history' ? '\n[rebuilt from Config history]' : e.source === 'mixed' ? '\n[live and rebuilt runs]' : ''}`,
        { text: e.status, color: STATUS_COLORS[e.status] },
        day(e.firstSeen),
        endOf(e),
        String(e.daysOpen),
        `${e.runs}${e.waivedRuns ? ` (${e.waivedRuns} waived)` : ''}`,
        [
          // the waiver's words are printed once, under Waivers; here its id
          e.waivers.length ? `Waived by ${e.waivers.join(', ')} (see Waivers)` : '',
          e.response ? `Response (${e.response.owner}, ${day(e.response.date)}): ${e.response.response}` : '',
        ].filter(Boolean).join('\n') || { text: 'none recorded', color: COLORS.danger },
      ],
      // the resource and the last run's reason at full width: an ARN is never cut mid-way
      detail: [{ text: e.resource, font: 'mono' as const, size: 6.5 }, { text: e.reason, font: 'sans' as const, size: 6.5 }],
    })),
  );
}

export function drawExceptions(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('Exceptions', 1, { outline: true });
  w.para('An exception is a streak of FAIL or ERROR findings of one control on one resource (or, for a manual or inherited control, on its attestation), from the first run that showed it to the run where it passed (resolved), the last run that still saw the resource (gone), the run where it turned from FAIL to ERROR or back (ended; the other kind opens), or the end of the period (open). Days open count from the first to the resolving run, else to the last run seen.', { size: 8.5, color: COLORS.muted });
  drawCounts(w, p);
  for (const warning of p.warnings ?? []) w.para(`WARNING ${warning}`, { size: 8.5, color: COLORS.danger });
  const failures = p.exceptions.filter((e) => e.cause !== 'missing-evidence');
  const missing = p.exceptions.filter((e) => e.cause === 'missing-evidence');
  if (p.exceptions.length > EXCEPTION_ROWS) drawExceptionGroups(w, p.exceptions);
  w.heading(`Failures of resources and attestations (${failures.length})`, 2);
  if (failures.length === 0) w.para('None in this period.');
  else exceptionTable(w, listed(w, failures));
  w.heading(`Missing evidence (${missing.length})`, 2);
  w.para('A whole collection or a region that could not be read: nothing about its resources is known for those runs. These are not failures of resources and are never sampled; their cause is the error AWS returned.', { size: 8.5, color: COLORS.muted });
  if (missing.length === 0) w.para('None in this period.');
  else exceptionTable(w, listed(w, missing));
}

/**
 * Rows of exceptions printed one by one; above it an estate's period is printed by control and
 * account (src/history/by-account.ts) and every exception stays in the attached JSON.
 */
const EXCEPTION_ROWS = 400;

function listed(w: Writer, rows: readonly PeriodException[]): readonly PeriodException[] {
  if (rows.length <= EXCEPTION_ROWS) return rows;
  w.para(`The first ${EXCEPTION_ROWS} of ${rows.length} are listed here; all ${rows.length}, with their ids, resources and reasons, are in the attached ${HISTORY_ATTACHMENT} and ${CRITERIA_ATTACHMENT}, and above by control and account.`, { size: 8.5, color: COLORS.muted });
  return rows.slice(0, EXCEPTION_ROWS);
}

function drawExceptionGroups(w: Writer, exceptions: readonly PeriodException[]): void {
  const groups = exceptionsByControlAndAccount(exceptions);
  w.heading(`By control and account (${groups.length} groups)`, 2);
  w.table(
    [
      { header: 'Control', width: 190, size: 6.5 },
      { header: 'Account', width: 70, font: 'mono' },
      { header: 'Exceptions', width: 50 },
      { header: 'Open at end', width: 50 },
      { header: 'Missing evidence', width: 55 },
      { header: 'Longest (days open)', width: 50 },
      { header: 'Runs', width: 34.28 },
    ],
    groups.map((g) => ({
      cells: [g.controlId, g.account ?? '-', String(g.exceptions), String(g.open), String(g.missingEvidence), String(g.maxDaysOpen), String(g.runs)],
    })),
  );
}

export function drawWaivers(w: Writer, p: PeriodPackInput): void {
  w.heading('Waivers', 1, { outline: true });
  w.para('Waivers were applied when each run was evaluated, by the waivers in force at the run\'s time (from approved_on to expires); this pack does not apply a waivers file again. Each waiver below covered the runs counted.', { size: 8.5, color: COLORS.muted });
  const known = p.waivers.filter((x) => x.approvedOn);
  const unknown = p.waivers.filter((x) => !x.approvedOn);
  const table = (rows: typeof p.waivers) => w.table(
    [
      { header: 'Waiver', width: 62, font: 'mono', size: 6 },
      { header: 'Control and reason', width: 170 },
      { header: 'Approved', width: 95 },
      { header: 'Expires', width: 50 },
      { header: 'Runs covered', width: 122.28 },
    ],
    rows.map((x) => ({
      cells: [x.id, `${x.control}\n${x.reason.trim()}`, `${x.approvedOn ? day(x.approvedOn) : 'date unknown'}\nby ${x.approver}`, day(x.expires), `${x.runs} (${day(x.firstRun)} to ${day(x.lastRun)})`],
      detail: [{ text: x.resources.join('\n'), font: 'mono' as const, size: 6 }],
    })),
    { size: 7 },
  );
  if (p.waivers.length === 0) w.para('No finding of the period was waived.', { size: 9 });
  if (known.length > 0) table(known);
  if (unknown.length > 0) {
    w.heading(`Approval date unknown (${unknown.length})`, 2);
    w.para('These waivers have no approved_on: they covered live runs only, never a run rebuilt from history. Add approved_on to the waivers file.', { size: 8.5, color: COLORS.danger });
    table(unknown);
  }
}

/** Consecutive days as ranges: "2026-01-01 to 2026-03-31 (90 days)". */
function dayRanges(days: readonly string[]): string[] {
  const out: string[] = [];
  let start: string | undefined;
  let prev: string | undefined;
  let count = 0;
  const flush = () => {
    if (start) out.push(count === 1 ? start : `${start} to ${prev} (${count} days)`);
  };
  for (const d of days) {
    if (prev && Date.parse(`${d}T00:00:00Z`) - Date.parse(`${prev}T00:00:00Z`) === 86_400_000) {
      prev = d;
      count++;
      continue;
    }
    flush();
    start = d;
    prev = d;
    count = 1;
  }
  flush();
  return out;
}

export function drawGaps(w: Writer, p: PeriodPackInput): void {
  w.heading('Gaps', 1, { outline: true });
  const m = p.history.days.missing;
  w.para(m.length === 0
    ? 'Every day of the period has at least one run.'
    : `${m.length} day${m.length === 1 ? '' : 's'} of the period without a run. Gaps are reported, never bridged: a streak neither continues nor ends on a day without a run.`, { size: 9 });
  if (m.length) w.para(dayRanges(m).join('; '), { font: 'mono', size: 7.5 });
}

export function drawSamples(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('Population and sample', 1, { outline: true });
  w.para('Per control, the population is every (run, resource) occurrence of its findings on real resources in the period, named "<run id>|<resource ARN>" and listed, with its status and evidence record ids, in the attached population.tsv. Placeholders for missing evidence and the attestations of manual controls are not resources: they are never in a population (they are exceptions). Anyone holding population.tsv draws the same sample with the attached redraw-sample.sh (also in the appendix):', { size: 8.5 });
  const seed = p.samples[0]?.seed ?? '';
  w.para(`Seed: ${seed}`, { font: 'mono', size: 7.5 });
  w.para(`Method: ${p.samples[0]?.method ?? ''}`, { size: 8.5 });
  w.para('sh redraw-sample.sh population.tsv CONTROL SEED N', { font: 'mono', size: 7 });
  w.para('n comes from how often the control runs: several times a day 40, daily 25, weekly 5, monthly 2, quarterly 2, annually 1 (never more than the population).', { size: 8.5, color: COLORS.muted });
  for (const s of p.samples) {
    w.heading(`${s.controlId}: population ${s.population}, ${s.frequency}, n = ${s.n}`, 3);
    if (s.populationSha256 && s.population > 0) w.para(`population sha256 ${s.populationSha256}`, { font: 'mono', size: 6.5 });
    if (s.drawn.length === 0) {
      w.para('No occurrences (a manual or inherited control, or no resource in scope).', { size: 8 });
      continue;
    }
    w.table(
      [
        { header: 'Run (as of)', width: 80 },
        { header: 'Resource', width: 250, font: 'mono', size: 6 },
        { header: 'Status', width: 40 },
        { header: 'Evidence record', width: 129.28, font: 'mono', size: 5.5 },
      ],
      s.drawn.map((d) => ({
        cells: [`${fmtTime(d.asOf)}\n${d.runId}`, d.resource, { text: d.status, color: STATUS_COLORS[d.status] ?? COLORS.text }, d.records.join('\n') || 'none'],
        detail: [{ text: `control ${s.controlId} · key ${d.key}`, font: 'mono' as const, size: 5.5 }],
      })),
      { size: 7 },
    );
  }
}

export function drawPeriodAppendix(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('How to verify this pack', 1, { outline: true });
  w.para('1. The signature covers the whole file: `pdfsig FILE.pdf`, or `trustpack verify FILE.pdf --trust SIGNER.pem`.', { size: 8.5 });
  w.para('2. Each run\'s evidence bundle is named by its sha256 (the sha256 of its manifest.json, which lists the sha256 of every records file). The manifests are attached as bundle-<sha256>.json; `trustpack verify FILE.pdf --archive LOCATION` checks each against the archive entry that names it and the archive head printed on the cover.', { size: 8.5 });
  w.para(`3. history.json is the history of the period (exceptions, counts per status) computed ${p.judged.mode === 'reevaluated' ? 'from the archived evidence re-evaluated with today\'s catalog (see Re-evaluation), not from' : 'from'} the results stored with each run when it was archived; period.json lists the archive entries used; population.tsv is the population the sample is drawn from.`, { size: 8.5 });
  drawRebuiltNote(w, p);
  drawConclusionRules(w);
  const script = p.attachments.find((a) => a.name === 'redraw-sample.sh');
  if (script) {
    w.heading('The sample, redrawn without trustpack (redraw-sample.sh)', 2);
    w.para(script.bytes.toString('utf8'), { font: 'mono', size: 6 });
  }
  w.heading('Runs in this pack', 2);
  w.table(
    [
      { header: 'N', width: 30 },
      { header: 'As of', width: 85 },
      { header: 'Source', width: 55 },
      { header: 'Bundle sha256', width: 329.28, font: 'mono', size: 5.5 },
    ],
    p.runs.map((r) => ({ cells: [String(r.n), fmtTime(r.asOf), r.source, r.bundle] })),
    { size: 7 },
  );
  w.heading('Attachments', 2);
  w.para(p.attachments.map((a) => a.name).slice(0, 8).join(', ') + (p.attachments.length > 8 ? `, and ${p.attachments.length - 8} more bundle manifests` : ''), { size: 8 });
}
