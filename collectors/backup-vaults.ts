// backup.vaults: every AWS Backup vault of the region (ListBackupVaults), each described
// (DescribeBackupVault: Vault Lock state, minimum and maximum retention, lock date, key).
import { BackupClient, DescribeBackupVaultCommand, paginateListBackupVaults, type BackupVaultListMember } from '@aws-sdk/client-backup';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, errorDraft, makeDraft, requireArray, requireString, sendOptions } from './common.js';

const ID = 'backup.vaults';
const TYPE = 'AWS::Backup::BackupVault';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, BackupClient);
  try {
    const input = { MaxResults: 100 };
    const parameters = callParameters({ ...input }, 'NextToken');
    const vaults: BackupVaultListMember[] = [];
    for await (const page of paginateListBackupVaults({ client }, input, sendOptions(ctx))) vaults.push(...requireArray(page.BackupVaultList, 'BackupVaultList'));
    const records = await Promise.all(vaults.map(async (v): Promise<EvidenceRecordDraft> => {
      const name = requireString(v.BackupVaultName, 'BackupVaultName');
      const arn = requireString(v.BackupVaultArn, 'BackupVaultArn');
      const both = { service: 'backup', operation: 'ListBackupVaults+DescribeBackupVault', parameters: { ...parameters, BackupVaultName: name }, resourceType: TYPE, resource: arn };
      try {
        const { $metadata: _m, ...described } = await client.send(new DescribeBackupVaultCommand({ BackupVaultName: name }), sendOptions(ctx));
        return makeDraft(ctx, ID, { ...both, time: ctx.now().toISOString(), data: described });
      } catch (err) {
        return errorDraft(ctx, ID, {
          ...both, time: ctx.now().toISOString(), data: v,
          failed: { operation: 'backup:DescribeBackupVault', err, fields: ['Locked', 'MinRetentionDays', 'MaxRetentionDays', 'LockDate'] },
        });
      }
    }));
    yield* records;
  } finally {
    client.destroy();
  }
}
