// validatePath against an independent judge: for random certificate paths (CA flag, path
// length, key usage, validity windows, signature hash), `openssl verify -x509_strict -attime`
// decides which paths are valid; our signer rules that OpenSSL does not apply without a purpose
// (the signer's key usage and extended key usage) are added on top. Plus the attack review's
// three cases as plain regression tests.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePath } from '../src/verify/x509-path.js';
import { EKU, issue, KU, type CertSpec, type Issued } from './helpers/pki.js';

const Y = 365 * 86_400_000;
const AT = new Date('2026-06-01T00:00:00Z');
const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };
const CA_KU = KU.keyCertSign | KU.cRLSign;
const LEAF_KU = KU.digitalSignature | KU.nonRepudiation;
let dir: string;
let root: Issued;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-x509-'));
  root = await issue({ name: 'Test Root', ca: true, keyUsage: CA_KU, ...LONG });
});

function openssl(rootPem: string, intermediates: string[], leafPem: string, at: Date): { ok: boolean; out: string } {
  const f = (n: string, s: string): string => {
    const p = join(dir, n);
    writeFileSync(p, s);
    return p;
  };
  const args = ['verify', '-x509_strict', '-auth_level', '2', '-attime', String(Math.floor(at.getTime() / 1000)), '-CAfile', f('root.pem', rootPem)];
  if (intermediates.length) args.push('-untrusted', f('inter.pem', intermediates.join('')));
  args.push(f('leaf.pem', leafPem));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const validity = fc.constantFrom('ok', 'ok', 'ok', 'expired', 'not-yet').map((v) =>
  v === 'ok' ? LONG : v === 'expired' ? { notBefore: new Date(AT.getTime() - 5 * Y), notAfter: new Date(AT.getTime() - Y) } : { notBefore: new Date(AT.getTime() + Y), notAfter: new Date(AT.getTime() + 5 * Y) },
);
const hash = fc.constantFrom<'SHA-256' | 'SHA-1'>('SHA-256', 'SHA-256', 'SHA-256', 'SHA-1');
const intermediate = fc.record({
  ca: fc.constantFrom<boolean | undefined>(true, true, true, false, undefined),
  pathLen: fc.constantFrom<number | undefined>(undefined, undefined, 0, 1),
  keyUsage: fc.constantFrom<number | undefined>(CA_KU, CA_KU, KU.cRLSign, KU.digitalSignature, undefined),
  validity,
  hash,
});
const leafArb = fc.record({
  keyUsage: fc.constantFrom<number | undefined>(LEAF_KU, KU.digitalSignature, KU.nonRepudiation, KU.keyEncipherment, KU.digitalSignature | KU.keyCertSign, undefined),
  eku: fc.constantFrom<string[] | undefined>(undefined, [EKU.documentSigning], [EKU.emailProtection], [EKU.adobe], [EKU.any], [EKU.serverAuth], [EKU.serverAuth, EKU.documentSigning]),
  ca: fc.constantFrom<boolean | undefined>(false, false, undefined),
  validity,
  hash,
});

/** The signer rules OpenSSL applies only with a purpose: key usage, extended key usage. */
function leafRulesHold(l: { keyUsage?: number | undefined; eku?: string[] | undefined }): boolean {
  const kuOk = l.keyUsage === undefined || (l.keyUsage & (KU.digitalSignature | KU.nonRepudiation)) !== 0;
  const allowed = [EKU.documentSigning, EKU.emailProtection, EKU.adobe, EKU.any];
  const ekuOk = l.eku === undefined || l.eku.some((e) => allowed.includes(e));
  return kuOk && ekuOk;
}

describe('validatePath agrees with openssl verify -x509_strict', () => {
  it('over random paths of 0-2 intermediates (EC keys)', async () => {
    let valid = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(intermediate, { minLength: 0, maxLength: 2 }), leafArb, async (inters, leaf) => {
        let issuer = root;
        const chain: Issued[] = [];
        for (const [i, s] of inters.entries()) {
          const spec: CertSpec = { name: `Inter ${i}`, ...s.validity, hash: s.hash };
          if (s.ca !== undefined) spec.ca = s.ca;
          if (s.pathLen !== undefined) spec.pathLen = s.pathLen;
          if (s.keyUsage !== undefined) spec.keyUsage = s.keyUsage;
          issuer = await issue(spec, issuer);
          chain.push(issuer);
        }
        const lspec: CertSpec = { name: 'Signer', ...leaf.validity, hash: leaf.hash };
        if (leaf.ca !== undefined) lspec.ca = leaf.ca;
        if (leaf.keyUsage !== undefined) lspec.keyUsage = leaf.keyUsage;
        if (leaf.eku) lspec.eku = leaf.eku;
        const signer = await issue(lspec, issuer);
        const judge = openssl(root.pem, chain.map((c) => c.pem).reverse(), signer.pem, AT);
        const expected = judge.ok && leafRulesHold(leaf);
        const ours = await validatePath({ leaf: signer.der, pool: chain.map((c) => c.der), anchors: [root.der], at: AT, purpose: 'document-signing' });
        if (expected) valid++;
        else invalid++;
        expect({ ok: ours.ok, problems: ours.problems }, `openssl: ${judge.out}`).toMatchObject({ ok: expected });
      }),
      // a fixed seed: the same 60 paths on every run (a random one drew only 3 valid paths once,
      // and the count below is what keeps the property from saying little)
      { numRuns: 60, seed: 20261129 },
    );
    // the generator must exercise both verdicts, or the property says little
    expect(valid).toBeGreaterThan(3);
    expect(invalid).toBeGreaterThan(3);
  });
});

