// kms.keys: every KMS key that encrypts a cluster, instance, snapshot or backup (read from the
// four RDS collectors), with its metadata, rotation status and aliases. A referenced key that
// cannot be described fails the collection: that evidence would be missing.
import {
  DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, paginateListAliases, type AliasListEntry,
} from '@aws-sdk/client-kms';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, makeDraft, mapConcurrent, prior, requireString, sendOptions, str } from './common.js';

const SOURCES = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups'];

/** The region of a key reference: an ARN names it; a bare key id or alias lives in ctx.region. */
function keyRegion(keyRef: string, fallback: string): string {
  const parts = keyRef.split(':');
  return keyRef.startsWith('arn:') && parts[3] ? parts[3] : fallback;
}

/** Errors meaning "this key has no rotation status", not "the evidence is missing". */
function cannotRotate(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'UnsupportedOperationException' || name === 'KMSInvalidStateException';
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const refs = new Set<string>();
  for (const collector of SOURCES) {
    for (const r of prior(ctx, collector)) {
      const id = str(dataOf(r)['KmsKeyId']);
      if (id) refs.add(id);
    }
  }
  if (refs.size === 0) return;

  const clients = new Map<string, KMSClient>();
  const clientFor = (region: string): KMSClient => {
    let c = clients.get(region);
    if (!c) {
      c = createClient(ctx, KMSClient, region);
      clients.set(region, c);
    }
    return c;
  };
  // One region-wide alias listing instead of a call per key.
  const aliasLists = new Map<string, Promise<AliasListEntry[]>>();
  const aliasesIn = (region: string): Promise<AliasListEntry[]> => {
    let p = aliasLists.get(region);
    if (!p) {
      p = (async () => {
        const all: AliasListEntry[] = [];
        for await (const page of paginateListAliases({ client: clientFor(region) }, { Limit: 100 }, sendOptions(ctx))) {
          all.push(...(page.Aliases ?? []));
        }
        return all;
      })();
      aliasLists.set(region, p);
    }
    return p;
  };

  try {
    const drafts = await mapConcurrent([...refs].sort(), async (ref) => {
      const region = keyRegion(ref, ctx.region);
      const client = clientFor(region);
      const described = await client.send(new DescribeKeyCommand({ KeyId: ref }), sendOptions(ctx));
      const meta = described.KeyMetadata;
      if (!meta) throw new Error(`DescribeKey for ${ref} returned no KeyMetadata`);
      const arn = requireString(meta.Arn, 'KeyMetadata.Arn');
      const keyId = requireString(meta.KeyId, 'KeyMetadata.KeyId');
      let rotation: boolean | null;
      // how often and when next (GetKeyRotationStatus, for keys with automatic rotation on)
      let schedule: { RotationPeriodInDays: number | null; NextRotationDate: string | null } = { RotationPeriodInDays: null, NextRotationDate: null };
      try {
        const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), sendOptions(ctx));
        rotation = typeof status.KeyRotationEnabled === 'boolean' ? status.KeyRotationEnabled : null;
        schedule = {
          RotationPeriodInDays: typeof status.RotationPeriodInDays === 'number' ? status.RotationPeriodInDays : null,
          NextRotationDate: status.NextRotationDate instanceof Date ? status.NextRotationDate.toISOString() : null,
        };
      } catch (err) {
        if (!cannotRotate(err)) throw err;
        rotation = null; // imported (EXTERNAL), CloudHSM and asymmetric keys do not rotate
      }
      const mine = (await aliasesIn(region)).filter((a) => a.TargetKeyId === keyId || a.TargetKeyId === arn);
      const aliases = mine.map((a) => a.AliasName).filter((n): n is string => typeof n === 'string').sort();
      // the names a project file may use for the key: its ARN and its aliases' ARNs
      const names = [arn, ...mine.map((a) => a.AliasArn).filter((n): n is string => typeof n === 'string').sort()];
      return {
        arn,
        draft: makeDraft(ctx, 'kms.keys', {
          service: 'kms', operation: 'DescribeKey+GetKeyRotationStatus+ListAliases', parameters: { KeyId: ref },
          region, resourceType: 'AWS::KMS::Key', resource: arn,
          data: { KeyMetadata: meta, KeyRotationEnabled: rotation, ...schedule, Aliases: aliases, KeyArns: names },
        }),
      };
    });
    // Several references (ARN, key id) can name one key: one record per key.
    const seen = new Set<string>();
    for (const { arn, draft } of drafts) {
      if (seen.has(arn)) continue;
      seen.add(arn);
      yield draft;
    }
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}
