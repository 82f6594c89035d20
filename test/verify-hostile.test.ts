// Hostile input: each attack of the review is built here (no binary fixtures), signed so that
// it gets past the signature check, and verified by the CLI under an address-space cap
// (prlimit) with a timeout that only guards against a hang. verify must answer each with a
// verdict (exit 1 and the reason), never a crash, an abort, exit 2 or 70.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { signPdf, makeDemoSigner, type DemoSigner } from '../src/signing/sign.js';
import { canonicalJsonOfData, sha256Hex } from '../src/evidence/canonical.js';
import { deflatedZeros, flate, hostilePdf, type RawAttachment } from './helpers/hostile-pdf.js';
import { BIN } from './helpers/cli.js';

// node itself reserves ~0.9 GiB of address space; 1.5 GiB leaves ~600 MB for the work
const ADDRESS_SPACE = 1536 * 1024 * 1024;
const HANG_GUARD_MS = 60_000;
const SIGNING_TIME = new Date('2026-03-01T00:00:00Z');

let dir: string;
let signer: DemoSigner;
let base: RawAttachment[];
let recordId: string;

function verifyCapped(file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; json: { valid: boolean; problems: string[] } | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [`--as=${ADDRESS_SPACE}`, process.execPath, BIN, 'verify', file, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json;
      try {
        json = JSON.parse(out) as { valid: boolean; problems: string[] };
      } catch {
        json = undefined;
      }
      resolve({ code, signal, json, stderr: err });
    });
  });
}

async function signed(name: string, pdf: Buffer): Promise<string> {
  const p = join(dir, name);
  writeFileSync(p, await signPdf(pdf, signer, SIGNING_TIME));
  return p;
}

async function expectVerdict(file: string, reason: RegExp): Promise<void> {
  const r = await verifyCapped(file);
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(1);
  expect(r.json?.valid).toBe(false);
  expect(r.json?.problems.join('\n')).toMatch(reason);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-hostile-'));
  signer = makeDemoSigner({ commonName: 'Hostile Test Signer', notBefore: new Date('2026-01-01T00:00:00Z') });
  const draft = { source: { service: 'rds', operation: 'DescribeDBClusters' }, data: { ok: true } };
  recordId = sha256Hex(canonicalJsonOfData(draft));
  const records = Buffer.from(JSON.stringify({ id: recordId, ...draft }) + '\n');
  const manifest = Buffer.from(JSON.stringify({ runId: 'run-1', files: [{ path: 'records.jsonl', sha256: createHash('sha256').update(records).digest('hex') }] }));
  const results = Buffer.from(JSON.stringify({ run: { id: 'run-1' }, controls: [{ id: 'c1', findings: [{ evidence: [recordId] }] }] }));
  base = [
    { name: 'manifest.json', stream: flate(manifest), flate: true },
    { name: 'results.json', stream: flate(results), flate: true },
    { name: 'records.jsonl', stream: flate(records), flate: true },
  ];
});

describe('the hand-built pack itself', () => {
  it('verifies as valid, so each attack below reaches the attachment checks', async () => {
    const r = await verifyCapped(await signed('benign.pdf', hostilePdf({ attachments: base })));
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    expect(r.json?.valid).toBe(true);
  });
});

