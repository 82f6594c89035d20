// The run pack organised by criterion (issue 21, point 1): one sample-account run through the
// sandbox, a pack per framework and one for all, read back with pdftotext. Every requirement's
// conclusion is checked against the run-level rule table written again here from its words over
// the pack's own results.json; one requirement per framework is read back with its controls,
// findings and exceptions; a failing manual control is a numbered exception; waivers show their
// approval date; `all` is a control index, then one part per framework in the registry's order.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { collectorsFor } from '../src/app/collect.js';
import { loadProjectContext } from '../src/app/project.js';
import { evaluateBundle } from '../src/app/evaluate.js';
import { writeEvidencePack } from '../src/app/report.js';
import type { Results } from '../src/engine/results.js';
import { makeDemoSigner } from '../src/signing/sign.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { sampleProjectYaml } from './helpers/sample-project.js';

const FRAMEWORKS = ['soc2', 'pci-dss-4.0.1', 'gdpr', 'ccpa', 'csa-ccm-4'] as const;
const NOW = new Date('2026-11-28T23:30:00.000Z');

let sb: Sandbox;
let dir: string;
let ctx: ReturnType<typeof loadProjectContext>;
const packs = new Map<string, { file: string; flat: string; squashed: string; results: Results }>();
/** Without any whitespace: table cells wrap ids and words mid-way, in any reading order */
const squash = (s: string) => s.replace(/\s+/g, '');

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE), port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-run-criteria-'));
  // one waiver with its approval date, one without (covers live runs; "approval date unknown")
  await writeFile(join(dir, 'waivers.yaml'), [
    'waivers:',
    '  - control: rds-cluster-members-multi-az',
    '    resource: "arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting"',
    '    reason: reporting cluster rebuilt nightly from the source of truth',
    '    approver: "Dana Whitfield, CTO"',
    '    approved_on: "2026-11-02"',
    '    expires: "2027-12-31"',
    '  - control: rds-cluster-tls-enforced',
    '    resource: "arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting"',
    '    reason: TLS moves with the cluster to Serverless v2',
    '    approver: "Priya Raman, Head of Data Platform"',
    '    expires: "2027-06-30"',
    '',
  ].join('\n'));
  const project = join(dir, 'trustpack.yaml');
  await writeFile(project, sampleProjectYaml({ waivers: join(dir, 'waivers.yaml') }));
  ctx = loadProjectContext({ project });
  const bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], collectors: collectorsFor(ctx), concurrency: 4, toolVersion: '0.1.0', now: () => NOW });
  // the SOC 2 pack is signed: the criterion parts change nothing about the signature
  const demo = makeDemoSigner({ commonName: 'Criteria Test Signer', notBefore: new Date('2026-01-01T00:00:00Z') });
  for (const fw of [...FRAMEWORKS, 'all']) {
    const results = evaluateBundle(ctx, bundle, fw === 'all' ? undefined : fw, NOW);
    const file = join(dir, `${fw}.pdf`);
    await writeEvidencePack({ ctx, bundle, results, framework: fw, out: file, signingTime: NOW, ...(fw === 'soc2' ? { signer: { p12: demo.p12, passphrase: demo.passphrase } } : { unsigned: true }) });
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { maxBuffer: 64 << 20 }).toString('utf8');
    const raw = execFileSync('pdftotext', ['-raw', file, '-'], { maxBuffer: 64 << 20 }).toString('utf8');
    packs.set(fw, { file, flat: text.replace(/\s+/g, ' '), squashed: squash(raw), results });
  }
}, 300_000);
afterAll(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The requirements of a framework as the catalog loads them. */
function catalogRequirements(fw: string): { id: string; title: string }[] {
  return ctx.frameworks.find((f) => f.id === fw)!.requirements;
}

/** Exception ids as the Exceptions page numbers them: FAIL, ERROR, WAIVED; by control, resource. */
function exceptionIds(results: Results): { id: string; control: string; resource?: string; status: string; missing: boolean }[] {
  const rank: Record<string, number> = { FAIL: 0, ERROR: 1, WAIVED: 2 };
  const list: { control: string; resource?: string; status: string; missing: boolean }[] = [];
  for (const c of results.controls) {
    const bad = c.findings.filter((f) => f.status in rank);
    for (const f of bad) list.push({ control: c.id, resource: f.resource, status: f.status, missing: f.resource.endsWith(':*') });
    if (bad.length === 0 && (c.status === 'FAIL' || c.status === 'ERROR')) list.push({ control: c.id, status: c.status, missing: c.status === 'ERROR' });
  }
  list.sort((a, b) => rank[a.status]! - rank[b.status]! || a.control.localeCompare(b.control) || (a.resource ?? '').localeCompare(b.resource ?? ''));
  return list.map((e, i) => ({ id: `E-${i + 1}`, ...e }));
}

/** Ids as the pack prints them: consecutive runs of three or more as E-a–E-b, the rest listed. */
function ranges(ids: string[]): string {
  const n = ids.map((x) => Number(x.slice(2))).sort((a, b) => a - b);
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= n.length; i++) {
    if (i < n.length && n[i] === n[i - 1]! + 1) continue;
    const run = n.slice(start, i);
    out.push(run.length >= 3 ? `E-${run[0]}–E-${run[run.length - 1]}` : run.map((x) => `E-${x}`).join(', '));
    start = i;
  }
  return out.join(', ');
}

