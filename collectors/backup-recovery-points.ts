// backup.recovery-points: every recovery point of every AWS Backup vault of the region
// (ListBackupVaults, then ListRecoveryPointsByBackupVault per vault), as returned, plus where it
// is: `Region` and `Account` of the vault that holds it (copies land in the destination's vault).
import { BackupClient, paginateListBackupVaults, paginateListRecoveryPointsByBackupVault, type BackupVaultListMember } from '@aws-sdk/client-backup';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, errorDraft, makeDraft, requireArray, requireString, sendOptions } from './common.js';

const ID = 'backup.recovery-points';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, BackupClient);
  try {
    const vaults: BackupVaultListMember[] = [];
    for await (const page of paginateListBackupVaults({ client }, { MaxResults: 100 }, sendOptions(ctx))) vaults.push(...requireArray(page.BackupVaultList, 'BackupVaultList'));
    const perVault = await Promise.all(vaults.map(async (v): Promise<EvidenceRecordDraft[]> => {
      const name = requireString(v.BackupVaultName, 'BackupVaultName');
      const vaultArn = requireString(v.BackupVaultArn, 'BackupVaultArn');
      const input = { BackupVaultName: name, MaxResults: 100 };
      const parameters = callParameters({ ...input }, 'NextToken');
      const [, , , region, account] = vaultArn.split(':');
      const out: EvidenceRecordDraft[] = [];
      try {
        for await (const page of paginateListRecoveryPointsByBackupVault({ client }, input, sendOptions(ctx))) {
          const time = ctx.now().toISOString();
          for (const rp of requireArray(page.RecoveryPoints, 'RecoveryPoints')) {
            out.push(makeDraft(ctx, ID, {
              service: 'backup', operation: 'ListRecoveryPointsByBackupVault', parameters, time,
              resourceType: 'AWS::Backup::RecoveryPoint', resource: requireString(rp.RecoveryPointArn, 'RecoveryPointArn'),
              data: { ...rp, Region: region ?? ctx.region, Account: account ?? ctx.account },
            }));
          }
        }
      } catch (err) {
        // this vault's recovery points are unknown: one ERROR record on the vault, the others stand
        return [errorDraft(ctx, ID, {
          service: 'backup', operation: 'ListRecoveryPointsByBackupVault', parameters, time: ctx.now().toISOString(),
          resourceType: 'AWS::Backup::BackupVault', resource: vaultArn, failed: { operation: 'backup:ListRecoveryPointsByBackupVault', err },
        })];
      }
      return out;
    }));
    for (const records of perVault) yield* records;
  } finally {
    client.destroy();
  }
}
