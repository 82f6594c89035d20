// What an auditor needs from a period pack, on an archive of sample-account runs through the
// sandbox: three runs on one day (FAIL, FAIL, PASS for the legacy key's rotation), a waiver
// approved mid-period, a management response dated after its exception ended, a failing manual
// control, gaps; a pack per framework read back with pdftotext and pdfdetach and checked
// against the attached history JSON; verify --archive against an altered stored object.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { collectorsFor } from '../src/app/collect.js';
import { appendBundle } from '../src/app/archive.js';
import { loadProjectContext } from '../src/app/project.js';
import { openArchive } from '../src/archive/index.js';
import { runPeriodReport } from '../src/app/period.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { legacyKey } from './helpers/archive-nights.js';
import { ROOT, runCli } from './helpers/cli.js';
import { sampleProjectYaml } from './helpers/sample-project.js';

const RUNS = [
  ['2026-03-01T02:00:00.000Z', false], ['2026-03-01T08:00:00.000Z', false], ['2026-03-01T14:00:00.000Z', true],
  ['2026-03-02T02:00:00.000Z', true], ['2026-03-05T02:00:00.000Z', true],
] as const;
const PERIOD = '2026-02-20..2026-03-05';
const FRAMEWORKS = ['soc2', 'pci-dss-4.0.1', 'gdpr', 'ccpa', 'csa-ccm-4'] as const;
const LEGACY_CLUSTER = 'arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting';

let sb: Sandbox;
let dir: string;
let archive: string;
let project: string;
let keyArn: string;
const packs = new Map<string, { file: string; text: string; flat: string; raw: string; files: string }>();

function detach(file: string, out: string): string {
  execFileSync('mkdir', ['-p', out]);
  execFileSync('pdfdetach', ['-saveall', '-o', out, file]);
  return out;
}

