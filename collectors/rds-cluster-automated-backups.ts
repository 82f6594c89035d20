// rds.cluster-automated-backups: automated backups of clusters, including the retained backups
// of deleted clusters (the ones a deletion-window promise is about).
import {
  paginateDescribeDBClusterAutomatedBackups, RDSClient, type DescribeDBClusterAutomatedBackupsCommandInput,
} from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, makeDraft, requireArray, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBClusterAutomatedBackupsCommandInput = { MaxRecords: 100 };
    const parameters = callParameters({ ...input }, 'Marker');
    for await (const page of paginateDescribeDBClusterAutomatedBackups({ client }, input, sendOptions(ctx))) {
      const time = ctx.now().toISOString();
      for (const backup of requireArray(page.DBClusterAutomatedBackups, 'DBClusterAutomatedBackups')) {
        yield makeDraft(ctx, 'rds.cluster-automated-backups', {
          service: 'rds', operation: 'DescribeDBClusterAutomatedBackups', parameters, time,
          resourceType: 'AWS::RDS::DBClusterAutomatedBackup',
          resource: requireString(backup.DBClusterAutomatedBackupsArn, 'DBClusterAutomatedBackupsArn'),
          data: backup,
        });
      }
    }
  } finally {
    client.destroy();
  }
}
