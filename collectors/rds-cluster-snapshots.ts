// rds.cluster-snapshots: every cluster snapshot (automated and manual); manual snapshots carry
// their attributes, whose `restore` entry says with whom the snapshot is shared.
import {
  DescribeDBClusterSnapshotAttributesCommand, paginateDescribeDBClusterSnapshots, RDSClient,
  type DBClusterSnapshot, type DescribeDBClusterSnapshotsCommandInput,
} from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import {
  callParameters, createClient, errorDraft, makeDraft, MalformedResponseError, requireArray, requireString, sendOptions,
} from './common.js';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const input: DescribeDBClusterSnapshotsCommandInput = { MaxRecords: 100 };
    const parameters = callParameters({ ...input }, 'Marker');
    const describe = async (snapshot: DBClusterSnapshot, time: string): Promise<EvidenceRecordDraft> => {
      const arn = requireString(snapshot.DBClusterSnapshotArn, 'DBClusterSnapshotArn');
      if (snapshot.SnapshotType !== 'manual') {
        return makeDraft(ctx, 'rds.cluster-snapshots', {
          service: 'rds', operation: 'DescribeDBClusterSnapshots', parameters, time,
          resourceType: 'AWS::RDS::DBClusterSnapshot', resource: arn, data: snapshot,
        });
      }
      const id = requireString(snapshot.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier');
      let list: unknown;
      try {
        const attrs = await client.send(
          new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }), sendOptions(ctx));
        list = attrs.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes;
        if (!Array.isArray(list)) throw new MalformedResponseError(`DescribeDBClusterSnapshotAttributes for ${id} returned no attribute list`);
      } catch (err) {
        // one snapshot (deleted while the run read it, or denied): its sharing is unknown, the rest stands
        return errorDraft(ctx, 'rds.cluster-snapshots', {
          service: 'rds', operation: 'DescribeDBClusterSnapshots+DescribeDBClusterSnapshotAttributes',
          parameters: { ...parameters, DBClusterSnapshotIdentifier: id }, time: ctx.now().toISOString(),
          resourceType: 'AWS::RDS::DBClusterSnapshot', resource: arn, data: snapshot,
          failed: { operation: 'rds:DescribeDBClusterSnapshotAttributes', err, fields: ['DBClusterSnapshotAttributes'] },
        });
      }
      return makeDraft(ctx, 'rds.cluster-snapshots', {
        // two calls made this record: the listing, then the snapshot's attributes
        service: 'rds', operation: 'DescribeDBClusterSnapshots+DescribeDBClusterSnapshotAttributes',
        parameters: { ...parameters, DBClusterSnapshotIdentifier: id },
        time: ctx.now().toISOString(),
        resourceType: 'AWS::RDS::DBClusterSnapshot', resource: arn,
        data: { ...snapshot, DBClusterSnapshotAttributes: list },
      });
    };
    // Attribute calls start as soon as their page arrives and do not hold up the next page.
    const pending: Promise<EvidenceRecordDraft>[] = [];
    for await (const page of paginateDescribeDBClusterSnapshots({ client }, input, sendOptions(ctx))) {
      const time = ctx.now().toISOString();
      for (const snapshot of requireArray(page.DBClusterSnapshots, 'DBClusterSnapshots')) {
        const p = describe(snapshot, time);
        p.catch(() => { /* reported by Promise.all below; avoids an unhandled rejection meanwhile */ });
        pending.push(p);
      }
    }
    yield* await Promise.all(pending);
  } finally {
    client.destroy();
  }
}