beforeAll(async () => {
  const fixture = loadFixture(SAMPLE);
  sb = await startSandbox({ fixture, port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-period-audit-'));
  archive = join(dir, 'archive');
  await writeFile(join(dir, 'waivers.yaml'), [
    'waivers:',
    '  - control: rds-cluster-members-multi-az',
    `    resource: "${LEGACY_CLUSTER}"`,
    '    reason: reporting cluster rebuilt nightly from the source of truth',
    '    approver: "Dana Whitfield, CTO"',
    '    approved_on: "2026-03-02"',
    '    expires: "2027-12-31"',
    '',
  ].join('\n'));
  const key = legacyKey(fixture);
  keyArn = key.metadata.Arn;
  await writeFile(join(dir, 'responses.yaml'), [
    'responses:',
    '  - control: rds-cluster-tls-enforced',
    `    resource: "${LEGACY_CLUSTER}"`,
    '    response: TLS enforcement is scheduled with the move to Aurora Serverless v2.',
    '    owner: "Priya Raman, Head of Data Platform"',
    '    date: "2026-03-02"',
    '  - control: kms-cmk-rotation-enabled',
    `    resource: "${keyArn}"`,
    '    response: rotation was switched on the same day.',
    '    owner: "Priya Raman, Head of Data Platform"',
    '    date: "2026-03-04"',
    '',
  ].join('\n'));
  project = join(dir, 'trustpack.yaml');
  await writeFile(project, sampleProjectYaml({
    waivers: join(dir, 'waivers.yaml'), responses: join(dir, 'responses.yaml'),
    customerHeldKeys: ['arn:aws:kms:eu-central-1:111122223333:alias/customers-eu-byok', 'arn:aws:kms:us-east-1:111122223333:alias/orders-data'],
  }));

  // the other key kms-cmk-rotation-enabled fails on (rotation every 730 days) is fixed from the
  // third run on too, so the control's own status goes FAIL, FAIL, PASS on 2026-03-01
  const slow = Object.values(fixture.accounts[0]!.regions).flatMap((r) => r.keys).filter((k) => (k.rotationPeriodInDays ?? 0) > 365);
  const ctx = loadProjectContext({ project });
  const a = await openArchive(archive, { forWriting: true });
  try {
    for (const [at, rotation] of RUNS) {
      key.rotationEnabled = rotation;
      for (const k of slow) k.rotationPeriodInDays = rotation ? 365 : 730;
      if (rotation) {
        key.rotationPeriodInDays = 365;
        key.nextRotationDate = new Date('2027-03-03T00:00:00Z');
      }
      const now = new Date(at);
      const bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], collectors: collectorsFor(ctx), concurrency: 4, toolVersion: '0.1.0', now: () => now });
      await appendBundle(ctx, bundle, a, now);
    }
  } finally {
    a.close();
  }
  for (const fw of FRAMEWORKS) {
    const file = join(dir, `${fw}.pdf`);
    await runPeriodReport({ project, archive, period: PERIOD, framework: fw, out: file, unsigned: true, signingTime: '2026-03-06T09:00:00Z' });
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8');
    // -layout keeps a row's cells on one line; the reading order keeps a cell's lines together
    const raw = execFileSync('pdftotext', [file, '-']).toString('utf8').replace(/\s+/g, ' ');
    packs.set(fw, { file, text, flat: text.replace(/\s+/g, ' '), raw, files: detach(file, join(dir, `${fw}-files`)) });
  }
}, 300_000);
afterAll(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Hist {
  runs: { asOf: string }[];
  controls: { id: string; title: string; frameworks: Record<string, string[]>; runs: Record<string, number>;
    exceptions: { resource: string; cause: string; status: string; runs: number; waivedRuns: number; resolvedAt: string | null; gone: boolean; endedBy?: string; firstSeen: string }[] }[];
}
interface Criteria {
  controls: { id: string; title: string; evaluated: number; conclusion: { rule: string; text: string }; facts: { exceptions: string[]; errorRuns: number } }[];
  parts: { framework: { id: string }; requirements: { id: string; title: string; controls: string[]; conclusion: { rule: string; text: string } }[] }[];
  exceptions: { id: string; control: string; resource: string; cause: string }[];
}
const json = async <T>(fw: string, name: string): Promise<T> => JSON.parse(await readFile(join(packs.get(fw)!.files, name), 'utf8')) as T;

/** The rule tables of the appendix, written again from their words, over history.json. */
function expectedControl(h: Hist, ex: Criteria['exceptions'], id: string): { rule: string; exceptions: string[] } {
  const c = h.controls.find((x) => x.id === id);
  if (!c) return { rule: 'C1', exceptions: [] };
  const n = Object.values(c.runs).reduce((a, b) => a + b, 0);
  const mine = ex.filter((e) => e.control === id && e.cause !== 'missing-evidence').map((e) => e.id);
  if (n === 0) return { rule: 'C1', exceptions: [] };
  if (mine.length > 0) return { rule: 'C2', exceptions: mine };
  if (c.runs['ERROR']! > 0) return { rule: 'C3', exceptions: [] };
  if (c.runs['NOT_APPLICABLE'] === n) return { rule: 'C4', exceptions: [] };
  return { rule: 'C5', exceptions: [] };
}
function expectedRequirement(rules: string[]): string {
  if (rules.length === 0) return 'R1';
  if (rules.every((r) => r === 'C1')) return 'R2';
  if (rules.includes('C2')) return 'R3';
  if (rules.includes('C1') || rules.includes('C3')) return 'R4';
  if (rules.every((r) => r === 'C4')) return 'R5';
  return 'R6';
}

describe('period pack organised by criterion', () => {
  it.each(FRAMEWORKS)('%s: every requirement of the catalog is listed, its conclusion follows the rule table over history.json', async (fw) => {
    const { flat } = packs.get(fw)!;
    const h = await json<Hist>(fw, 'history.json');
    const criteria = await json<Criteria>(fw, 'criteria.json');
    const part = criteria.parts.find((p) => p.framework.id === fw)!;
    expect(criteria.parts).toHaveLength(1);
    const catalog = (await readFile(join(ROOT, 'controls', 'frameworks', `${fw}.yaml`), 'utf8')).match(/^\s+- \{ id: ([^,]+),/gm)!.map((l) => l.replace(/^\s+- \{ id: /, '').replace(/,$/, '').replace(/"/g, ''));
    expect(part.requirements.map((r) => r.id)).toEqual(catalog);
    for (const r of part.requirements) {
      const rules = r.controls.map((id) => expectedControl(h, criteria.exceptions, id).rule);
      expect(r.conclusion.rule, r.id).toBe(expectedRequirement(rules));
      // mapped controls: exactly those whose history says they map to it (or the catalog, if never evaluated)
      for (const c of h.controls.filter((x) => x.frameworks[fw]?.includes(r.id))) expect(r.controls, r.id).toContain(c.id);
      // never a verdict by proxy
      expect(r.conclusion.text).not.toMatch(/\bPASS(ED)?\b/i);
      if (r.controls.length > 0) expect(flat, r.id).toContain(`${r.id} ${r.title}`.replace(/\s+/g, ' '));
      else expect(flat).toContain(r.id);
      if (r.conclusion.rule === 'R6') {
        for (const id of r.controls) if (expectedControl(h, criteria.exceptions, id).rule === 'C5') expect(r.conclusion.text).toContain(criteria.controls.find((c) => c.id === id)!.title);
      }
    }
    // every control's conclusion, against the same rules
    for (const c of criteria.controls) {
      const want = expectedControl(h, criteria.exceptions, c.id);
      expect(c.conclusion.rule, c.id).toBe(want.rule);
      expect(c.facts.exceptions, c.id).toEqual(want.exceptions);
    }
  });

  it.each(FRAMEWORKS)('%s: one requirement read back from the PDF: its controls, their runs per status and the conclusion', async (fw) => {
    const { flat } = packs.get(fw)!;
    const h = await json<Hist>(fw, 'history.json');
    const criteria = await json<Criteria>(fw, 'criteria.json');
    const req = criteria.parts[0]!.requirements.find((r) => r.controls.some((id) => h.controls.some((c) => c.id === id)))!;
    expect(req, `${fw} has a requirement with evaluated controls`).toBeDefined();
    const start = flat.indexOf(`${req.id} ${req.title}`.replace(/\s+/g, ' '));
    const section = flat.slice(start, start + 6000);
    expect(section).toContain(`Conclusion ${req.conclusion.text} [rule ${req.conclusion.rule}]`);
    for (const id of req.controls) {
      expect(section).toContain(id);
      const c = h.controls.find((x) => x.id === id);
      if (!c) continue;
      const total = Object.values(c.runs).reduce((a, b) => a + b, 0);
      expect(total).toBe(RUNS.length);
      const parts = Object.entries(c.runs).filter(([, v]) => v > 0).map(([s, v]) => `${v} ${s.replace('_', ' ')}`);
      expect(section).toContain(`${total} runs: ${parts.join(', ')}`);
    }
  });
});

describe('exceptions an auditor must see', () => {
  it('a failing manual control is an exception on its attestation, never part of a population', async () => {
    const h = await json<Hist>('soc2', 'history.json');
    const manual = h.controls.find((c) => c.id === 'manual-bug-bounty')!;
    expect(manual.runs['FAIL']).toBe(RUNS.length);
    expect(manual.exceptions).toEqual([expect.objectContaining({ resource: 'attestation:manual-bug-bounty', cause: 'attestation', status: 'FAIL', runs: RUNS.length, resolvedAt: null })]);
    const population = await readFile(join(packs.get('soc2')!.files, 'population.tsv'), 'utf8');
    expect(population).not.toContain('attestation:');
    expect(population).not.toMatch(/\|arn:[^\t]*:\*\t/);
    const { flat } = packs.get('soc2')!;
    expect(flat).toMatch(/E-\d+ manual-bug-bounty FAIL 2026-03-01 OPEN/);
  });

  it('a waiver approved mid-period covers only the later runs, and the pack shows its approval', async () => {
    const h = await json<Hist>('soc2', 'history.json');
    const e = h.controls.find((c) => c.id === 'rds-cluster-members-multi-az')!.exceptions.find((x) => x.resource === LEGACY_CLUSTER)!;
    // three runs on 03-01 before the approval fail; 03-02 and 03-05 are waived
    expect(e).toMatchObject({ runs: 5, waivedRuns: 2, firstSeen: RUNS[0][0] });
    const { raw: flat } = packs.get('soc2')!;
    const waivers = flat.slice(flat.lastIndexOf('Waivers Waivers were applied'));
    expect(waivers).toMatch(/W-[0-9a-f]{10} rds-cluster-members-multi-az reporting cluster rebuilt nightly from the source of truth 2026-03-02 by Dana Whitfield, CTO 2027-12-31 2 \(2026-03-02 to 2026-03-05\)/);
    // the waiver's words are printed once: the exception names it by id
    expect(flat.split('reporting cluster rebuilt nightly from the source of truth').length - 1).toBe(1);
  });

  it('a management response attaches only to an exception open on or after its date', async () => {
    const { flat } = packs.get('soc2')!;
    const exceptions = flat.slice(flat.indexOf('Exceptions An exception is'), flat.indexOf('Waivers Waivers were applied'));
    // TLS on legacy-reporting is open through 03-05: the response of 03-02 is attached
    expect(exceptions).toMatch(/rds-cluster-tls-enforced FAIL 2026-03-01 OPEN \d+ 5 Response \(Priya Raman, Head of Data Platform, 2026-03-02\)/);
    // the key rotation streak resolved on 03-01: the response dated 03-04 is not
    expect(exceptions).not.toContain('rotation was switched on the same day');
    expect(exceptions).toContain('dated after every matching exception of this period ended');
  });

  it('three runs on one day are three marks in the timeline (FAIL, FAIL, PASS), and gaps print as ranges', async () => {
    const { file, flat } = packs.get('soc2')!;
    expect(flat).toContain('2026-02-20 to 2026-02-28 (9 days); 2026-03-03 to 2026-03-04 (2 days)');
    const h = await json<Hist>('soc2', 'history.json');
    const rotation = h.controls.find((c) => c.id === 'kms-cmk-rotation-enabled')!;
    expect(rotation.exceptions.find((e) => e.resource === keyArn)).toMatchObject({ firstSeen: RUNS[0][0], resolvedAt: RUNS[2][0], runs: 2 });
    // where the row is: pdftotext's word boxes, in points
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    let page = 0;
    let y = 0;
    for (let p = 1; p <= pages && !page; p++) {
      const html = execFileSync('pdftotext', ['-bbox', '-f', String(p), '-l', String(p), file, '-']).toString('utf8');
      if (!html.includes('>Timelines<')) continue;
      const m = /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">kms-cmk-rotation-enabled<\/word>/.exec(html);
      if (m) {
        page = p;
        y = Number(m[1]);
      }
    }
    expect(page).toBeGreaterThan(0);
    // render at 4 px per point and read the pixels of the row's middle line across 2026-03-01
    const scale = 4;
    const ppm = execFileSync('pdftoppm', ['-r', String(72 * scale), '-f', String(page), '-l', String(page), file], { maxBuffer: 256 << 20 });
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 50).toString('latin1'))!;
    const width = Number(header[1]);
    const body = ppm.subarray(header[0].length);
    const left = 48 + 150;
    const right = 547.28;
    const days = 14; // 2026-02-20 .. 2026-03-05
    const dayW = (right - left) / days;
    const x0 = Math.round((left + 9 * dayW) * scale);
    const x1 = Math.round((left + 10 * dayW) * scale);
    const row = Math.round((y + 4) * scale);
    const marks: string[] = [];
    let inMark = false;
    for (let x = x0; x < x1; x++) {
      const i = (row * width + x) * 3;
      const [r, g, b] = [body[i]!, body[i + 1]!, body[i + 2]!];
      const ink = !(r > 230 && g > 230 && b > 230);
      if (ink && !inMark) marks.push(r > g ? 'red' : 'green');
      inMark = ink;
    }
    expect(marks).toEqual(['red', 'red', 'green']);
  });

  it('counts say what they count and agree on the cover, the summary and the exceptions page', async () => {
    const { file } = packs.get('soc2')!;
    const h = await json<Hist>('soc2', 'history.json');
    const all = h.controls.flatMap((c) => c.exceptions);
    const open = all.filter((e) => e.resolvedAt === null && !e.gone && !e.endedBy).length;
    const sentence = `Exceptions: ${all.length} exceptions (streaks of FAIL or ERROR findings): ${all.filter((e) => e.cause === 'resource').length} on resources, `
      + `${all.filter((e) => e.cause === 'attestation').length} on attestations of manual or inherited controls, ${all.filter((e) => e.cause === 'missing-evidence').length} for missing evidence; `
      + `${open} still open at the end of the period;`;
    const controls = `Controls: ${h.controls.length} controls evaluated in the period; ${h.controls.filter((c) => c.runs['FAIL']! > 0).length} FAIL in at least one run, ${h.controls.filter((c) => c.runs['ERROR']! > 0).length} ERROR (no evidence) in at least one run`;
    const pageText = (p: number) => execFileSync('pdftotext', ['-f', String(p), '-l', String(p), file, '-']).toString('utf8').replace(/\s+/g, ' ');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    const cover = pageText(1);
    let summary = '';
    let exceptions = '';
    for (let p = 2; p <= pages; p++) {
      const t = pageText(p);
      if (!summary && t.includes('The period at a glance')) summary = t;
      if (!exceptions && t.includes('Exceptions An exception is')) exceptions = t;
    }
    for (const [name, t] of [['cover', cover], ['summary', summary], ['exceptions', exceptions]] as const) {
      expect(t, name).toContain(sentence);
      expect(t, name).toContain(controls);
    }
  });
});

describe('the sample', () => {
  it('the attached redraw-sample.sh redraws the printed sample and population sha256; items show run, status and record', async () => {
    const { raw, files } = packs.get('soc2')!;
    const seed = /Seed: (\S+)/.exec(raw)![1]!;
    const m = /rds-cluster-tls-enforced: population (\d+), \w+, n = (\d+) population sha256 ([0-9a-f]{64})/.exec(raw)!;
    expect(Number(m[1])).toBeGreaterThan(Number(m[2]));
    const r = execFileSync('sh', [join(files, 'redraw-sample.sh'), join(files, 'population.tsv'), 'rds-cluster-tls-enforced', seed, m[2]!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const drawn = r.trim().split('\n');
    expect(drawn).toHaveLength(Number(m[2]));
    const population = (await readFile(join(files, 'population.tsv'), 'utf8')).split('\n').filter((l) => l.startsWith('rds-cluster-tls-enforced\t'));
    expect(execFileSync('sha256sum', { input: population.map((l) => l.split('\t')[1] + '\n').join('') }).toString().split(' ')[0]).toBe(m[3]);
    const section = raw.slice(raw.indexOf('rds-cluster-tls-enforced: population'));
    for (const line of drawn) {
      const [key, id] = line.split(' ');
      expect(section).toContain(key);
      const row = population.find((l) => l.split('\t')[1] === id)!.split('\t');
      // the item's run id, its status in that run and its evidence record id are printed with it
      // a run id or record id may wrap in its cell, and pdftotext joins a line ending in '-'
      const dense = section.replace(/[ -]/g, '');
      expect(dense).toContain(id!.split('|')[0]!.replace(/-/g, ''));
      expect(dense).toContain(row[3]!.split(',')[0]!);
    }
  });
});

describe('verify --archive', () => {
  it('re-hashes the stored objects: an altered stored results object is INVALID with its position', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=Audit Signer'], { stdio: 'ignore' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'k.pem'), '-in', join(dir, 'c.pem'), '-out', join(dir, 's.p12'), '-passout', 'pass:pw-audit'], { stdio: 'ignore' });
    const signed = join(dir, 'signed.pdf');
    const r = await runCli(['report', '--project', project, '--archive', archive, '--period', PERIOD, '--framework', 'soc2', '--out', signed,
      '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_AUDIT_PASS'], { env: { TP_AUDIT_PASS: 'pw-audit' } });
    expect(r.code).toBe(0);
    const ok = await runCli(['verify', signed, '--archive', archive, '--format', 'table']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('VALID');
    expect(ok.stdout).toContain('re-hashes');

    const copy = join(dir, 'altered');
    await cp(archive, copy, { recursive: true });
    const entry = JSON.parse(await readFile(join(copy, 'entries', '00000002.json'), 'utf8')) as { results: string };
    const name = (await readdir(join(copy, 'objects'))).find((f) => f.startsWith(entry.results))!;
    const bytes = await readFile(join(copy, 'objects', name));
    bytes[bytes.length - 2]! ^= 0x01;
    await writeFile(join(copy, 'objects', name), bytes);
    const bad = await runCli(['verify', signed, '--archive', copy, '--format', 'json']);
    expect(bad.code).toBe(1);
    const j = JSON.parse(bad.stdout) as { valid: boolean; archive: { problems: string[] } };
    expect(j.valid).toBe(false);
    expect(j.archive.problems.join('\n')).toMatch(/position 2: entry 2 .*stored results .* (altered|missing)/);
  }, 120_000);
});
