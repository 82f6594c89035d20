// Checks a CMS (PKCS#7) detached SignedData: the messageDigest attribute against the digest of
// the covered bytes, and the signature over the signed attributes with the signer
// certificate's public key. node-forge's ASN.1 parser walks the DER; node:crypto does the
// cryptography (node-forge cannot verify PKCS#7 signatures itself).
// node-forge is loaded on first use, as in sign.ts.
import { keyPolicyProblem } from '../signing/key-policy.js';
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import type forgeNs from 'node-forge';
import { forge } from '../util/forge.js';
import { Asn1Error, OID, SHA2_DIGESTS } from '../util/asn1.js';

type Asn1 = forgeNs.asn1.Asn1;
// fromDer takes an options object at run time; the type declarations only know `strict`
type FromDer = (bytes: forgeNs.util.ByteBuffer, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1;


// The signature algorithm is outside the signed attributes, and rsaEncryption and the
// sha*WithRSAEncryption names all verify the same RSA signature: accepting more than one would
// let a changed byte there go unnoticed. trustpack writes exactly two shapes: rsaEncryption with
// NULL parameters for an RSA key, ecdsa-with-SHA256 without parameters for a P-256 key.
const SIGNATURE_ALG_DER: Record<string, string> = {
  rsa: '300d06092a864886f70d0101010500',
  ec: '300a06082a8648ce3d040302',
};

const MAX_CERTIFICATES = 32;

/** Signed attributes trustpack writes; the legacy adbe.pkcs7.detached packs also carried signingTime. */
const CADES_ATTRS = new Set<string>([OID.contentType, OID.messageDigest, OID.signingCertificateV2, OID.revocationInfoArchival]);
const ADBE_ATTRS = new Set<string>([OID.contentType, OID.messageDigest, OID.signingTime]);

/**
 * Parses one DER element at the start of `der` with node-forge (strict lengths, no guessing
 * at ASN.1 inside BIT STRINGs) and holds it to DER: re-encoding the parsed tree must give back
 * exactly the bytes read, which refuses indefinite, non-minimal or oversized lengths and
 * non-minimal integers, so one signature has one encoding and a changed length byte cannot
 * go unnoticed. Multi-byte tags and the zero tag (zero padding read as content) are refused.
 */
function readDer(der: Buffer, wholeBuffer: boolean): { node: Asn1; length: number } {
  const f = forge();
  const buf = f.util.createBuffer(der.toString('latin1'));
  let node: Asn1;
  try {
    node = (f.asn1.fromDer as unknown as FromDer)(buf, { strict: true, parseAllBytes: wholeBuffer, decodeBitStrings: false });
  } catch (e) {
    throw new Asn1Error('CmsError', `malformed DER: ${e instanceof Error ? e.message : String(e)}`);
  }
  const length = der.length - buf.length();
  checkTags(node);
  if (encode(node) !== der.toString('latin1', 0, length)) throw new Asn1Error('CmsError', 'not DER: a length or integer is not in its shortest form');
  return { node, length };
}

function checkTags(n: Asn1): void {
  if ((n.type as number) === 0x1f) throw new Asn1Error('CmsError', 'multi-byte DER tags are not supported');
  if (n.tagClass === forge().asn1.Class.UNIVERSAL && n.type === 0) throw new Asn1Error('CmsError', 'unexpected zero tag');
  if (Array.isArray(n.value)) for (const c of n.value) checkTags(c);
}

/** The DER bytes of a parsed element, as a binary string (equal to the bytes read: readDer checked). */
function encode(n: Asn1): string {
  return forge().asn1.toDer(n).getBytes();
}

/** The identifier octet: class, constructed bit and (single-byte) tag number. */
const tagOf = (n: Asn1): number => n.tagClass | (n.constructed ? 0x20 : 0) | n.type;

function expectTag(n: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!n || tagOf(n) !== tag) throw new Asn1Error('CmsError', `malformed CMS: expected ${what}`);
  return n;
}

function children(n: Asn1): Asn1[] {
  if (!Array.isArray(n.value)) throw new Asn1Error('CmsError', 'malformed CMS: expected a constructed element');
  return n.value;
}

/** The content octets of a primitive element, as a binary string. */
function prim(n: Asn1): string {
  if (typeof n.value !== 'string') throw new Asn1Error('CmsError', 'malformed CMS: expected a primitive element');
  return n.value;
}

