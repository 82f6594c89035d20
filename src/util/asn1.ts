// The ASN.1 object identifiers the CMS signature code reads and writes (src/signing/cades.ts,
// src/signing/tsa.ts, src/verify/cms.ts), and the error each throws for DER it cannot use. One
// table: signing and verifying must agree on every identifier.

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** ESS signing-certificate (SHA-1 cert hash), which TSAs may still send */
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  revocationInfoArchival: '1.2.840.113583.1.1.8',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** The SHA-2 digest algorithms accepted in signatures and timestamps, by OID (node:crypto names). */
export const SHA2_DIGESTS: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** DER that does not say what it must; `name` says which reader refused it (CmsError, TimestampError). */
export class Asn1Error extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
