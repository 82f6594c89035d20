// `controls list`, `controls test` and `coverage`: views of the catalog alone, no evidence.
import type { FrameworkId } from '../controls/model.js';
import { FRAMEWORK_IDS } from '../controls/model.js';
import { runExamples } from '../engine/examples.js';
import { computeCoverage } from '../engine/coverage.js';
import { textTable } from '../output/text-table.js';
import type { ProjectContext } from './project.js';
import { UsageError } from './errors.js';

export function checkFramework(id: string | undefined): FrameworkId | undefined {
  if (id === undefined || id === 'all') return undefined;
  if (!(FRAMEWORK_IDS as readonly string[]).includes(id)) {
    throw new UsageError(`unknown framework '${id}' (expected one of: ${FRAMEWORK_IDS.join(', ')})`);
  }
  return id as FrameworkId;
}

export function listControls(ctx: ProjectContext, framework: string | undefined, format: string): string {
  const fw = checkFramework(framework);
  const selected = ctx.controls.filter((c) => !fw || (c.frameworks[fw]?.length ?? 0) > 0);
  if (format === 'json') {
    return JSON.stringify({
      controls: selected.map((c) => ({
        id: c.id, title: c.title, severity: c.severity, kind: c.kind,
        collector: c.collector ?? null, claim: c.claim ?? null, frameworks: c.frameworks,
      })),
    }, null, 2);
  }
  const rows = selected.map((c) => [
    c.id, c.kind, c.severity,
    Object.entries(c.frameworks).map(([k, v]) => `${k}:${(v ?? []).length}`).join(' '),
    c.title,
  ]);
  return textTable(['ID', 'KIND', 'SEVERITY', 'MAPPINGS', 'TITLE'], rows) + `\n${selected.length} controls`;
}

export function testControls(ctx: ProjectContext, format: string, color: boolean): { ok: boolean; text: string } {
  const results = runExamples(ctx.controls, ctx.project);
  const failed = results.filter((r) => !r.ok);
  if (format === 'json') {
    return { ok: failed.length === 0, text: JSON.stringify({ examples: results, passed: results.length - failed.length, failed: failed.length }, null, 2) };
  }
  const mark = (ok: boolean) => (ok ? (color ? '\u001b[32mok\u001b[0m' : 'ok') : (color ? '\u001b[31mFAILED\u001b[0m' : 'FAILED'));
  const rows = results.map((r) => [mark(r.ok), r.control, r.example, r.expected, r.actual]);
  const lines = [textTable(['', 'CONTROL', 'EXAMPLE', 'EXPECTED', 'ACTUAL'], rows)];
  for (const f of failed) lines.push(`${f.control} / ${f.example}: expected ${f.expected}, got ${f.actual}: ${f.reason}`);
  lines.push(`${results.length - failed.length} passed, ${failed.length} failed`);
  return { ok: failed.length === 0, text: lines.join('\n') };
}

export function coverageReport(ctx: ProjectContext, framework: string | undefined, format: string, uncovered: boolean): string {
  const fw = checkFramework(framework);
  const coverage = computeCoverage(ctx.controls, ctx.frameworks, fw);
  if (format === 'json') return JSON.stringify(coverage, null, 2);
  const pct = (n: number, d: number) => (d === 0 ? '-' : `${Math.round((100 * n) / d)}%`);
  const rows = coverage.frameworks.map((f) => [f.id, String(f.total), `${f.covered} (${pct(f.covered, f.total)})`, `${f.automated} (${pct(f.automated, f.total)})`,
    `${f.leaves.automated}/${f.leaves.covered}/${f.leaves.total}`, f.title]);
  if (format === 'markdown') {
    const md = ['| framework | requirements | covered | automated | leaves automated/covered/total |', '| --- | ---: | ---: | ---: | ---: |'];
    for (const r of rows) md.push(`| ${r[5]} (\`${r[0]}\`) | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} |`);
    return md.join('\n');
  }
  const lines = [textTable(['FRAMEWORK', 'REQUIREMENTS', 'COVERED', 'AUTOMATED', 'LEAVES A/C/T', 'TITLE'], rows)];
  if (uncovered) {
    for (const f of coverage.frameworks) {
      lines.push('', `${f.id}: ${f.uncovered.length} requirements without a control`);
      // a parent's points may have controls of their own: say so, never count the parent for them
      for (const r of f.requirements.filter((q) => q.controls.length === 0)) {
        lines.push(`  ${r.id}  ${r.title}${r.points ? ` (no control of its own; ${r.points.covered} of its ${r.points.total} points have one)` : ''}`);
      }
    }
  }
  return lines.join('\n');
}
