// The KMS client the KMS signer (src/signing/kms-signer.ts) signs through: the SDK is imported
// here, in the app layer, lazily, with the run's client settings and credential chain, so that
// src/signing stays free of the AWS SDK (docs/ARCHITECTURE.md, layers).
import { clientConfig, defaultCredentials } from '../aws/session.js';
import type { KmsSigningApi } from '../signing/kms-signer.js';

export function kmsSigningApi(opts: { profile?: string } = {}): (region: string) => Promise<KmsSigningApi> {
  return async (region) => {
    const { KMSClient, GetPublicKeyCommand, SignCommand } = await import('@aws-sdk/client-kms');
    const client = new KMSClient(clientConfig(region, await defaultCredentials(opts.profile), opts.profile ? { profile: opts.profile } : {}));
    return {
      getPublicKey: (keyId) => client.send(new GetPublicKeyCommand({ KeyId: keyId })),
      sign: (input) => client.send(new SignCommand({ ...input, SigningAlgorithm: input.SigningAlgorithm as never })),
    };
  };
}
