// Test PKI: EC (P-256) certificates with chosen CA flag, path length, key usage, extended key
// usage, validity and signature hash, made with @peculiar/x509 over node's WebCrypto (EC key
// generation is fast enough for property tests; RSA is not).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, Name, NameConstraints } from '@peculiar/asn1-x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface CertSpec {
  name: string;
  /** undefined: no basic constraints extension */
  ca?: boolean;
  pathLen?: number;
  /** KeyUsageFlags bits; undefined: no key usage extension */
  keyUsage?: number;
  eku?: string[];
  ekuCritical?: boolean;
  notBefore: Date;
  notAfter: Date;
  /** the hash the issuer signs this certificate with */
  hash?: 'SHA-256' | 'SHA-1';
  rsa?: boolean;
  /** RSA modulus bits (default 2048): weak keys for the key policy's tests */
  rsaBits?: number;
  /** the subject's distinguished name when not `CN=<name>` (RFC 4514 text) */
  subject?: string;
  /** name constraints: permitted directory name subtrees (RFC 4514 text), critical or not */
  nameConstraints?: { permitted: string[]; critical: boolean };
}

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
  der: Buffer;
}

let serial = 1;

async function keyPair(rsa = false, bits = 2048): Promise<CryptoKeyPair> {
  const alg = rsa
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-256' };
  return await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
}

/** A public key from DER SubjectPublicKeyInfo (e.g. what KMS GetPublicKey returns), as a key pair without a private half. */
export async function publicOnly(spki: Buffer, rsa: boolean): Promise<CryptoKeyPair> {
  const alg = rsa ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const publicKey = await webcrypto.subtle.importKey('spki', spki, alg, true, ['verify']);
  return { publicKey, privateKey: undefined as never };
}

/** Issues `spec` signed by `issuer` (self-signed when issuer is undefined). */
export async function issue(spec: CertSpec, issuer?: Issued, keys?: CryptoKeyPair): Promise<Issued> {
  const own = keys ?? (await keyPair(spec.rsa || spec.rsaBits !== undefined, spec.rsaBits));
  const signer = issuer?.keys ?? own;
  const extensions: x509.Extension[] = [];
  if (spec.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(spec.ca, spec.pathLen, true));
  if (spec.keyUsage !== undefined) extensions.push(new x509.KeyUsagesExtension(spec.keyUsage, true));
  if (spec.eku) extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku, spec.ekuCritical ?? false));
  if (spec.nameConstraints) {
    const subtrees = spec.nameConstraints.permitted.map((dn) => new GeneralSubtree({ base: new GeneralName({ directoryName: AsnConvert.parse(new x509.Name(dn).toArrayBuffer(), Name) }) }));
    extensions.push(new x509.Extension('2.5.29.30', spec.nameConstraints.critical, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }))));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(own.publicKey));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey));
  const signingAlgorithm = signer.privateKey.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: spec.hash ?? 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: spec.hash ?? 'SHA-256' };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    subject: spec.subject ?? `CN=${spec.name}`,
    issuer: issuer ? issuer.cert.subject : spec.subject ?? `CN=${spec.name}`,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm,
    publicKey: own.publicKey,
    signingKey: signer.privateKey,
    extensions,
  });
  return { cert, keys: own, pem: cert.toString('pem'), der: Buffer.from(cert.rawData) };
}

export const KU = x509.KeyUsageFlags;
export const EKU = {
  documentSigning: '1.3.6.1.5.5.7.3.36',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  adobe: '1.2.840.113583.1.1.5',
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
};

/** PKCS#8 PEM of a private key (for openssl and node:crypto). */
export async function privatePem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}
