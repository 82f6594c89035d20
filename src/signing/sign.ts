// Signing: the CMS signature over the whole pack (PAdES baseline, ETSI.CAdES.detached; see
// cades.ts), the signer's identity for the cover, and a throw-away demo signer. The key is a
// PKCS#12 file (RSA) or a key held in AWS KMS (RemoteKey, kms-signer.ts); the signer's chain
// and any revocation data travel in the signature, and a TSA may timestamp it.
// node-forge and @signpdf are loaded on first use so that CLI start-up stays fast.
import { keyPolicyProblem } from './key-policy.js';
import { generateKeyPairSync, createHash, createPrivateKey, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import type forgeNs from 'node-forge';
import { forge } from '../util/forge.js';
import { buildCades, type CmsKey } from './cades.js';
import { requestTimestamp } from './tsa.js';
import { SIGNATURE_SUBFILTER, type SignerIdentity } from '../pack/contract.js';


/** A bad key file, a wrong passphrase, or a key without its certificate (CLI exit 2). */
export class SigningError extends Error {
  override name = 'SigningError';
}

/** A private key that never leaves its keeper (AWS KMS): it signs a SHA-256 digest. */
export interface RemoteKey {
  type: 'rsa' | 'ec';
  /** what to call it in messages (the key ARN) */
  label: string;
  /** DER SubjectPublicKeyInfo, to be matched against the certificate before signing */
  publicKeySpki(): Promise<Buffer>;
  /** signature of a SHA-256 digest (PKCS#1 v1.5 for RSA, DER ECDSA for EC) */
  signDigest(digest: Buffer): Promise<Buffer>;
}

export interface SignerInput {
  /** a PKCS#12 file with an RSA key and its certificate (and possibly its chain) */
  p12?: Buffer;
  passphrase?: string;
  /** or a key held in AWS KMS, with its certificate (PEM; certificates after the first are its chain) */
  remote?: { certPem: string; key: RemoteKey };
  /** more chain certificates (PEM) for the CMS certificates */
  chainPem?: string;
  /** DER (or PEM) certificate revocation lists, signed into adbe-revocationInfoArchival */
  crls?: Buffer[];
  /** an RFC 3161 time-stamping authority (http://...) for a signature timestamp (PAdES B-T) */
  tsaUrl?: string;
}

function dn(attrs: forgeNs.pki.CertificateField[]): string {
  return attrs.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(', ');
}

function identityOf(cert: forgeNs.pki.Certificate): SignerIdentity {
  const f = forge();
  const cn = cert.subject.getField('CN') as forgeNs.pki.CertificateField | null;
  const o = cert.subject.getField('O') as forgeNs.pki.CertificateField | null;
  const id: SignerIdentity = {
    subject: dn(cert.subject.attributes),
    issuer: dn(cert.issuer.attributes),
    serialNumber: cert.serialNumber,
    certPem: f.pki.certificateToPem(cert),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
  if (cn) id.commonName = String(cn.value);
  if (o) id.organisation = String(o.value);
  return id;
}

/**
 * Opens the PKCS#12 file before anything is rendered, so that a bad key fails fast with a
 * clear message (and the cover can name the signer). Throws SigningError.
 */
export function loadSigner(input: SignerInput): SignerIdentity {
  if (input.remote) return identityOfPem(input.remote.certPem);
  return openP12(input).identity;
}

/** The signer's identity from a PEM certificate of any key type (node:crypto, not forge: forge reads RSA only). */
function identityOfPem(pem: string): SignerIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pemBlocks(pem)[0] ?? Buffer.alloc(0));
  } catch (e) {
    throw new SigningError(`cannot read the signing certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  const lines = cert.subject.split('\n');
  const field = (k: string): string | undefined => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
  const id: SignerIdentity = {
    subject: lines.join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    serialNumber: cert.serialNumber.toLowerCase(),
    certPem: cert.toString(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
  const cn = field('CN');
  const o = field('O');
  if (cn) id.commonName = cn;
  if (o) id.organisation = o;
  return id;
}

/** DER of each CERTIFICATE block of PEM text. */
function pemBlocks(pem: string, label = 'CERTIFICATE'): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

interface OpenedP12 {
  identity: SignerIdentity;
  key: KeyObject;
  certDer: Buffer;
  others: Buffer[];
}

function openP12(input: SignerInput): OpenedP12 {
  const f = forge();
  if (!input.p12) throw new SigningError('no signing key: give a PKCS#12 key (--sign-p12) or a KMS key (--sign-kms-key)');
  let p12: forgeNs.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = f.asn1.fromDer(f.util.createBuffer(input.p12.toString('binary')));
    p12 = f.pkcs12.pkcs12FromAsn1(asn1, false, input.passphrase ?? '');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password|MAC|mac could not be verified|decrypt/i.test(msg)) {
      throw new SigningError(`cannot open the signing key: wrong passphrase (${msg})`);
    }
    throw new SigningError(`cannot open the signing key: not a valid PKCS#12 file (${msg})`);
  }
  const keyBags = p12.getBags({ bagType: f.pki.oids.pkcs8ShroudedKeyBag! })[f.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
  const certBags = p12.getBags({ bagType: f.pki.oids.certBag! })[f.pki.oids.certBag!] ?? [];
  const key = keyBags[0]?.key;
  if (!key) throw new SigningError('cannot open the signing key: the PKCS#12 file holds no (RSA) private key');
  const cert = certBags
    .map((b) => b.cert)
    .find((c): c is forgeNs.pki.Certificate => {
      const pub = c?.publicKey as forgeNs.pki.rsa.PublicKey | undefined;
      return !!pub && !!pub.n && pub.n.compareTo(key.n) === 0 && pub.e.compareTo(key.e) === 0;
    });
  if (!cert) throw new SigningError('cannot open the signing key: no certificate in the PKCS#12 file matches its private key');
  const der = (c: forgeNs.pki.Certificate): Buffer => Buffer.from(f.asn1.toDer(f.pki.certificateToAsn1(c)).getBytes(), 'binary');
  const others = certBags.map((b) => b.cert).filter((c): c is forgeNs.pki.Certificate => !!c && c !== cert).map(der);
  return { identity: identityOf(cert), key: createPrivateKey(f.pki.privateKeyToPem(key)), certDer: der(cert), others };
}


/**
 * Adds the signature dictionary, AcroForm field and an invisible widget. Call after the
 * last page exists and before doc.end(); `doc` is a pdfkit document.
 */
export async function addSignaturePlaceholder(
  doc: unknown,
  opts: { signingTime: Date; name: string; reason: string; location?: string; contactInfo?: string; signatureLength?: number },
): Promise<void> {
  const { pdfkitAddPlaceholder } = await import('@signpdf/placeholder-pdfkit');
  pdfkitAddPlaceholder({
    pdf: doc as never,
    pdfBuffer: Buffer.alloc(0),
    reason: opts.reason,
    contactInfo: opts.contactInfo ?? '',
    name: opts.name,
    location: opts.location ?? '',
    signingTime: opts.signingTime,
    // room for the CMS (see placeholderLength); the rest is zero padding
    signatureLength: opts.signatureLength ?? 8192,
    subFilter: SIGNATURE_SUBFILTER,
    appName: 'trustpack',
  });
}

/**
 * Bytes to reserve for the CMS: the signature, attributes and signer certificate fit in 8 KiB;
 * the chain and the revocation lists are added as they are, and a timestamp token (with the
 * TSA's certificates) gets 16 KiB. Fixed by the inputs, so packs stay deterministic.
 */
export function placeholderLength(input: SignerInput): number {
  const chain = pemBlocks(input.chainPem ?? '').reduce((n, c) => n + c.length, 0) + (input.p12?.length ?? 0) + (input.remote?.certPem.length ?? 0);
  const crls = (input.crls ?? []).reduce((n, c) => n + c.length, 0);
  return 8192 + chain + crls + (input.tsaUrl ? 16384 : 0);
}

interface ResolvedKey {
  key: CmsKey;
  certDer: Buffer;
  chain: Buffer[];
}

/**
 * Checks everything about the signing key that can fail before a pack is rendered: the PKCS#12
 * opens, or the remote key's public key is the certificate's. Throws SigningError.
 */
export async function checkSigner(input: SignerInput): Promise<SignerIdentity> {
  const identity = loadSigner(input);
  await resolveKey(input);
  return identity;
}

/** The signing key, its certificate and the chain to put in the CMS (issuer first). */
async function resolveKey(input: SignerInput): Promise<ResolvedKey> {
  let certDer: Buffer;
  let candidates: Buffer[];
  let key: CmsKey;
  if (input.remote) {
    const remote = input.remote.key;
    const blocks = pemBlocks(input.remote.certPem);
    if (!blocks[0]) throw new SigningError('the signing certificate (--sign-cert) holds no PEM certificate');
    certDer = blocks[0];
    candidates = blocks.slice(1);
    const certSpki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
    let spki: Buffer;
    try {
      spki = await remote.publicKeySpki();
    } catch (e) {
      throw new SigningError(`cannot read the public key of ${remote.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // the certificate must be for exactly this key: else every pack would carry a signature
    // that its own certificate cannot verify
    if (!spki.equals(certSpki)) throw new SigningError(`the public key of ${remote.label} does not match the signing certificate's`);
    key = {
      type: remote.type,
      sign: async (tbs) => {
        try {
          return await remote.signDigest(createHash('sha256').update(tbs).digest());
        } catch (e) {
          throw new SigningError(`${remote.label} could not sign: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
    };
  } else {
    const p12 = openP12(input);
    certDer = p12.certDer;
    candidates = p12.others;
    const rsa = p12.key;
    key = { type: 'rsa', sign: async (tbs) => cryptoSign('sha256', tbs, rsa) };
  }
  // the verifier's key policy, applied before anything is signed: a pack no verifier accepts is not a pack
  const weak = keyPolicyProblem(certDer);
  if (weak) throw new SigningError(`the signing certificate: ${weak}`);
  return { key, certDer, chain: chainOf(certDer, [...candidates, ...pemBlocks(input.chainPem ?? '')]) };
}

/** The certificates above the signer, issuer first, picked by name from `pool` (a pool certificate off the chain is left out). */
function chainOf(leafDer: Buffer, pool: Buffer[]): Buffer[] {
  const certs = pool.map((d) => ({ d, c: new X509Certificate(d) }));
  const chain: Buffer[] = [];
  let cur = new X509Certificate(leafDer);
  for (let depth = 0; depth < 8 && cur.issuer !== cur.subject; depth++) {
    const next = certs.find((x) => x.c.subject === cur.issuer && !chain.some((d) => d.equals(x.d)) && cur.verify(x.c.publicKey));
    if (!next) break;
    chain.push(next.d);
    cur = next.c;
  }
  return chain;
}

/** CRLs given as DER or PEM (X509 CRL blocks). */
function crlDers(crls: Buffer[] | undefined): Buffer[] {
  return (crls ?? []).flatMap((c) => {
    const text = c.toString('latin1');
    if (!text.includes('-----BEGIN')) return [c];
    const blocks = [...pemBlocks(text, 'X509 CRL'), ...pemBlocks(text, 'CRL')];
    if (blocks.length === 0) throw new SigningError('a --crl file in PEM holds no X509 CRL block');
    return blocks;
  });
}

/** Fills the placeholder with the CAdES detached signature; `signingTime` is the claimed time already in /M. */
export async function signPdf(pdf: Buffer, signer: SignerInput, signingTime: Date): Promise<Buffer> {
  if (!signer.remote) loadSigner(signer); // clear errors before @signpdf's generic ones
  const resolved = await resolveKey(signer);
  const [{ SignPdf }, { Signer }] = await Promise.all([import('@signpdf/signpdf'), import('@signpdf/utils')]);
  const crls = crlDers(signer.crls);
  const tsaUrl = signer.tsaUrl;
  class CadesSigner extends Signer {
    override async sign(signedBytes: Buffer): Promise<Buffer> {
      return buildCades({
        contentDigest: createHash('sha256').update(signedBytes).digest(),
        signerCert: resolved.certDer,
        chain: resolved.chain,
        crls,
        key: resolved.key,
        ...(tsaUrl ? { timestamp: (sig: Buffer) => requestTimestamp(tsaUrl, sig) } : {}),
      });
    }
  }
  try {
    const out = await new SignPdf().sign(pdf, new CadesSigner(), signingTime);
    return Buffer.from(out);
  } catch (e) {
    if (e instanceof SigningError) throw e;
    throw new SigningError(`signing failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface DemoSigner {
  p12: Buffer;
  passphrase: string;
  certPem: string;
}

/**
 * A self-signed RSA-2048 certificate and key, for demos and tests only. The key pair comes
 * from node:crypto (fast); forge writes the certificate and the PKCS#12.
 */
export function makeDemoSigner(opts: { commonName: string; organisation?: string; notBefore?: Date; years?: number; keyBits?: number }): DemoSigner {
  const f = forge();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: opts.keyBits ?? 2048 });
  const key = f.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = f.pki.createCertificate();
  cert.publicKey = f.pki.setRsaPublicKey(key.n, key.e);
  const notBefore = opts.notBefore ?? new Date();
  // serial: derived from the name and time so it is positive and not random-looking noise
  cert.serialNumber = '01' + createHash('sha256').update(`${opts.commonName}|${notBefore.toISOString()}`).digest('hex').slice(0, 30);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (opts.years ?? 5) * 365 * 86_400_000);
  const attrs: forgeNs.pki.CertificateField[] = [{ shortName: 'CN', value: opts.commonName }];
  if (opts.organisation) attrs.push({ shortName: 'O', value: opts.organisation });
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, f.md.sha256.create());
  const passphrase = 'trustpack-demo';
  const p12Asn1 = f.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: '3des', friendlyName: opts.commonName });
  const p12 = Buffer.from(f.asn1.toDer(p12Asn1).getBytes(), 'binary');
  return { p12, passphrase, certPem: f.pki.certificateToPem(cert) };
}

/**
 * The key a pack is signed with: none for an unsigned pack, a throwaway demo key when asked for,
 * else the one given (a bad key fails here, before anything is drawn).
 */
export function resolvePackSigner(input: { unsigned?: boolean; signer?: SignerInput; demoSigner?: boolean; signingTime: Date }): { signer?: SignerInput; identity?: SignerIdentity } {
  if (input.unsigned) return {};
  let signer = input.signer;
  if (!signer && input.demoSigner) {
    const demo = makeDemoSigner({ commonName: 'trustpack demo signer', organisation: 'DEMO — not for audit use', notBefore: new Date(input.signingTime.getTime() - 86_400_000) });
    signer = { p12: demo.p12, passphrase: demo.passphrase };
  }
  if (!signer) throw new SigningError('no signing key: give a PKCS#12 key (--sign-p12) or ask for an unsigned pack');
  return { signer, identity: loadSigner(signer) };
}