describe('attacks get a verdict in bounded time and memory', () => {
  it('compression bombs: 150 attachments of 64 MiB zeros each (a 10 MB file, 9.4 GiB inflated) stop at the total cap', async () => {
    const bomb = await deflatedZeros(64 * 1024 * 1024);
    const attachments = [...base, ...Array.from({ length: 150 }, (_, i) => ({ name: `bomb-${i}.bin`, stream: bomb, flate: true }))];
    const pdf = hostilePdf({ attachments });
    expect(pdf.length).toBeLessThan(10 * 1024 * 1024);
    await expectVerdict(await signed('bombs.pdf', pdf), /compression bomb/);
  });

  it('an object stream (expanded by pdf-lib before any cap) is refused before it is expanded', async () => {
    const payload = await deflatedZeros(512 * 1024 * 1024); // 512 MiB from 500 KB
    const objstm = Buffer.concat([Buffer.from(`1000 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length ${payload.length} /Filter /FlateDecode >>\nstream\n`), payload, Buffer.from('\nendstream\nendobj\n')]);
    await expectVerdict(await signed('objstm.pdf', hostilePdf({ attachments: base, extraObjects: [objstm] })), /object stream/);
  });

  it('a forged cross-reference stream (two billion entries) is refused', async () => {
    const xref = Buffer.from('1000 0 obj\n<< /Type /XRef /Size 2000000000 /W [1 4 2] /Index [0 2000000000] /Length 0 >>\nstream\n\nendstream\nendobj\n');
    await expectVerdict(await signed('xrefstm.pdf', hostilePdf({ attachments: base, extraObjects: [xref] })), /cross-reference stream/);
  });

  it('evidence ids: 250,000 cited ids on one line (quadratic in the old scan) are read once', async () => {
    const line = `{"x":[${Array.from({ length: 250_000 }, () => `{"id":"${recordId}"}`).join(',')}]`; // no closing brace, no newline
    const records = Buffer.from(line);
    const manifest = Buffer.from(JSON.stringify({ runId: 'run-1', files: [{ path: 'records.jsonl', sha256: createHash('sha256').update(records).digest('hex') }] }));
    const attachments = [{ ...base[0]!, stream: flate(manifest) }, base[1]!, { name: 'records.jsonl', stream: flate(records), flate: true }];
    await expectVerdict(await signed('ids.pdf', hostilePdf({ attachments })), /record line of .* is not JSON/);
  });

  it('two attachments with one name are invalid (verify and pdfdetach could read different files)', async () => {
    const extra = { name: 'records.jsonl', stream: flate('{}\n'), flate: true };
    const pdf = hostilePdf({ attachments: [...base, extra], nameEntries: [0, 1, 2, 3].map((i) => ({ name: i === 3 ? 'records.jsonl' : base[i]!.name, attachment: i })) });
    await expectVerdict(await signed('dupname.pdf', pdf), /two attachments are named records\.jsonl/);
  });

  it('one file under two names is invalid', async () => {
    const pdf = hostilePdf({ attachments: base, nameEntries: [...base.map((a, i) => ({ name: a.name, attachment: i })), { name: 'copy.jsonl', attachment: 2 }] });
    await expectVerdict(await signed('dupobj.pdf', pdf), /shares its file with another name/);
  });

  it('an object defined twice (a second reading of the same file spec) is invalid', async () => {
    const again = Buffer.from('14 0 obj\n<< /Type /Filespec /F (records.jsonl) /UF (records.jsonl) /EF << /F 13 0 R >> >>\nendobj\n');
    await expectVerdict(await signed('twice.pdf', hostilePdf({ attachments: base, extraObjects: [again] })), /defined twice/);
  });

  it('a 9 MB name, literal string or number, and a million distinct names: refused from the token extent, not built a character at a time', async () => {
    const obj = (body: string): Buffer[] => [Buffer.from(`1000 0 obj\n${body}\nendobj\n`)];
    const nine = 9 * 1024 * 1024;
    await expectVerdict(await signed('name.pdf', hostilePdf({ attachments: base, extraObjects: obj(`/${'a'.repeat(nine)}`) })), /a name longer than 127 bytes/);
    await expectVerdict(await signed('string.pdf', hostilePdf({ attachments: base, extraObjects: obj(`(${'a'.repeat(nine)})`) })), /a literal string longer than/);
    await expectVerdict(await signed('number.pdf', hostilePdf({ attachments: base, extraObjects: obj('1'.repeat(nine)) })), /a number longer than 32 characters/);
    const names = `[${Array.from({ length: 1_000_000 }, (_, i) => `/n${i.toString(36)}`).join(' ')}]`;
    await expectVerdict(await signed('names.pdf', hostilePdf({ attachments: base, extraObjects: obj(names) })), /more than 4096 distinct names/);
  });

  it('arrays nested 200,000 deep (a stack overflow in the parser) give a verdict', async () => {
    const deep = Buffer.from(`1000 0 obj\n${'['.repeat(200_000)}${']'.repeat(200_000)}\nendobj\n`);
    await expectVerdict(await signed('deep.pdf', hostilePdf({ attachments: base, extraObjects: [deep] })), /nested deeper than 64/);
  });
});

describe('unknown or unsupported algorithms get a verdict', () => {
  it('a signer certificate with an unknown public-key algorithm: exit 1 with the reason, with and without --trust', async () => {
    const { issue, KU, privatePem } = await import('./helpers/pki.js');
    const { buildCades } = await import('../src/signing/cades.js');
    const { SignPdf } = await import('@signpdf/signpdf');
    const { Signer } = await import('@signpdf/utils');
    const { createPrivateKey, sign } = await import('node:crypto');
    const real = await issue({ name: 'Odd Key Signer', keyUsage: KU.digitalSignature, notBefore: new Date('2020-01-01Z'), notAfter: new Date('2035-01-01Z') });
    // id-ecPublicKey (1.2.840.10045.2.1) -> 1.2.840.10045.2.9, an algorithm no one knows
    const oid = Buffer.from('06072a8648ce3d0201', 'hex');
    const at = real.der.indexOf(oid);
    expect(at).toBeGreaterThan(0);
    const odd = Buffer.from(real.der);
    odd[at + oid.length - 1] = 0x09;
    const key = createPrivateKey(await privatePem(real.keys));
    class OddSigner extends Signer {
      override async sign(bytes: Buffer): Promise<Buffer> {
        return buildCades({ contentDigest: createHash('sha256').update(bytes).digest(), signerCert: odd, chain: [], crls: [], key: { type: 'ec', sign: async (tbs) => sign('sha256', tbs, key) } });
      }
    }
    const file = join(dir, 'odd-key.pdf');
    writeFileSync(file, Buffer.from(await new SignPdf().sign(hostilePdf({ attachments: base }), new OddSigner())));
    await expectVerdict(file, /public key algorithm is not supported/);
    const pem = `-----BEGIN CERTIFICATE-----\n${odd.toString('base64')}\n-----END CERTIFICATE-----\n`;
    writeFileSync(join(dir, 'odd.pem'), pem);
    const trusted = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('prlimit', [`--as=${ADDRESS_SPACE}`, process.execPath, BIN, 'verify', file, '--trust', join(dir, 'odd.pem'), '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(trusted.code).toBe(1);
    expect(trusted.out).toMatch(/public key algorithm is not supported/);
  });
});
