// rds.global-clusters: Aurora global databases as DescribeGlobalClusters returns them, with every
// member cluster's ARN (secondaries usually live in other regions).
import { paginateDescribeGlobalClusters, RDSClient, type DescribeGlobalClustersCommandInput } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { callParameters, createClient, recordsOfPages, sendOptions } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeGlobalClustersCommandInput = { MaxRecords: 100 };
    yield* recordsOfPages(ctx, {
      collector: 'rds.global-clusters', service: 'rds', operation: 'DescribeGlobalClusters', resourceType: 'AWS::RDS::GlobalCluster',
      parameters: callParameters({ ...input }, 'Marker'),
      pages: paginateDescribeGlobalClusters({ client }, input, sendOptions(ctx)),
      items: (page) => page.GlobalClusters, itemsName: 'GlobalClusters',
      arn: (item) => item.GlobalClusterArn, arnName: 'GlobalClusterArn',
    });
  } finally {
    client.destroy();
  }
}
