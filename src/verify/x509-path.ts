// Certificate path validation for verify (RFC 5280 section 6, in the strict reading PAdES
// verifiers and `openssl verify -x509_strict` use). @peculiar/x509 parses certificates and
// checks each signature along the path; it checks neither basic constraints, path length, key
// usage, extended key usage nor weak algorithms, so those checks are here, on top.
// Every failure is a reason string, never an exception: verify must give a verdict.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { keyPolicyProblem, WEAK_SIGNATURE_ALGORITHMS } from '../signing/key-policy.js';
import { NAME_CONSTRAINTS_OID, nameConstraintProblems } from '../verify/name-constraints.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** What the end certificate of the path must be allowed to do. */
type PathPurpose = 'document-signing' | 'timestamping';

export interface PathInput {
  /** DER of the end certificate (the CMS signer, or the TSA) */
  leaf: Uint8Array;
  /** DER of certificates that may serve as intermediates (the CMS certificates, --intermediates) */
  pool: Uint8Array[];
  /** DER of the trust anchors (--trust, --tsa-trust) */
  anchors: Uint8Array[];
  /** the validation time: the timestamp's time, else now */
  at: Date;
  purpose: PathPurpose;
}

export interface PathResult {
  ok: boolean;
  /** subjects from the end certificate to the anchor, for the path that was judged */
  path: string[];
  /** DER of the end certificate's issuer on that path (itself when it is the anchor) */
  issuer?: Buffer;
  /** DER of every certificate of that path, end certificate first, anchor last */
  ders?: Buffer[];
  problems: string[];
}

// Extended key usages a document signer may carry (issue 12): document signing, email
// protection, Adobe authentic documents, any. serverAuth alone is refused.
const SIGNING_EKUS = new Set(['1.3.6.1.5.5.7.3.36', '1.3.6.1.5.5.7.3.4', '1.2.840.113583.1.1.5', '2.5.29.37.0']);
const TIMESTAMPING_EKU = '1.3.6.1.5.5.7.3.8';

/** Certificate signature algorithms accepted; MD5, SHA-1 and anything unknown are refused. */
const STRONG_SIGNATURE_ALGS: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};
const WEAK_SIGNATURE_ALGS = WEAK_SIGNATURE_ALGORITHMS;

/** Extensions whose meaning this validator applies (or that carry no constraint): a critical one outside this set is refused. */
const UNDERSTOOD_EXTENSIONS = new Set([
  '2.5.29.19', // basicConstraints
  '2.5.29.15', // keyUsage
  '2.5.29.37', // extKeyUsage
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  NAME_CONSTRAINTS_OID, // nameConstraints: applied, critical or not (src/verify/name-constraints.ts)
]);

const MAX_PATH = 8;
const MAX_CANDIDATE_PATHS = 64;
/** certificates looked at while building paths: a crafted pool of same-named certificates must not make the search exponential */
const MAX_SEARCH_STEPS = 10_000;

interface Cert {
  c: x509.X509Certificate;
  der: Buffer;
  subject: string;
  issuer: string;
  sigAlg: string;
}

function parse(der: Uint8Array): Cert | string {
  try {
    const c = new x509.X509Certificate(der);
    // the library decodes extensions lazily, on first use: decode them here, so a malformed
    // one (an authority key identifier with an oversized integer) makes the certificate
    // unreadable instead of throwing in the middle of the path checks
    if (c.extensions.length > 64) return 'unreadable certificate (more than 64 extensions)';
    const asn = (c as unknown as { asn: { signatureAlgorithm: { algorithm: string } } }).asn;
    return { c, der: Buffer.from(der), subject: c.subjectName.toString(), issuer: c.issuerName.toString(), sigAlg: asn.signatureAlgorithm.algorithm };
  } catch (e) {
    return `unreadable certificate (${e instanceof Error ? e.message : String(e)})`;
  }
}

const ext = <T extends x509.Extension>(c: Cert, type: new (...args: never[]) => T): T | null => {
  try {
    return c.c.getExtension(type as never) as T | null;
  } catch {
    return null;
  }
};

/**
 * Builds every path (depth-first, bounded) from the end certificate to an anchor and returns
 * the first that passes every check, else the problems of the first path found (or "does not
 * chain" when none reaches an anchor).
 */
