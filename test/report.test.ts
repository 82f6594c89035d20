// The signed pack, checked by independent tools: poppler (pdfsig, pdftotext, pdfdetach,
// pdftoppm) and qpdf, plus determinism and signing-key errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPack, writePack } from '../src/report/pack.js';
import { makeDemoSigner, SigningError, loadSigner, type DemoSigner } from '../src/signing/sign.js';
import { CONTROLS, FRAMEWORKS, makeFixture } from './report-fixture.js';

const run = (cmd: string, args: string[], cwd?: string) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, maxBuffer: 64 << 20 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let signer: DemoSigner;
let pdf: Buffer;
let file: string;
const fx = makeFixture();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-report-'));
  signer = makeDemoSigner({ commonName: 'Example SaaS Compliance', organisation: 'Example SaaS Inc.', notBefore: new Date('2026-01-01T00:00:00Z') });
  pdf = await buildPack({ ...fx.input, signer });
  file = join(dir, 'pack.pdf');
  writeFileSync(file, pdf);
});

describe('signed pack, independent tools', () => {
  it('pdfsig: the signature is valid and covers the whole document', () => {
    const r = run('pdfsig', [file]);
    expect(r.out).toContain('Signature is Valid.');
    expect(r.out).toContain('Total document signed');
    expect(r.out).toContain('ETSI.CAdES.detached');
    expect(r.out).toContain('Example SaaS Compliance');
  });

  it('qpdf --check: no errors', () => {
    const r = run('qpdf', ['--check', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No syntax or stream encoding errors found');
  });

  it('pdftotext: control ids, the five frameworks, non-ASCII text, parameters, evidence ids', () => {
    const text = run('pdftotext', ['-enc', 'UTF-8', file, '-']).out;
    // the cover names the signature format the file really carries (pdfsig above reads it)
    expect(text).toContain('ETSI.CAdES.detached');
    expect(text).not.toContain('adbe.pkcs7');
    for (const c of CONTROLS) expect(text).toContain(c.id);
    for (const f of FRAMEWORKS) expect(text).toContain(f.title);
    expect(text).toContain('Zürich');
    expect(text).toContain('deletion_window_days = 15 days');
    expect(text).toMatch(/page 1 of \d+/);
    expect(text).toContain('run-20261120T090000Z-0001');
    expect(text).toContain('rds-cluster-deletion-protection'); // the expired waiver
    expect(text).toContain('trustpack verify pack.pdf --trust signer.pem');
    const id = fx.records[0]!.id;
    expect(text).toContain(id.slice(0, 12));
    expect(text.replace(/\s+/g, '')).toContain(id); // the full id, in small mono
  });

  it('long ARNs wrap instead of being cut', () => {
    // only the resource column (x 48..200 pt): its wrapped lines, joined, give the whole ARN back
    const text = run('pdftotext', ['-enc', 'UTF-8', '-r', '72', '-x', '48', '-y', '60', '-W', '152', '-H', '730', file, '-']).out.replace(/\s+/g, '');
    expect(text).toContain('arn:aws:rds:eu-central-1:111122223333:cluster:analytics-eu-with-a-rather-long-identifier-that-needs-wrapping-0123456789');
  });

  it('pdfdetach lists every attachment and the saved files hash to the manifest values', () => {
    const list = run('pdfdetach', ['-list', file]).out;
    const names = ['manifest.json', 'records/rds.clusters.jsonl', 'records/rds.retained-backups.jsonl', 'records/config.rule-evaluations.jsonl', 'results.json', 'oscal-assessment-results.json'];
    for (const n of names) expect(list).toContain(n);
    expect(list).toContain('6 embedded files');
    const out = join(dir, 'detached');
    mkdirSync(join(out, 'records'), { recursive: true });
    const r = run('pdfdetach', ['-saveall', file], out);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    expect(manifest.files.length).toBe(3);
    for (const f of manifest.files) expect(sha(readFileSync(join(out, f.path)))).toBe(f.sha256);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).run.id).toBe(fx.input.results.run.id);
  });

  it('pdftoppm renders the cover, a summary page and a control page', () => {
    const prefix = join(dir, 'page');
    const r = run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', file, prefix]);
    expect(r.code).toBe(0);
    for (const n of ['01', '02', '03']) {
      const png = `${prefix}-${n}.png`;
      expect(existsSync(png)).toBe(true);
      expect(statSync(png).size).toBeGreaterThan(5_000);
    }
  });

  it('is deterministic: same inputs, time and key give byte-identical PDFs', async () => {
    const again = await buildPack({ ...fx.input, signer });
    expect(again.length).toBe(pdf.length);
    expect(again.equals(pdf)).toBe(true);
  });

  it('another signing time gives another pack', async () => {
    const other = await buildPack({ ...fx.input, signer, signingTime: new Date('2026-11-21T10:00:00Z') });
    expect(other.equals(pdf)).toBe(false);
  });
});

describe('cover warnings and unsigned packs', () => {
  it('a demo signer is named in plain sight', async () => {
    const p = join(dir, 'demo.pdf');
    await writePack({ ...fx.input, signer, demoSigner: true }, p);
    const cover = run('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', '1', p, '-']).out;
    expect(cover).toContain('DEMO SIGNER — not for audit use');
    expect(run('pdfsig', [p]).out).toContain('Signature is Valid.');
  });

  it('an unsigned pack says UNSIGNED and carries no signature', async () => {
    const p = join(dir, 'unsigned.pdf');
    await writePack({ ...fx.input, unsigned: true }, p);
    const cover = run('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', '1', p, '-']).out;
    expect(cover).toContain('UNSIGNED');
    expect(run('pdfsig', [p]).out).toMatch(/does not contain any signatures/);
    expect(run('qpdf', ['--check', p]).code).toBe(0);
  });

  it('an unsigned pack is deterministic too', async () => {
    const a = await buildPack({ ...fx.input, unsigned: true });
    const b = await buildPack({ ...fx.input, unsigned: true });
    expect(a.equals(b)).toBe(true);
  });
});

