// verifyPack: a good pack is valid; any change, anywhere, is not (fast-check over byte
// positions); trust, appended and truncated files, swapped attachments, missing evidence.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPack } from '../src/report/pack.js';
import { makeDemoSigner, type DemoSigner } from '../src/signing/sign.js';
import { UnreadablePackError, verifyPack, verifyPackBytes, type VerifyResult } from '../src/verify/verify.js';
import { makeFixture } from './report-fixture.js';

let dir: string;
let signer: DemoSigner;
let other: DemoSigner;
let pdf: Buffer;
let file: string;
const fx = makeFixture();

const pdfsig = (p: string): string => {
  const r = spawnSync('pdfsig', [p], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
};
const write = (name: string, bytes: Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
/** valid=false, or the file is not readable as a PDF at all; never valid=true */
const rejects = async (bytes: Buffer): Promise<boolean> => {
  let r: VerifyResult;
  try {
    r = await verifyPackBytes(bytes);
  } catch (e) {
    return e instanceof UnreadablePackError;
  }
  return r.valid === false && r.problems.length > 0;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-verify-'));
  signer = makeDemoSigner({ commonName: 'Example SaaS Compliance', organisation: 'Example SaaS Inc.', notBefore: new Date('2026-01-01T00:00:00Z') });
  other = makeDemoSigner({ commonName: 'Somebody Else', notBefore: new Date('2026-01-01T00:00:00Z') });
  pdf = await buildPack({ ...fx.input, signer });
  file = write('pack.pdf', pdf);
});

describe('verifyPack on a good pack', () => {
  it('is valid, covers the whole file, names the signer and the signing time', async () => {
    const r = await verifyPack(file);
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.coversWholeFile).toBe(true);
    expect(r.trusted).toBe(false); // no --trust: integrity only
    expect(r.signature).toMatchObject({ subFilter: 'ETSI.CAdES.detached', digestAlgorithm: 'sha256', signatureValid: true, digestMatches: true });
    expect(r.signature.byteRange?.[0]).toBe(0);
    expect(r.signature.byteRange![2]! + r.signature.byteRange![3]!).toBe(pdf.length);
    expect(r.signer).toBe('CN=Example SaaS Compliance, O=Example SaaS Inc.');
    expect(r.signedAt).toBe('2026-11-20T10:00:00.000Z');
  });

  it('reads every attachment back and matches the manifest hashes', async () => {
    const r = await verifyPack(file);
    const names = r.attachments.map((a) => a.name).sort();
    expect(names).toEqual(['manifest.json', 'oscal-assessment-results.json', 'records/config.rule-evaluations.jsonl', 'records/rds.clusters.jsonl', 'records/rds.retained-backups.jsonl', 'results.json']);
    for (const f of fx.manifest.files) {
      const a = r.attachments.find((x) => x.name === f.path)!;
      expect(a).toMatchObject({ sha256: f.sha256, matchesManifest: true, inManifest: true });
    }
  });

  it('--trust: the right certificate is trusted, another is not', async () => {
    const good = await verifyPack(file, { trustPem: signer.certPem });
    expect(good.trusted).toBe(true);
    expect(good.valid).toBe(true);
    const bad = await verifyPack(file, { trustPem: other.certPem });
    expect(bad.trusted).toBe(false);
    expect(bad.valid).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/does not chain/);
    const both = await verifyPack(file, { trustPem: other.certPem + signer.certPem });
    expect(both.trusted).toBe(true);
  });

  it('--trust: a signer certificate expired (or not yet valid) at the validation time is not trusted, whatever the pack claims as signing time', async () => {
    // the pack claims 2026-03-01 (inside the certificate's validity); without a timestamp the
    // validation time is now, and the claim must not rescue the certificate
    const later = await verifyPack(file, { trustPem: signer.certPem, now: new Date('2032-01-01T00:00:00Z') });
    expect(later.signedAt).toBe(fx.input.signingTime.toISOString());
    expect(later.trusted).toBe(false);
    expect(later.valid).toBe(false);
    expect(later.problems.join('\n')).toMatch(/not valid at the validation time 2032-01-01/);
    const earlier = await verifyPack(file, { trustPem: signer.certPem, now: new Date('2025-06-01T00:00:00Z') });
    expect(earlier.trusted).toBe(false);
  });
});

describe('unreadable input', () => {
  it('a missing file throws UnreadablePackError', async () => {
    await expect(verifyPack(join(dir, 'nope.pdf'))).rejects.toThrow(UnreadablePackError);
  });
  it('a device or a folder is unreadable input, never read (/dev/zero would never end)', async () => {
    await expect(verifyPack('/dev/zero')).rejects.toThrow(/not a regular file/);
    await expect(verifyPack(dir)).rejects.toThrow(UnreadablePackError);
  });

  it('a file that is not a PDF throws UnreadablePackError', async () => {
    await expect(verifyPack(write('text.pdf', Buffer.from('hello, not a pdf\n')))).rejects.toThrow(UnreadablePackError);
  });
});

