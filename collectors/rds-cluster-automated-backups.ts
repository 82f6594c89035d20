// rds.cluster-automated-backups: automated backups of clusters, including the retained backups
// of deleted clusters (the ones a deletion-window promise is about).
import { paginateDescribeDBClusterAutomatedBackups, RDSClient, type DescribeDBClusterAutomatedBackupsCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, recordsOfPages, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBClusterAutomatedBackupsCommandInput = { MaxRecords: 100 };
    yield* recordsOfPages(ctx, {
      collector: 'rds.cluster-automated-backups', service: 'rds', operation: 'DescribeDBClusterAutomatedBackups', resourceType: 'AWS::RDS::DBClusterAutomatedBackup',
      parameters: callParameters({ ...input }, 'Marker'),
      pages: paginateDescribeDBClusterAutomatedBackups({ client }, input, sendOptions(ctx)),
      items: (page) => page.DBClusterAutomatedBackups, itemsName: 'DBClusterAutomatedBackups',
      arn: (item) => item.DBClusterAutomatedBackupsArn, arnName: 'DBClusterAutomatedBackupsArn',
    });
  } finally {
    client.destroy();
  }
}
