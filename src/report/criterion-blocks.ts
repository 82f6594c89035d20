// The blocks a pack organised by criterion draws the same way for a run and for a period: a
// requirement with its controls and conclusion, the requirements no control covers, and the
// tables of conclusion rules. Only the counts column differs (findings of a run, runs of a
// period), so the callers hand over that column's header and text.
import { COLORS, STATUS_COLORS, type Writer } from './layout.js';

interface Conclusion { text: string; rule: string }
interface Requirement { id: string; title: string; conclusion: Conclusion }

/** A control's row under a requirement: the counts column and the exceptions are the caller's. */
export interface RequirementControlRow { id: string; title: string; counts: string; exceptions: string; conclusion: Conclusion }

/** A failing conclusion in the FAIL colour, an unproven or uncovered one in the ERROR colour. */
export const ruleColor = (rule: string): string =>
  rule === 'C2' || rule === 'R3' ? STATUS_COLORS.FAIL! : ['C1', 'C3', 'R1', 'R2', 'R4'].includes(rule) ? STATUS_COLORS.ERROR! : COLORS.text;

export function drawRequirement(w: Writer, r: Requirement, countsHeader: string, rows: readonly RequirementControlRow[]): void {
  w.heading(`${r.id} ${r.title}`, 2);
  w.field('Conclusion', `${r.conclusion.text} [rule ${r.conclusion.rule}]`, { size: 9, labelWidth: 70 });
  w.table(
    [
      // wide enough for the longest control id on one line: pdftotext and readers search by id
      { header: 'Control', width: 190, size: 6 },
      { header: countsHeader, width: 100 },
      { header: 'Exceptions', width: 50 },
      { header: 'Conclusion', width: 159.28 },
    ],
    rows.map((d) => ({
      cells: [`${d.id}\n${d.title}`, d.counts, d.exceptions || 'none', { text: `${d.conclusion.text} [${d.conclusion.rule}]`, color: ruleColor(d.conclusion.rule) }],
    })),
    { size: 7 },
  );
}

/** Each control's detail under the first requirement it is mapped to; later ones point back. */
export function drawDetailsOnce(w: Writer, ids: readonly string[], shown: Set<string>, draw: (id: string) => void): void {
  for (const id of ids) {
    if (shown.has(id)) {
      w.para(`${id}: what it tests is shown above, under the first requirement it is mapped to.`, { size: 7.5, color: COLORS.muted });
      continue;
    }
    shown.add(id);
    draw(id);
  }
}

export function drawUncoveredRequirements(w: Writer, framework: string, uncovered: readonly { id: string; title: string }[]): void {
  if (uncovered.length === 0) return;
  w.heading(`Requirements of ${framework} no control covers (${uncovered.length})`, 2);
  w.para('Not covered: no control maps to these requirements, so this pack evidences nothing about them [rule R1].', { size: 8.5 });
  w.table(
    [{ header: 'Requirement', width: 70 }, { header: 'Title (our paraphrase)', width: 429.28 }],
    uncovered.map((r) => ({ cells: [r.id, r.title] })),
    { size: 7 },
  );
}

type RuleRow = { rule: string; when: string; says: string };

/** The appendix's rule tables: the control rules, then the requirement rules. */
export function drawRuleTables(w: Writer, intro: string, controlRules: readonly RuleRow[], requirementRules: readonly RuleRow[]): void {
  w.heading('How the conclusions are drawn', 2);
  w.para(intro, { size: 8.5 });
  for (const rows of [controlRules, requirementRules]) {
    w.table(
      [{ header: 'Rule', width: 30 }, { header: 'When', width: 230 }, { header: 'The conclusion reads', width: 239.28 }],
      rows.map((r) => ({ cells: [r.rule, r.when, r.says] })),
      { size: 7 },
    );
  }
}
