// rds.db-clusters: every DB cluster of the region, as DescribeDBClusters returns it.
import { paginateDescribeDBClusters, RDSClient, type DescribeDBClustersCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, recordsOfPages, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBClustersCommandInput = { MaxRecords: 100 };
    yield* recordsOfPages(ctx, {
      collector: 'rds.db-clusters', service: 'rds', operation: 'DescribeDBClusters', resourceType: 'AWS::RDS::DBCluster',
      parameters: callParameters({ ...input }, 'Marker'),
      pages: paginateDescribeDBClusters({ client }, input, sendOptions(ctx)),
      items: (page) => page.DBClusters, itemsName: 'DBClusters',
      arn: (item) => item.DBClusterArn, arnName: 'DBClusterArn',
    });
  } finally {
    client.destroy();
  }
}
