// RFC 3161 signature timestamps (PAdES B-T): asking a TSA for a token over the CMS signature
// value when a pack is signed, and checking a token when a pack is verified (its imprint, its
// own CMS signature, the TSA certificate's binding). The TSA's certificate path is validated by
// x509-path.ts against --tsa-trust; this module only says what the token proves.
import { keyPolicyProblem } from './key-policy.js';
import { createHash, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import type forgeNs from 'node-forge';
import { forge } from '../util/forge.js';
import { Asn1Error, OID, SHA2_DIGESTS } from '../util/asn1.js';

type Asn1 = forgeNs.asn1.Asn1;

/** TSA signature algorithms accepted: the hash comes from the SignerInfo's digest algorithm. */
const TSA_SIGNATURE_ALGS = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
]);

const A = () => forge().asn1;
const parse = (b: Buffer): Asn1 => A().fromDer(forge().util.createBuffer(b.toString('latin1')), { strict: true, parseAllBytes: true, decodeBitStrings: false } as never);
const der = (n: Asn1): Buffer => Buffer.from(A().toDer(n).getBytes(), 'latin1');
const kids = (n: Asn1 | undefined, what: string): Asn1[] => {
  if (!n || !Array.isArray(n.value)) throw new Asn1Error('TimestampError', `malformed timestamp token: expected ${what}`);
  return n.value;
};
const prim = (n: Asn1 | undefined, what: string): string => {
  if (!n || typeof n.value !== 'string') throw new Asn1Error('TimestampError', `malformed timestamp token: expected ${what}`);
  return n.value;
};
const oidOf = (n: Asn1 | undefined, what: string): string => A().derToOid(prim(n, what));
const ctxTag = (n: Asn1 | undefined, tag: number): boolean => !!n && n.tagClass === A().Class.CONTEXT_SPECIFIC && n.type === tag;

/** The TimeStampReq for sha256(signature value), with a nonce, asking for the TSA's certificate. */
function request(signatureValue: Buffer, nonce: Buffer): Buffer {
  const a = A();
  const u = a.Class.UNIVERSAL;
  const imprint = a.create(u, a.Type.SEQUENCE, true, [
    a.create(u, a.Type.SEQUENCE, true, [a.create(u, a.Type.OID, false, a.oidToDer(OID.sha256).getBytes()), a.create(u, a.Type.NULL, false, '')]),
    a.create(u, a.Type.OCTETSTRING, false, createHash('sha256').update(signatureValue).digest().toString('latin1')),
  ]);
  return der(a.create(u, a.Type.SEQUENCE, true, [
    a.create(u, a.Type.INTEGER, false, '\x01'),
    imprint,
    a.create(u, a.Type.INTEGER, false, nonce.toString('latin1')),
    a.create(u, a.Type.BOOLEAN, false, '\xff'),
  ]));
}

/**
 * Asks the TSA at `url` for a timestamp token over the signature value (HTTP POST,
 * application/timestamp-query, RFC 3161 section 3.4) and returns the token's DER, after
 * checking that it answers this request (imprint and nonce).
 */
