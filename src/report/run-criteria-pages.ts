// The run pack organised as the framework is: per requirement its controls, what each tests, the
// population of this run, its findings per status, exceptions, waivers and a conclusion by a
// stated rule; never a requirement labelled passed. With every framework: a control index, then
// one part per framework.
import { COLORS, type Writer } from './layout.js';
import { drawDetailsOnce, drawRequirement, drawRuleTables, drawUncoveredRequirements, ruleColor } from './criterion-blocks.js';
import { fmtTime, fmtValue, type PackContext } from './context.js';
import { frameworkLabel } from './auditor.js';
import { idRanges, RUN_CONTROL_RULES, RUN_REQUIREMENT_RULES, type RunControlDetail, type RunCriterionPart } from './run-criteria.js';

const FINDING_ORDER = ['PASS', 'FAIL', 'ERROR', 'WAIVED', 'MANUAL'] as const;

/** "3 findings: 2 PASS, 1 FAIL" (resources of this run), plus the scopes without evidence. */
export function findingsLine(d: RunControlDetail): string {
  if (d.status === undefined) return 'not evaluated in this run';
  const parts = FINDING_ORDER.filter((s) => (d.findings[s] ?? 0) > 0).map((s) => `${d.findings[s]} ${s}`);
  const n = d.population.findings;
  const head = d.kind !== 'automated' ? `control ${d.status.replace('_', ' ')} (attestation)` : n === 0 ? 'no finding on a resource' : `${n} finding${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
  return d.missingScopes > 0 ? `${head}; ${d.missingScopes} scope${d.missingScopes === 1 ? '' : 's'} without evidence` : head;
}

function waiverLine(w: RunControlDetail['waivers'][number]): string {
  const approved = w.approvedOn ? `approved ${w.approvedOn.slice(0, 10)}` : 'approval date unknown';
  return `${w.id ?? 'waiver'}: ${approved} by ${w.approver}, expires ${fmtTime(w.expires)}; covers ${w.resources.length} resource${w.resources.length === 1 ? '' : 's'}`;
}

/** One control's block: what it tests and what this run showed. */
function drawDetail(ctx: PackContext, d: RunControlDetail): void {
  const { w } = ctx;
  w.heading(`${d.id} — ${d.title}`, 3);
  const f = (label: string, value: string, mono = false) => w.field(label, value, { size: 8.5, labelWidth: 105, ...(mono ? { valueFont: 'mono' as const } : {}) });
  if (d.description) f('What it tests', d.description);
  f('Kind', d.kind === 'automated' ? 'automated (read from AWS in this run)' : d.kind === 'inherited' ? 'inherited (operated by the provider; its report held as an attestation)' : 'manual (an attestation with a document and its sha256)');
  if (d.asserts) f('Test procedure', d.asserts);
  if (d.parameters) f('Parameters', Object.entries(d.parameters).map(([k, v]) => `${k} = ${fmtValue(v)}`).join('; '));
  f('Evidence source', d.source);
  f('Population', d.kind === 'automated'
    ? `${d.population.findings} findings on ${d.population.resources} resources in this run (placeholders for missing evidence excluded)`
    : 'none: an attestation is not sampled; a failing one is an exception');
  f('Findings per status', findingsLine(d));
  const ex = [...d.exceptions, ...d.missing];
  f('Exceptions', ex.length === 0 ? 'none' : `${idRanges(d.exceptions) || 'none'}${d.missing.length ? `; missing evidence: ${idRanges(d.missing)}` : ''} (listed under Exceptions)`);
  if (d.waivers.length > 0) f('Waivers', d.waivers.map(waiverLine).join('\n'));
  w.ensure(12);
  w.field('Conclusion', `${d.conclusion.text} [rule ${d.conclusion.rule}]`, { size: 9, labelWidth: 105 });
}

function drawPart(ctx: PackContext, part: RunCriterionPart, withDetail: boolean): void {
  const { w } = ctx;
  const details = ctx.criteria.controls;
  const fw = ctx.frameworks.find((f) => f.id === part.framework.id);
  w.newPage();
  w.heading(`${fw ? frameworkLabel(fw) : part.framework.title}, requirement by requirement`, 1, { dest: `criteria-${part.framework.id}`, outline: true });
  const covered = part.requirements.filter((r) => r.controls.length > 0);
  const uncovered = part.requirements.filter((r) => r.controls.length === 0);
  w.para(`${part.requirements.length} requirements (titles are our paraphrase): ${covered.length} with mapped controls, ${uncovered.length} no control covers (listed at the end of this part). A requirement is never labelled passed: where every mapped control passed, it reads "no exceptions noted in the tested aspects" and names them. Conclusions follow the rules in the appendix.`, { size: 8.5, color: COLORS.muted });
  if (!withDetail) {
    // after the control index: one row per requirement, so five frameworks stay a few pages each
    w.table(
      [
        { header: 'Requirement', width: 140 },
        { header: 'Controls [rule: exceptions]', width: 190, size: 6 },
        { header: 'Conclusion', width: 169.28 },
      ],
      covered.map((r) => ({
        cells: [
          { text: `${r.id}\n${r.title}`, font: 'sans' as const },
          r.controls.map((id) => {
            const d = details.get(id)!;
            const ex = [...d.exceptions, ...d.missing];
            return `${id} [${d.conclusion.rule}${ex.length ? `: ${idRanges(ex)}` : ''}]`;
          }).join('\n'),
          { text: `${r.conclusion.text} [rule ${r.conclusion.rule}]`, color: ruleColor(r.conclusion.rule) },
        ],
      })),
      { size: 7, continued: `${part.framework.id} requirements` },
    );
  }
  const shown = new Set<string>();
  for (const r of withDetail ? covered : []) {
    w.ensure(90);
    drawRequirement(w, r, 'Findings in this run', r.controls.map((id) => {
      const d = details.get(id)!;
      return { id: d.id, title: d.title, counts: findingsLine(d), exceptions: idRanges([...d.exceptions, ...d.missing]), conclusion: d.conclusion };
    }));
    drawDetailsOnce(w, r.controls, shown, (id) => drawDetail(ctx, details.get(id)!));
  }
  drawUncoveredRequirements(w, part.framework.id, uncovered);
}

/** Every framework: one row per control of the run, then one part per framework. */
function drawControlIndex(ctx: PackContext): void {
  const { w } = ctx;
  w.newPage();
  w.heading('Control index: what each control tests and what this run showed', 1, { dest: 'control-index', outline: true });
  w.para('One row per control evaluated in this run, in the order of the Controls section (which has each control\'s test procedure, parameters and findings). The framework parts that follow refer to these controls by id.', { size: 8.5, color: COLORS.muted });
  w.table(
    [
      { header: 'Control', width: 170, size: 6 },
      { header: 'Evidence source', width: 110, size: 6 },
      { header: 'Findings in this run', width: 85 },
      { header: 'Conclusion', width: 134.28 },
    ],
    ctx.input.results.controls.map((r) => {
      const d = ctx.criteria.controls.get(r.id)!;
      return {
        cells: [
          `${d.id}\n${d.title}`,
          d.source,
          findingsLine(d),
          { text: `${d.conclusion.text} [${d.conclusion.rule}]`, color: ruleColor(d.conclusion.rule) },
        ],
      };
    }),
    { size: 7, continued: 'Control index' },
  );
}

/** The criterion parts: one framework with each control's detail, or an index then every part. */
export function drawRunCriteria(ctx: PackContext): void {
  const parts = ctx.criteria.parts;
  if (parts.length === 1) {
    drawPart(ctx, parts[0]!, true);
    return;
  }
  drawControlIndex(ctx);
  for (const part of parts) drawPart(ctx, part, false);
}

export function drawRunConclusionRules(w: Writer): void {
  drawRuleTables(w, 'Each control\'s conclusion follows from this run\'s results by the first rule below whose condition holds; each requirement\'s from its mapped controls\' conclusions the same way. A scope is one account and region (or the account, for a global service). The period pack applies the same rules counted over the runs of its period.', RUN_CONTROL_RULES, RUN_REQUIREMENT_RULES);
}
