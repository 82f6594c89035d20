// backup.plans: every AWS Backup plan of the region (ListBackupPlans, then GetBackupPlan): its
// rules' lifecycles and copy actions. `CopyDestinations` lists each copy action's destination
// vault with the region and account its ARN names (and whether that is this account), so where
// copies go is judged from the ARNs.
import { BackupClient, GetBackupPlanCommand, paginateListBackupPlans, type BackupPlansListMember } from '@aws-sdk/client-backup';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, errorDraft, makeDraft, requireArray, requireString, sendOptions } from './common.js';

const ID = 'backup.plans';
const TYPE = 'AWS::Backup::BackupPlan';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, BackupClient);
  try {
    const input = { MaxResults: 100 };
    const parameters = callParameters({ ...input }, 'NextToken');
    const plans: BackupPlansListMember[] = [];
    for await (const page of paginateListBackupPlans({ client }, input, sendOptions(ctx))) plans.push(...requireArray(page.BackupPlansList, 'BackupPlansList'));
    yield* await Promise.all(plans.map(async (p): Promise<EvidenceRecordDraft> => {
      const id = requireString(p.BackupPlanId, 'BackupPlanId');
      const arn = requireString(p.BackupPlanArn, 'BackupPlanArn');
      const both = { service: 'backup', operation: 'ListBackupPlans+GetBackupPlan', parameters: { ...parameters, BackupPlanId: id }, resourceType: TYPE, resource: arn };
      try {
        const { $metadata: _m, ...plan } = await client.send(new GetBackupPlanCommand({ BackupPlanId: id }), sendOptions(ctx));
        const CopyDestinations = (plan.BackupPlan?.Rules ?? []).flatMap((rule) => (rule.CopyActions ?? []).map((a) => {
          const dest = a.DestinationBackupVaultArn ?? '';
          const [, , , region, account] = dest.split(':');
          return {
            RuleName: rule.RuleName ?? null, DestinationBackupVaultArn: dest, Region: region || null, Account: account || null, SameAccount: account === ctx.account,
            DeleteAfterDays: a.Lifecycle?.DeleteAfterDays ?? null, MoveToColdStorageAfterDays: a.Lifecycle?.MoveToColdStorageAfterDays ?? null,
          };
        }));
        return makeDraft(ctx, ID, { ...both, time: ctx.now().toISOString(), data: { ...plan, CopyDestinations } });
      } catch (err) {
        return errorDraft(ctx, ID, { ...both, time: ctx.now().toISOString(), data: p, failed: { operation: 'backup:GetBackupPlan', err, fields: ['BackupPlan', 'CopyDestinations'] } });
      }
    }));
  } finally {
    client.destroy();
  }
}
