// Checks a CMS (PKCS#7) detached SignedData: the messageDigest attribute against the digest of
// the covered bytes, and the signature over the signed attributes with the signer
// certificate's public key. node:crypto does the cryptography; der.ts only walks bytes.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { children, content, DerError, expectTag, oid, readTlv, time, type Tlv } from './der.js';

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  contentType: '1.2.840.113549.1.9.3',
} as const;

const SIGNATURE_ALGS = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
]);

function isSmallInt(der: Buffer, t: Tlv, v: number): boolean {
  return t.tag === 0x02 && t.end - t.body === 1 && der[t.body] === v;
}

/** AlgorithmIdentifier: the OID, with NULL or absent parameters and nothing else. */
function algorithm(der: Buffer, t: Tlv): string {
  const p = children(der, expectTag(t, 0x30, 'algorithm identifier'));
  if (p.length < 1 || p.length > 2 || (p[1] && (p[1].tag !== 0x05 || p[1].end !== p[1].body))) throw new DerError('malformed algorithm identifier');
  return oid(der, expectTag(p[0], 0x06, 'algorithm OID'));
}

/** The issuer Name (whole DER element) and serial number (INTEGER content) of a certificate. */
function issuerAndSerial(der: Buffer, cert: Tlv): { issuer: Buffer; serial: Buffer } {
  const tbs = children(der, expectTag(children(der, cert)[0], 0x30, 'TBSCertificate'));
  const off = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const serial = expectTag(tbs[off], 0x02, 'certificate serial');
  const issuer = expectTag(tbs[off + 2], 0x30, 'certificate issuer');
  return { issuer: der.subarray(issuer.start, issuer.end), serial: content(der, serial) };
}

const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.3.14.3.2.26': 'sha1',
};

export interface CmsCheck {
  digestAlgorithm: string;
  digestMatches: boolean;
  signatureValid: boolean;
  signer?: X509Certificate;
  certificates: X509Certificate[];
  signedAt?: Date;
  problems: string[];
}

/** The DER length of the CMS at the start of `hexBody`'s bytes (the rest is zero padding). */
export function cmsLength(der: Buffer): number {
  return readTlv(der, 0).end;
}

/**
 * `digestOf(alg)` returns the digest of the signed byte ranges with that algorithm; sha256 is
 * computed once by the caller and passed through here.
 */
export function checkCms(der: Buffer, digestOf: (alg: string) => Buffer, anchors: X509Certificate[] = []): CmsCheck {
  const out: CmsCheck = { digestAlgorithm: 'unknown', digestMatches: false, signatureValid: false, certificates: [], problems: [] };
  try {
    const ci = expectTag(readTlv(der, 0), 0x30, 'ContentInfo');
    const top = children(der, ci);
    if (top.length !== 2) throw new DerError('ContentInfo must hold exactly a type and a content');
    const [ctype, wrapped] = top;
    if (oid(der, expectTag(ctype, 0x06, 'content type')) !== OID.signedData) throw new DerError('not a SignedData');
    const sdWrap = children(der, expectTag(wrapped, 0xa0, '[0] content'));
    if (sdWrap.length !== 1) throw new DerError('the [0] content must hold exactly one SignedData');
    const sd = expectTag(sdWrap[0], 0x30, 'SignedData');
    // Everything outside the signed attributes is not covered by the signature, so it must be
    // exactly the one shape we accept: a changed byte there must not go unnoticed.
    const parts = children(der, sd);
    if (parts.length !== 5) throw new DerError('SignedData must hold version, digest algorithms, content info, certificates and one signer');
    const [version, digestAlgs, encap, certs, signerInfos] = parts as [Tlv, Tlv, Tlv, Tlv, Tlv];
    if (!isSmallInt(der, version, 1)) throw new DerError('SignedData version must be 1');
    expectTag(certs, 0xa0, '[0] certificates');
    expectTag(signerInfos, 0x31, 'signer infos');
    const encapParts = children(der, expectTag(encap, 0x30, 'encapsulated content info'));
    if (encapParts.length !== 1 || oid(der, expectTag(encapParts[0], 0x06, 'content type')) !== '1.2.840.113549.1.7.1') throw new DerError('detached content must be id-data with no content');
    const certTlvs = children(der, certs);
    for (const c of certTlvs) out.certificates.push(new X509Certificate(der.subarray(expectTag(c, 0x30, 'certificate').start, c.end)));
    const infos = children(der, signerInfos);
    if (infos.length !== 1) {
      out.problems.push(`the CMS holds ${infos.length} signer infos, expected exactly 1`);
      if (infos.length === 0) return out;
    }
    const si = children(der, expectTag(infos[0], 0x30, 'SignerInfo'));
    if (si.length !== 6) throw new DerError('SignerInfo must hold exactly version, sid, digest algorithm, signed attributes, signature algorithm and signature (no unsigned attributes)');
    const [siVersion, sid, siDigest, signed, sigAlg, sigValue] = si as [Tlv, Tlv, Tlv, Tlv, Tlv, Tlv];
    if (!isSmallInt(der, siVersion, 1)) throw new DerError('SignerInfo version must be 1');
    const digestAlg = algorithm(der, siDigest);
    out.digestAlgorithm = DIGESTS[digestAlg] ?? digestAlg;
    const dAlgs = children(der, expectTag(digestAlgs, 0x31, 'digest algorithms'));
    if (dAlgs.length !== 1 || algorithm(der, dAlgs[0]!) !== digestAlg) throw new DerError('digest algorithms must list exactly the signer digest algorithm');
    if (!SIGNATURE_ALGS.has(algorithm(der, sigAlg))) throw new DerError('unsupported signature algorithm');
    expectTag(signed, 0xa0, 'signed attributes');
    expectTag(sigValue, 0x04, 'signature value');

    // the signer: the certificate whose issuer and serial number are exactly the sid's
    const sidParts = children(der, expectTag(sid, 0x30, 'issuer and serial number'));
    if (sidParts.length !== 2) throw new DerError('malformed signer identifier');
    const sidIssuer = der.subarray(sidParts[0]!.start, sidParts[0]!.end);
    const sidSerial = content(der, expectTag(sidParts[1], 0x02, 'serial number'));
    certTlvs.forEach((c, i) => {
      const id = issuerAndSerial(der, c);
      if (id.issuer.equals(sidIssuer) && id.serial.equals(sidSerial)) out.signer ??= out.certificates[i];
    });
    if (!out.signer) {
      out.problems.push('the CMS carries no certificate matching its signer identifier');
      return out;
    }
    checkCertificates(out, anchors);

    let md: Buffer | undefined;
    for (const attr of children(der, signed)) {
      const [t, vals] = children(der, attr);
      const id = oid(der, expectTag(t, 0x06, 'attribute type'));
      const v = children(der, expectTag(vals, 0x31, 'attribute values'))[0];
      if (!v) continue;
      if (id === OID.messageDigest) md = content(der, expectTag(v, 0x04, 'messageDigest'));
      else if (id === OID.signingTime) out.signedAt = time(der, v);
    }
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
    // RFC 5652 5.4: the signature is over the DER of the attributes with a SET OF tag
    const signedSet = Buffer.from(der.subarray(signed.start, signed.end));
    signedSet[0] = 0x31;
    out.signatureValid = cryptoVerify(hashName, signedSet, out.signer.publicKey, content(der, sigValue));
    if (!out.signatureValid) out.problems.push('the signature does not verify with the signer certificate');
  } catch (e) {
    out.problems.push(`unreadable CMS signature: ${e instanceof Error ? e.message : String(e)}`);
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
