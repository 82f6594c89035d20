// RDS (query protocol, API version 2014-10-31): the read-only Describe* calls trustpack makes.
import { ApiError } from '../errors.js';
import { page, tokenAtEnd } from '../paging.js';
import type { WireObject } from '../model.js';
import type { CallContext, Handler } from './context.js';
import { moreRdsOperations } from './rds-more.js';
import { instanceSnapshotOperations } from './rds-instance-snapshots.js';

export const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterValue', 400, message);
}

/** MaxRecords: default 100, 20 to 100 as AWS enforces. */
function maxRecords(q: URLSearchParams): number {
  const raw = q.get('MaxRecords');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 20 || n > 100) throw invalid(`Invalid value ${raw} for MaxRecords. Must be between 20 and 100`);
  return n;
}

/** Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M */
function filters(q: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 1; q.has(`Filters.Filter.${i}.Name`); i++) {
    const name = q.get(`Filters.Filter.${i}.Name`) ?? '';
    const values: string[] = [];
    for (let j = 1; q.has(`Filters.Filter.${i}.Values.Value.${j}`); j++) values.push(q.get(`Filters.Filter.${i}.Values.Value.${j}`) ?? '');
    out.set(name, [...(out.get(name) ?? []), ...values]);
  }
  return out;
}

/** Applies supported filters; `fields` maps a filter name to the value(s) an item offers. */
function applyFilters<T>(items: T[], q: URLSearchParams, fields: Record<string, (item: T) => string[]>): T[] {
  let out = items;
  for (const [name, values] of filters(q)) {
    const get = fields[name];
    if (!get) throw invalid(`Unrecognized filter name: ${name}.`);
    out = out.filter((item) => get(item).some((v) => values.includes(v)));
  }
  return out;
}

/** The `Marker` paging every Describe* call shares. */
function paged<T extends WireObject>(ctx: CallContext, op: string, items: T[], listName: string): Record<string, T[] | string | undefined> {
  const p = page(items, maxRecords(ctx.query), ctx.query.get('Marker') ?? undefined, `rds:${op}`, () => invalid('The marker is not valid.'));
  // `empty_last_page`: the last page with items still carries a marker, and the page it names is empty
  if (ctx.region.emptyLastPage && p.next === undefined && p.items.length > 0) return { [listName]: p.items, Marker: tokenAtEnd(`rds:${op}`, items.length) };
  return { [listName]: p.items, Marker: p.next };
}

const str = (v: unknown): string[] => (v === undefined ? [] : [String(v)]);

const describeDBClusters: Handler = (ctx) => {
  const id = ctx.query.get('DBClusterIdentifier');
  let items = ctx.region.clusters;
  if (id) {
    items = items.filter((c) => c.DBClusterIdentifier === id || c.DBClusterArn === id);
    if (items.length === 0) throw new ApiError('DBClusterNotFoundFault', 404, `DBCluster ${id} not found.`);
  }
  items = applyFilters(items, ctx.query, {
    'db-cluster-id': (c) => [c.DBClusterIdentifier, c.DBClusterArn],
    'db-cluster-resource-id': (c) => [c.DbClusterResourceId],
    engine: (c) => [c.Engine],
  });
  return paged(ctx, 'DescribeDBClusters', items, 'DBClusters');
};

const describeDBInstances: Handler = (ctx) => {
  const id = ctx.query.get('DBInstanceIdentifier');
  const gone = ctx.region.vanishing;
  let items = gone ? ctx.region.instances.filter((i) => !gone.includes(i.DBInstanceIdentifier)) : ctx.region.instances;
  if (id) {
    items = items.filter((i) => i.DBInstanceIdentifier === id || i.DBInstanceArn === id);
    if (items.length === 0) throw new ApiError('DBInstanceNotFound', 404, `DBInstance ${id} not found.`);
  }
  items = applyFilters(items, ctx.query, {
    'db-cluster-id': (i) => {
      const c = ctx.region.clusters.find((x) => x.DBClusterIdentifier === i.DBClusterIdentifier);
      return [...str(i.DBClusterIdentifier), ...str(c?.DBClusterArn)];
    },
    'db-instance-id': (i) => [i.DBInstanceIdentifier, i.DBInstanceArn],
    'dbi-resource-id': (i) => str(i['DbiResourceId']),
    engine: (i) => [i.Engine],
  });
  return paged(ctx, 'DescribeDBInstances', items, 'DBInstances');
};

