// RDS DB instance snapshots (query protocol): DescribeDBSnapshots and DescribeDBSnapshotAttributes,
// shaped after the RDS API reference. `shared` and `public` list snapshots other accounts share
// with the caller or made public: a fixture account has none, so those types answer empty lists.
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { WireObject } from '../model.js';
import type { Handler } from './context.js';

const invalid = (message: string) => new ApiError('InvalidParameterValue', 400, message);

const describeDBSnapshots: Handler = (ctx) => {
  const q = ctx.query;
  let items: WireObject[] = ctx.region.instanceSnapshots ?? [];
  const snapId = q.get('DBSnapshotIdentifier');
  if (snapId) {
    items = items.filter((s) => s['DBSnapshotIdentifier'] === snapId || s['DBSnapshotArn'] === snapId);
    if (items.length === 0) throw new ApiError('DBSnapshotNotFound', 404, `DBSnapshot ${snapId} not found.`);
  }
  const instanceId = q.get('DBInstanceIdentifier');
  if (instanceId) items = items.filter((s) => s['DBInstanceIdentifier'] === instanceId);
  const type = q.get('SnapshotType');
  if (type) {
    if (!['automated', 'manual', 'shared', 'public', 'awsbackup'].includes(type)) throw invalid(`Invalid snapshot type: ${type}`);
    items = items.filter((s) => s['SnapshotType'] === type);
  } else {
    // without a type RDS lists manual and automated snapshots only (awsbackup needs its own call)
    items = items.filter((s) => s['SnapshotType'] === 'manual' || s['SnapshotType'] === 'automated');
  }
  const raw = q.get('MaxRecords');
  const size = raw === null ? 100 : Number(raw);
  if (!Number.isInteger(size) || size < 20 || size > 100) throw invalid(`Invalid value ${raw} for MaxRecords. Must be between 20 and 100`);
  const p = page(items, size, q.get('Marker') ?? undefined, `rds:DescribeDBSnapshots:${type ?? ''}`, () => invalid('The marker is not valid.'));
  return { DBSnapshots: p.items, Marker: p.next };
};

const describeDBSnapshotAttributes: Handler = (ctx) => {
  const id = ctx.query.get('DBSnapshotIdentifier');
  if (!id) throw new ApiError('MissingParameter', 400, 'The request must contain the parameter DBSnapshotIdentifier');
  const snap = (ctx.region.instanceSnapshots ?? []).find((s) => s['DBSnapshotIdentifier'] === id || s['DBSnapshotArn'] === id);
  if (!snap) throw new ApiError('DBSnapshotNotFound', 404, `DBSnapshot ${id} not found.`);
  const name = String(snap['DBSnapshotIdentifier']);
  return {
    DBSnapshotAttributesResult: {
      DBSnapshotIdentifier: name,
      DBSnapshotAttributes: ctx.region.instanceSnapshotAttributes?.[name] ?? [{ AttributeName: 'restore', AttributeValues: [] }],
    },
  };
};

export const instanceSnapshotOperations: Record<string, Handler> = {
  DescribeDBSnapshots: describeDBSnapshots,
  DescribeDBSnapshotAttributes: describeDBSnapshotAttributes,
};
