// rds.instance-automated-backups: automated backups of RDS DB instances (not Aurora: Aurora's
// backups are cluster backups), as DescribeDBInstanceAutomatedBackups returns them, including
// the backups replicated into this region from another and retained backups of deleted instances.
import { paginateDescribeDBInstanceAutomatedBackups, RDSClient, type DescribeDBInstanceAutomatedBackupsCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, recordsOfPages, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBInstanceAutomatedBackupsCommandInput = { MaxRecords: 100 };
    yield* recordsOfPages(ctx, {
      collector: 'rds.instance-automated-backups', service: 'rds', operation: 'DescribeDBInstanceAutomatedBackups',
      resourceType: 'AWS::RDS::DBInstanceAutomatedBackup',
      parameters: callParameters({ ...input }, 'Marker'),
      pages: paginateDescribeDBInstanceAutomatedBackups({ client }, input, sendOptions(ctx)),
      items: (page) => page.DBInstanceAutomatedBackups, itemsName: 'DBInstanceAutomatedBackups',
      arn: (item) => item.DBInstanceAutomatedBackupsArn, arnName: 'DBInstanceAutomatedBackupsArn',
    });
  } finally {
    client.destroy();
  }
}
