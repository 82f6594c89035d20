// rds.db-clusters: every DB cluster of the region, as DescribeDBClusters returns it.
import { paginateDescribeDBClusters, RDSClient, type DescribeDBClustersCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, makeDraft, requireArray, requireString, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBClustersCommandInput = { MaxRecords: 100 };
    const parameters = callParameters({ ...input }, 'Marker');
    for await (const page of paginateDescribeDBClusters({ client }, input, sendOptions(ctx))) {
      const time = ctx.now().toISOString();
      for (const cluster of requireArray(page.DBClusters, 'DBClusters')) {
        yield makeDraft(ctx, 'rds.db-clusters', {
          service: 'rds', operation: 'DescribeDBClusters', parameters, time,
          resourceType: 'AWS::RDS::DBCluster',
          resource: requireString(cluster.DBClusterArn, 'DBClusterArn'),
          data: cluster,
        });
      }
    }
  } finally {
    client.destroy();
  }
}