describe('the key policy agrees with openssl verify -x509_strict -auth_level 2', () => {
  it('over random paths whose only flaw can be a weak key (RSA-512 or RSA-1024) anywhere below the anchor', async () => {
    let valid = 0;
    let invalid = 0;
    // undefined: EC P-256; a number: an RSA key of that many bits
    const keyArb = fc.constantFrom<number | undefined>(undefined, undefined, 1024, 512);
    await fc.assert(
      fc.asyncProperty(fc.array(keyArb, { minLength: 0, maxLength: 2 }), keyArb, async (inters, leafKey) => {
        let issuer = root;
        const chain: Issued[] = [];
        for (const [i, bits] of inters.entries()) {
          issuer = await issue({ name: `Inter ${i}`, ca: true, keyUsage: CA_KU, ...LONG, ...(bits ? { rsaBits: bits } : {}) }, issuer);
          chain.push(issuer);
        }
        const signer = await issue({ name: 'Signer', keyUsage: LEAF_KU, ...LONG, ...(leafKey ? { rsaBits: leafKey } : {}) }, issuer);
        const judge = openssl(root.pem, chain.map((c) => c.pem).reverse(), signer.pem, AT);
        const ours = await validatePath({ leaf: signer.der, pool: chain.map((c) => c.der), anchors: [root.der], at: AT, purpose: 'document-signing' });
        if (judge.ok) valid++;
        else invalid++;
        expect({ ok: ours.ok, problems: ours.problems }, `openssl: ${judge.out}`).toMatchObject({ ok: judge.ok });
        if (!ours.ok) expect(ours.problems.join('\n')).toMatch(/RSA key has (512|1024) bits, below the 2048 the key policy requires/);
      }),
      { numRuns: 30, seed: 20261207 },
    );
    expect(valid).toBeGreaterThan(3);
    expect(invalid).toBeGreaterThan(3);
  });
});

describe('name constraints agree with openssl verify -x509_strict, critical or not', () => {
  it('over random paths under a CA constrained to O=Good Corp (critical or not), leaves inside or outside it, a self-issued intermediate or not', async () => {
    let valid = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.constantFrom('C=US, O=Good Corp, CN=Signer', 'C=US, O=Evil Corp, CN=Signer', 'C=US, O=Good Corp, OU=Audit, CN=Signer'), fc.boolean(), async (critical, leafDn, selfIssued) => {
        const constrained = await issue({ name: 'Constrained CA', subject: 'C=US, O=Good Corp, CN=Constrained CA', ca: true, keyUsage: CA_KU, ...LONG, nameConstraints: { permitted: ['C=US, O=Good Corp'], critical } }, root);
        const chain = [constrained];
        // a self-issued intermediate (same name as its issuer, a new key): its own name is exempt, the leaf's is not
        if (selfIssued) chain.push(await issue({ name: 'Constrained CA', subject: 'C=US, O=Good Corp, CN=Constrained CA', ca: true, keyUsage: CA_KU, ...LONG }, constrained));
        const signer = await issue({ name: 'Signer', subject: leafDn, keyUsage: LEAF_KU, ...LONG }, chain.at(-1));
        const judge = openssl(root.pem, chain.map((c) => `${c.pem}\n`).reverse(), signer.pem, AT);
        const ours = await validatePath({ leaf: signer.der, pool: chain.map((c) => c.der).reverse(), anchors: [root.der], at: AT, purpose: 'document-signing' });
        if (judge.ok) valid++;
        else invalid++;
        expect({ ok: ours.ok, problems: ours.problems }, `openssl: ${judge.out}`).toMatchObject({ ok: judge.ok });
        if (!judge.ok) expect(judge.out).toMatch(/subtree violation/);
      }),
      { numRuns: 16, seed: 20261207 },
    );
    expect(valid).toBeGreaterThan(2);
    expect(invalid).toBeGreaterThan(2);
  });

  it('a self-issued intermediate\'s path length applies (RFC 5280 6.1.4 (m))', async () => {
    const ca = await issue({ name: 'Rollover CA', ca: true, keyUsage: CA_KU, ...LONG }, root);
    // the same name, a new key, path length 0: no non-self-issued CA may follow it
    const rolled = await issue({ name: 'Rollover CA', ca: true, pathLen: 0, keyUsage: CA_KU, ...LONG }, ca);
    const issuing = await issue({ name: 'Issuing CA', ca: true, keyUsage: CA_KU, ...LONG }, rolled);
    const signer = await issue({ name: 'Signer', keyUsage: LEAF_KU, ...LONG }, issuing);
    const ours = await validatePath({ leaf: signer.der, pool: [rolled.der, ca.der, issuing.der], anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(ours.ok).toBe(false);
    expect(ours.problems.join('\n')).toMatch(/CN=Rollover CA allows 0 intermediate CA certificate\(s\) below it, the path has 1/);
  });
});

