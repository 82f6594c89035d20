// Results -> GitHub-flavoured Markdown, sized for a GitHub Actions job summary
// ($GITHUB_STEP_SUMMARY): what failed first, what passed folded away.
import { CONTROL_STATUSES, type ControlResult, type ControlStatus, type Results } from '../engine/results.js';
import { oneLine } from './text.js';

const ICON: Record<ControlStatus, string> = {
  PASS: '✅', FAIL: '❌', ERROR: '⚠️', NOT_APPLICABLE: '➖', MANUAL: '📝', WAIVED: '⏸️',
};

/** Inline text: one line, with Markdown and HTML metacharacters (pipes above all) escaped. */
function mdEscape(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_[\]#|~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** GitHub caps a job summary at 1 MiB; a control failing on thousands of resources must not eat it. */
export const MAX_RESOURCES_PER_CONTROL = 100;
/**
 * Resource rows in the whole summary (`--max-rows`): at about 300 bytes a row, 500 rows keep an
 * estate of any size near 150 KB, far under the 1 MiB step-summary limit; the counts stay exact.
 */
export const DEFAULT_MAX_ROWS = 500;

export interface MarkdownOptions {
  /** resource rows (failing and waived findings) in the whole document */
  maxRows?: number;
}

/** The rows left to spend across the document. */
class RowBudget {
  omitted = 0;
  constructor(private left: number) {}
  take(n: number): number {
    const t = Math.max(0, Math.min(n, this.left));
    this.left -= t;
    this.omitted += n - t;
    return t;
  }
}

function heading(c: ControlResult): string {
  return `${mdEscape(c.id)}: ${mdEscape(c.title)}`;
}

function frameworks(c: ControlResult): string {
  const parts = Object.entries(c.frameworks).map(([fw, ids]) => `${fw} ${(ids ?? []).join(', ')}`);
  return parts.length ? ` (${mdEscape(parts.join('; '))})` : '';
}

function failingSection(c: ControlResult, budget: RowBudget): string[] {
  const bad = c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
  const accounts = new Set(bad.map((f) => f.account)).size;
  const counts = bad.length > 0 ? ` ${bad.length} resource${bad.length === 1 ? '' : 's'} failing or in error in ${accounts} account${accounts === 1 ? '' : 's'}.` : '';
  const out = [`#### ${ICON[c.status]} ${c.status} ${heading(c)}`, '', `Severity **${mdEscape(c.severity)}**${frameworks(c)}. ${mdEscape(c.reason)}${counts}`, ''];
  const shown = budget.take(Math.min(bad.length, MAX_RESOURCES_PER_CONTROL));
  if (shown > 0) {
    out.push('| Resource | Account | Region | Status | Reason |', '| --- | --- | --- | --- | --- |');
    for (const f of bad.slice(0, shown)) {
      out.push(`| ${mdEscape(f.resource)} | ${mdEscape(f.account)} | ${mdEscape(f.region)} | ${f.status} | ${mdEscape(f.reason)} |`);
    }
    out.push('');
  }
  if (bad.length > shown) {
    out.push(`…and ${bad.length - shown} more${shown === 0 ? ' (rows left out to keep the summary small)' : ''}; the JSON or CSV output lists them all.`, '');
  }
  return out;
}

export function renderMarkdown(results: Results, opts: MarkdownOptions = {}): string {
  const budget = new RowBudget(opts.maxRows ?? DEFAULT_MAX_ROWS);
  const run = results.run;
  const by = (s: ControlStatus) => results.controls.filter((c) => c.status === s);
  const out: string[] = [
    '## trustpack results',
    '',
    `Run ${mdEscape(run.id)}, evaluated ${mdEscape(run.evaluatedAt)}; accounts ${mdEscape(run.accounts.join(', ') || 'none')}; ` +
      `regions ${mdEscape(run.regions.join(', ') || 'none')}${run.framework ? `; framework ${mdEscape(run.framework)}` : ''}.`,
    '',
    '| Status | Controls |',
    '| --- | ---: |',
    ...CONTROL_STATUSES.map((s) => `| ${ICON[s]} ${s} | ${results.summary[s] ?? 0} |`),
    '',
  ];

  const warnings = results.warnings ?? [];
  if (warnings.length > 0) {
    out.push('### Warnings', '');
    for (const w of warnings) out.push(`- ${mdEscape(w.message)}`);
    out.push('');
  }

  const failing = [...by('FAIL'), ...by('ERROR')];
  if (failing.length > 0) {
    out.push('### Failing and erroring controls', '');
    for (const c of failing) out.push(...failingSection(c, budget));
  }

  const waived = by('WAIVED');
  if (waived.length > 0) {
    out.push('### Waived', '');
    for (const c of waived) {
      out.push(`- ${heading(c)}`);
      const waivedFindings = c.findings.filter((x) => x.status === 'WAIVED');
      const shown = budget.take(waivedFindings.length);
      if (shown < waivedFindings.length) out.push(`  - …and ${waivedFindings.length - shown} more waived findings; the JSON output lists them all.`);
      for (const f of waivedFindings.slice(0, shown)) {
        const w = f.waiver;
        out.push(`  - ${mdEscape(f.resource)}: ${mdEscape(f.reason)}` +
          (w ? `; waived by ${mdEscape(w.approver)} until ${mdEscape(w.expires)}: ${mdEscape(w.reason)}` : ''));
      }
    }
    out.push('');
  }

  const manual = by('MANUAL');
  if (manual.length > 0) {
    out.push('### Manual (attested)', '');
    for (const c of manual) {
      const a = c.attestation;
      out.push(`- ${heading(c)}: ` + (a
        ? `attested by ${mdEscape(a.attested_by)} on ${mdEscape(a.attested_at)}, ${mdEscape(a.document)}, expires ${mdEscape(a.expires)}`
        : mdEscape(c.reason)));
    }
    out.push('');
  }

  const folded = (title: string, cs: ControlResult[]) => {
    if (cs.length === 0) return;
    out.push(`<details><summary>${title} (${cs.length})</summary>`, '');
    for (const c of cs) out.push(`- ${heading(c)}: ${mdEscape(c.reason)}`);
    out.push('', '</details>', '');
  };
  folded('Passing controls', by('PASS'));
  folded('Not applicable controls', by('NOT_APPLICABLE'));

  const expired = results.expiredWaivers ?? [];
  if (expired.length > 0) {
    out.push('### Expired waivers', '');
    for (const w of expired) out.push(`- ${mdEscape(w.control)}: ${mdEscape(w.resource)}, expired ${mdEscape(w.expires)} (approved by ${mdEscape(w.approver)})`);
    out.push('');
  }
  if (budget.omitted > 0) {
    out.push(`_${budget.omitted} resource rows left out to keep this summary small (\`--max-rows ${opts.maxRows ?? DEFAULT_MAX_ROWS}\`); ` +
      'every count above is complete, and the full results are in the JSON, JUnit or CSV output and the evidence pack._', '');
  }
  return out.join('\n');
}