export async function validatePath(input: PathInput): Promise<PathResult> {
  const leaf = parse(input.leaf);
  if (typeof leaf === 'string') return { ok: false, path: [], problems: [`the signer certificate is ${leaf}`] };
  const anchors = input.anchors.map(parse).filter((a): a is Cert => typeof a !== 'string');
  const pool = [...input.pool.map(parse).filter((a): a is Cert => typeof a !== 'string'), ...anchors];
  const isAnchor = (c: Cert): boolean => anchors.some((a) => a.der.equals(c.der));
  // issuers by subject: each step looks only at the certificates that could have issued it
  const bySubject = new Map<string, Cert[]>();
  for (const c of pool) {
    const same = bySubject.get(c.subject);
    if (same) same.push(c);
    else bySubject.set(c.subject, [c]);
  }

  const paths: Cert[][] = [];
  let steps = 0;
  const extend = (path: Cert[]): void => {
    if (paths.length >= MAX_CANDIDATE_PATHS || ++steps > MAX_SEARCH_STEPS) return;
    const cur = path[path.length - 1]!;
    if (isAnchor(cur)) {
      paths.push(path);
      return;
    }
    if (path.length >= MAX_PATH) return;
    for (const next of bySubject.get(cur.issuer) ?? []) {
      if (path.some((p) => p.der.equals(next.der))) continue;
      extend([...path, next]);
    }
  };
  extend([leaf]);
  if (paths.length === 0) return { ok: false, path: [leaf.subject], problems: ['the signer certificate does not chain to a certificate given as a trust anchor'] };

  let first: PathResult | undefined;
  for (const path of paths) {
    const problems = await checkPath(path, input.at, input.purpose);
    const r: PathResult = { ok: problems.length === 0, path: path.map((p) => p.subject), issuer: (path[1] ?? path[0]!).der, ders: path.map((p) => p.der), problems };
    if (r.ok) return r;
    first ??= r;
  }
  return first!;
}

/** All checks on one path [end certificate, ..., anchor]. */
async function checkPath(path: Cert[], at: Date, purpose: PathPurpose): Promise<string[]> {
  const problems: string[] = [];
  const last = path.length - 1;
  // non-self-issued certificates below the current one, the leaf included (RFC 5280 6.1.4 (l),
  // counted as OpenSSL does)
  let below = 0;
  for (let i = 0; i <= last; i++) {
    const c = path[i]!;
    const who = i === 0 ? `the ${purpose === 'timestamping' ? 'TSA' : 'signer'} certificate ${c.subject}` : `the issuer certificate ${c.subject}`;
    const selfIssued = c.subject === c.issuer;

    // the key policy (src/signing/key-policy.ts) holds for every key of the path, the anchor's too
    const weakKey = keyPolicyProblem(c.der);
    if (weakKey) problems.push(`${who}: ${weakKey}`);

    if (at < c.c.notBefore || at > c.c.notAfter) {
      problems.push(`${who} is not valid at the validation time ${at.toISOString()} (valid ${c.c.notBefore.toISOString()} to ${c.c.notAfter.toISOString()})`);
    }
    for (const e of c.c.extensions) {
      if (e.critical && !UNDERSTOOD_EXTENSIONS.has(e.type)) problems.push(`${who} carries an unsupported critical extension ${e.type}`);
    }
    const bc = ext(c, x509.BasicConstraintsExtension);
    const ku = ext(c, x509.KeyUsagesExtension);
    const isCa = bc?.ca === true;
    // the strict structural rules (RFC 5280 4.2.1.3 and 4.2.1.9 as openssl -x509_strict applies
    // them) concern certificates in a chain; a lone trusted certificate (the signer given itself
    // as anchor, such as an `openssl req -x509` certificate) is judged by its purpose only
    const strict = path.length > 1;
    if (strict && bc?.pathLength !== undefined) {
      if (!isCa) problems.push(`${who} sets a path length without being a CA`);
      else if (!ku || !(ku.usages & x509.KeyUsageFlags.keyCertSign)) problems.push(`${who} sets a path length without the keyCertSign key usage`);
    }
    if (strict && isCa && !ku) problems.push(`${who} is a CA certificate without a key usage extension`);
    if (strict && !isCa && ku && ku.usages & x509.KeyUsageFlags.keyCertSign) problems.push(`${who} has the keyCertSign key usage without being a CA`);

    if (i === 0) problems.push(...leafChecks(c, who, purpose, ku));
    else {
      if (!isCa) problems.push(`${who} is not a CA (basic constraints CA:TRUE missing) and may not issue certificates`);
      if (ku && !(ku.usages & x509.KeyUsageFlags.keyCertSign)) problems.push(`${who} lacks the keyCertSign key usage and may not issue certificates`);
      // RFC 5280 6.1.4 (m): every intermediate's path length applies, a self-issued one's too
      // (self-issued certificates are only not counted, step (l)); a self-signed anchor's does not
      if (isCa && bc?.pathLength !== undefined && (i !== last || !selfIssued) && below - 1 > bc.pathLength) {
        problems.push(`${who} allows ${bc.pathLength} intermediate CA certificate(s) below it, the path has ${below - 1}`);
      }
    }
    if (!selfIssued || i === 0) below++;
    if (i > 0) problems.push(...nameConstraintProblems(c.c, path.slice(0, i).map((b, j) => ({ cert: b.c, isEnd: j === 0 }))));

    // the signature on this certificate, by the next one's key (the anchor is trusted as given)
    if (i < last) {
      const issuer = path[i + 1]!;
      const weak = WEAK_SIGNATURE_ALGS[c.sigAlg];
      if (weak) problems.push(`${who} is signed with the weak algorithm ${weak}`);
      else if (!STRONG_SIGNATURE_ALGS[c.sigAlg]) problems.push(`${who} is signed with an unsupported algorithm ${c.sigAlg}`);
      else {
        let good: boolean;
        try {
          good = await c.c.verify({ publicKey: issuer.c.publicKey, signatureOnly: true });
        } catch (e) {
          problems.push(`${who}: its signature cannot be checked (${e instanceof Error ? e.message : String(e)})`);
          continue;
        }
        if (!good) problems.push(`${who} does not verify with the key of its issuer ${issuer.subject}`);
      }
    }
  }
  return problems;
}

