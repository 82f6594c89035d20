// rds.cluster-parameters: the parameters of every cluster parameter group a cluster uses (read
// from rds.db-clusters), one record per group with every page of its parameters.
import {
  paginateDescribeDBClusterParameters, RDSClient, type DescribeDBClusterParametersCommandInput, type Parameter,
} from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import {
  callParameters, createClient, dataOf, errorDraft, makeDraft, mapConcurrent, partition, prior, requireArray, sendOptions, str,
} from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const groups = [...new Set(
    prior(ctx, 'rds.db-clusters')
      .map((r) => str(dataOf(r)['DBClusterParameterGroup']))
      .filter((g): g is string => g !== undefined && g !== ''),
  )].sort();
  if (groups.length === 0) return;
  const client = createClient(ctx, RDSClient);
  try {
    const drafts = await mapConcurrent(groups, async (name) => {
      const input: DescribeDBClusterParametersCommandInput = { DBClusterParameterGroupName: name, MaxRecords: 100 };
      const parameters = callParameters({ ...input }, 'Marker');
      const all: Parameter[] = [];
      const common = {
        service: 'rds', operation: 'DescribeDBClusterParameters', parameters,
        resourceType: 'AWS::RDS::DBClusterParameterGroup',
        resource: `arn:${partition(ctx.region)}:rds:${ctx.region}:${ctx.account}:cluster-pg:${name}`,
      };
      try {
        for await (const page of paginateDescribeDBClusterParameters({ client }, input, sendOptions(ctx))) {
          all.push(...requireArray(page.Parameters, 'Parameters'));
        }
      } catch (err) {
        // one group (deleted meanwhile, or denied): its clusters' parameters are unknown, the rest stands
        return errorDraft(ctx, 'rds.cluster-parameters', { ...common, failed: { operation: 'rds:DescribeDBClusterParameters', err } });
      }
      return makeDraft(ctx, 'rds.cluster-parameters', { ...common, data: { DBClusterParameterGroupName: name, Parameters: all } });
    });
    yield* drafts;
  } finally {
    client.destroy();
  }
}
