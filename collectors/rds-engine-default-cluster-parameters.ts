// rds.engine-default-cluster-parameters: the engine default cluster parameters of every Aurora
// parameter-group family a cluster of the region uses (DescribeEngineDefaultClusterParameters,
// every page), one record per family. The TLS join reads it when neither the cluster's group nor
// a cited per-version row gives the minimum TLS version.
import {
  paginateDescribeEngineDefaultClusterParameters, RDSClient, type Parameter,
} from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import {
  callParameters, createClient, dataOf, errorDraft, makeDraft, mapConcurrent, partition, prior, requireArray, sendOptions, str,
} from './common.js';
import { clusterParameterGroupFamily } from './rds-tls-defaults.js';

/** The ARN-shaped name the record is filed under: a family is not an AWS resource with an ARN. */
export function familyResource(ctx: { region: string; account: string }, family: string): string {
  return `arn:${partition(ctx.region)}:rds:${ctx.region}:${ctx.account}:engine-default-cluster-parameters:${family}`;
}

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const families = [...new Set(
    prior(ctx, 'rds.db-clusters')
      .map((r) => clusterParameterGroupFamily(str(dataOf(r)['Engine']), str(dataOf(r)['EngineVersion'])))
      .filter((f): f is string => f !== null),
  )].sort();
  if (families.length === 0) return;
  const client = createClient(ctx, RDSClient);
  try {
    yield* await mapConcurrent(families, async (family) => {
      const common = {
        service: 'rds', operation: 'DescribeEngineDefaultClusterParameters',
        parameters: callParameters({ DBParameterGroupFamily: family, MaxRecords: 100 }, 'Marker'),
        resourceType: 'AWS::RDS::EngineDefaultClusterParameters', resource: familyResource(ctx, family),
      };
      const all: Parameter[] = [];
      try {
        const input = { DBParameterGroupFamily: family, MaxRecords: 100 };
        for await (const page of paginateDescribeEngineDefaultClusterParameters({ client }, input, sendOptions(ctx))) {
          all.push(...requireArray(page.EngineDefaults?.Parameters, 'EngineDefaults.Parameters'));
        }
      } catch (err) {
        return errorDraft(ctx, 'rds.engine-default-cluster-parameters', { ...common, failed: { operation: 'rds:DescribeEngineDefaultClusterParameters', err } });
      }
      return makeDraft(ctx, 'rds.engine-default-cluster-parameters', { ...common, data: { DBParameterGroupFamily: family, Parameters: all } });
    });
  } finally {
    client.destroy();
  }
}
