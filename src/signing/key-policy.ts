// The one key policy, stated once and applied everywhere a key or a signature is judged: the
// signer's certificate path and the TSA's (verify), the CMS and timestamp signatures, and the
// signer trustpack is asked to sign with (report). RSA keys of at least 2048 bits; EC keys on
// P-256, P-384 or P-521; Ed25519 and Ed448; no SHA-1 or MD5 in any signature, except a trust
// anchor's signature on itself (the anchor is trusted as given, not because of that signature).
// Certificate identifiers (ESSCertID v1 is a SHA-1 hash of a certificate) are not signatures.
import { X509Certificate } from 'node:crypto';

const KEY_POLICY = {
  minRsaBits: 2048,
  curves: ['prime256v1', 'secp384r1', 'secp521r1'] as readonly string[],
  statement: 'RSA keys of at least 2048 bits, EC keys on P-256, P-384 or P-521 (or Ed25519/Ed448); no SHA-1 or MD5 in any signature',
} as const;

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1', prime192v1: 'P-192', secp224r1: 'P-224' };

/** What is wrong with a certificate's public key under the key policy, or undefined. */
export function keyPolicyProblem(certDer: Uint8Array): string | undefined {
  let key;
  try {
    key = new X509Certificate(certDer).publicKey;
  } catch (e) {
    return `its public key cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
  const type = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = d.modulusLength ?? 0;
    return bits < KEY_POLICY.minRsaBits ? `its RSA key has ${bits} bits, below the ${KEY_POLICY.minRsaBits} the key policy requires` : undefined;
  }
  if (type === 'ec') {
    const curve = d.namedCurve ?? 'unknown';
    return KEY_POLICY.curves.includes(curve) ? undefined : `its EC key is on curve ${CURVE_NAMES[curve] ?? curve}, not P-256, P-384 or P-521 as the key policy requires`;
  }
  if (type === 'ed25519' || type === 'ed448') return undefined;
  return `its ${type ?? 'unknown'} key is not allowed by the key policy (${KEY_POLICY.statement})`;
}

/** Signature algorithm OIDs that hash with SHA-1 or MD5 (certificates, CMS and timestamp SignerInfos). */
export const WEAK_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSASignature',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
};