describe('signing key errors', () => {
  it('a wrong passphrase is a SigningError with a clear message', async () => {
    await expect(buildPack({ ...fx.input, signer: { p12: signer.p12, passphrase: 'wrong' } })).rejects.toThrow(SigningError);
    await expect(buildPack({ ...fx.input, signer: { p12: signer.p12, passphrase: 'wrong' } })).rejects.toThrow(/passphrase/);
  });

  it('a file that is not PKCS#12 is a SigningError', async () => {
    await expect(buildPack({ ...fx.input, signer: { p12: Buffer.from('not a key'), passphrase: 'x' } })).rejects.toThrow(SigningError);
    expect(() => loadSigner({ p12: Buffer.alloc(0), passphrase: '' })).toThrow(/PKCS#12/);
  });

  it('no key and not unsigned is a SigningError', async () => {
    await expect(buildPack({ ...fx.input })).rejects.toThrow(SigningError);
  });

  it('loadSigner reads the certificate subject for the cover', () => {
    const id = loadSigner(signer);
    expect(id.commonName).toBe('Example SaaS Compliance');
    expect(id.organisation).toBe('Example SaaS Inc.');
    expect(id.certPem).toBe(signer.certPem);
  });

  it('writePack leaves no temp file behind', async () => {
    const p = join(dir, 'atomic.pdf');
    await writePack({ ...fx.input, signer }, p);
    expect(readFileSync(p).equals(pdf)).toBe(true);
    expect(run('ls', ['-a', dir]).out).not.toMatch(/\.tmp/);
  });
});

describe('one framework, and the layout helpers', () => {
  it('--framework soc2 keeps the matrix to SOC 2', async () => {
    const p = join(dir, 'soc2.pdf');
    await writePack({ ...fx.input, framework: 'soc2', signer }, p);
    const text = run('pdftotext', ['-enc', 'UTF-8', p, '-']).out;
    expect(text).toContain('Requirement-to-control matrix: SOC 2');
    expect(text).not.toContain('Requirement-to-control matrix: GDPR');
    expect(run('pdfsig', [p]).out).toContain('Signature is Valid.');
  });

  it('the matrix never labels a requirement PASS: it counts the controls and names the tested aspects', async () => {
    const p = join(dir, 'soc2-matrix.pdf');
    // CC7.2's one control passes in this run
    const results = structuredClone(fx.input.results);
    const trail = results.controls.find((c) => c.id === 'cloudtrail-log-file-validation')!;
    trail.status = 'PASS';
    for (const f of trail.findings) f.status = 'PASS';
    await writePack({ ...fx.input, results, framework: 'soc2', signer }, p);
    const text = run('pdftotext', ['-enc', 'UTF-8', p, '-']).out.replace(/\s+/g, ' ');
    const matrix = text.slice(text.indexOf('Requirement-to-control matrix: SOC 2'));
    const body = matrix.slice(0, matrix.indexOf('Controls:', 1) > 0 ? matrix.indexOf('Controls:', 1) : undefined);
    expect(body).toMatch(/\d+ controls?: (\d+ [A-Z ]+, )*\d+ [A-Z ]+/);
    expect(body).toContain('cloudtrail-log-file-validation (PASS) 1 control: 1 PASS No exceptions noted in the tested aspects: CloudTrail log file validation is enabled');
    expect(body).toContain('2 controls: 1 FAIL, 1 MANUAL Exceptions noted');
    expect(body).toContain('no control maps to it Not covered');
    // the old matrix's last column was the worst control status, as if it were the requirement's
    expect(body).not.toMatch(/\(PASS\) PASS/);
  });

  it('a finding taller than a page continues on the next pages, nothing cut', async () => {
    const results = structuredClone(fx.input.results);
    const f = results.controls[0]!.findings[0]!;
    f.reason = Array.from({ length: 160 }, (_, i) => `deciding line ${i}`).join('\n');
    const p = join(dir, 'tall.pdf');
    await writePack({ ...fx.input, results, signer }, p);
    const text = run('pdftotext', ['-enc', 'UTF-8', p, '-']).out;
    for (const i of [0, 57, 100, 159]) expect(text).toContain(`deciding line ${i}`);
    expect(text).toContain('findings (continued)');
    expect(run('qpdf', ['--check', p]).code).toBe(0);
  });

  it('wrap breaks long words anywhere and keeps every character', async () => {
    const { default: PDFDocument } = await import('pdfkit');
    const { Writer, fontBytes } = await import('../src/report/layout.js');
    const doc = new PDFDocument({ size: 'A4', margin: 0 });
    doc.registerFont('sans', fontBytes().sans);
    doc.registerFont('mono', fontBytes().mono);
    const w = new Writer(doc);
    const arn = 'arn:aws:rds:eu-central-1:111122223333:cluster:' + 'x'.repeat(200);
    const lines = w.wrap(`Zürich ${arn} end`, 120, 'mono', 7);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join('').replace(/\s+/g, '')).toBe(`Zürich${arn}end`);
    for (const l of lines) expect(w.measure(l, 'mono', 7)).toBeLessThanOrEqual(120.001);
    doc.end();
  });
});
