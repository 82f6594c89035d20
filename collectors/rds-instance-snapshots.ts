// rds.instance-snapshots: every DB instance snapshot the account owns: DescribeDBSnapshots without
// a type (manual and automated), then with SnapshotType=awsbackup (snapshots AWS Backup made).
// Never `shared` or `public`: those list other accounts' snapshots. Manual snapshots carry their
// attributes, whose `restore` entry says with whom they are shared ("all": public).
import {
  DescribeDBSnapshotAttributesCommand, paginateDescribeDBSnapshots, RDSClient,
  type DBSnapshot, type DescribeDBSnapshotsCommandInput,
} from '@aws-sdk/client-rds';
import type { CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import {
  callParameters, createClient, errorDraft, makeDraft, MalformedResponseError, requireArray, requireString, sendOptions,
} from './common.js';

const ID = 'rds.instance-snapshots';
const TYPE = 'AWS::RDS::DBSnapshot';

export async function* collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft> {
  const client = createClient(ctx, RDSClient);
  try {
    const describe = async (snapshot: DBSnapshot, parameters: Record<string, unknown>, time: string): Promise<EvidenceRecordDraft> => {
      const arn = requireString(snapshot.DBSnapshotArn, 'DBSnapshotArn');
      if (snapshot.SnapshotType !== 'manual') {
        return makeDraft(ctx, ID, { service: 'rds', operation: 'DescribeDBSnapshots', parameters, time, resourceType: TYPE, resource: arn, data: snapshot });
      }
      const id = requireString(snapshot.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
      const both = { service: 'rds', operation: 'DescribeDBSnapshots+DescribeDBSnapshotAttributes', parameters: { ...parameters, DBSnapshotIdentifier: id } };
      let list: unknown;
      try {
        const attrs = await client.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id }), sendOptions(ctx));
        list = attrs.DBSnapshotAttributesResult?.DBSnapshotAttributes;
        if (!Array.isArray(list)) throw new MalformedResponseError(`DescribeDBSnapshotAttributes for ${id} returned no attribute list`);
      } catch (err) {
        // one snapshot (deleted meanwhile, or denied): its sharing is unknown, the rest stands
        return errorDraft(ctx, ID, {
          ...both, time: ctx.now().toISOString(), resourceType: TYPE, resource: arn, data: snapshot,
          failed: { operation: 'rds:DescribeDBSnapshotAttributes', err, fields: ['DBSnapshotAttributes'] },
        });
      }
      return makeDraft(ctx, ID, { ...both, time: ctx.now().toISOString(), resourceType: TYPE, resource: arn, data: { ...snapshot, DBSnapshotAttributes: list } });
    };
    const pending: Promise<EvidenceRecordDraft>[] = [];
    // manual and automated (no type), then the snapshots AWS Backup owns
    for (const input of [{ MaxRecords: 100 }, { MaxRecords: 100, SnapshotType: 'awsbackup' }] satisfies DescribeDBSnapshotsCommandInput[]) {
      const parameters = callParameters({ ...input }, 'Marker');
      for await (const page of paginateDescribeDBSnapshots({ client }, input, sendOptions(ctx))) {
        const time = ctx.now().toISOString();
        for (const snapshot of requireArray(page.DBSnapshots, 'DBSnapshots')) {
          const p = describe(snapshot, parameters, time);
          p.catch(() => { /* reported by Promise.all below */ });
          pending.push(p);
        }
      }
    }
    yield* await Promise.all(pending);
  } finally {
    client.destroy();
  }
}
