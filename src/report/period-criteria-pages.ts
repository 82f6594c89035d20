// The period pack organised as an auditor reads it: per control what it tests, over which
// population, the runs per status, the exceptions and a conclusion by a stated rule; with
// --framework, per requirement of the framework its controls and a conclusion that is never a
// pass, only "no exceptions noted in the tested aspects" with the aspects named.
import { COLORS, type Writer } from './layout.js';
import { drawDetailsOnce, drawRequirement, drawRuleTables, drawUncoveredRequirements } from './criterion-blocks.js';
import { fmtValue } from './context.js';
import type { PeriodControlDetail, PeriodCriterionPart, PeriodPackInput } from './period-types.js';
import { CONTROL_RULES, REQUIREMENT_RULES } from '../history/conclusion.js';
import { CONTROL_STATUSES } from '../engine/results.js';

function runsLine(d: Pick<PeriodControlDetail, 'runs' | 'evaluated'>): string {
  const parts = CONTROL_STATUSES.filter((s) => d.runs[s] > 0).map((s) => `${d.runs[s]} ${s.replace('_', ' ')}`);
  return d.evaluated === 0 ? 'not evaluated in any run of the period' : `${d.evaluated} runs: ${parts.join(', ')}`;
}

/** One control's detail block: what it tests and what the period showed. */
function drawControlDetail(w: Writer, d: PeriodControlDetail, opts: { level?: 2 | 3; dest?: boolean } = {}): void {
  w.heading(`${d.id} — ${d.title}`, opts.level ?? 2, opts.dest ? { dest: `control-${d.id}` } : {});
  const size = 8.5;
  const f = (label: string, value: string, mono = false) => w.field(label, value, { size, labelWidth: 105, ...(mono ? { valueFont: 'mono' as const } : {}) });
  if (d.description) f('What it tests', d.description.replace(/\s+/g, ' '));
  if (d.claim) f('Public claim', d.claim);
  f('Kind', d.kind === 'automated' ? 'automated (read from AWS every run)' : d.kind === 'inherited' ? 'inherited (operated by the provider; its report held as an attestation)' : 'manual (an attestation with a document and its sha256)');
  if (d.asserts) f('Assertion', d.asserts);
  if (d.parameters) f('Parameters', Object.entries(d.parameters).map(([k, v]) => `${k} = ${fmtValue(v)}`).join('; '));
  f('Evidence source', d.source);
  f('Population', d.kind === 'automated'
    ? `${d.population.occurrences} findings on ${d.population.resources} resources over the period (run × resource occurrences; placeholders for missing evidence excluded)`
    : 'none: an attestation is not sampled; a failing one is an exception');
  if (d.population.occurrences > 0) f('Population sha256', d.population.sha256, true);
  f('Runs per status', runsLine(d));
  const ex = [...d.facts.exceptions, ...d.facts.missing];
  f('Exceptions', ex.length === 0 ? 'none' : `${d.facts.exceptions.length} (${d.facts.exceptions.join(', ') || '—'})${d.facts.missing.length ? `; missing evidence: ${d.facts.missing.join(', ')}` : ''}`);
  w.ensure(12);
  w.field('Conclusion', `${d.conclusion.text} [rule ${d.conclusion.rule}]`, { size: 9, labelWidth: 105 });
}

/** Without --framework: today's control order, each with its detail. */
function drawControlDetails(w: Writer, p: PeriodPackInput, title = 'Controls: what each tests and what the period showed'): void {
  w.newPage();
  w.heading(title, 1, { outline: true });
  w.para('Per control: what it tests in plain words, the assertion with its parameter values, the evidence source, the population it tested over the period, the runs in each status, its exceptions (listed under Exceptions) and a conclusion by the rules in the appendix.', { size: 8.5, color: COLORS.muted });
  for (const d of p.controls) drawControlDetail(w, d, { dest: true });
}

/** One framework: every requirement in its order, its controls and the conclusion. */
function drawCriterionPart(w: Writer, p: PeriodPackInput, part: PeriodCriterionPart, withDetail: boolean): void {
  const byId = new Map(p.controls.map((c) => [c.id, c]));
  w.newPage();
  w.heading(`${part.framework.title}, requirement by requirement`, 1, { outline: true });
  const covered = part.requirements.filter((r) => r.controls.length > 0);
  const uncovered = part.requirements.filter((r) => r.controls.length === 0);
  w.para(`${part.requirements.length} requirements (titles are our paraphrase, version ${part.framework.version}): ${covered.length} with mapped controls, ${uncovered.length} no control covers (listed at the end of this part). A requirement is never labelled passed: where every mapped control passed, it reads "no exceptions noted in the tested aspects" and names them.`, { size: 8.5, color: COLORS.muted });
  const shown = new Set<string>();
  for (const r of covered) {
    const detail = (id: string) => byId.get(id) ?? r.unevaluated.find((u) => u.id === id)!;
    drawRequirement(w, r, 'Runs per status', r.controls.map((id) => {
      const d = detail(id);
      return { id: d.id, title: d.title, counts: runsLine(d), exceptions: d.facts.exceptions.join(', '), conclusion: d.conclusion };
    }));
    if (withDetail) drawDetailsOnce(w, r.controls, shown, (id) => drawControlDetail(w, detail(id), { level: 3 }));
  }
  drawUncoveredRequirements(w, part.framework.id, uncovered);
}

/** The parts after the summary: control detail, criterion parts, or a shared index then parts. */
export function drawCriteria(w: Writer, p: PeriodPackInput): void {
  if (p.parts.length === 0) {
    drawControlDetails(w, p);
    return;
  }
  if (p.parts.length === 1) {
    drawCriterionPart(w, p, p.parts[0]!, true);
    return;
  }
  drawControlDetails(w, p, 'Control index: what each control tests and what the period showed');
  for (const part of p.parts) drawCriterionPart(w, p, part, false);
}

export function drawConclusionRules(w: Writer): void {
  drawRuleTables(w, 'Each control\'s conclusion follows from the counts of the period by the first rule below whose condition holds; each requirement\'s from its mapped controls\' conclusions the same way. N is the number of runs of the period that evaluated the control.', CONTROL_RULES, REQUIREMENT_RULES);
}
