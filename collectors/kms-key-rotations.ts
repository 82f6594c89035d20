// kms.key-rotations: for every imported (EXTERNAL) key of kms.keys that the collecting account
// owns, the completed rotations ListKeyRotations returns, and the age of the key material in
// use: imported keys cannot rotate automatically, only on demand, so the last rotation (or, with
// none, the key's creation) dates the material. ListKeyRotations answers only in the key's own
// account: a key of another account is recorded as such, and its rotation is a matter for an
// attestation.
import { KMSClient, paginateListKeyRotations, type RotationsListEntry } from '@aws-sdk/client-kms';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, makeDraft, mapConcurrent, prior, sendOptions, str } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const imported = prior(ctx, 'kms.keys').filter((r) => {
    const meta = (dataOf(r)['KeyMetadata'] ?? {}) as Record<string, unknown>;
    return meta['Origin'] === 'EXTERNAL';
  });
  if (imported.length === 0) return;
  const clients = new Map<string, KMSClient>();
  try {
    const drafts = await mapConcurrent(imported, async (r) => {
      const meta = (dataOf(r)['KeyMetadata'] ?? {}) as Record<string, unknown>;
      const arn = r.resource;
      const owner = str(meta['AWSAccountId']) ?? arn.split(':')[4] ?? '';
      const region = arn.split(':')[3] || ctx.region;
      const created = meta['CreationDate'];
      const base = {
        KeyArn: arn, KeyOrigin: 'EXTERNAL', KeyOwner: owner, KeyState: meta['KeyState'] ?? null,
        CreationDate: typeof created === 'string' ? created : created instanceof Date ? created.toISOString() : null,
      };
      if (owner !== ctx.account) {
        return makeDraft(ctx, 'kms.key-rotations', {
          service: 'trustpack', operation: 'join', parameters: { join: ['kms.keys'] }, region,
          resourceType: 'AWS::KMS::Key', resource: arn, derivedFrom: [r.id],
          data: { ...base, SameAccount: false, Rotations: null, MaterialDate: null },
        });
      }
      let client = clients.get(region);
      if (!client) clients.set(region, (client = createClient(ctx, KMSClient, region)));
      const rotations: RotationsListEntry[] = [];
      for await (const page of paginateListKeyRotations({ client }, { KeyId: arn, Limit: 100 }, sendOptions(ctx))) {
        rotations.push(...(page.Rotations ?? []));
      }
      const dates = rotations.map((x) => x.RotationDate).filter((d): d is Date => d instanceof Date).map((d) => d.toISOString()).sort();
      return makeDraft(ctx, 'kms.key-rotations', {
        service: 'kms', operation: 'ListKeyRotations', parameters: { KeyId: arn, Limit: 100 }, region,
        resourceType: 'AWS::KMS::Key', resource: arn,
        data: {
          ...base, SameAccount: true, Rotations: rotations,
          LastRotationDate: dates.at(-1) ?? null,
          // the date the material in use dates from: the last rotation, else the key's creation
          MaterialDate: dates.at(-1) ?? base.CreationDate,
        },
      });
    });
    yield* drafts;
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}
