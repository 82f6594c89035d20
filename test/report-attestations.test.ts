// report --attach-attestations: the documents behind the attestations (pentest report,
// policies) travel in the pack, so an auditor checks their hashes from the pack alone; the
// attestation notes appear in the pack; verify holds each embedded document to the sha256 its
// attestation records in results.json. Issue 18: `attach: true` per attestation embeds that
// document without the flag, a provider's report under an inherited control is never embedded
// (only its sha256 printed), and `verify --attestation FILE` checks an auditor's copy against the
// sha256 the pack prints.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPack } from '../src/report/pack.js';
import { makeDemoSigner } from '../src/signing/sign.js';
import { verifyPackBytes } from '../src/verify/verify.js';
import { makeFixture } from './report-fixture.js';
import { ROOT, runCli } from './helpers/cli.js';

let dir: string;
let pack: string;
const SAMPLE_PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
const signer = makeDemoSigner({ commonName: 'Attestation Test Signer', notBefore: new Date('2026-01-01T00:00:00Z') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-attest-'));
  const demo = await runCli(['demo', '--out', join(dir, 'demo')]);
  expect(demo.code, demo.stderr).toBe(0);
  writeFileSync(join(dir, 's.p12'), signer.p12);
  pack = join(dir, 'pack.pdf');
  // the sample's attestations live with its project file (examples/sample/), as the demo's do
  const r = await runCli(['report', '--project', SAMPLE_PROJECT, '--evidence', join(dir, 'demo', 'evidence'), '--out', pack, '--attach-attestations', '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_ATT_PASS'], { env: { TP_ATT_PASS: signer.passphrase } });
  expect(r.code, r.stderr).toBe(0);
});

