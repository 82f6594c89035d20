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

export const ACCOUNT = '111122223333';
/** Night `night` for the layout tests: ten clusters, each record's data as DescribeDBClusters returns it; `changed` clusters differ from night 1. */
export function richNight(night: number, changed: number[] = []): AppendInput {
  const asOf = `2026-03-${String(night).padStart(2, '0')}T02:00:00.000Z`;
  const records = Array.from({ length: 10 }, (_, i) => toRecord({
    collector: 'rds.db-clusters',
    source: { service: 'rds', operation: 'DescribeDBClusters', parameters: {}, region: 'us-east-1', account: ACCOUNT, time: asOf },
    resourceType: 'AWS::RDS::DBCluster', resource: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:c${i}`,
    data: {
      DBClusterIdentifier: `c${i}`, Engine: 'aurora-postgresql', StorageEncrypted: true, DeletionProtection: true,
      BackupRetentionPeriod: changed.includes(i) ? 7 + night : 7, AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    },
  }));
  const bundle: EvidenceBundle = {
    manifest: {
      formatVersion: 1, runId: `run-${night}`, tool: { name: 'trustpack', version: '0.1.0' }, accounts: [ACCOUNT], regions: ['us-east-1'],
      startedAt: asOf, endedAt: asOf, files: [],
      collections: [{ collector: 'rds.db-clusters', account: ACCOUNT, region: 'us-east-1', status: 'ok', calls: 1, records: 10, startedAt: asOf, endedAt: asOf }],
    },
    records,
  };
  return { files: bundleFiles(bundle), results: Buffer.from(JSON.stringify({ run: { id: `run-${night}` } }) + '\n'), catalog: 'c'.repeat(64) };
}

