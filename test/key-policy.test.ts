// The one key policy (src/signing/key-policy.ts) on the signing side: trustpack refuses to sign
// with a key a verifier would refuse (red team: an RSA-512 signer passed). The verifying side is
// proven against openssl in test/x509-path.test.ts.
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { makeDemoSigner, signPdf, checkSigner } from '../src/signing/sign.js';
import { keyPolicyProblem } from '../src/signing/key-policy.js';
import { X509Certificate } from 'node:crypto';

const notBefore = new Date('2026-01-01T00:00:00Z');

describe('the key policy', () => {
  it('signing refuses an RSA-1024 signer before anything is signed, with the reason', async () => {
    const weak = makeDemoSigner({ commonName: 'Weak Signer', notBefore, keyBits: 1024 });
    await expect(checkSigner({ p12: weak.p12, passphrase: weak.passphrase })).rejects.toThrow(/the signing certificate: its RSA key has 1024 bits, below the 2048 the key policy requires/);
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.text('x');
    doc.end();
    await new Promise((r) => doc.on('end', r));
    await expect(signPdf(Buffer.concat(chunks), { p12: weak.p12, passphrase: weak.passphrase }, notBefore)).rejects.toThrow(/1024 bits/);
  });

  it('an RSA-2048 signer passes; an RSA-1024 one is named with its size', () => {
    const ok = makeDemoSigner({ commonName: 'Good Signer', notBefore });
    expect(keyPolicyProblem(new X509Certificate(ok.certPem).raw)).toBeUndefined();
    expect(keyPolicyProblem(new X509Certificate(makeDemoSigner({ commonName: 'W', notBefore, keyBits: 1024 }).certPem).raw)).toMatch(/1024 bits/);
  });
});