const content = (n: Asn1): Buffer => Buffer.from(prim(n), 'latin1');

function oid(n: Asn1 | undefined, what: string): string {
  const v = prim(expectTag(n, 0x06, what));
  if (v.length === 0) throw new Asn1Error('CmsError', 'empty OID');
  return forge().asn1.derToOid(v);
}

function isSmallInt(n: Asn1, v: number): boolean {
  return tagOf(n) === 0x02 && prim(n) === String.fromCharCode(v);
}

/** AlgorithmIdentifier: the OID, with NULL or absent parameters and nothing else. */
function algorithm(n: Asn1 | undefined): string {
  const p = children(expectTag(n, 0x30, 'algorithm identifier'));
  if (p.length < 1 || p.length > 2 || (p[1] && (tagOf(p[1]) !== 0x05 || prim(p[1]) !== ''))) throw new Asn1Error('CmsError', 'malformed algorithm identifier');
  return oid(p[0], 'algorithm OID');
}

/** The issuer Name (whole DER element) and serial number (INTEGER content) of a certificate. */
function issuerAndSerial(cert: Asn1): { issuer: string; serial: string } {
  const tbs = children(expectTag(children(cert)[0], 0x30, 'TBSCertificate'));
  const off = tbs[0] && tagOf(tbs[0]) === 0xa0 ? 1 : 0;
  const serial = prim(expectTag(tbs[off], 0x02, 'certificate serial'));
  const issuer = encode(expectTag(tbs[off + 2], 0x30, 'certificate issuer'));
  return { issuer, serial };
}

/** UTCTime (0x17) or GeneralizedTime (0x18), in the DER form (seconds, Z) -> Date. */
function time(n: Asn1): Date {
  const s = prim(n);
  const asn1 = forge().asn1;
  let d: Date | undefined;
  if (tagOf(n) === 0x17 && /^\d{12}Z$/.test(s)) d = asn1.utcTimeToDate(s);
  else if (tagOf(n) === 0x18 && /^\d{14}(?:\.\d+)?Z$/.test(s)) d = asn1.generalizedTimeToDate(s);
  if (!d || Number.isNaN(d.getTime())) throw new Asn1Error('CmsError', `unreadable time ${JSON.stringify(s)}`);
  return d;
}

// SHA-1 is named so that the key policy's refusal can say what it saw
const DIGESTS: Record<string, string> = { ...SHA2_DIGESTS, '1.3.14.3.2.26': 'sha1' };

export interface CmsCheck {
  digestAlgorithm: string;
  digestMatches: boolean;
  signatureValid: boolean;
  signer?: X509Certificate;
  certificates: X509Certificate[];
  signedAt?: Date;
  /** the signature value (what a signature timestamp must be over) */
  signatureValue?: Buffer;
  /** DER of the RFC 3161 token in the unsigned attributes, when there is one */
  timestampToken?: Buffer;
  /** DER CertificateLists of the adbe-revocationInfoArchival attribute */
  crls: Buffer[];
  problems: string[];
}

/** The DER length of the CMS at the start of `hexBody`'s bytes (the rest is zero padding). */
export function cmsLength(der: Buffer): number {
  return readDer(der, false).length;
}

/**
 * `digestOf(alg)` returns the digest of the signed byte ranges with that algorithm; sha256 is
 * computed once by the caller and passed through here.
 */
