// rds.encryption-keys (join, no calls): each cluster, instance, cluster snapshot and automated
// backup with the facts of the KMS key that encrypts it, so one control reads one record.
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, makeDraft, prior, str } from './common.js';

const SOURCES: readonly { collector: string; resourceType: string; idField: string }[] = [
  { collector: 'rds.db-clusters', resourceType: 'AWS::RDS::DBCluster', idField: 'DBClusterIdentifier' },
  { collector: 'rds.db-instances', resourceType: 'AWS::RDS::DBInstance', idField: 'DBInstanceIdentifier' },
  { collector: 'rds.cluster-snapshots', resourceType: 'AWS::RDS::DBClusterSnapshot', idField: 'DBClusterSnapshotIdentifier' },
  { collector: 'rds.cluster-automated-backups', resourceType: 'AWS::RDS::DBClusterAutomatedBackup', idField: 'DBClusterIdentifier' },
];

/** The joined facts a key record gives, and the key record's fields they come from. */
const KEY_FACTS = ['KeyManager', 'KeySpec', 'KeyOrigin', 'KeyState', 'KeyRotationEnabled', 'KeyAliases', 'KeyOwnerAccount'];
const JOINED_FIELD: Record<string, string> = { KeyRotationEnabled: 'KeyRotationEnabled', Aliases: 'KeyAliases', KeyMetadata: 'KeyManager' };

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  // A resource names its key by ARN, key id or alias: index the key records under each.
  const keys = new Map<string, EvidenceRecord>();
  for (const k of prior(ctx, 'kms.keys')) {
    const d = dataOf(k);
    const meta = (d['KeyMetadata'] ?? {}) as Record<string, unknown>;
    const arn = str(meta['Arn']);
    const keyId = str(meta['KeyId']);
    const refs = [arn, keyId, k.source.parameters['KeyId'], k.resource];
    const aliases = Array.isArray(d['Aliases']) ? d['Aliases'] : [];
    for (const alias of aliases) {
      if (typeof alias !== 'string') continue;
      refs.push(alias);
      if (arn) refs.push(`${arn.split(':').slice(0, 5).join(':')}:${alias}`);
    }
    for (const ref of refs) if (typeof ref === 'string') keys.set(ref, k);
  }

  for (const { collector, resourceType, idField } of SOURCES) {
    for (const r of prior(ctx, collector)) {
      const d = dataOf(r);
      const kmsKeyId = str(d['KmsKeyId']) ?? null;
      const encrypted = typeof d['StorageEncrypted'] === 'boolean' ? d['StorageEncrypted'] : null;
      const key = kmsKeyId ? keys.get(kmsKeyId) : undefined;
      const kd = key ? dataOf(key) : undefined;
      const meta = (kd?.['KeyMetadata'] ?? {}) as Record<string, unknown>;
      // Key facts only when the resource is encrypted and its key was described.
      const fact = (v: unknown): unknown => (key && encrypted !== false ? v ?? null : null);
      const keyError = encrypted !== false ? key?.error : undefined;
      const draft = makeDraft(ctx, 'rds.encryption-keys', {
        service: 'trustpack', operation: 'join', parameters: { join: [collector, 'kms.keys'] },
        resourceType, resource: r.resource,
        derivedFrom: key ? [r.id, key.id] : [r.id],
        data: {
          ResourceType: resourceType,
          ResourceId: str(d[idField]) ?? null,
          // every source (cluster, instance, snapshot, automated backup) carries Engine: controls state their engines by it
          Engine: str(d['Engine']) ?? null,
          StorageEncrypted: encrypted,
          KmsKeyId: kmsKeyId,
          KeyManager: fact(meta['KeyManager']),
          KeySpec: fact(meta['KeySpec'] ?? meta['CustomerMasterKeySpec']),
          KeyOrigin: fact(meta['Origin']),
          KeyState: fact(meta['KeyState']),
          KeyRotationEnabled: fact(kd?.['KeyRotationEnabled']),
          KeyAliases: key && encrypted !== false ? (Array.isArray(kd?.['Aliases']) ? kd['Aliases'] : []) : null,
          KeyOwnerAccount: key && encrypted !== false ? key.owner ?? str(meta['AWSAccountId']) ?? key.source.account : null,
        },
      });
      if (keyError) {
        // the key could not be (fully) read: the facts it would have given are missing evidence
        draft.error = {
          operation: keyError.operation, code: keyError.code, message: `key ${key!.resource}: ${keyError.message}`,
          fields: keyError.fields ? keyError.fields.map((f) => JOINED_FIELD[f] ?? f) : KEY_FACTS,
        };
      }
      yield draft;
    }
  }
}
