// Signing: the CMS (PAdES-compatible, adbe.pkcs7.detached) signature over the whole pack,
// the signer's identity for the cover, and a throw-away demo signer.
// node-forge and @signpdf are loaded on first use so that CLI start-up stays fast.
import { createRequire } from 'node:module';
import { generateKeyPairSync, createHash } from 'node:crypto';
import type forgeNs from 'node-forge';

const require = createRequire(import.meta.url);
function forge(): typeof forgeNs {
  return require('node-forge') as typeof forgeNs;
}

/** A bad key file, a wrong passphrase, or a key without its certificate (CLI exit 2). */
export class SigningError extends Error {
  override name = 'SigningError';
}

export interface SignerInput {
  p12: Buffer;
  passphrase: string;
}

export interface SignerIdentity {
  commonName?: string;
  organisation?: string;
  /** the subject as `CN=..., O=...` */
  subject: string;
  issuer: string;
  serialNumber: string;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
}

function dn(attrs: forgeNs.pki.CertificateField[]): string {
  return attrs.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(', ');
}

export function identityOf(cert: forgeNs.pki.Certificate): SignerIdentity {
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
  const f = forge();
  let p12: forgeNs.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = f.asn1.fromDer(f.util.createBuffer(input.p12.toString('binary')));
    p12 = f.pkcs12.pkcs12FromAsn1(asn1, false, input.passphrase);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password|MAC|mac could not be verified|decrypt/i.test(msg)) {
      throw new SigningError(`cannot open the signing key: wrong passphrase (${msg})`);
    }
    throw new SigningError(`cannot open the signing key: not a valid PKCS#12 file (${msg})`);
  }
  const keyBags = p12.getBags({ bagType: f.pki.oids.pkcs8ShroudedKeyBag! })[f.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
  const certBags = p12.getBags({ bagType: f.pki.oids.certBag! })[f.pki.oids.certBag!] ?? [];
  const key = keyBags[0]?.key as forgeNs.pki.rsa.PrivateKey | undefined;
  if (!key) throw new SigningError('cannot open the signing key: the PKCS#12 file holds no (RSA) private key');
  const cert = certBags
    .map((b) => b.cert)
    .find((c): c is forgeNs.pki.Certificate => {
      const pub = c?.publicKey as forgeNs.pki.rsa.PublicKey | undefined;
      return !!pub && !!pub.n && pub.n.compareTo(key.n) === 0 && pub.e.compareTo(key.e) === 0;
    });
  if (!cert) throw new SigningError('cannot open the signing key: no certificate in the PKCS#12 file matches its private key');
  return identityOf(cert);
}

export const SIGNATURE_SUBFILTER = 'adbe.pkcs7.detached';

/**
 * Adds the signature dictionary, AcroForm field and an invisible widget. Call after the
 * last page exists and before doc.end(); `doc` is a pdfkit document.
 */
export async function addSignaturePlaceholder(
  doc: unknown,
  opts: { signingTime: Date; name: string; reason: string; location?: string; contactInfo?: string },
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
    // a 2048/4096-bit RSA certificate chain fits easily; the rest is zero padding
    signatureLength: 8192,
    subFilter: SIGNATURE_SUBFILTER,
    appName: 'trustpack',
  } as never);
}

/** Fills the placeholder with a CMS detached signature made at `signingTime`. */
export async function signPdf(pdf: Buffer, signer: SignerInput, signingTime: Date): Promise<Buffer> {
  loadSigner(signer); // clear errors before @signpdf's generic ones
  const [{ SignPdf }, { P12Signer }] = await Promise.all([
    import('@signpdf/signpdf'),
    import('@signpdf/signer-p12'),
  ]);
  try {
    // a P12Signer signs once: a new one per signature
    const out = await new SignPdf().sign(pdf, new P12Signer(signer.p12, { passphrase: signer.passphrase }), signingTime);
    return Buffer.from(out);
  } catch (e) {
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
export function makeDemoSigner(opts: { commonName: string; organisation?: string; notBefore?: Date; years?: number }): DemoSigner {
  const f = forge();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = f.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forgeNs.pki.rsa.PrivateKey;
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
