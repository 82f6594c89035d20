// rds.db-instances: every DB instance of the region, as DescribeDBInstances returns it.
import { paginateDescribeDBInstances, RDSClient, type DescribeDBInstancesCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, recordsOfPages, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBInstancesCommandInput = { MaxRecords: 100 };
    yield* recordsOfPages(ctx, {
      collector: 'rds.db-instances', service: 'rds', operation: 'DescribeDBInstances', resourceType: 'AWS::RDS::DBInstance',
      parameters: callParameters({ ...input }, 'Marker'),
      pages: paginateDescribeDBInstances({ client }, input, sendOptions(ctx)),
      items: (page) => page.DBInstances, itemsName: 'DBInstances',
      arn: (item) => item.DBInstanceArn, arnName: 'DBInstanceArn',
    });
  } finally {
    client.destroy();
  }
}
