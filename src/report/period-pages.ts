// The pages of a period pack: cover (period, system, archive head, preparer and reviewer), a
// status legend, the period at a glance, a timeline per control (one mark per run),
// exceptions with their dates and covers, gaps, population and sample, and how to verify.
import { COLORS, PAGE, STATUS_COLORS, type Writer } from './layout.js';
import { fmtTime } from './context.js';
import type { SignerIdentity } from './sign.js';
import type { PeriodPackInput } from './period-types.js';
import type { ControlStatus } from '../engine/results.js';
import { isOpenStreak } from '../history/streaks.js';
import { BACKFILL_LEGEND, backfilledRuns, drawRebuiltNote } from './period-backfill.js';

const STATUSES: ControlStatus[] = ['PASS', 'FAIL', 'ERROR', 'WAIVED', 'MANUAL', 'NOT_APPLICABLE'];
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

  w.heading('The system', 2);
  w.field('Scope', p.system?.scope ?? 'not stated (add system.scope to trustpack.yaml)');
  w.field('In-scope accounts', p.system?.accounts?.join(', ') || [...new Set(h.runs.flatMap((r) => r.accounts))].join(', ') || '—');
  w.field('In-scope services', p.system?.services?.join(', ') || '—');
  w.field('Regions observed', [...new Set(h.runs.flatMap((r) => r.regions))].sort().join(', ') || '—');

  w.heading('The period', 2);
  w.field('Period', `${h.period.start} to ${h.period.end}`);
  w.field('Runs', `${h.runs.length} (${h.runs.filter((r) => r.source === 'config-history').length} rebuilt from AWS Config history)`);
  w.field('Days with evidence', `${h.days.withEvidence} of ${h.days.total}${h.days.missing.length ? `; ${h.days.missing.length} without a run (listed under Gaps)` : ''}`);
  w.field('Frameworks', p.framework && p.framework !== 'all' ? p.framework : 'all mapped frameworks');
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
  w.heading('Runs per status, per control', 2);
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
  w.para('Each mark is one run, placed at the time its state was observed and coloured by the control\'s status in that run. A blank stretch is time without a run (see Gaps).', { size: 8.5, color: COLORS.muted });
  if (backfilledRuns(p) > 0) w.para(BACKFILL_LEGEND, { size: 8.5, color: COLORS.muted });
  const h = p.history;
  const t0 = Date.parse(`${h.period.start}T00:00:00Z`);
  const t1 = Date.parse(`${h.period.end}T00:00:00Z`) + 86_400_000;
  const left = PAGE.left + 150;
  const width = PAGE.right - left;
  const markW = Math.max(0.6, Math.min(6, (width / Math.max(1, (t1 - t0) / 86_400_000)) * 0.8));
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
      const x = left + ((Date.parse(r.asOf) - t0) / (t1 - t0)) * width;
      const mark = w.doc.rect(Math.min(x, PAGE.right - markW), w.y + 2, markW, rowH - 7);
      // rebuilt from Config history: outlined, so it is never mistaken for a live observation
      if (r.source === 'config-history') mark.lineWidth(0.5).strokeColor(STATUS_COLORS[s] ?? COLORS.muted).stroke();
      else mark.fillColor(STATUS_COLORS[s] ?? COLORS.muted).fill();
    });
    w.y += rowH;
  }
  w.y += 6;
}

