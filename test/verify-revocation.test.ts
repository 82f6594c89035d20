// Revocation the verifier controls: `verify --crl FILE` (PEM or DER, repeatable) checks every
// certificate of the path but the anchor against CRLs its issuer signed; `--require-revocation`
// makes a path without current revocation data INVALID. Red team: a revoked signer was trusted
// unless the signer chose to embed the CRL. openssl verify -crl_check_all is the independent judge.
import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type forgeNs from 'node-forge';
import { buildPack } from '../src/report/pack.js';
import { makeFixture } from './report-fixture.js';
import { issue, KU, EKU, privatePem, type Issued } from './helpers/pki.js';
import { runCli } from './helpers/cli.js';

const forge = createRequire(import.meta.url)('node-forge') as typeof forgeNs;
const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };
const DAY = 86_400_000;
let dir: string;
let root: Issued;
let inter: Issued;
let leaf: Issued;
let pack: string;
const write = (name: string, bytes: Buffer | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** A CRL by `issuer` (current now unless told), listing `entries`; PEM. */
async function crl(issuer: Issued, entries: x509.X509CrlEntryParams[] = [], opts: { thisUpdate?: Date; nextUpdate?: Date; extensions?: x509.Extension[]; signingKey?: webcrypto.CryptoKey } = {}): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate: opts.thisUpdate ?? new Date(Date.now() - DAY),
    nextUpdate: opts.nextUpdate ?? new Date(Date.now() + 30 * DAY),
    entries,
    ...(opts.extensions ? { extensions: opts.extensions } : {}),
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    signingKey: opts.signingKey ?? issuer.keys.privateKey,
  }, webcrypto);
}

async function verify(...args: string[]): Promise<{ code: number | null; json: { valid: boolean; trusted: boolean; problems: string[] } }> {
  const r = await runCli(['verify', pack, '--trust', write('root.pem', root.pem), '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  return { code: r.code, json: JSON.parse(r.stdout) };
}

/** openssl verify with every CRL checked (the independent judge of "revoked"). */
function openssl(crlPem: string): { ok: boolean; out: string } {
  // openssl reads the X509 CRL header only; @peculiar/x509 writes CRL
  crlPem = crlPem.replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----');
  const r = spawnSync('openssl', ['verify', '-crl_check_all', '-CAfile', write('o-root.pem', root.pem), '-untrusted', write('o-inter.pem', inter.pem), '-CRLfile', write('o-crl.pem', crlPem), write('o-leaf.pem', leaf.pem)], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-crl-'));
  root = await issue({ name: 'CRL Root CA', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, rsa: true, ...LONG });
  inter = await issue({ name: 'CRL Issuing CA', ca: true, pathLen: 0, keyUsage: KU.keyCertSign | KU.cRLSign, rsa: true, ...LONG }, root);
  leaf = await issue({ name: 'CRL Evidence Signer', keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [EKU.documentSigning], rsa: true, ...LONG }, inter);
  const key = forge.pki.privateKeyFromPem(await privatePem(leaf.keys));
  const certs = [leaf, inter, root].map((c) => forge.pki.certificateFromPem(c.pem));
  const p12 = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, certs, 'pass', { algorithm: '3des' })).getBytes(), 'binary');
  pack = write('pack.pdf', await buildPack({ ...makeFixture().input, signer: { p12, passphrase: 'pass' } }));
}, 60_000);