function leafChecks(c: Cert, who: string, purpose: PathPurpose, ku: x509.KeyUsagesExtension | null): string[] {
  const problems: string[] = [];
  const eku = ext(c, x509.ExtendedKeyUsageExtension);
  const usages = (eku?.usages ?? []).map(String);
  if (purpose === 'timestamping') {
    // RFC 3161 2.3: exactly one extended key usage, id-kp-timeStamping, marked critical
    if (!eku || !eku.critical || usages.length !== 1 || usages[0] !== TIMESTAMPING_EKU) problems.push(`${who} is not a time-stamping certificate (critical extended key usage timeStamping only)`);
    if (ku && !(ku.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation))) problems.push(`${who} lacks the digitalSignature and nonRepudiation key usages`);
    return problems;
  }
  // RFC 5280 4.2.1.3: without the extension the key is not restricted (as openssl req -x509
  // certificates are); with it, digitalSignature or nonRepudiation must be there
  if (ku && !(ku.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation))) problems.push(`${who} lacks the digitalSignature and nonRepudiation key usages`);
  if (eku && !usages.some((u) => SIGNING_EKUS.has(u))) {
    problems.push(`${who} is not allowed to sign documents: its extended key usages (${usages.join(', ')}) include none of document signing, email protection, Adobe authentic documents or any`);
  }
  return problems;
}

/**
 * The revocation lists signed into the pack (adbe-revocationInfoArchival) that the certificate's
 * issuer signed: a listing of the certificate revoked at or before the validation time is a
 * problem. Lists by anyone else say nothing about it and are skipped.
 */
export async function revocationProblems(certDer: Uint8Array, issuerDer: Uint8Array, crls: Buffer[], at: Date): Promise<string[]> {
  const cert = parse(certDer);
  const issuer = parse(issuerDer);
  if (typeof cert === 'string' || typeof issuer === 'string') return [];
  const serial = cert.c.serialNumber.toLowerCase().replace(/^0+/, '');
  const problems: string[] = [];
  for (const der of crls) {
    try {
      const crl = new x509.X509Crl(der);
      if (crl.issuerName.toString() !== issuer.subject) continue;
      if (!(await crl.verify({ publicKey: issuer.c.publicKey }))) {
        problems.push(`a revocation list in the signature claims to be from ${issuer.subject} but does not verify with its key`);
        continue;
      }
      // RFC 5280 5.1.2.5: conforming CRLs carry nextUpdate; without it @peculiar/x509 2.2.0 also
      // misreads the revoked entries as absent, so such a list must not count as "not revoked"
      if (!crl.nextUpdate) {
        problems.push(`a revocation list of ${issuer.subject} in the signature has no nextUpdate (not RFC 5280 conforming)`);
        continue;
      }
      const entry = crl.entries.find((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === serial);
      if (entry && entry.revocationDate <= at) problems.push(`the signer certificate ${cert.subject} was revoked on ${entry.revocationDate.toISOString()} (revocation list of ${issuer.subject} in the signature)`);
    } catch (e) {
      problems.push(`an unreadable revocation list in the signature (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return problems;
}

/** DER certificates from PEM text (any number of CERTIFICATE blocks); unreadable blocks are skipped. */
export function pemCertificates(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    const der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
    if (der.length > 0) out.push(der);
  }
  return out;
}
