// PAdES baseline signatures: B-B (ETSI.CAdES.detached, ESS signing-certificate-v2, the full
// chain in the CMS, --crl in adbe-revocationInfoArchival) and B-T (an RFC 3161 timestamp from a
// local TSA: openssl ts -reply behind an HTTP server on 127.0.0.1). Each pack is checked by
// trustpack verify and by independent tools: pdfsig, qpdf --check, openssl cms -verify on the
// extracted signature, openssl ts -verify on the token.
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type forgeNs from 'node-forge';
import { buildPack } from '../src/report/pack.js';
import { makeDemoSigner, type DemoSigner, type SignerInput } from '../src/signing/sign.js';
import { cmsOf, packSignature, withToken } from './helpers/pack-cms.js';
import { verifyPackBytes } from '../src/verify/verify.js';
import { makeFixture } from './report-fixture.js';
import { issue, KU, EKU, privatePem, type Issued } from './helpers/pki.js';
import { startTsa, type LocalTsa } from './helpers/tsa-server.js';
import { runCli } from './helpers/cli.js';

const forge = createRequire(import.meta.url)('node-forge') as typeof forgeNs;
const fx = makeFixture();
const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };
let dir: string;
let demo: DemoSigner;
let tsa: LocalTsa;
let root: Issued;
let inter: Issued;
let leaf: Issued;
let chainP12: SignerInput;

const run = (cmd: string, args: string[]): { code: number | null; out: string } => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const write = (name: string, bytes: Buffer | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

function opensslCmsVerify(pdf: Buffer, caPem: string, name: string): { code: number | null; out: string } {
  const { der, signed } = packSignature(pdf);
  const sig = write(`${name}.p7s`, der);
  const data = write(`${name}.bin`, signed);
  const ca = write(`${name}-ca.pem`, caPem);
  return run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', data, '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null']);
}

/** A PKCS#12 with the signer's RSA key and the given certificates (signer first). */
async function p12Of(signer: Issued, certs: Issued[]): Promise<SignerInput> {
  const key = forge.pki.privateKeyFromPem(await privatePem(signer.keys));
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [signer, ...certs].map((c) => forge.pki.certificateFromPem(c.pem)), 'chain-pass', { algorithm: '3des' });
  return { p12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), passphrase: 'chain-pass' };
}

/** An RSA chain root -> issuing CA -> signer, in a PKCS#12 that carries all three. */
async function rsaChainP12(): Promise<void> {
  root = await issue({ name: 'Pack Root CA', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, rsa: true, ...LONG });
  inter = await issue({ name: 'Pack Issuing CA', ca: true, pathLen: 0, keyUsage: KU.keyCertSign | KU.cRLSign, rsa: true, ...LONG }, root);
  leaf = await issue({ name: 'Example SaaS Evidence Signer', keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [EKU.documentSigning], rsa: true, ...LONG }, inter);
  const key = forge.pki.privateKeyFromPem(await privatePem(leaf.keys));
  const certs = [leaf, inter, root].map((c) => forge.pki.certificateFromPem(c.pem));
  const p12 = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, certs, 'chain-pass', { algorithm: '3des' })).getBytes(), 'binary');
  chainP12 = { p12, passphrase: 'chain-pass' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-sig-'));
  demo = makeDemoSigner({ commonName: 'Example SaaS Compliance', organisation: 'Example SaaS Inc.', notBefore: new Date('2026-01-01T00:00:00Z') });
  await rsaChainP12();
  tsa = await startTsa();
});
afterAll(async () => {
  await tsa?.close();
});

