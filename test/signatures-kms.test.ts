// Keys that never leave KMS: the sandbox serves kms:Sign and kms:GetPublicKey for fixture
// SIGN_VERIFY keys (RSA_2048, ECC_NIST_P256). The AWS CLI checks the sandbox's answers; packs
// signed through KMS (in process and through `report --sign-kms-key`) verify with pdfsig,
// openssl cms -verify and trustpack verify; a certificate for another key is refused.
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createPublicKey, verify as cryptoVerify, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { buildPack } from '../src/report/pack.js';
import { kmsSigningKey } from '../src/signing/kms-signer.js';
import { kmsSigningApi } from '../src/app/kms-client.js';
import { verifyPackBytes } from '../src/verify/verify.js';
import { makeFixture } from './report-fixture.js';
import { EKU, issue, KU, publicOnly, type Issued } from './helpers/pki.js';
import { runCli } from './helpers/cli.js';

const REGION = 'eu-central-1';
const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };
const fx = makeFixture();
let sb: Sandbox;
let dir: string;
let ca: Issued;
const keys: Record<'rsa' | 'ec', { arn: string; spki: Buffer; cert: Issued }> = {} as never;
let env: Record<string, string>;

// asynchronous: the sandbox answers from this same process
const aws = async (args: string[]): Promise<Record<string, unknown>> =>
  JSON.parse((await promisify(execFile)('/usr/bin/aws', [...args, '--region', REGION, '--endpoint-url', sb.url, '--output', 'json'], { encoding: 'utf8', env: { ...process.env, ...env } })).stdout) as Record<string, unknown>;