export function checkCms(der: Buffer, digestOf: (alg: string) => Buffer, anchors: X509Certificate[] = [], subFilter: string | null = 'ETSI.CAdES.detached'): CmsCheck {
  const out: CmsCheck = { digestAlgorithm: 'unknown', digestMatches: false, signatureValid: false, certificates: [], crls: [], problems: [] };
  const cades = subFilter !== 'adbe.pkcs7.detached';
  try {
    const ci = expectTag(readDer(der, true).node, 0x30, 'ContentInfo');
    const top = children(ci);
    if (top.length !== 2) throw new Asn1Error('CmsError', 'ContentInfo must hold exactly a type and a content');
    const [ctype, wrapped] = top as [Asn1, Asn1];
    if (oid(ctype, 'content type') !== OID.signedData) throw new Asn1Error('CmsError', 'not a SignedData');
    const sdWrap = children(expectTag(wrapped, 0xa0, '[0] content'));
    if (sdWrap.length !== 1) throw new Asn1Error('CmsError', 'the [0] content must hold exactly one SignedData');
    const sd = expectTag(sdWrap[0], 0x30, 'SignedData');
    // Everything outside the signed attributes is not covered by the signature, so it must be
    // exactly the one shape we accept: a changed byte there must not go unnoticed.
    const parts = children(sd);
    if (parts.length !== 5) throw new Asn1Error('CmsError', 'SignedData must hold version, digest algorithms, content info, certificates and one signer');
    const [version, digestAlgs, encap, certs, signerInfos] = parts as [Asn1, Asn1, Asn1, Asn1, Asn1];
    if (!isSmallInt(version, 1)) throw new Asn1Error('CmsError', 'SignedData version must be 1');
    expectTag(certs, 0xa0, '[0] certificates');
    expectTag(signerInfos, 0x31, 'signer infos');
    const encapParts = children(expectTag(encap, 0x30, 'encapsulated content info'));
    if (encapParts.length !== 1 || oid(encapParts[0], 'content type') !== '1.2.840.113549.1.7.1') throw new Asn1Error('CmsError', 'detached content must be id-data with no content');
    const certNodes = children(certs);
    // the signer's chain is a handful of certificates; each one costs signature checks below
    if (certNodes.length > MAX_CERTIFICATES) throw new Asn1Error('CmsError', `the signature carries ${certNodes.length} certificates (at most ${MAX_CERTIFICATES}: the signer's chain)`);
    for (const c of certNodes) out.certificates.push(new X509Certificate(Buffer.from(encode(expectTag(c, 0x30, 'certificate')), 'latin1')));
    const infos = children(signerInfos);
    if (infos.length !== 1) {
      out.problems.push(`the CMS holds ${infos.length} signer infos, expected exactly 1`);
      if (infos.length === 0) return out;
    }
    const si = children(expectTag(infos[0], 0x30, 'SignerInfo'));
    if (si.length !== 6 && !(si.length === 7 && cades)) throw new Asn1Error('CmsError', 'SignerInfo must hold exactly version, sid, digest algorithm, signed attributes, signature algorithm, signature and at most a signature timestamp');
    const [siVersion, sid, siDigest, signed, sigAlg, sigValue, unsigned] = si as [Asn1, Asn1, Asn1, Asn1, Asn1, Asn1, Asn1 | undefined];
    if (unsigned) {
      // the one unsigned attribute trustpack writes: an RFC 3161 signature timestamp (PAdES B-T)
      const attrs = children(expectTag(unsigned, 0xa1, '[1] unsigned attributes'));
      const parts1 = attrs.length === 1 ? children(expectTag(attrs[0], 0x30, 'attribute')) : [];
      const values = parts1.length === 2 && oid(parts1[0], 'attribute type') === OID.signatureTimeStampToken ? children(expectTag(parts1[1], 0x31, 'attribute values')) : [];
      if (values.length !== 1) throw new Asn1Error('CmsError', 'the unsigned attributes must be exactly one signature timestamp');
      out.timestampToken = Buffer.from(encode(expectTag(values[0], 0x30, 'timestamp token')), 'latin1');
    }
    if (!isSmallInt(siVersion, 1)) throw new Asn1Error('CmsError', 'SignerInfo version must be 1');
    const digestAlg = algorithm(siDigest);
    out.digestAlgorithm = DIGESTS[digestAlg] ?? digestAlg;
    const dAlgs = children(expectTag(digestAlgs, 0x31, 'digest algorithms'));
    if (dAlgs.length !== 1 || algorithm(dAlgs[0]) !== digestAlg) throw new Asn1Error('CmsError', 'digest algorithms must list exactly the signer digest algorithm');
    expectTag(signed, 0xa0, 'signed attributes');
    expectTag(sigValue, 0x04, 'signature value');
    out.signatureValue = content(sigValue);
    const sigAlgHex = Buffer.from(encode(expectTag(sigAlg, 0x30, 'signature algorithm')), 'latin1').toString('hex');

    // the signer: the certificate whose issuer and serial number are exactly the sid's
    const sidParts = children(expectTag(sid, 0x30, 'issuer and serial number'));
    if (sidParts.length !== 2) throw new Asn1Error('CmsError', 'malformed signer identifier');
    const sidIssuer = encode(sidParts[0]!);
    const sidSerial = prim(expectTag(sidParts[1], 0x02, 'serial number'));
    certNodes.forEach((c, i) => {
      const id = issuerAndSerial(c);
      if (id.issuer === sidIssuer && id.serial === sidSerial) out.signer ??= out.certificates[i];
    });
    if (!out.signer) {
      out.problems.push('the CMS carries no certificate matching its signer identifier');
      return out;
    }
    // the key type decides the one signature algorithm accepted; any other key (DSA, Ed25519,
    // an unknown algorithm) gets a verdict, not an error
    const keyType = signerKeyType(out.signer);
    if (!keyType) {
      out.problems.push(`the signer certificate's public key algorithm is not supported (trustpack signs with RSA or ECDSA P-256 keys)`);
      return out;
    }
    // the key policy, also without --trust: a 512-bit key proves nothing about who signed
    const weakKey = keyPolicyProblem(out.signer.raw);
    if (weakKey) out.problems.push(`the signer certificate: ${weakKey}`);
    checkCertificates(out, anchors);
    if (SIGNATURE_ALG_DER[keyType] !== sigAlgHex) throw new Asn1Error('CmsError', `unsupported signature algorithm for an ${keyType.toUpperCase()} key (expected ${keyType === 'rsa' ? 'rsaEncryption' : 'ecdsa-with-SHA256'})`);

    let md: Buffer | undefined;
    let essOk = false;
    const seenAttrs = new Set<string>();
    const allowed = cades ? CADES_ATTRS : ADBE_ATTRS;
    for (const attr of children(signed)) {
      const [t, vals, ...rest] = children(expectTag(attr, 0x30, 'attribute'));
      const id = oid(t, 'attribute type');
      const values = children(expectTag(vals, 0x31, 'attribute values'));
      if (rest.length || values.length !== 1) throw new Asn1Error('CmsError', `signed attribute ${id} must hold exactly one value`);
      if (!allowed.has(id)) throw new Asn1Error('CmsError', `unexpected signed attribute ${id} for ${subFilter ?? 'this signature'}`);
      if (seenAttrs.has(id)) throw new Asn1Error('CmsError', `signed attribute ${id} appears twice`);
      seenAttrs.add(id);
      const v = values[0]!;
      if (id === OID.messageDigest) md = content(expectTag(v, 0x04, 'messageDigest'));
      else if (id === OID.signingTime) out.signedAt = time(v);
      else if (id === OID.contentType && oid(v, 'content type') !== OID.data) throw new Asn1Error('CmsError', 'the signed content type must be id-data');
      else if (id === OID.signingCertificateV2) essOk = essBindsSigner(v, out.signer);
      else if (id === OID.revocationInfoArchival) out.crls = archivedCrls(v);
    }
    if (!seenAttrs.has(OID.contentType)) throw new Asn1Error('CmsError', 'the signed attributes hold no content type');
    if (cades && !essOk) out.problems.push('the ESS signing-certificate-v2 attribute is missing or does not name the signer certificate (ETSI.CAdES.detached requires it)');
    const hashName = DIGESTS[digestAlg];
    if (!hashName || hashName === 'sha1') {
      out.problems.push(`unsupported or weak digest algorithm ${digestAlg}`);
      return out;
    }
    if (!md) out.problems.push('the signed attributes hold no messageDigest');
    else {
      out.digestMatches = md.equals(digestOf(hashName));
      if (!out.digestMatches) out.problems.push('the document digest does not match the signed messageDigest: the signed bytes were changed');
    }
    // RFC 5652 5.4: the signature is over the DER of the attributes with a SET OF tag, i.e. the
    // [0] IMPLICIT attributes re-encoded as a SET (the same bytes as signed: readDer checked
    // that re-encoding gives back exactly what was read)
    const asn1 = forge().asn1;
    const signedSet = Buffer.from(encode(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, children(signed))), 'latin1');
    out.signatureValid = cryptoVerify(hashName, signedSet, out.signer.publicKey, out.signatureValue);
    if (!out.signatureValid) out.problems.push('the signature does not verify with the signer certificate');
  } catch (e) {
    out.problems.push(`unreadable CMS signature: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

/** 'rsa', 'ec' (P-256 only), or undefined for any other key; never throws. */
function signerKeyType(cert: X509Certificate): 'rsa' | 'ec' | undefined {
  try {
    const k = cert.publicKey;
    if (k.asymmetricKeyType === 'rsa') return 'rsa';
    if (k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ec';
  } catch {
    // an algorithm node cannot even read
  }
  return undefined;
}

/** ESS signing-certificate-v2 (RFC 5035): the first ESSCertIDv2 is sha256 of the signer certificate, with its issuer and serial when given. */
function essBindsSigner(v: Asn1, signer: X509Certificate): boolean {
  const certs = children(expectTag(children(expectTag(v, 0x30, 'SigningCertificateV2'))[0], 0x30, 'ESSCertIDv2 list'));
  const id = children(expectTag(certs[0], 0x30, 'ESSCertIDv2'));
  let i = 0;
  let alg = 'sha256';
  if (id[0] && tagOf(id[0]) === 0x30) {
    alg = DIGESTS[algorithm(id[0])] ?? 'unknown';
    i = 1;
  }
  if (alg !== 'sha256' && alg !== 'sha384' && alg !== 'sha512') return false;
  const hash = content(expectTag(id[i], 0x04, 'certHash'));
  if (!hash.equals(createHash(alg).update(signer.raw).digest())) return false;
  const issuerSerial = id[i + 1];
  if (!issuerSerial) return true;
  const [names, serial] = children(expectTag(issuerSerial, 0x30, 'IssuerSerial'));
  const dirName = children(expectTag(names, 0x30, 'GeneralNames'))[0];
  const issuer = children(expectTag(dirName, 0xa4, 'directoryName'))[0];
  const mine = issuerAndSerial(readDer(signer.raw, true).node);
  return !!issuer && encode(issuer) === mine.issuer && prim(expectTag(serial, 0x02, 'serial')) === mine.serial;
}

/** RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CertificateList OPTIONAL, ... } */
function archivedCrls(v: Asn1): Buffer[] {
  const out: Buffer[] = [];
  for (const part of children(expectTag(v, 0x30, 'RevocationInfoArchival'))) {
    if (tagOf(part) !== 0xa0) continue;
    for (const crl of children(expectTag(children(part)[0], 0x30, 'CRL list'))) out.push(Buffer.from(encode(expectTag(crl, 0x30, 'CertificateList')), 'latin1'));
  }
  return out;
}

/** sha256 of the bytes outside the /Contents hole, hashed in place (no copy). */
export function digestRanges(buf: Buffer, ranges: [number, number][], alg = 'sha256'): Buffer {
  const h = createHash(alg);
  for (const [s, l] of ranges) h.update(buf.subarray(s, s + l));
  return h.digest();
}

/**
 * The certificates travel outside the signed attributes, so each must prove itself: the
 * signer's chain is walked through the CMS's certificates (and the trust anchors, if any) up
 * to a self-signed root or an anchor, verifying every link; a certificate off that chain, or a
 * link whose issuer is missing, is a problem. An altered certificate cannot pass unnoticed.
 */
function checkCertificates(out: CmsCheck, anchors: X509Certificate[]): void {
  const signer = out.signer!;
  const name = (c: X509Certificate): string => c.subject.split('\n').join(', ');
  const onChain = new Set<X509Certificate>([signer]);
  let cur = signer;
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.some((a) => a.fingerprint256 === cur.fingerprint256)) return checkExtras(out, onChain);
    // by name, not X509Certificate.checkIssued: OpenSSL's check also demands keyCertSign,
    // which a self-signed signing certificate rightly lacks
    if (cur.issuer === cur.subject) {
      if (!cur.verify(cur.publicKey)) out.problems.push(`the certificate ${name(cur)} in the signature does not verify: it was altered`);
      return checkExtras(out, onChain);
    }
    const issuer = [...out.certificates, ...anchors].find((i) => i !== cur && i.subject === cur.issuer && cur.verify(i.publicKey));
    if (!issuer) {
      out.problems.push(`cannot check the certificate ${name(cur)}: its issuer ${cur.issuer.split('\n').join(', ')} is neither in the signature nor given with --trust`);
      return;
    }
    if (!cur.verify(issuer.publicKey)) {
      out.problems.push(`the certificate ${name(cur)} in the signature does not verify with its issuer: it was altered`);
      return;
    }
    onChain.add(issuer);
    cur = issuer;
  }
  out.problems.push('the signer certificate chain is too long');
}

function checkExtras(out: CmsCheck, onChain: Set<X509Certificate>): void {
  for (const c of out.certificates) if (!onChain.has(c)) out.problems.push(`the certificate ${c.subject.split('\n').join(', ')} in the signature is not on the signer's chain`);
}
