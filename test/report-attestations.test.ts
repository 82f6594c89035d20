// report --attach-attestations: the documents behind the attestations (pentest report,
// policies) travel in the pack, so an auditor checks their hashes from the pack alone; the
// attestation notes appear in the pack; verify holds each embedded document to the sha256 its
// attestation records in results.json.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