describe('tampering', () => {
  it('flipping any one byte never leaves the pack valid (fast-check over positions)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: pdf.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
        const t = Buffer.from(pdf);
        t[pos] = t[pos]! ^ x;
        return rejects(t);
      }),
      { numRuns: 60, seed: 20261120 },
    );
  });

  it('flipping bytes inside the signature /Contents (DER, hex case, zero padding) is caught', async () => {
    const [, b, c] = (await verifyPackBytes(pdf)).signature.byteRange!;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: b!, max: c! - 1 }), fc.constantFrom(0x01, 0x20, 0x41, 0x0f), async (pos, x) => {
        const t = Buffer.from(pdf);
        t[pos] = t[pos]! ^ x;
        return rejects(t);
      }),
      { numRuns: 60, seed: 7 },
    );
    // upper-casing one hex letter of the signature decodes to the same bytes: still refused
    const t = Buffer.from(pdf);
    const hex = t.toString('latin1', b! + 1, c! - 1);
    const i = hex.search(/[a-f]/);
    t[b! + 1 + i] = t[b! + 1 + i]! - 32;
    expect(await rejects(t)).toBe(true);
  });

  it("renaming the signer's algorithm (rsaEncryption -> sha256WithRSAEncryption, an unsigned field) is refused", async () => {
    // the SignerInfo's signatureAlgorithm is the last rsaEncryption OID in the CMS (after the certificate's)
    const oid = Buffer.from('06092a864886f70d010101', 'latin1');
    const at = pdf.lastIndexOf(oid);
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(pdf);
    changed.write('06092a864886f70d01010b', at, 'latin1');
    expect(await rejects(changed)).toBe(true);
  });

  it('bytes appended after signing: coversWholeFile false, invalid; pdfsig agrees', async () => {
    const t = Buffer.concat([pdf, Buffer.from('\n% appended\n')]);
    const r = await verifyPackBytes(t);
    expect(r.coversWholeFile).toBe(false);
    expect(r.valid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/after the signed range/);
    expect(pdfsig(write('appended.pdf', t))).not.toContain('Total document signed');
  });

  it('a truncated pack is invalid or unreadable', async () => {
    for (const n of [pdf.length - 1, pdf.length - 100, Math.floor(pdf.length / 2), 2000, 10]) expect(await rejects(pdf.subarray(0, n))).toBe(true);
  });

  it('a changed byte in the signed content: verify and pdfsig both see the digest mismatch', async () => {
    const t = Buffer.from(pdf);
    const pos = pdf.length - 3000;
    t[pos] = t[pos]! ^ 0x55;
    const r = await verifyPackBytes(t);
    expect(r.valid).toBe(false);
    expect(r.signature.digestMatches).toBe(false);
    expect(r.problems.join('\n')).toMatch(/digest does not match/);
    const out = pdfsig(write('flipped.pdf', t));
    expect(out).not.toContain('Signature is Valid.');
    expect(out).toMatch(/Digest Mismatch|Invalid/i);
  });

  it('a swapped attachment (records that differ from the manifest) is invalid, though the signature holds', async () => {
    const swapped = fx.input.attachments.map((a) => (a.name === 'records/rds.clusters.jsonl' ? { ...a, bytes: Buffer.concat([a.bytes, Buffer.from('{"id":"forged"}\n')]) } : a));
    const p = write('swapped.pdf', await buildPack({ ...fx.input, attachments: swapped, signer }));
    const r = await verifyPack(p, { trustPem: signer.certPem });
    expect(r.signature.signatureValid).toBe(true);
    expect(r.valid).toBe(false);
    expect(r.attachments.find((a) => a.name === 'records/rds.clusters.jsonl')!.matchesManifest).toBe(false);
    expect(pdfsig(p)).toContain('Signature is Valid.'); // pdfsig cannot tell; verify can
  });

  it('a manifest file that is not attached is reported', async () => {
    const fewer = fx.input.attachments.filter((a) => a.name !== 'records/rds.retained-backups.jsonl');
    const r = await verifyPackBytes(await buildPack({ ...fx.input, attachments: fewer, signer }));
    expect(r.valid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/lists records\/rds.retained-backups.jsonl, which is not attached/);
  });

  it('a finding citing evidence that is not attached is reported', async () => {
    const results = structuredClone(fx.input.results);
    results.controls[0]!.findings[0]!.evidence = ['f'.repeat(64)];
    const r = await verifyPackBytes(await buildPack({ ...fx.input, results, signer }));
    expect(r.valid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/1 evidence id\(s\) cited by findings are not among the attached records/);
  });

  it('a cited record altered after collection (manifest re-hashed to match) is caught by its id', async () => {
    const path = 'records/rds.clusters.jsonl';
    const orig = fx.input.attachments.find((a) => a.name === path)!.bytes.toString('utf8');
    const forged = Buffer.from(orig.replace('"KeyManager"', '"KeyManagr"').replace('orders-prod"', 'orders-prud"'));
    expect(forged.equals(Buffer.from(orig))).toBe(false);
    const manifest = structuredClone(fx.manifest);
    manifest.files.find((f) => f.path === path)!.sha256 = createHash('sha256').update(forged).digest('hex');
    const attachments = fx.input.attachments.map((a) => (a.name === path ? { ...a, bytes: forged } : a.name === 'manifest.json' ? { ...a, bytes: Buffer.from(JSON.stringify(manifest)) } : a));
    const r = await verifyPackBytes(await buildPack({ ...fx.input, attachments, manifest, signer }));
    expect(r.attachments.every((a) => a.matchesManifest)).toBe(true);
    expect(r.valid).toBe(false);
    expect(r.problems.join('\n')).toMatch(/cited evidence record\(s\) do not hash to their id/);
  });

  it('an unsigned pack is not valid', async () => {
    const r = await verifyPackBytes(await buildPack({ ...fx.input, unsigned: true }));
    expect(r.valid).toBe(false);
    expect(r.problems).toContain('the pack carries no signature');
    // once the signature fails, the attachments (a hostile file's bombs) are not read at all
    expect(r.attachments.length).toBe(0);
    expect(r.problems).toContain('the embedded files were not checked: the signature does not hold');
  });

  it('a pack signed with another key verifies but is not trusted by the first key', async () => {
    const p = write('other.pdf', await buildPack({ ...fx.input, signer: other }));
    expect((await verifyPack(p)).valid).toBe(true);
    expect((await verifyPack(p, { trustPem: signer.certPem })).valid).toBe(false);
  });
});
