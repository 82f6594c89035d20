// rds.engine-lifecycles: every DB cluster and stand-alone DB instance with the lifecycle of its
// major engine version as DescribeDBMajorEngineVersions reports it (SupportedEngineLifecycles:
// standard support, then RDS Extended Support), one call per engine in use.
import { paginateDescribeDBMajorEngineVersions, RDSClient, type DBMajorEngineVersion } from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import { createClient, dataOf, makeDraft, mapConcurrent, prior, sendOptions, str } from './common.js';

/** The major version an engine version belongs to: the longest listed major it starts with. */
export function majorOf(version: string, majors: readonly string[]): string | null {
  const matching = majors.filter((m) => version === m || version.startsWith(`${m}.`));
  return matching.sort((a, b) => b.length - a.length)[0] ?? null;
}

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString() : typeof d === 'string' ? d : null);

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const clusters = prior(ctx, 'rds.db-clusters');
  // members of a cluster follow the cluster's version; only stand-alone instances count alone
  const instances = prior(ctx, 'rds.db-instances').filter((r) => !str(dataOf(r)['DBClusterIdentifier']));
  const resources: { record: EvidenceRecord; type: string }[] = [
    ...clusters.map((record) => ({ record, type: 'AWS::RDS::DBCluster' })),
    ...instances.map((record) => ({ record, type: 'AWS::RDS::DBInstance' })),
  ];
  const engines = [...new Set(resources.map((r) => str(dataOf(r.record)['Engine'])).filter((e): e is string => !!e))].sort();
  if (engines.length === 0) return;
  const client = createClient(ctx, RDSClient);
  try {
    const lists = await mapConcurrent(engines, async (engine) => {
      const all: DBMajorEngineVersion[] = [];
      for await (const page of paginateDescribeDBMajorEngineVersions({ client }, { Engine: engine, MaxRecords: 100 }, sendOptions(ctx))) {
        all.push(...(page.DBMajorEngineVersions ?? []));
      }
      return [engine, all] as const;
    });
    const byEngine = new Map(lists);
    const time = ctx.now().toISOString();
    for (const { record, type } of resources) {
      const d = dataOf(record);
      const engine = str(d['Engine']) ?? '';
      const version = str(d['EngineVersion']) ?? '';
      const majors = byEngine.get(engine) ?? [];
      const major = majorOf(version, majors.map((m) => m.MajorEngineVersion ?? '').filter((m) => m !== ''));
      const entry = majors.find((m) => m.MajorEngineVersion === major);
      const lifecycles = (entry?.SupportedEngineLifecycles ?? []).map((l) => ({
        LifecycleSupportName: l.LifecycleSupportName ?? null,
        LifecycleSupportStartDate: iso(l.LifecycleSupportStartDate),
        LifecycleSupportEndDate: iso(l.LifecycleSupportEndDate),
      }));
      const standard = lifecycles.find((l) => l.LifecycleSupportName === 'open-source-rds-standard-support');
      yield makeDraft(ctx, 'rds.engine-lifecycles', {
        service: 'rds', operation: 'DescribeDBMajorEngineVersions', parameters: { Engine: engine, MaxRecords: 100 }, time,
        resourceType: type, resource: record.resource, derivedFrom: [record.id],
        data: {
          ResourceType: type,
          Identifier: d['DBClusterIdentifier'] ?? d['DBInstanceIdentifier'] ?? null,
          Engine: engine, EngineVersion: version, MajorEngineVersion: major,
          SupportedEngineLifecycles: lifecycles,
          // null: AWS lists no standard-support window for this major version
          StandardSupportEndDate: standard?.LifecycleSupportEndDate ?? null,
        },
      });
    }
  } finally {
    client.destroy();
  }
}
