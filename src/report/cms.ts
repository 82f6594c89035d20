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
export function checkCms(der: Buffer, digestOf: (alg: string) => Buffer): CmsCheck {
  const out: CmsCheck = { digestAlgorithm: 'unknown', digestMatches: false, signatureValid: false, certificates: [], problems: [] };
  try {
    const ci = expectTag(readTlv(der, 0), 0x30, 'ContentInfo');
    const [ctype, wrapped] = children(der, ci);
    if (oid(der, expectTag(ctype, 0x06, 'content type')) !== OID.signedData) throw new DerError('not a SignedData');
    const sd = expectTag(children(der, expectTag(wrapped, 0xa0, '[0] content'))[0], 0x30, 'SignedData');
    const parts = children(der, sd);
    let certs: Tlv | undefined;
    let signerInfos: Tlv | undefined;
    for (const p of parts.slice(3)) {
      if (p.tag === 0xa0) certs = p;
      else if (p.tag === 0x31) signerInfos = p;
    }
    if (certs) {
      for (const c of children(der, certs)) {
        if (c.tag === 0x30) out.certificates.push(new X509Certificate(der.subarray(c.start, c.end)));
      }
    }
    const infos = signerInfos ? children(der, signerInfos) : [];
    if (infos.length !== 1) {
      out.problems.push(`the CMS holds ${infos.length} signer infos, expected exactly 1`);
      if (infos.length === 0) return out;
    }
    const si = children(der, expectTag(infos[0], 0x30, 'SignerInfo'));
    const sid = si[1]!;
    const digestAlg = oid(der, expectTag(children(der, expectTag(si[2], 0x30, 'digest algorithm'))[0], 0x06, 'digest OID'));
    out.digestAlgorithm = DIGESTS[digestAlg] ?? digestAlg;
    const signed = expectTag(si[3], 0xa0, 'signed attributes');
    const sigValue = expectTag(si[5], 0x04, 'signature value');

    // the signer: by issuer and serial number
    if (sid.tag === 0x30) {
      const serialTlv = children(der, sid)[1];
      const serial = serialTlv ? BigInt('0x' + (content(der, serialTlv).toString('hex') || '0')) : -1n;
      out.signer = out.certificates.find((c) => BigInt('0x' + c.serialNumber) === serial);
    }
    out.signer ??= out.certificates[0];
    if (!out.signer) {
      out.problems.push('the CMS carries no signer certificate');
      return out;
    }

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