const describeDBClusterSnapshots: Handler = (ctx) => {
  const q = ctx.query;
  let items = ctx.region.snapshots;
  const snapId = q.get('DBClusterSnapshotIdentifier');
  if (snapId) {
    items = items.filter((s) => s.DBClusterSnapshotIdentifier === snapId || s.DBClusterSnapshotArn === snapId);
    if (items.length === 0) throw new ApiError('DBClusterSnapshotNotFoundFault', 404, `DBClusterSnapshot ${snapId} not found.`);
  }
  const clusterId = q.get('DBClusterIdentifier');
  if (clusterId) items = items.filter((s) => s.DBClusterIdentifier === clusterId || `${s.DBClusterSnapshotArn.split(':cluster-snapshot:')[0]}:cluster:${s.DBClusterIdentifier}` === clusterId);
  const resourceId = q.get('DbClusterResourceId');
  if (resourceId) items = items.filter((s) => s['DbClusterResourceId'] === resourceId);
  const type = q.get('SnapshotType');
  if (type) {
    const known = ['automated', 'manual', 'shared', 'public', 'awsbackup'];
    if (!known.includes(type)) throw invalid(`Invalid snapshot type: ${type}`);
    // shared and public list other accounts' snapshots; a fixture account has none shared with it
    items = items.filter((s) => s.SnapshotType === type);
  }
  items = applyFilters(items, q, {
    'db-cluster-id': (s) => [s.DBClusterIdentifier],
    'db-cluster-snapshot-id': (s) => [s.DBClusterSnapshotIdentifier, s.DBClusterSnapshotArn],
    'snapshot-type': (s) => [s.SnapshotType],
    engine: (s) => [s.Engine],
  });
  return paged(ctx, 'DescribeDBClusterSnapshots', items, 'DBClusterSnapshots');
};

const describeDBClusterSnapshotAttributes: Handler = (ctx) => {
  const id = ctx.query.get('DBClusterSnapshotIdentifier');
  if (!id) throw new ApiError('MissingParameter', 400, 'The request must contain the parameter DBClusterSnapshotIdentifier');
  const snap = ctx.region.snapshots.find((s) => s.DBClusterSnapshotIdentifier === id || s.DBClusterSnapshotArn === id);
  if (!snap || ctx.region.vanishing?.includes(snap.DBClusterSnapshotIdentifier)) throw new ApiError('DBClusterSnapshotNotFoundFault', 404, `DBClusterSnapshot ${id} not found.`);
  return {
    DBClusterSnapshotAttributesResult: {
      DBClusterSnapshotIdentifier: snap.DBClusterSnapshotIdentifier,
      DBClusterSnapshotAttributes: ctx.region.snapshotAttributes[snap.DBClusterSnapshotIdentifier] ?? [{ AttributeName: 'restore', AttributeValues: [] }],
    },
  };
};

const describeDBClusterAutomatedBackups: Handler = (ctx) => {
  const q = ctx.query;
  let items = ctx.region.automatedBackups;
  const clusterId = q.get('DBClusterIdentifier');
  const resourceId = q.get('DbClusterResourceId');
  if (clusterId) items = items.filter((b) => b.DBClusterIdentifier === clusterId);
  if (resourceId) items = items.filter((b) => b.DbClusterResourceId === resourceId);
  if ((clusterId || resourceId) && items.length === 0) {
    throw new ApiError('DBClusterAutomatedBackupNotFoundFault', 404, `No automated backup for DB cluster ${clusterId ?? resourceId} found.`);
  }
  items = applyFilters(items, q, {
    status: (b) => [b.Status],
    'db-cluster-id': (b) => [b.DBClusterIdentifier],
    'db-cluster-resource-id': (b) => [b.DbClusterResourceId],
  });
  return paged(ctx, 'DescribeDBClusterAutomatedBackups', items, 'DBClusterAutomatedBackups');
};

function findGroup(ctx: CallContext, name: string) {
  const g = ctx.region.parameterGroups.find((p) => p.group.DBClusterParameterGroupName === name);
  if (!g || ctx.region.vanishing?.includes(name)) throw new ApiError('DBParameterGroupNotFound', 404, `DBClusterParameterGroup not found: ${name}`);
  return g;
}

const describeDBClusterParameters: Handler = (ctx) => {
  const name = ctx.query.get('DBClusterParameterGroupName');
  if (!name) throw new ApiError('MissingParameter', 400, 'The request must contain the parameter DBClusterParameterGroupName');
  let items = findGroup(ctx, name).parameters;
  const source = ctx.query.get('Source');
  if (source) {
    if (!['user', 'engine-default', 'system'].includes(source)) throw invalid(`Invalid source: ${source}. Valid values are user, engine-default and system.`);
    items = items.filter((p) => p.Source === source);
  }
  items = applyFilters(items, ctx.query, { 'parameter-name': (p) => [p.ParameterName] });
  const p = page(items, maxRecords(ctx.query), ctx.query.get('Marker') ?? undefined, `rds:DescribeDBClusterParameters:${name}`, () => invalid('The marker is not valid.'));
  return { Parameters: p.items, Marker: p.next };
};

const describeDBClusterParameterGroups: Handler = (ctx) => {
  const name = ctx.query.get('DBClusterParameterGroupName');
  const groups = name ? [findGroup(ctx, name)] : ctx.region.parameterGroups;
  return paged(ctx, 'DescribeDBClusterParameterGroups', groups.map((g) => g.group), 'DBClusterParameterGroups');
};

export const rdsOperations: Record<string, Handler> = {
  DescribeDBClusters: describeDBClusters,
  DescribeDBInstances: describeDBInstances,
  DescribeDBClusterSnapshots: describeDBClusterSnapshots,
  DescribeDBClusterSnapshotAttributes: describeDBClusterSnapshotAttributes,
  DescribeDBClusterAutomatedBackups: describeDBClusterAutomatedBackups,
  DescribeDBClusterParameters: describeDBClusterParameters,
  DescribeDBClusterParameterGroups: describeDBClusterParameterGroups,
  ...moreRdsOperations,
  ...instanceSnapshotOperations,
};