const awsFails = async (args: string[]): Promise<string> => {
  try {
    await aws(args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  throw new Error('the AWS CLI call succeeded');
};
const write = (name: string, bytes: Buffer | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-kms-'));
  sb = await startSandbox({ fixture: loadFixture(join(import.meta.dirname, 'fixtures', 'sandbox', 'signing-keys.yaml')), port: 0 });
  env = { AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIASANDBOXTEST00000', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  Object.assign(process.env, env);
  ca = await issue({ name: 'KMS Signing CA', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, ...LONG });
  for (const [type, alias] of [['rsa', 'alias/pack-signing-rsa'], ['ec', 'alias/pack-signing-ec']] as const) {
    const pub = await aws(['kms', 'get-public-key', '--key-id', alias]);
    const spki = Buffer.from(pub['PublicKey'] as string, 'base64');
    const cert = await issue({ name: `Pack Signer (${type})`, keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [EKU.documentSigning], ...LONG }, ca, await publicOnly(spki, type === 'rsa'));
    keys[type] = { arn: pub['KeyId'] as string, spki, cert };
  }
});
afterAll(async () => {
  await sb?.close();
});

describe('the sandbox answers Sign and GetPublicKey as KMS does (checked with the AWS CLI)', () => {
  it('GetPublicKey: SIGN_VERIFY, the key spec and its signing algorithms', async () => {
    const pub = await aws(['kms', 'get-public-key', '--key-id', keys.ec.arn]);
    expect(pub).toMatchObject({ KeyId: keys.ec.arn, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(createPublicKey({ key: keys.rsa.spki, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('rsa');
  });

  it('Sign with MessageType DIGEST: the signature verifies over the message the digest was made from', async () => {
    const message = Buffer.from('signed attributes stand-in');
    const digest = write('digest.bin', createHash('sha256').update(message).digest());
    for (const [type, alg] of [['ec', 'ECDSA_SHA_256'], ['rsa', 'RSASSA_PKCS1_V1_5_SHA_256']] as const) {
      const out = await aws(['kms', 'sign', '--key-id', keys[type].arn, '--message', `fileb://${digest}`, '--message-type', 'DIGEST', '--signing-algorithm', alg]);
      const sig = Buffer.from(out['Signature'] as string, 'base64');
      expect(cryptoVerify('sha256', message, createPublicKey({ key: keys[type].spki, format: 'der', type: 'spki' }), sig), type).toBe(true);
    }
  });

  it('a SIGN_VERIFY key of a spec that cannot sign is a fixture error naming the line', async () => {
    const { parseFixture, FixtureError } = await import('../src/sandbox/index.js');
    const bad = 'accounts:\n  - id: "111122223333"\n    regions:\n      eu-central-1:\n        keys:\n          - { alias: k, spec: SYMMETRIC_DEFAULT, usage: SIGN_VERIFY }\n';
    expect(() => parseFixture(bad, 'bad.yaml')).toThrow(FixtureError);
    expect(() => parseFixture(bad, 'bad.yaml')).toThrow(/bad\.yaml:6.*SIGN_VERIFY key needs spec RSA_2048/);
  });

  it('a symmetric key cannot sign: InvalidKeyUsageException', async () => {
    const stderr = await awsFails(['kms', 'sign', '--key-id', 'alias/data-key', '--message', `fileb://${write('d2.bin', Buffer.alloc(32))}`, '--message-type', 'DIGEST', '--signing-algorithm', 'ECDSA_SHA_256']);
    expect(stderr).toContain('InvalidKeyUsageException');
  });
});

describe('packs signed by a KMS key', () => {
  for (const type of ['rsa', 'ec'] as const) {
    it(`${type === 'rsa' ? 'RSA_2048 (RSASSA_PKCS1_V1_5_SHA_256)' : 'ECC_NIST_P256 (ECDSA_SHA_256)'}: pdfsig, openssl cms -verify and trustpack verify --trust CA`, async () => {
      const key = await kmsSigningKey(keys[type].arn, kmsSigningApi());
      const pdf = await buildPack({ ...fx.input, signer: { remote: { certPem: keys[type].cert.pem, key } } });
      const file = write(`kms-${type}.pdf`, pdf);
      const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
      expect(sig).toContain('Signature is Valid.');
      expect(sig).toContain('Total document signed');
      const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'))!;
      const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
      const der = Buffer.from(pdf.toString('latin1', b + 1, c - 1), 'hex');
      const p7s = write(`kms-${type}.p7s`, der);
      const data = write(`kms-${type}.bin`, Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]));
      // openssl reads the DER and ignores the zero padding after it
      const o = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', p7s, '-content', data, '-CAfile', write('kms-ca.pem', ca.pem), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
      expect(`${o.stdout}${o.stderr}`).toContain('Verification successful');
      const r = await verifyPackBytes(pdf, { trustPem: ca.pem });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ valid: true, trusted: true, signer: `CN=Pack Signer (${type})` });
    });
  }

  it('ECDSA packs differ on each signing; RSA KMS packs are byte-identical', async () => {
    const ec = await kmsSigningKey(keys.ec.arn, kmsSigningApi());
    const rsa = await kmsSigningKey(keys.rsa.arn, kmsSigningApi());
    const e1 = await buildPack({ ...fx.input, signer: { remote: { certPem: keys.ec.cert.pem, key: ec } } });
    const e2 = await buildPack({ ...fx.input, signer: { remote: { certPem: keys.ec.cert.pem, key: ec } } });
    expect(e1.equals(e2)).toBe(false);
    const r1 = await buildPack({ ...fx.input, signer: { remote: { certPem: keys.rsa.cert.pem, key: rsa } } });
    const r2 = await buildPack({ ...fx.input, signer: { remote: { certPem: keys.rsa.cert.pem, key: rsa } } });
    expect(r1.equals(r2)).toBe(true);
  });
});

describe('report --sign-kms-key --sign-cert (CLI)', () => {
  let bundle: string;
  beforeAll(async () => {
    const demo = await runCli(['demo', '--out', join(dir, 'demo')], { cwd: dir });
    expect(demo.code, demo.stderr).toBe(0);
    bundle = join(dir, 'demo', 'evidence');
  });

  it('signs through KMS; verify --trust CA says VALID (exit 0)', async () => {
    const pack = join(dir, 'cli-kms.pdf');
    const r = await runCli(['report', '--evidence', bundle, '--out', pack, '--sign-kms-key', keys.ec.arn, '--sign-cert', write('ec-cert.pem', keys.ec.cert.pem)], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(spawnSync('pdfsig', [pack], { encoding: 'utf8' }).stdout).toContain('Signature is Valid.');
    const v = await runCli(['verify', pack, '--trust', write('ca.pem', ca.pem), '--format', 'table'], { cwd: dir });
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('VALID');
    expect(readFileSync(pack).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a certificate for another key is refused before anything is written (exit 2)', async () => {
    const pack = join(dir, 'mismatch.pdf');
    const r = await runCli(['report', '--evidence', bundle, '--out', pack, '--sign-kms-key', keys.ec.arn, '--sign-cert', write('rsa-cert.pem', keys.rsa.cert.pem)], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not match the signing certificate/);
    expect(spawnSync('ls', [pack]).status).not.toBe(0);
  });

  it('a symmetric key, or --sign-kms-key without --sign-cert, is bad input (exit 2)', async () => {
    const sym = await runCli(['report', '--evidence', bundle, '--out', join(dir, 'sym.pdf'), '--sign-kms-key', `arn:aws:kms:${REGION}:111122223333:alias/data-key`, '--sign-cert', write('c.pem', keys.ec.cert.pem)], { cwd: dir, env });
    expect(sym.code).toBe(2);
    expect(sym.stderr).toMatch(/cannot read the KMS key .*UnsupportedOperationException/);
    const noCert = await runCli(['report', '--evidence', bundle, '--sign-kms-key', keys.ec.arn], { cwd: dir, env });
    expect(noCert.code).toBe(2);
    expect(noCert.stderr).toMatch(/--sign-cert/);
  });
});
