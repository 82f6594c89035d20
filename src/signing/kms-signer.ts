// A pack signing key held in AWS KMS (`report --sign-kms-key ARN`): the private key never
// leaves KMS. kms:GetPublicKey tells the key type (and lets sign.ts check the certificate is
// for this key); kms:Sign signs the SHA-256 digest of the CMS signed attributes (MessageType
// DIGEST) with RSASSA_PKCS1_V1_5_SHA_256 or ECDSA_SHA_256. The KMS client is handed in by the
// app layer (src/app/kms-client.ts), so signing never imports the AWS SDK.
import { SigningError, type RemoteKey } from './sign.js';

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/[\w/+=,.@-]+$/;

/** The two KMS calls a remote signing key needs, with the SDK's field names. */
export interface KmsSigningApi {
  getPublicKey(keyId: string): Promise<{ KeySpec?: string; KeyUsage?: string; SigningAlgorithms?: string[]; PublicKey?: Uint8Array }>;
  sign(input: { KeyId: string; Message: Uint8Array; MessageType: 'DIGEST'; SigningAlgorithm: string }): Promise<{ Signature?: Uint8Array }>;
}

/** The signing algorithm trustpack uses for each key spec KMS can sign with. */
const ALGORITHM: Record<string, { type: 'rsa' | 'ec'; algorithm: string }> = {
  RSA_2048: { type: 'rsa', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' },
  RSA_3072: { type: 'rsa', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' },
  RSA_4096: { type: 'rsa', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' },
  ECC_NIST_P256: { type: 'ec', algorithm: 'ECDSA_SHA_256' },
};

/** `connect` builds the KMS client for the key's region (the region its ARN names). */
export async function kmsSigningKey(keyArn: string, connect: (region: string) => Promise<KmsSigningApi>): Promise<RemoteKey> {
  const m = KEY_ARN.exec(keyArn);
  if (!m) throw new SigningError(`--sign-kms-key: '${keyArn}' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); a full ARN names the key's region and account`);
  const client = await connect(m[1]!);
  let described: { spki: Buffer; type: 'rsa' | 'ec'; algorithm: string } | undefined;
  const describe = async () => {
    if (described) return described;
    const pub = await client.getPublicKey(keyArn);
    const spec = pub.KeySpec ?? '';
    const choice = ALGORITHM[spec];
    if (pub.KeyUsage !== 'SIGN_VERIFY' || !choice) throw new SigningError(`${keyArn} is a ${spec || '?'} ${pub.KeyUsage ?? '?'} key; trustpack signs with SIGN_VERIFY keys of spec ${Object.keys(ALGORITHM).join(', ')}`);
    if (!pub.SigningAlgorithms?.includes(choice.algorithm)) throw new SigningError(`${keyArn} does not offer ${choice.algorithm}`);
    if (!pub.PublicKey) throw new SigningError(`${keyArn}: GetPublicKey returned no key`);
    described = { spki: Buffer.from(pub.PublicKey), ...choice };
    return described;
  };
  const first = await describe().catch((e: unknown) => {
    if (e instanceof SigningError) throw e;
    throw new SigningError(`cannot read the KMS key ${keyArn}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  });
  return {
    type: first.type,
    label: keyArn,
    publicKeySpki: async () => (await describe()).spki,
    signDigest: async (digest) => {
      const { algorithm } = await describe();
      const out = await client.sign({ KeyId: keyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm });
      if (!out.Signature) throw new SigningError(`${keyArn}: Sign returned no signature`);
      return Buffer.from(out.Signature);
    },
  };
}
