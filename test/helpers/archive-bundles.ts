// Small synthetic runs for the archive tests: a bundle of one cluster record per night, the
// bytes bundleFiles() would write, and a results JSON standing in for the evaluated results.
import { bundleFiles } from '../../src/evidence/bundle.js';
import { toRecord } from '../../src/evidence/canonical.js';
import type { EvidenceBundle } from '../../src/evidence/model.js';
import type { AppendInput } from '../../src/archive/index.js';

function nightlyBundle(runId: string, asOf: string, value: number): EvidenceBundle {
  const record = toRecord({
    collector: 'rds.db-clusters',
    source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'us-east-1', account: '111122223333', time: asOf },
    resourceType: 'AWS::RDS::DBCluster', resource: 'arn:aws:rds:us-east-1:111122223333:cluster:orders', data: { value },
  });
  return {
    manifest: {
      formatVersion: 1, runId, tool: { name: 'trustpack', version: '0.1.0' }, accounts: ['111122223333'], regions: ['us-east-1'],
      startedAt: asOf, endedAt: asOf, collections: [{ collector: 'rds.db-clusters', account: '111122223333', region: 'us-east-1', status: 'ok', calls: 1, records: 1, startedAt: asOf, endedAt: asOf }], files: [],
    },
    records: [record],
  };
}

export function appendInput(runId: string, asOf: string, value: number): AppendInput {
  return {
    files: bundleFiles(nightlyBundle(runId, asOf, value)),
    results: Buffer.from(JSON.stringify({ run: { id: runId }, value }) + '\n'),
    catalog: 'c'.repeat(64),
  };
}
