// One section per control: the claim, the assertion in plain words, the parameters that
// decided it, and every resource's result with the values and the evidence ids.
import type { ControlResult, Finding } from '../engine/results.js';
import { COLORS, PAGE, STATUS_COLORS, type Row } from './layout.js';
import { fmtTime, fmtValue, type PackContext } from './context.js';
import { reasonWithoutWaiverText } from './auditor.js';
import { findingsLine } from './run-criteria-pages.js';
import { idRanges } from './run-criteria.js';

export function drawControls(ctx: PackContext): void {
  const { w } = ctx;
  w.newPage();
  w.heading('Controls', 1, { dest: 'controls', outline: true });
  let first = true;
  for (const r of ctx.input.results.controls) {
    // a control starts on a fresh page unless a good part of this one is left
    if (!first) {
      w.ensure(300);
      if (w.y > PAGE.top + 1) {
        w.doc.moveTo(PAGE.left, w.y).lineTo(PAGE.right, w.y).lineWidth(1.2).strokeColor(COLORS.rule).stroke();
        w.y += 10;
      }
    }
    first = false;
    drawControl(ctx, r);
  }
}

function drawControl(ctx: PackContext, r: ControlResult): void {
  const { w } = ctx;
  const def = ctx.controls.get(r.id);
  w.heading(`${r.id} — ${r.title}`, 2, { outline: true });
  w.drawLine(r.status.replace('_', ' '), PAGE.left, w.y, 'bold', 11, STATUS_COLORS[r.status] ?? COLORS.text);
  w.drawLine(`severity ${r.severity} · ${r.kind}`, 150, w.y + 1.5, 'sans', 8.5, COLORS.muted);
  w.y += 16;
  w.field('Why this status', r.reason);
  if (r.claim ?? def?.claim) w.field('Public claim', (r.claim ?? def?.claim)!);
  if (def?.description) w.field('Description', def.description.trim());
  if (r.asserts) w.field('Asserts', r.asserts);
  if (def?.provider) {
    w.field('Operated by', [def.provider.name, def.provider.documentation, def.provider.report].filter(Boolean).join('\n'));
  }
  if (def?.config_rule) {
    const rp = Object.entries(def.config_rule_parameters ?? {})
      .map(([k, p]) => {
        const [kind, v] = Object.entries(p)[0] ?? ['equals', ''];
        const words = kind.replace(/_param$/, '').replace('_', ' ');
        return kind.endsWith('_param') ? `${k} ${words} ${String(v)} (${fmtValue(r.parameters?.[String(v)] ?? def.parameters?.[String(v)]?.default)})` : `${k} ${words} ${fmtValue(v)}`;
      });
    w.field('AWS Config rule', `${def.config_rule}${rp.length ? `, deployed with input parameters at least as strict as: ${rp.join('; ')}` : ''}`);
  }
  // only the frameworks this pack is about: a SOC 2 pack names no other framework's requirements
  const fws = Object.entries(r.frameworks)
    .filter(([k, v]) => v && v.length && ctx.frameworks.some((f) => f.id === k))
    .map(([k, v]) => `${frameworkTitle(ctx, k)}: ${v!.join(', ')}`);
  if (fws.length) w.field('Frameworks', fws.join('\n'));
  const params = Object.entries(r.parameters ?? {});
  if (params.length) {
    w.field(
      'Parameters used',
      params
        .map(([k, v]) => {
          const unit = def?.parameters?.[k]?.unit;
          const dflt = def?.parameters?.[k]?.default;
          const note = dflt !== undefined && JSON.stringify(dflt) !== JSON.stringify(v) ? ` (default ${fmtValue(dflt)})` : '';
          return `${k} = ${fmtValue(v)}${unit ? ` ${unit}` : ''}${note}`;
        })
        .join('\n'),
      { valueFont: 'mono' },
    );
  }
  if (r.attestation) {
    const a = r.attestation;
    w.field(
      'Attestation',
      `${a.current ? 'current' : 'NOT CURRENT (expired)'} — attested by ${a.attested_by} on ${a.attested_at}, expires ${a.expires}\ndocument ${a.document}\nsha256 ${a.sha256}${a.notes ? `\nnotes: ${a.notes}` : ''}`,
    );
    if (a.notes) w.field('Attestation notes', a.notes.trim());
  }
  if (def?.attestation) w.field('Attestation must show', def.attestation.evidence);

  if (r.findings.length) {
    w.heading(`Findings (${r.findings.length})`, 3);
    w.table(
      [
        { header: 'Resource', width: 150, font: 'mono', size: 6.5 },
        { header: 'Account / region', width: 72 },
        { header: 'Status', width: 46 },
        { header: 'Reason and deciding values', width: 170 },
        { header: 'Evidence', width: 61.28, font: 'mono', size: 6.5 },
      ],
      r.findings.map((f) => findingRow(f)),
      { continued: `${r.id} — findings` },
    );
  } else if (r.kind === 'automated') {
    w.para('No findings: no resource was evaluated for this control.', { size: 9, color: COLORS.muted });
  }
  const d = ctx.criteria.controls.get(r.id);
  if (d) {
    w.field('Evidence source', d.source);
    w.field('Findings per status', findingsLine(d));
    const ex = [...d.exceptions, ...d.missing];
    w.field('Exceptions', ex.length ? `${idRanges(ex)} (listed under Exceptions)` : 'none');
    w.field('Conclusion', `${d.conclusion.text} [rule ${d.conclusion.rule}]`);
  }
  if (def?.remediation) w.field('Remediation', def.remediation.trim());
  if (def?.rationale) w.field('Mapping rationale', def.rationale.trim());
  if (def?.references?.length) {
    w.field(
      'References',
      def.references.map((ref) => [ref.title, ref.url, ref.config_rule ? `AWS Config rule ${ref.config_rule}` : ''].filter(Boolean).join(' — ')).join('\n'),
    );
  }
  if (def?.source) w.para(`Defined in ${catalogPath(def.source.file)}:${def.source.line}`, { size: 7, color: COLORS.muted });
}

function findingRow(f: Finding): Row {
  const values = Object.entries(f.values ?? {}).map(([k, v]) => `${k} = ${fmtValue(v)}`);
  // a waiver's text is printed once, in the waiver list; here its approver and expiry
  const why = reasonWithoutWaiverText(f);
  const reason = values.length ? `${why}\n${values.join('\n')}` : why;
  const detail = [];
  if (f.evidence.length) detail.push({ text: `evidence: ${f.evidence.join(' ')}` });
  if (f.waiver) detail.push({ text: `waived: approved by ${f.waiver.approver}, expires ${fmtTime(f.waiver.expires)}; the reason is in Waivers and attestations`, font: 'sans' as const, size: 6.5, color: STATUS_COLORS.WAIVED });
  return {
    cells: [
      f.resource,
      `${f.account}\n${f.region}`,
      { text: f.status, font: 'bold', color: STATUS_COLORS[f.status] ?? COLORS.text },
      reason,
      f.evidence.map((e) => e.slice(0, 12)).join('\n') || '—',
    ],
    detail,
  };
}

function frameworkTitle(ctx: PackContext, id: string): string {
  return ctx.input.frameworks.find((f) => f.id === id)?.title ?? id;
}

/** The control file as the catalog names it (from `controls/` on), not this machine's path. */
function catalogPath(file: string): string {
  const norm = file.replace(/\\/g, '/');
  const i = norm.lastIndexOf('/controls/');
  return i >= 0 ? norm.slice(i + 1) : norm.split('/').pop() ?? norm;
}