describe('PAdES B-B: ETSI.CAdES.detached with ESS signing-certificate-v2', () => {
  it('a demo-key pack: pdfsig, qpdf and openssl cms -verify agree it is valid; the ESS attribute names the signer; no signing-time attribute', async () => {
    const pdf = await buildPack({ ...fx.input, signer: demo });
    const file = write('bb.pdf', pdf);
    const sig = run('pdfsig', [file]).out;
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    expect(sig).toContain('ETSI.CAdES.detached');
    expect(run('qpdf', ['--check', file]).code).toBe(0);
    const o = opensslCmsVerify(pdf, demo.certPem, 'bb');
    expect(o.out).toContain('Verification successful');
    const { der } = packSignature(pdf);
    const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', write('bb.der', der)]).out;
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).not.toContain('signingTime');
    const r = await verifyPackBytes(pdf, { trustPem: demo.certPem });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ valid: true, trusted: true, signedAt: fx.input.signingTime.toISOString(), timestamp: null });
  });

  it('RSA without a timestamp stays byte-identical', async () => {
    const a = await buildPack({ ...fx.input, signer: chainP12 });
    const b = await buildPack({ ...fx.input, signer: chainP12 });
    expect(a.equals(b)).toBe(true);
  });

  it('the full chain travels in the CMS: --trust ROOT alone validates the path; pdfsig and openssl (root as CA) agree', async () => {
    const pdf = await buildPack({ ...fx.input, signer: chainP12 });
    const { cms } = cmsOf(pdf);
    expect(cms.certificates.map((c) => c.subject)).toEqual(['CN=Example SaaS Evidence Signer', 'CN=Pack Issuing CA', 'CN=Pack Root CA']);
    const r = await verifyPackBytes(pdf, { trustPem: root.pem });
    expect(r.problems).toEqual([]);
    expect(r.trusted).toBe(true);
    expect(run('pdfsig', [write('chain.pdf', pdf)]).out).toContain('Signature is Valid.');
    expect(opensslCmsVerify(pdf, root.pem, 'chain').out).toContain('Verification successful');
    // trusting another root: not trusted, with the reason
    const other = await issue({ name: 'Unrelated Root', ca: true, keyUsage: KU.keyCertSign, ...LONG });
    const o = await verifyPackBytes(pdf, { trustPem: other.pem });
    expect(o.trusted).toBe(false);
    expect(o.problems.join('\n')).toMatch(/does not chain/);
  });

  it('--crl: the revocation list is signed into adbe-revocationInfoArchival; the signature still covers the whole file', async () => {
    const crl = await x509.X509CrlGenerator.create({
      issuer: inter.cert.subject,
      thisUpdate: new Date('2026-01-01T00:00:00Z'),
      nextUpdate: new Date('2027-01-01T00:00:00Z'),
      entries: [{ serialNumber: '7f01', revocationDate: new Date('2026-01-02T00:00:00Z') }],
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      signingKey: inter.keys.privateKey,
    }, webcrypto);
    const crlDer = Buffer.from(crl.rawData);
    const pdf = await buildPack({ ...fx.input, signer: { ...chainP12, crls: [Buffer.from(crl.toString('pem'))] } });
    const { cms, der } = cmsOf(pdf);
    expect(cms.crls.map((c) => c.equals(crlDer))).toEqual([true]);
    const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', write('crl.der', der)]).out;
    expect(printed).toContain('1.2.840.113583.1.1.8');
    const r = await verifyPackBytes(pdf, { trustPem: root.pem });
    expect(r).toMatchObject({ valid: true, coversWholeFile: true });
    expect(run('pdfsig', [write('crl.pdf', pdf)]).out).toContain('Total document signed');
    // a list from the signer's issuer that revokes the signer: not trusted, with the date
    const revoking = await x509.X509CrlGenerator.create({
      issuer: inter.cert.subject,
      thisUpdate: new Date('2026-01-01T00:00:00Z'),
      nextUpdate: new Date('2027-01-01T00:00:00Z'),
      entries: [{ serialNumber: leaf.cert.serialNumber, revocationDate: new Date('2026-02-01T00:00:00Z') }],
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      signingKey: inter.keys.privateKey,
    }, webcrypto);
    const revoked = await verifyPackBytes(await buildPack({ ...fx.input, signer: { ...chainP12, crls: [Buffer.from(revoking.rawData)] } }), { trustPem: root.pem });
    expect(revoked.trusted).toBe(false);
    expect(revoked.problems.join('\n')).toMatch(/CN=Example SaaS Evidence Signer was revoked on 2026-02-01/);
  });
});

describe('the attack review: packs that verify said VALID and trusted, now refused with the reason', () => {
  const SIGNER_KU = KU.digitalSignature | KU.nonRepudiation;
  it('a signer under an ordinary TLS leaf used as a CA', async () => {
    const tls = await issue({ name: 'shop.example.com', ca: false, keyUsage: KU.digitalSignature | KU.keyEncipherment, eku: [EKU.serverAuth], rsa: true, ...LONG }, root);
    const signer = await issue({ name: 'Mallory', keyUsage: SIGNER_KU, rsa: true, ...LONG }, tls);
    const r = await verifyPackBytes(await buildPack({ ...fx.input, signer: await p12Of(signer, [tls]) }), { trustPem: root.pem });
    expect(r.signature.signatureValid).toBe(true);
    expect(r).toMatchObject({ valid: false, trusted: false });
    expect(r.problems.join('\n')).toMatch(/CN=shop\.example\.com is not a CA/);
  });

  it('a TLS server certificate signing directly', async () => {
    const tls = await issue({ name: 'www.example.com', ca: false, keyUsage: KU.digitalSignature | KU.keyEncipherment, eku: [EKU.serverAuth], rsa: true, ...LONG }, inter);
    const r = await verifyPackBytes(await buildPack({ ...fx.input, signer: await p12Of(tls, [inter]) }), { trustPem: root.pem });
    expect(r).toMatchObject({ valid: false, trusted: false });
    expect(r.problems.join('\n')).toMatch(/not allowed to sign documents: its extended key usages \(1\.3\.6\.1\.5\.5\.7\.3\.1\)/);
  });

  it('a signer under an intermediate CA that expired years ago', async () => {
    const old = await issue({ name: 'Old Issuing CA', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, rsa: true, notBefore: new Date('2015-01-01T00:00:00Z'), notAfter: new Date('2019-01-01T00:00:00Z') }, root);
    const signer = await issue({ name: 'Signer Under Old CA', keyUsage: SIGNER_KU, rsa: true, ...LONG }, old);
    const r = await verifyPackBytes(await buildPack({ ...fx.input, signer: await p12Of(signer, [old]) }), { trustPem: root.pem });
    expect(r).toMatchObject({ valid: false, trusted: false });
    expect(r.problems.join('\n')).toMatch(/CN=Old Issuing CA is not valid at the validation time/);
  });
});

