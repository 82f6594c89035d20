// rds.data-locations (join, no calls): where every copy of database data lives: each cluster,
// instance, cluster and instance snapshot, cluster and instance automated backup of the region, plus the
// copies this region's resources send elsewhere: automated-backup replication of DB instances
// (DBInstanceAutomatedBackupsReplications; Aurora has none) and the secondary clusters of
// Aurora global databases. One record per copy, with the region it is in.
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, makeDraft, prior, str } from './common.js';

const regionOfArn = (arn: string): string | null => arn.split(':')[3] || null;
// the engine of the copy's source (every RDS answer joined here carries Engine): controls state their engines by it
const engineOf = (r: EvidenceRecord): string | null => str(dataOf(r)['Engine']) ?? null;

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const join = ['rds.db-clusters', 'rds.db-instances', 'rds.cluster-snapshots', 'rds.cluster-automated-backups', 'rds.instance-automated-backups', 'rds.global-clusters', 'rds.instance-snapshots'];
  const draft = (from: EvidenceRecord, resource: string, resourceType: string, data: Record<string, unknown>): EvidenceRecordDraft =>
    makeDraft(ctx, 'rds.data-locations', {
      service: 'trustpack', operation: 'join', parameters: { join }, resourceType, resource, derivedFrom: [from.id],
      data: { ...data, CollectedIn: ctx.region },
    });
  const local = (collector: string, type: string, kind: string, idField: string) =>
    prior(ctx, collector).map((r) => draft(r, r.resource, type, {
      Kind: kind, Identifier: dataOf(r)[idField] ?? null, Engine: engineOf(r), Region: regionOfArn(r.resource) ?? ctx.region, Via: 'stored here',
    }));
  yield* local('rds.db-clusters', 'AWS::RDS::DBCluster', 'cluster', 'DBClusterIdentifier');
  yield* local('rds.db-instances', 'AWS::RDS::DBInstance', 'instance', 'DBInstanceIdentifier');
  yield* local('rds.cluster-snapshots', 'AWS::RDS::DBClusterSnapshot', 'cluster snapshot', 'DBClusterSnapshotIdentifier');
  yield* local('rds.cluster-automated-backups', 'AWS::RDS::DBClusterAutomatedBackup', 'cluster automated backup', 'DBClusterIdentifier');
  yield* local('rds.instance-automated-backups', 'AWS::RDS::DBInstanceAutomatedBackup', 'instance automated backup', 'DBInstanceIdentifier');
  yield* local('rds.instance-snapshots', 'AWS::RDS::DBSnapshot', 'instance snapshot', 'DBSnapshotIdentifier');
  for (const r of prior(ctx, 'rds.db-instances')) {
    const d = dataOf(r);
    for (const rep of Array.isArray(d['DBInstanceAutomatedBackupsReplications']) ? d['DBInstanceAutomatedBackupsReplications'] : []) {
      const arn = str(((rep ?? {}) as Record<string, unknown>)['DBInstanceAutomatedBackupsArn']);
      if (!arn) continue;
      yield draft(r, arn, 'AWS::RDS::DBInstanceAutomatedBackup', {
        Kind: 'replicated instance backup', Identifier: d['DBInstanceIdentifier'] ?? null, Engine: engineOf(r), Region: regionOfArn(arn),
        Via: `automated-backup replication of ${r.resource}`,
      });
    }
  }
  for (const r of prior(ctx, 'rds.global-clusters')) {
    const d = dataOf(r);
    const members = (Array.isArray(d['GlobalClusterMembers']) ? d['GlobalClusterMembers'] : []).map((m) => (m ?? {}) as Record<string, unknown>);
    // a global cluster is listed in every region that holds a member: its writer's region reports it
    const writer = members.find((m) => m['IsWriter'] === true);
    const writerArn = str(writer?.['DBClusterArn']);
    if (writerArn && regionOfArn(writerArn) !== ctx.region) continue;
    for (const m of members) {
      const arn = str(m['DBClusterArn']);
      if (!arn || m['IsWriter'] === true) continue;
      yield draft(r, arn, 'AWS::RDS::DBCluster', {
        Kind: 'global database secondary', Identifier: arn.split(':cluster:')[1] ?? null, Engine: engineOf(r), Region: regionOfArn(arn),
        Via: `global database ${String(d['GlobalClusterIdentifier'] ?? r.resource)}`,
      });
    }
  }
}
