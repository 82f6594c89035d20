// The CMS signature of a pack in the PAdES baseline shape (ETSI EN 319 142-1, B-B / B-T):
// a detached SignedData whose signed attributes are content type, message digest, ESS
// signing-certificate-v2 (RFC 5035) and, when revocation data is given, Adobe's
// revocationInfoArchival; the signer's full chain in the certificates; an RFC 3161 signature
// timestamp as the one unsigned attribute when a TSA is used. The signing time is not a signed
// attribute: PAdES puts the claimed time in the signature dictionary's /M.
// The key signs through a callback (node:crypto for a PKCS#12 key, AWS KMS for a KMS key), so
// the DER is built here with node-forge's ASN.1 writer rather than by forge's PKCS#7 (RSA only).
import { createHash } from 'node:crypto';
import type forgeNs from 'node-forge';
import { forge } from '../util/forge.js';
import { OID } from '../util/asn1.js';

type Asn1 = forgeNs.asn1.Asn1;

/** A key that signs the DER of the signed attributes (SHA-256 inside: PKCS#1 v1.5 or ECDSA). */
export interface CmsKey {
  type: 'rsa' | 'ec';
  /** signature over `tbs` (the DER SET of signed attributes) with SHA-256 */
  sign(tbs: Buffer): Promise<Buffer>;
}

export interface CadesInput {
  /** sha256 of the signed byte ranges */
  contentDigest: Buffer;
  /** DER of the signer certificate */
  signerCert: Buffer;
  /** DER of the rest of the chain (intermediates, optionally the root), signer's issuer first */
  chain: Buffer[];
  /** DER CertificateLists for adbe-revocationInfoArchival */
  crls: Buffer[];
  key: CmsKey;
  /** asks a TSA for a timestamp token over the signature value (RFC 3161); returns the token's DER */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>;
}

const a = () => forge().asn1;
const seq = (v: Asn1[]): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.SEQUENCE, true, v);
const set = (v: Asn1[]): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.SET, true, sortDer(v));
const oid = (o: string): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.OID, false, a().oidToDer(o).getBytes());
const int = (n: number): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.INTEGER, false, String.fromCharCode(n));
const octets = (b: Buffer): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.OCTETSTRING, false, b.toString('latin1'));
const nul = (): Asn1 => a().create(a().Class.UNIVERSAL, a().Type.NULL, false, '');
const ctx = (tag: number, v: Asn1[]): Asn1 => a().create(a().Class.CONTEXT_SPECIFIC, tag, true, v);
const fromDer = (b: Buffer): Asn1 => a().fromDer(forge().util.createBuffer(b.toString('latin1')), { strict: true, parseAllBytes: true, decodeBitStrings: false } as never);
const toDer = (n: Asn1): Buffer => Buffer.from(a().toDer(n).getBytes(), 'latin1');
const attribute = (type: string, value: Asn1): Asn1 => seq([oid(type), set([value])]);

/** DER orders a SET OF by the encodings of its elements. */
function sortDer(v: Asn1[]): Asn1[] {
  const enc = v.map((n) => ({ n, d: toDer(n) }));
  enc.sort((x, y) => Buffer.compare(x.d, y.d));
  return enc.map((e) => e.n);
}

/** The issuer Name and serial INTEGER elements of a certificate. */
function issuerAndSerial(certDer: Buffer): { issuer: Asn1; serial: Asn1 } {
  const tbs = (fromDer(certDer).value as Asn1[])[0]!.value as Asn1[];
  const off = tbs[0]!.tagClass === a().Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: tbs[off]!, issuer: tbs[off + 2]! };
}

/** ESS signing-certificate-v2: the sha256 of the signer certificate, and its issuer and serial. */
function signingCertificateV2(certDer: Buffer): Asn1 {
  const { issuer, serial } = issuerAndSerial(certDer);
  const hash = createHash('sha256').update(certDer).digest();
  // hashAlgorithm is omitted: sha256 is its DEFAULT, and DER leaves defaults out
  const essCertIdV2 = seq([octets(hash), seq([seq([ctx(4, [issuer])]), serial])]);
  return seq([seq([essCertIdV2])]);
}

function signatureAlgorithm(type: 'rsa' | 'ec'): Asn1 {
  // rsaEncryption with NULL parameters (what node-forge wrote before, and what pdfsig and
  // Acrobat expect); ecdsa-with-SHA256 without parameters (RFC 5758)
  return type === 'rsa' ? seq([oid(OID.rsaEncryption), nul()]) : seq([oid(OID.ecdsaWithSha256)]);
}

/** The DER SET of the signed attributes: what the key signs (RFC 5652 5.4). */
function signedAttributes(input: Pick<CadesInput, 'contentDigest' | 'signerCert' | 'crls'>): Asn1[] {
  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(input.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(input.signerCert)),
  ];
  if (input.crls.length) attrs.push(attribute(OID.revocationInfoArchival, seq([ctx(0, [seq(input.crls.map(fromDer))])])));
  return attrs;
}

export async function buildCades(input: CadesInput): Promise<Buffer> {
  const attrs = signedAttributes(input);
  const signedSet = toDer(set(attrs));
  const signature = await input.key.sign(signedSet);
  const { issuer, serial } = issuerAndSerial(input.signerCert);
  const sha256Alg = seq([oid(OID.sha256), nul()]);
  const signerInfo: Asn1[] = [
    int(1),
    seq([issuer, serial]),
    sha256Alg,
    ctx(0, sortDer(attrs)),
    signatureAlgorithm(input.key.type),
    octets(signature),
  ];
  if (input.timestamp) {
    const token = await input.timestamp(signature);
    signerInfo.push(ctx(1, [attribute(OID.signatureTimeStampToken, fromDer(token))]));
  }
  const certs = [input.signerCert, ...input.chain].map(fromDer);
  const signedData = seq([int(1), set([seq([oid(OID.sha256), nul()])]), seq([oid(OID.data)]), ctx(0, certs), set([seq(signerInfo)])]);
  return toDer(seq([oid(OID.signedData), ctx(0, [signedData])]));
}