describe('PAdES B-T: an RFC 3161 signature timestamp from a local TSA', () => {
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = await buildPack({ ...fx.input, signer: { ...chainP12, tsaUrl: tsa.url } });
  });

  it('the token is over the signature value and passes openssl ts -verify', () => {
    const { cms } = cmsOf(pdf);
    expect(cms.timestampToken).toBeDefined();
    const token = write('token.der', cms.timestampToken!);
    const data = write('sigvalue.bin', cms.signatureValue!);
    const r = run('openssl', ['ts', '-verify', '-data', data, '-in', token, '-token_in', '-CAfile', write('tsa-root.pem', tsa.root.pem), '-untrusted', write('tsa-cert.pem', tsa.tsa.pem)]);
    expect(r.out).toContain('Verification: OK');
    expect(tsa.requests).toBeGreaterThan(0);
  });

  it('verify validates the token against --tsa-trust and checks certificates at its time', async () => {
    const r = await verifyPackBytes(pdf, { trustPem: root.pem, tsaTrustPem: tsa.root.pem });
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.timestamp).toMatchObject({ tsa: 'CN=Test TSA', trusted: true });
    expect(r.validatedAt).toBe(r.timestamp!.time);
    expect(Math.abs(Date.parse(r.timestamp!.time!) - Date.now())).toBeLessThan(10 * 60_000);
    expect(run('pdfsig', [write('bt.pdf', pdf)]).out).toContain('Signature is Valid.');
    expect(opensslCmsVerify(pdf, root.pem, 'bt').out).toContain('Verification successful');
  });

  it('the timestamp rescues a certificate that expired after it; the claimed time alone never does', async () => {
    const later = new Date('2036-01-01T00:00:00Z'); // the signer certificate ends 2035-01-01; the TSA's 2040
    const stamped = await verifyPackBytes(pdf, { trustPem: root.pem, tsaTrustPem: tsa.root.pem, now: later });
    expect(stamped.problems).toEqual([]);
    expect(stamped.trusted).toBe(true);
    const plain = await verifyPackBytes(await buildPack({ ...fx.input, signer: chainP12 }), { trustPem: root.pem, now: later });
    expect(plain.trusted).toBe(false);
    expect(plain.problems.join('\n')).toMatch(/not valid at the validation time 2036/);
    // without --tsa-trust the token's time is not trusted: validation falls back to now
    const untrusted = await verifyPackBytes(pdf, { trustPem: root.pem, now: later });
    expect(untrusted.timestamp?.trusted).toBe(false);
    expect(untrusted.trusted).toBe(false);
  });

  it('a TSA that does not chain to --tsa-trust, or a token over another signature, is refused', async () => {
    const r = await verifyPackBytes(pdf, { trustPem: root.pem, tsaTrustPem: root.pem });
    expect(r.timestamp?.trusted).toBe(false);
    expect(r.problems.join('\n')).toMatch(/timestamp: .*does not chain/);
    // the token of one pack moved into another pack's signature: the imprint gives it away
    const other = await buildPack({ ...fx.input, signingTime: new Date('2026-11-21T10:00:00Z'), signer: { ...chainP12, tsaUrl: tsa.url } });
    const tokenA = cmsOf(pdf).cms.timestampToken!;
    const swapped = withToken(other, tokenA);
    const s = await verifyPackBytes(swapped, { trustPem: root.pem, tsaTrustPem: tsa.root.pem });
    expect(s.valid).toBe(false);
    expect(s.problems.join('\n')).toMatch(/timestamp: the timestamp is not over this signature/);
  });

  it('the CLI: verify --trust ROOT --tsa-trust TSA-ROOT says VALID and names the timestamp (exit 0); without --tsa-trust the time is not trusted', async () => {
    const file = write('bt-cli.pdf', pdf);
    const ok = await runCli(['verify', file, '--trust', write('root.pem', root.pem), '--tsa-trust', write('tsa-root-cli.pem', tsa.root.pem), '--format', 'table']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/timestamp: +\S+ by CN=Test TSA \(trusted\)/);
    expect(ok.stdout).toMatch(/certificates checked at \S+ \(the timestamp\)/);
    const plain = await runCli(['verify', file, '--trust', write('root.pem', root.pem), '--format', 'table']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('(not checked: no --tsa-trust given)');
    const missing = await runCli(['verify', file, '--tsa-trust', join(dir, 'no-such.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such\.pem: cannot read/);
  });

  it('timestamped packs differ on each signing (the token is new each time)', async () => {
    const again = await buildPack({ ...fx.input, signer: { ...chainP12, tsaUrl: tsa.url } });
    expect(again.equals(pdf)).toBe(false);
  });
});