describe('report --attach-attestations', () => {
  it('refuses --attach-attestations when the project names no attestations file (exit 2), writing nothing', async () => {
    const out = join(dir, 'none.pdf');
    const r = await runCli(['report', '--evidence', join(dir, 'demo', 'evidence'), '--out', out, '--attach-attestations', '--unsigned'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--attach-attestations: the project names no attestations file');
    expect(existsSync(out)).toBe(false);
  });

  it('embeds each attested document; pdfdetach extracts it and it hashes to the attested sha256', () => {
    const list = execFileSync('pdfdetach', ['-list', pack], { encoding: 'utf8' });
    expect(list).toContain('attestations/documents/bug-bounty-2026.md');
    const names = list.split('\n').filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/^\d+: /, ''));
    const i = names.indexOf('attestations/documents/bug-bounty-2026.md') + 1;
    const out = join(dir, 'bug-bounty.md');
    execFileSync('pdfdetach', ['-save', String(i), '-o', out, pack]);
    const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
    expect(sha).toBe('88a6a05783f27e916202bc4968bf95535b370264ca75e90a12f00590dace99b2');
    expect(readFileSync(out).equals(readFileSync(join(ROOT, 'examples', 'sample', 'documents', 'bug-bounty-2026.md')))).toBe(true);
  });

  it('verify is VALID and the notes of each attestation are in the pack text', async () => {
    const r = await verifyPackBytes(readFileSync(pack), { trustPem: signer.certPem });
    expect(r.problems).toEqual([]);
    expect(r.attachments.some((a) => a.name === 'attestations/documents/bug-bounty-2026.md')).toBe(true);
    const text = execFileSync('pdftotext', [pack, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Program report for 2025-10-01 to 2026-09-30.');
  });

  it('verify refuses an attested-document attachment that no attestation names, or that hashes to something else', async () => {
    const fx = makeFixture();
    const stray = await buildPack({ ...fx.input, signer, attachments: [...fx.input.attachments, { name: 'attestations/policy.md', bytes: Buffer.from('not attested') }] });
    const r = await verifyPackBytes(stray);
    expect(r.valid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/attestations\/policy\.md is not a document any attestation in results\.json names/);
    const withAttestation = structuredClone(fx.input.results);
    withAttestation.controls[0]!.attestation = { attested_by: 'A', attested_at: '2026-10-01', document: 'policy.md', sha256: 'a'.repeat(64), expires: '2027-12-31', current: true };
    const swapped = await buildPack({ ...fx.input, results: withAttestation, signer, attachments: [...fx.input.attachments.filter((a) => a.name !== 'results.json'), { name: 'attestations/policy.md', bytes: Buffer.from('another document') }] });
    const s = await verifyPackBytes(swapped);
    expect(s.valid).toBe(false);
    expect(s.problems.join('\n')).toMatch(/attestations\/policy\.md has sha256 .*, the attestation records a{64}/);
  });
});

describe('attach: true per attestation, and verify --attestation', () => {
  const PENTEST_SHA = '46fd6627f4ce5bdd9fa0665e7fb3ca7047a6d69eaaf04f1b9e9214dcb190e507';
  const AWS_SOC2_SHA = '2018fea29f811b53eba7853a6ea80e299064f7d378da067450e610cd8efefe91';
  let own: string;
  let project: string;
  beforeAll(async () => {
    // the sample's attestations with attach: true on the pentest only, and on nothing else
    project = join(dir, 'own');
    cpSync(join(ROOT, 'examples', 'sample', 'documents'), join(project, 'documents'), { recursive: true });
    const att = readFileSync(join(ROOT, 'examples', 'sample', 'attestations.yaml'), 'utf8')
      .replace(/(- control: manual-penetration-test\n)/, '$1    attach: true\n');
    expect(att).toContain('attach: true');
    writeFileSync(join(project, 'attestations.yaml'), att);
    writeFileSync(join(project, 'trustpack.yaml'), `controls: ${join(ROOT, 'controls')}\nregions: [us-east-1, eu-central-1]\nattestations: attestations.yaml\n`);
    own = join(dir, 'own.pdf');
    const r = await runCli(['report', '--project', join(project, 'trustpack.yaml'), '--evidence', join(dir, 'demo', 'evidence'), '--out', own, '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_ATT_PASS'], { env: { TP_ATT_PASS: signer.passphrase } });
    expect(r.code, r.stderr).toBe(0);
  });

  it('embeds only the attach: true document without --attach-attestations; its bytes hash to the sha256 the pack prints; pdfsig validates', () => {
    const list = execFileSync('pdfdetach', ['-list', own], { encoding: 'utf8' });
    const names = list.split('\n').filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/^\d+: /, ''));
    expect(names.filter((n) => n.startsWith('attestations/'))).toEqual(['attestations/documents/penetration-test-2026.md']);
    const out = join(dir, 'pentest-from-pack.md');
    execFileSync('pdfdetach', ['-save', String(names.indexOf('attestations/documents/penetration-test-2026.md') + 1), '-o', out, own]);
    const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
    // the control page prints "sha256 <hex>" under the attestation (wrapped where the line ends): the attached bytes hash to it
    const text = execFileSync('pdftotext', [own, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(`sha256${sha}`);
    expect(sha).toBe(PENTEST_SHA);
    const pdfsig = execFileSync('pdfsig', [own], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature is Valid.');
    expect(pdfsig).toContain('Total document signed');
  });

  it('never embeds a provider\'s report under an inherited control, even with --attach-attestations, and still prints its sha256', () => {
    const list = execFileSync('pdfdetach', ['-list', pack], { encoding: 'utf8' });
    expect(list).not.toContain('aws-soc2-2026.md');
    expect(list).toContain('attestations/documents/penetration-test-2026.md');
    const text = execFileSync('pdftotext', [pack, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(`sha256${AWS_SOC2_SHA}`);
  });

  it('verify --attestation: a matching copy exits 0 naming the control; an altered copy exits 1; an unreadable one exits 2', async () => {
    const copy = join(dir, 'auditor-copy.md');
    cpSync(join(ROOT, 'examples', 'sample', 'documents', 'aws-soc2-2026.md'), copy);
    const ok = await runCli(['verify', own, '--attestation', copy, '--attestation', join(project, 'documents', 'penetration-test-2026.md'), '--format', 'json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const json = JSON.parse(ok.stdout) as { valid: boolean; attestationCopies: { file: string; sha256: string; matched: boolean; matches: { control: string; attachment: string | null }[] }[] };
    const [soc2, pentest] = json.attestationCopies;
    // AWS's SOC 2 report backs both inherited controls; as a provider's report it is never embedded
    expect(soc2).toMatchObject({ file: copy, sha256: AWS_SOC2_SHA, matched: true });
    expect(soc2!.matches.map((m) => m.control).sort()).toEqual(['inherited-aurora-storage-replication', 'inherited-aws-physical-security']);
    expect(soc2!.matches.every((m) => m.attachment === null)).toBe(true);
    expect(pentest).toMatchObject({ sha256: PENTEST_SHA, matched: true, matches: [{ control: 'manual-penetration-test', attachment: 'attestations/documents/penetration-test-2026.md' }] });
    writeFileSync(copy, readFileSync(copy, 'utf8') + '\nedited after the audit\n');
    const bad = await runCli(['verify', own, '--attestation', copy, '--format', 'table']);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/auditor-copy\.md \(sha256 [0-9a-f]{64}\) matches no attested document of the pack/);
    expect(bad.stdout).toContain('is not a document this pack attests');
    const missing = await runCli(['verify', own, '--attestation', join(dir, 'no-such-copy.pdf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-copy.pdf: cannot read the attested document (--attestation)');
  });
});