export function drawExceptions(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('Exceptions', 1, { outline: true });
  w.para('An exception is a streak of FAIL or ERROR findings of one control on one resource, from the first run that showed it to the run where it passed (resolved), the last run that still saw the resource (gone), or the end of the period (open). Days open count from the first to the resolving run, else to the last run seen.', { size: 8.5, color: COLORS.muted });
  for (const warning of p.warnings ?? []) w.para(`WARNING ${warning}`, { size: 8.5, color: COLORS.danger });
  if (p.exceptions.length === 0) {
    w.para('None in this period.');
    return;
  }
  w.table(
    [
      { header: 'Control', width: 120, size: 6.5 },
      { header: 'Status', width: 34 },
      { header: 'First seen', width: 50 },
      { header: 'Resolved', width: 62 },
      { header: 'Days open', width: 30 },
      { header: 'Runs', width: 48 },
      { header: 'Waiver or management response', width: 155.28 },
    ],
    p.exceptions.map((e) => ({
      cells: [
        `${e.controlId}${e.source === 'config-history' ? '\n[rebuilt from Config history]' : e.source === 'mixed' ? '\n[live and rebuilt runs]' : ''}`,
        { text: e.status, color: STATUS_COLORS[e.status] },
        day(e.firstSeen),
        e.resolvedAt ? day(e.resolvedAt) : e.gone ? `gone after ${day(e.lastSeen)}` : { text: 'OPEN', color: STATUS_COLORS.FAIL },
        String(e.daysOpen),
        `${e.runs}${e.waivedRuns ? ` (${e.waivedRuns} waived)` : ''}`,
        [
          e.waiver ? `Waiver: ${e.waiver.reason} (approved by ${e.waiver.approver}, expires ${day(e.waiver.expires)})` : '',
          e.response ? `Response (${e.response.owner}, ${day(e.response.date)}): ${e.response.response}` : '',
        ].filter(Boolean).join('\n') || { text: 'none recorded', color: COLORS.danger },
      ],
      // the resource and the last run's reason at full width: an ARN is never cut mid-way
      detail: [{ text: e.resource, font: 'mono' as const, size: 6.5 }, { text: e.reason, font: 'sans' as const, size: 6.5 }],
    })),
  );
}

export function drawGaps(w: Writer, p: PeriodPackInput): void {
  w.heading('Gaps', 1, { outline: true });
  const m = p.history.days.missing;
  w.para(m.length === 0
    ? 'Every day of the period has at least one run.'
    : `${m.length} day${m.length === 1 ? '' : 's'} of the period without a run. Gaps are reported, never bridged: a streak neither continues nor ends on a day without a run.`, { size: 9 });
  if (m.length) w.para(m.join(', '), { font: 'mono', size: 7.5 });
}

export function drawSamples(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('Population and sample', 1, { outline: true });
  w.para('Per control, the population is every (run, resource) occurrence of its findings in the period, named "<run id>|<resource ARN>" and listed in the attached population.tsv. The sample is drawn without trustpack\'s help by anyone holding that file:', { size: 8.5 });
  const seed = p.samples[0]?.seed ?? '';
  w.para(`Seed: ${seed}`, { font: 'mono', size: 7.5 });
  w.para(`Method: ${p.samples[0]?.method ?? ''}`, { size: 8.5 });
  w.para('grep "^CONTROL<TAB>" population.tsv | cut -f2 | while IFS= read -r id; do printf \'%s %s\\n\' "$(printf \'%s%s\' "$SEED" "$id" | sha256sum | cut -d\' \' -f1)" "$id"; done | sort | head -n N', { font: 'mono', size: 6.5 });
  w.para('n comes from how often the control runs: several times a day 40, daily 25, weekly 5, monthly 2, quarterly 2, annually 1 (never more than the population).', { size: 8.5, color: COLORS.muted });
  for (const s of p.samples) {
    w.heading(`${s.controlId}: population ${s.population}, ${s.frequency}, n = ${s.n}`, 3);
    if (s.drawn.length === 0) {
      w.para('No occurrences (a manual control, or no resource in scope).', { size: 8 });
      continue;
    }
    w.table(
      [
        { header: 'Run (as of)', width: 80 },
        { header: 'Resource', width: 220, font: 'mono', size: 6 },
        { header: 'sha256(seed || occurrence id)', width: 199.28, font: 'mono', size: 5 },
      ],
      s.drawn.map((d) => ({ cells: [fmtTime(d.asOf), d.resource, d.key] })),
      { size: 7 },
    );
  }
}

export function drawPeriodAppendix(w: Writer, p: PeriodPackInput): void {
  w.newPage();
  w.heading('How to verify this pack', 1, { outline: true });
  w.para('1. The signature covers the whole file: `pdfsig FILE.pdf`, or `trustpack verify FILE.pdf --trust SIGNER.pem`.', { size: 8.5 });
  w.para('2. Each run\'s evidence bundle is named by its sha256 (the sha256 of its manifest.json, which lists the sha256 of every records file). The manifests are attached as bundle-<sha256>.json; `trustpack verify FILE.pdf --archive LOCATION` checks each against the archive entry that names it and the archive head printed on the cover.', { size: 8.5 });
  w.para('3. history.json is the history of the period (exceptions, counts per status) computed from the results stored with each run when it was archived; period.json lists the archive entries used; population.tsv is the population the sample is drawn from.', { size: 8.5 });
  drawRebuiltNote(w, p);
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
