// rds.db-instances: every DB instance of the region, as DescribeDBInstances returns it.
import { paginateDescribeDBInstances, RDSClient, type DescribeDBInstancesCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, makeDraft, requireArray, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBInstancesCommandInput = { MaxRecords: 100 };
    const parameters = callParameters({ ...input }, 'Marker');
    for await (const page of paginateDescribeDBInstances({ client }, input, sendOptions(ctx))) {
      const time = ctx.now().toISOString();
      for (const instance of requireArray(page.DBInstances, 'DBInstances')) {
        yield makeDraft(ctx, 'rds.db-instances', {
          service: 'rds', operation: 'DescribeDBInstances', parameters, time,
          resourceType: 'AWS::RDS::DBInstance',
          resource: requireString(instance.DBInstanceArn, 'DBInstanceArn'),
          data: instance,
        });
      }
    }
  } finally {
    client.destroy();
  }
}