describe('the attack review cases', () => {
  it('a TLS leaf used as a CA is refused (issuer not a CA)', async () => {
    const tlsLeaf = await issue({ name: 'shop.example', ca: false, keyUsage: KU.digitalSignature, eku: [EKU.serverAuth], ...LONG }, root);
    const signer = await issue({ name: 'Mallory', keyUsage: LEAF_KU, ...LONG }, tlsLeaf);
    const r = await validatePath({ leaf: signer.der, pool: [tlsLeaf.der], anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/CN=shop\.example is not a CA/);
    expect(openssl(root.pem, [tlsLeaf.pem], signer.pem, AT).ok).toBe(false);
  });

  it('a TLS server certificate signing directly is refused (serverAuth only)', async () => {
    const tls = await issue({ name: 'www.example', ca: false, keyUsage: KU.digitalSignature, eku: [EKU.serverAuth], ...LONG }, root);
    const r = await validatePath({ leaf: tls.der, pool: [], anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/not allowed to sign documents/);
  });

  it('a signer under an intermediate that expired years ago is refused', async () => {
    const old = await issue({ name: 'Old CA', ca: true, keyUsage: CA_KU, notBefore: new Date('2015-01-01Z'), notAfter: new Date('2019-01-01Z') }, root);
    const signer = await issue({ name: 'Signer', keyUsage: LEAF_KU, ...LONG }, old);
    const r = await validatePath({ leaf: signer.der, pool: [old.der], anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/CN=Old CA is not valid at the validation time/);
  });

  it('several anchors: the path is built to the one that issued the chain', async () => {
    const otherRoot = await issue({ name: 'Other Root', ca: true, keyUsage: CA_KU, ...LONG });
    const inter = await issue({ name: 'Issuing CA', ca: true, pathLen: 0, keyUsage: CA_KU, ...LONG }, root);
    const signer = await issue({ name: 'Signer', keyUsage: LEAF_KU, eku: [EKU.documentSigning], ...LONG }, inter);
    const r = await validatePath({ leaf: signer.der, pool: [inter.der], anchors: [otherRoot.der, root.der], at: AT, purpose: 'document-signing' });
    expect(r).toMatchObject({ ok: true, path: ['CN=Signer', 'CN=Issuing CA', 'CN=Test Root'] });
    const none = await validatePath({ leaf: signer.der, pool: [inter.der], anchors: [otherRoot.der], at: AT, purpose: 'document-signing' });
    expect(none.ok).toBe(false);
    expect(none.problems[0]).toMatch(/does not chain/);
  });

  it('a pool of 60 certificates with one name (an exponential path search) is answered at once', async () => {
    const same = await Promise.all(Array.from({ length: 60 }, () => issue({ name: 'Loop CA', ca: true, keyUsage: CA_KU, ...LONG })));
    // each "Loop CA" is self-signed under that name, so each names every other as a possible issuer
    const signer = await issue({ name: 'Signer', keyUsage: LEAF_KU, ...LONG }, same[0]);
    const r = await validatePath({ leaf: signer.der, pool: same.map((c) => c.der), anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/does not chain/);
  }, 30_000); // a hang guard only: without the cap on search steps this never returns

  it('garbage or an unknown key algorithm gives a reason, never an exception', async () => {
    const r = await validatePath({ leaf: Buffer.from('3003020100', 'hex'), pool: [], anchors: [root.der], at: AT, purpose: 'document-signing' });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/unreadable certificate/);
  });
});
