// rds.cluster-topology (join, no calls): each cluster with the availability zones its member
// instances actually run in. Storage AZs say nothing about where compute fails over to.
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { dataOf, makeDraft, prior, str } from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const instances = new Map<string, EvidenceRecord>();
  for (const r of prior(ctx, 'rds.db-instances')) {
    // a record in error has no data: its ARN still names the instance
    const id = str(dataOf(r)['DBInstanceIdentifier']) ?? /:db:([^:]+)$/.exec(r.resource)?.[1];
    if (id) instances.set(id, r);
  }
  for (const cluster of prior(ctx, 'rds.db-clusters')) {
    const c = dataOf(cluster);
    const derivedFrom = [cluster.id];
    // a member whose instance was not read (its record in error, or no record at all): its zone
    // is unknown, so the zone count cannot be judged (ERROR naming it), never counted as 0
    const unread: { id: string; why: string; error?: NonNullable<EvidenceRecord['error']> }[] = [];
    const members = (Array.isArray(c['DBClusterMembers']) ? c['DBClusterMembers'] : []).map((m: unknown) => {
      const member = (m ?? {}) as Record<string, unknown>;
      const id = str(member['DBInstanceIdentifier']) ?? null;
      const instance = id ? instances.get(id) : undefined;
      if (instance) derivedFrom.push(instance.id);
      if (!instance) unread.push({ id: id ?? '(no identifier)', why: 'no DB instance record lists it' });
      else if (instance.error || !str(dataOf(instance)['AvailabilityZone'])) {
        unread.push({ id: id!, why: instance.error ? `${instance.error.operation} failed with ${instance.error.code}: ${instance.error.message}` : 'its record has no AvailabilityZone', ...(instance.error ? { error: instance.error } : {}) });
      }
      return {
        DBInstanceIdentifier: id,
        IsClusterWriter: typeof member['IsClusterWriter'] === 'boolean' ? member['IsClusterWriter'] : null,
        // null: the member is listed by the cluster but no instance record says where it runs
        AvailabilityZone: instance ? str(dataOf(instance)['AvailabilityZone']) ?? null : null,
      };
    });
    const memberAzs = [...new Set(members.map((m) => m.AvailabilityZone).filter((z): z is string => z !== null))].sort();
    const draft = makeDraft(ctx, 'rds.cluster-topology', {
      service: 'trustpack', operation: 'join', parameters: { join: ['rds.db-clusters', 'rds.db-instances'] },
      resourceType: 'AWS::RDS::DBCluster',
      resource: cluster.resource,
      derivedFrom,
      data: {
        DBClusterIdentifier: c['DBClusterIdentifier'] ?? null,
        DBClusterArn: c['DBClusterArn'] ?? cluster.resource,
        Engine: c['Engine'] ?? null,
        StorageAvailabilityZones: Array.isArray(c['AvailabilityZones']) ? c['AvailabilityZones'] : [],
        Members: members,
        MemberAvailabilityZones: memberAzs,
        // a global database's secondary cluster has no writer, and may have no instance at all
        MemberCount: members.length,
        HasWriter: members.some((m) => m.IsClusterWriter === true),
        GlobalClusterIdentifier: str(c['GlobalClusterIdentifier']) ?? null,
      },
    });
    if (unread.length > 0) {
      const first = unread[0]!;
      draft.error = {
        operation: first.error?.operation ?? 'rds:DescribeDBInstances',
        code: first.error?.code ?? 'MemberNotRead',
        message: `member instance(s) not read: ${unread.map((u) => `${u.id} (${u.why})`).join('; ')}`,
        fields: ['Members', 'MemberAvailabilityZones'],
      };
    }
    yield draft;
  }
}
