// Per framework: requirement coverage, controls by status with a small bar chart, and the
// requirement-to-control matrix.
import { SHOWN_STATUS_ORDER as STATUSES, type ControlStatus } from '../engine/results.js';
import { COLORS, PAGE, STATUS_COLORS } from './layout.js';
import type { PackContext } from './context.js';
import { controlCountLine, requirementReading } from './coverage-words.js';
import { drawLegend, frameworkLabel } from './auditor.js';


function controlsOf(ctx: PackContext, fw: string): { id: string; status: ControlStatus }[] {
  const out: { id: string; status: ControlStatus }[] = [];
  for (const r of ctx.results.values()) {
    const reqs = (r.frameworks as Record<string, string[] | undefined>)[fw];
    if (reqs && reqs.length) out.push({ id: r.id, status: r.status });
  }
  return out;
}

export function drawSummary(ctx: PackContext): void {
  const { w } = ctx;
  w.newPage();
  w.heading('Summary by framework', 1, { dest: 'summary', outline: true });
  drawLegend(ctx);
  for (const fw of ctx.frameworks) {
    const cov = ctx.coverage.find((c) => c.id === fw.id);
    const ctrls = controlsOf(ctx, fw.id);
    const counts = new Map<ControlStatus, number>(STATUSES.map((s) => [s, 0]));
    for (const c of ctrls) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    w.ensure(175);
    w.heading(frameworkLabel(fw), 2);
    const total = cov?.total ?? fw.requirements.length;
    const covered = cov?.covered ?? 0;
    const automated = cov?.automated ?? 0;
    w.para(`Requirements: ${total} in our catalog, ${covered} covered by at least one control, ${automated} proven by collected evidence${cov?.leaves ? ` (most specific requirements only: ${cov.leaves.covered} of ${cov.leaves.total} covered, ${cov.leaves.automated} proven by evidence)` : ''}. Controls mapped: ${ctrls.length}.`, { size: 9 });

    // bars: coverage, then controls by status
    const x0 = PAGE.left + 105;
    const barW = 300;
    const bar = (label: string, n: number, of: number, color: string): void => {
      w.drawLine(label, PAGE.left, w.y + 1, 'sans', 8);
      w.doc.rect(x0, w.y, barW, 9).fillColor('#eeeeee').fill();
      if (of > 0 && n > 0) w.doc.rect(x0, w.y, Math.max(1, (barW * n) / of), 9).fillColor(color).fill();
      w.drawLine(`${n} / ${of}${of ? `  (${Math.round((100 * n) / of)}%)` : ''}`, x0 + barW + 8, w.y + 1, 'sans', 8);
      w.y += 12.5;
    };
    bar('covered', covered, total, COLORS.accent);
    bar('automated', automated, total, '#4a7fb0');
    w.y += 3;
    for (const s of STATUSES) bar(s.replace('_', ' ').toLowerCase(), counts.get(s) ?? 0, ctrls.length, STATUS_COLORS[s] ?? COLORS.muted);
    w.y += 6;
  }
}

export function drawMatrix(ctx: PackContext): void {
  const { w } = ctx;
  for (const fw of ctx.frameworks) {
    w.newPage();
    w.heading(`Requirement-to-control matrix: ${fw.title}`, 1, { dest: `matrix-${fw.id}`, outline: true });
    const cov = ctx.coverage.find((c) => c.id === fw.id);
    // requirements from coverage when given (it knows the mapping), else from the catalog
    const reqs = cov?.requirements ?? fw.requirements.map((r) => ({ id: r.id, title: r.title, controls: mappedTo(ctx, fw.id, r.id), automated: false }));
    // coverage, never a verdict by proxy: a requirement is never labelled PASS
    const rows = reqs.map((req) => {
      const st = req.controls.map((id) => ctx.results.get(id)?.status);
      const aspects = req.controls.map((id) => ctx.results.get(id)?.title ?? ctx.controls.get(id)?.title ?? id);
      const reading = requirementReading(st, aspects);
      const color = reading.tone === 'exception' ? STATUS_COLORS.FAIL : reading.tone === 'untested' ? STATUS_COLORS.ERROR : reading.tone === 'ok' ? COLORS.text : COLORS.muted;
      return {
        cells: [
          { text: req.id, font: 'bold' as const },
          req.title,
          req.controls.map((id) => `${id} (${ctx.results.get(id)?.status.replace('_', ' ') ?? 'not evaluated'})`).join('\n') || '—',
          { text: `${controlCountLine(st)}\n${reading.text}`, color: color ?? COLORS.muted },
        ],
      };
    });
    w.table(
      [
        { header: 'Requirement', width: 62 },
        { header: 'Title', width: 160 },
        { header: 'Controls (status in this run)', width: 147 },
        { header: 'What the controls show', width: 130 },
      ],
      rows,
    );
  }
}

function mappedTo(ctx: PackContext, fw: string, req: string): string[] {
  const out: string[] = [];
  for (const c of ctx.controls.values()) if ((c.frameworks as Record<string, string[] | undefined>)[fw]?.includes(req)) out.push(c.id);
  return out;
}