export async function requestTimestamp(url: string, signatureValue: Buffer): Promise<Buffer> {
  const nonce = Buffer.concat([Buffer.from([0x01]), randomBytes(8)]); // positive, minimal
  let body: Buffer;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: request(signatureValue, nonce), signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Asn1Error('TimestampError', `HTTP ${res.status}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new Asn1Error('TimestampError', `the time-stamping authority ${url} did not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  let token: Buffer;
  try {
    const resp = kids(parse(body), 'TimeStampResp');
    const status = kids(resp[0], 'PKIStatusInfo');
    const code = prim(status[0], 'status').charCodeAt(0);
    if (code !== 0 && code !== 1) throw new Asn1Error('TimestampError', `the TSA refused the request (PKIStatus ${code})`);
    if (!resp[1]) throw new Asn1Error('TimestampError', 'the TSA answered without a token');
    token = der(resp[1]);
  } catch (e) {
    throw new Asn1Error('TimestampError', `${url}: unusable answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  const info = readToken(token);
  if (!info.imprint.equals(createHash(info.imprintHash).update(signatureValue).digest())) throw new Asn1Error('TimestampError', `${url}: the token is for another request (imprint)`);
  if (!info.nonce || !info.nonce.equals(nonce)) throw new Asn1Error('TimestampError', `${url}: the token does not echo the request's nonce`);
  return token;
}

interface TokenParts {
  genTime: Date;
  imprintHash: string;
  imprint: Buffer;
  nonce?: Buffer;
  tstInfoDer: Buffer;
  certificates: Buffer[];
  signer: { issuer: Buffer; serial: string };
  digestHash: string;
  signedAttrs: Asn1[];
  signatureAlg: string;
  signature: Buffer;
}

function readToken(token: Buffer): TokenParts {
  const ci = kids(parse(token), 'ContentInfo');
  if (oidOf(ci[0], 'content type') !== OID.signedData || !ctxTag(ci[1], 0)) throw new Asn1Error('TimestampError', 'the token is not a SignedData');
  const sd = kids(kids(ci[1], '[0]')[0], 'SignedData');
  const encap = kids(sd[2], 'encapsulated content');
  if (oidOf(encap[0], 'eContentType') !== OID.tstInfo || !ctxTag(encap[1], 0)) throw new Asn1Error('TimestampError', 'the token does not hold a TSTInfo');
  const tstInfoDer = Buffer.from(prim(kids(encap[1], 'eContent')[0], 'TSTInfo octets'), 'latin1');
  const tst = kids(parse(tstInfoDer), 'TSTInfo');
  const mi = kids(tst[2], 'message imprint');
  const imprintHash = SHA2_DIGESTS[oidOf(kids(mi[0], 'hash algorithm')[0], 'hash OID')];
  if (!imprintHash) throw new Asn1Error('TimestampError', 'the token imprint uses an unsupported hash');
  const genTimeNode = tst[4];
  const gt = prim(genTimeNode, 'genTime');
  if (!genTimeNode || genTimeNode.type !== A().Type.GENERALIZEDTIME || !/^\d{14}(?:\.\d+)?Z$/.test(gt)) throw new Asn1Error('TimestampError', `unreadable genTime ${JSON.stringify(gt)}`);
  const genTime = A().generalizedTimeToDate(gt);
  let nonce: Buffer | undefined;
  for (const n of tst.slice(5)) if (n.tagClass === A().Class.UNIVERSAL && n.type === A().Type.INTEGER) nonce = Buffer.from(prim(n, 'nonce'), 'latin1');

  let i = 3;
  const certificates: Buffer[] = [];
  if (ctxTag(sd[i], 0)) {
    for (const c of kids(sd[i], 'certificates')) if (c.tagClass === A().Class.UNIVERSAL) certificates.push(der(c));
    if (certificates.length > 32) throw new Asn1Error('TimestampError', `the token carries ${certificates.length} certificates (at most 32: the TSA's chain)`);
    i++;
  }
  if (ctxTag(sd[i], 1)) i++;
  const infos = kids(sd[i], 'signer infos');
  if (infos.length !== 1) throw new Asn1Error('TimestampError', `the token has ${infos.length} signers, expected 1`);
  const si = kids(infos[0], 'SignerInfo');
  const sid = kids(si[1], 'issuer and serial number');
  const digestHash = SHA2_DIGESTS[oidOf(kids(si[2], 'digest algorithm')[0], 'digest OID')];
  if (!digestHash) throw new Asn1Error('TimestampError', 'the token is signed with an unsupported or weak digest');
  if (!ctxTag(si[3], 0)) throw new Asn1Error('TimestampError', 'the token has no signed attributes');
  return {
    genTime,
    imprintHash,
    imprint: Buffer.from(prim(mi[1], 'imprint'), 'latin1'),
    ...(nonce ? { nonce } : {}),
    tstInfoDer,
    certificates,
    signer: { issuer: der(sid[0]!), serial: prim(sid[1], 'serial') },
    digestHash,
    signedAttrs: kids(si[3], 'signed attributes'),
    signatureAlg: oidOf(kids(si[4], 'signature algorithm')[0], 'signature OID'),
    signature: Buffer.from(prim(si[5], 'signature'), 'latin1'),
  };
}

export interface TokenCheck {
  /** the TSA's time (genTime), when the token holds */
  time?: Date;
  /** DER of the TSA certificate that signed the token */
  tsaCert?: Buffer;
  /** DER of the other certificates in the token (its chain) */
  certificates: Buffer[];
  problems: string[];
}

/** Does `token` timestamp exactly `signatureValue`, signed by the certificate it names? */
export function checkTimestampToken(token: Buffer, signatureValue: Buffer, extraCerts: Buffer[] = []): TokenCheck {
  const out: TokenCheck = { certificates: [], problems: [] };
  try {
    const t = readToken(token);
    out.certificates = t.certificates;
    if (!t.imprint.equals(createHash(t.imprintHash).update(signatureValue).digest())) {
      out.problems.push('the timestamp is not over this signature (its message imprint differs)');
      return out;
    }
    const tsa = [...t.certificates, ...extraCerts].find((c) => {
      const parts = kids(kids(parse(c), 'certificate')[0], 'TBSCertificate');
      const off = ctxTag(parts[0], 0) ? 1 : 0;
      return prim(parts[off], 'serial') === t.signer.serial && der(parts[off + 2]!).equals(t.signer.issuer);
    });
    if (!tsa) {
      out.problems.push('the timestamp token carries no certificate for its signer');
      return out;
    }
    out.tsaCert = tsa;
    const weakKey = keyPolicyProblem(tsa);
    if (weakKey) out.problems.push(`the TSA certificate: ${weakKey}`);
    let md: Buffer | undefined;
    let bound = false;
    const tsaHash = (alg: string) => createHash(alg).update(tsa).digest();
    for (const attr of t.signedAttrs) {
      const [type, values] = kids(attr, 'attribute');
      const id = oidOf(type, 'attribute type');
      const v = kids(values, 'attribute values')[0];
      if (id === OID.messageDigest) md = Buffer.from(prim(v, 'messageDigest'), 'latin1');
      if (id === OID.signingCertificateV2 || id === OID.signingCertificate) {
        // ESS: the first certificate id names the TSA certificate (sha256 by default in v2, sha1 in v1)
        const first = kids(kids(kids(v, 'SigningCertificate')[0], 'certs')[0], 'ESSCertID');
        let alg = id === OID.signingCertificate ? 'sha1' : 'sha256';
        let hashNode = first[0];
        if (id === OID.signingCertificateV2 && first[0] && Array.isArray(first[0].value)) {
          alg = SHA2_DIGESTS[oidOf(kids(first[0], 'hash algorithm')[0], 'hash OID')] ?? 'unknown';
          hashNode = first[1];
        }
        bound = alg !== 'unknown' && Buffer.from(prim(hashNode, 'cert hash'), 'latin1').equals(tsaHash(alg));
      }
    }
    if (!bound) out.problems.push('the timestamp token does not bind its signer certificate (ESS signing-certificate)');
    if (!md || !md.equals(createHash(t.digestHash).update(t.tstInfoDer).digest())) out.problems.push('the timestamp token content does not match its signed digest');
    if (!TSA_SIGNATURE_ALGS.has(t.signatureAlg)) out.problems.push(`the timestamp token is signed with an unsupported algorithm ${t.signatureAlg}`);
    else {
      const a = A();
      const signedSet = der(a.create(a.Class.UNIVERSAL, a.Type.SET, true, t.signedAttrs));
      if (!cryptoVerify(t.digestHash, signedSet, new X509Certificate(tsa).publicKey, t.signature)) out.problems.push('the timestamp token signature does not verify with the TSA certificate');
    }
    if (out.problems.length === 0) out.time = t.genTime;
  } catch (e) {
    out.problems.push(`unreadable timestamp token: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}