/** The run-level rules of the appendix, written again from their words. */
function expectedControlRule(results: Results, id: string): string {
  const c = results.controls.find((x) => x.id === id);
  if (!c) return 'C1';
  const ex = exceptionIds(results).filter((e) => e.control === id);
  if (ex.some((e) => !e.missing)) return 'C2';
  if (ex.some((e) => e.missing) || c.status === 'ERROR') return 'C3';
  if (c.status === 'NOT_APPLICABLE') return 'C4';
  return 'C5';
}
function expectedRequirementRule(rules: string[]): string {
  if (rules.length === 0) return 'R1';
  if (rules.every((r) => r === 'C1')) return 'R2';
  if (rules.includes('C2')) return 'R3';
  if (rules.includes('C1') || rules.includes('C3')) return 'R4';
  if (rules.every((r) => r === 'C4')) return 'R5';
  return 'R6';
}

/** The controls the catalog maps to each requirement of a framework. */
function mappedControls(fw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of ctx.controls) for (const r of (c.frameworks as Record<string, string[] | undefined>)[fw] ?? []) out.set(r, [...(out.get(r) ?? []), c.id].sort());
  return out;
}

describe('the run pack organised by criterion', () => {
  it.each(FRAMEWORKS)('%s: every requirement is listed with a conclusion that follows the run-level rule table', async (fw) => {
    const { flat, results } = packs.get(fw)!;
    const part = flat.slice(flat.indexOf(', requirement by requirement'));
    expect(part.length, 'the pack has a criterion part').toBeGreaterThan(1000);
    const reqs = catalogRequirements(fw);
    expect(reqs.length).toBeGreaterThan(5);
    const mapped = mappedControls(fw);
    let covered = 0;
    for (const r of reqs) {
      const ids = mapped.get(r.id) ?? [];
      const want = expectedRequirementRule(ids.map((id) => expectedControlRule(results, id)));
      if (ids.length === 0) {
        expect(want).toBe('R1');
        expect(part.includes(r.id), r.id).toBe(true);
        continue;
      }
      covered++;
      const at = part.indexOf(`${r.id} ${r.title} Conclusion `.replace(/\s+/g, ' '));
      expect(at, `${fw} ${r.id} heading`).toBeGreaterThanOrEqual(0);
      const conclusion = part.slice(at, part.indexOf('[rule R', at) + 10);
      expect(conclusion, `${fw} ${r.id}`).toContain(`[rule ${want}]`);
      // coverage, never a verdict by proxy
      expect(conclusion).not.toMatch(/\bPASS(ED)?\b/);
    }
    expect(covered).toBeGreaterThan(0);
    expect(flat.includes('How the conclusions are drawn')).toBe(true);
  });

  it.each(FRAMEWORKS)('%s: one requirement read back: its controls, their findings, exceptions and the conclusion', async (fw) => {
    const { flat, squashed, results } = packs.get(fw)!;
    const mapped = mappedControls(fw);
    const reqs = catalogRequirements(fw);
    // a requirement with an exception if the framework has one, else any evaluated one
    const pick = reqs.find((r) => (mapped.get(r.id) ?? []).some((id) => expectedControlRule(results, id) === 'C2'))
      ?? reqs.find((r) => (mapped.get(r.id) ?? []).some((id) => results.controls.some((c) => c.id === id)))!;
    const ids = mapped.get(pick.id)!;
    const start = flat.indexOf(`${pick.id} ${pick.title} Conclusion `.replace(/\s+/g, ' '));
    const next = reqs.slice(reqs.indexOf(pick) + 1).map((r) => flat.indexOf(`${r.id} ${r.title} Conclusion `, start + 1)).find((i) => i > start);
    const section = flat.slice(start, next ?? start + 12_000);
    const ex = exceptionIds(results);
    for (const id of ids) {
      expect(section, id).toContain(id);
      const c = results.controls.find((x) => x.id === id);
      if (!c) continue;
      const real = c.findings.filter((f) => !f.resource.endsWith(':*'));
      if (c.kind === 'automated' && real.length > 0) {
        const counts = ['PASS', 'FAIL', 'ERROR', 'WAIVED'].map((s) => [s, real.filter((f) => f.status === s).length] as const).filter(([, n]) => n > 0);
        expect(section, id).toContain(`${real.length} finding${real.length === 1 ? '' : 's'}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`);
      }
      const mine = ex.filter((e) => e.control === id && !e.missing).map((e) => e.id);
      if (mine.length > 0) {
        expect(section.includes(`see ${ranges(mine)}.`), `${id}: see ${ranges(mine)}`).toBe(true);
        expect(section).toMatch(/\[rule R3\]/);
        // each id is a row of the Exceptions page with this control
        for (const e of ex.filter((x) => x.control === id && !x.missing)) expect(squashed.includes(squash(`${e.id} ${e.status} ${id}`)), `${e.id} ${id}`).toBe(true);
      }
    }
  });

  it('a failing manual control is a numbered exception on its attestation, and its requirements conclude "Exceptions noted"', () => {
    const { flat, squashed, results } = packs.get('soc2')!;
    const manual = results.controls.find((c) => c.kind === 'manual' && c.status === 'FAIL')!;
    expect(manual, 'the sample has a failing manual control').toBeDefined();
    const e = exceptionIds(results).find((x) => x.control === manual.id)!;
    expect(new RegExp(`${e.id}FAIL${manual.id}\\(${manual.severity}\\)\\(attestation\\)`).test(squashed), `${e.id} on the Exceptions page`).toBe(true);
    expect(flat.includes(`${manual.id} — ${manual.title}`)).toBe(true);
    expect(new RegExp(`Exceptions noted: [^\\]]*${manual.id} \\(${e.id}\\)`).test(flat), 'a requirement concludes R3 with it').toBe(true);
  });

  it('waivers show their approval date, or say it is unknown', () => {
    const { flat, squashed } = packs.get('soc2')!;
    const waivers = squashed.slice(squashed.lastIndexOf('Waiversinforce'), squashed.lastIndexOf('Expiredwaivers'));
    expect(waivers).toContain(squash('rds-cluster-members-multi-az arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting reporting cluster rebuilt nightly from the source of truth Dana Whitfield, CTO 2026-11-02 2027-12-31'));
    expect(waivers).toContain(squash('Priya Raman, Head of Data Platform unknown (no approved_on) 2027-06-30'));
    // in the criterion part, with the control
    expect(/Waivers \S+: approved 2026-11-02 by Dana Whitfield, CTO, expires 2027-12-31 00:00:00 UTC; covers 1 resource/.test(flat), 'the dated waiver by its control').toBe(true);
    expect(/Waivers \S+: approval date unknown by Priya Raman/.test(flat), 'the undated waiver by its control').toBe(true);
  });

  it('the signed SOC 2 pack is valid for poppler and qpdf', () => {
    const { file } = packs.get('soc2')!;
    // pdfsig exits non-zero for a certificate it does not trust (this self-signed one): read its report either way
    const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    const sig = r.stdout;
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    expect(execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })).toContain('No syntax or stream encoding errors');
  });

  it('all: a control index, then one part per framework in the registry\'s order', async () => {
    const { flat, results } = packs.get('all')!;
    const index = flat.indexOf('Control index: what each control tests');
    expect(index).toBeGreaterThan(0);
    const { FRAMEWORKS: REGISTRY } = await import('../src/controls/registry/frameworks.js');
    let last = index;
    for (const f of REGISTRY) {
      const title = ctx.frameworks.find((x) => x.id === f.id)!.title;
      const at = flat.indexOf(`${title}`, flat.indexOf(', requirement by requirement', last + 1) - title.length - 60);
      expect(at, f.id).toBeGreaterThan(last);
      last = at;
    }
    expect(flat.split(', requirement by requirement').length - 1).toBe(REGISTRY.length);
    for (const c of results.controls) expect(flat.slice(index), c.id).toContain(c.id);
  });
});