describe('verify --crl', () => {
  it('the signer revoked in the verifier\'s CRL (PEM) is not trusted: exit 1 with the date; openssl agrees', async () => {
    expect((await verify()).code).toBe(0);
    const list = await crl(inter, [{ serialNumber: leaf.cert.serialNumber, revocationDate: new Date(Date.now() - 2 * DAY) }]);
    const r = await verify('--crl', write('revoking.pem', list.toString('pem')));
    expect(r.code).toBe(1);
    expect(r.json.trusted).toBe(false);
    expect(r.json.problems.join('\n')).toMatch(/the signer certificate CN=CRL Evidence Signer is revoked \(on /);
    const judge = openssl(`${list.toString('pem')}\n${(await crl(root)).toString('pem')}\n`);
    expect(judge.ok, judge.out).toBe(false);
    expect(judge.out).toMatch(/certificate revoked/);
  });

  it('an intermediate revoked by the root (DER CRL) is found too', async () => {
    const list = await crl(root, [{ serialNumber: inter.cert.serialNumber, revocationDate: new Date(Date.now() - DAY) }]);
    const r = await verify('--crl', write('root-revoking.der', Buffer.from(list.rawData)));
    expect(r.code).toBe(1);
    expect(r.json.problems.join('\n')).toMatch(/the issuer certificate CN=CRL Issuing CA is revoked/);
  });

  it('a revocation dated after the validation time counts only for keyCompromise', async () => {
    const later = new Date(Date.now() + 5 * DAY);
    const superseded = await crl(inter, [{ serialNumber: leaf.cert.serialNumber, revocationDate: later, reason: x509.X509CrlReason.superseded }]);
    expect((await verify('--crl', write('later.pem', superseded.toString('pem')))).code).toBe(0);
    const compromised = await crl(inter, [{ serialNumber: leaf.cert.serialNumber, revocationDate: later, reason: x509.X509CrlReason.keyCompromise }]);
    const r = await verify('--crl', write('compromised.pem', compromised.toString('pem')));
    expect(r.code).toBe(1);
    expect(r.json.problems.join('\n')).toMatch(/is revoked \(keyCompromise/);
  });

  it('a CRL that claims the issuer\'s name but is signed by another key, and a delta CRL, are refused with the reason', async () => {
    const stranger = await issue({ name: 'Stranger', ca: true, keyUsage: KU.cRLSign | KU.keyCertSign, rsa: true, ...LONG });
    const forged = await crl(inter, [], { signingKey: stranger.keys.privateKey });
    const r1 = await verify('--crl', write('forged.pem', forged.toString('pem')), '--require-revocation', '--crl', write('root-ok.pem', (await crl(root)).toString('pem')));
    expect(r1.code).toBe(1);
    expect(r1.json.problems.join('\n')).toMatch(/does not verify with that certificate's key/);
    const delta = await crl(inter, [], { extensions: [new x509.Extension('2.5.29.27', true, new Uint8Array([0x02, 0x01, 0x05]))] });
    const r2 = await verify('--crl', write('delta.pem', delta.toString('pem')));
    expect(r2.code).toBe(1);
    expect(r2.json.problems.join('\n')).toMatch(/is a delta CRL/);
  });
});

describe('verify --require-revocation', () => {
  it('INVALID until every certificate but the anchor has a current CRL of its issuer', async () => {
    const none = await verify('--require-revocation');
    expect(none.code).toBe(1);
    expect(none.json.problems.join('\n')).toMatch(/the signer certificate CN=CRL Evidence Signer has no current revocation data/);
    const leafOnly = await verify('--require-revocation', '--crl', write('inter-ok.pem', (await crl(inter)).toString('pem')));
    expect(leafOnly.code).toBe(1);
    expect(leafOnly.json.problems.join('\n')).toMatch(/the issuer certificate CN=CRL Issuing CA has no current revocation data/);
    expect(leafOnly.json.problems.join('\n')).not.toMatch(/CN=CRL Evidence Signer has no current/);
    const both = await verify('--require-revocation', '--crl', write('inter-ok2.pem', (await crl(inter)).toString('pem')), '--crl', write('root-ok2.pem', (await crl(root)).toString('pem')));
    expect(both.json.problems).toEqual([]);
    expect(both.code).toBe(0);
  });

  it('an expired CRL is not current revocation data', async () => {
    const stale = await crl(inter, [], { thisUpdate: new Date(Date.now() - 60 * DAY), nextUpdate: new Date(Date.now() - 30 * DAY) });
    const r = await verify('--require-revocation', '--crl', write('stale.pem', stale.toString('pem')), '--crl', write('root-ok3.pem', (await crl(root)).toString('pem')));
    expect(r.code).toBe(1);
    expect(r.json.problems.join('\n')).toMatch(/CN=CRL Evidence Signer has no current revocation data/);
  });

  it('--crl without --trust, or a PEM file without a CRL, is bad input (exit 2)', async () => {
    expect((await runCli(['verify', pack, '--crl', write('x.pem', (await crl(root)).toString('pem'))])).code).toBe(2);
    expect((await runCli(['verify', pack, '--trust', write('root2.pem', root.pem), '--crl', write('root3.pem', root.pem)])).code).toBe(2);
  });
});
