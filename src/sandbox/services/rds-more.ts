// More RDS read calls (query protocol): engine lifecycles, DB instance automated backups, global
// clusters and engine default cluster parameters, shaped after the RDS API reference
// (DescribeDBMajorEngineVersions, DescribeDBInstanceAutomatedBackups, DescribeGlobalClusters,
// DescribeEngineDefaultClusterParameters).
import { ApiError } from '../errors.js';
import { majorEngineVersions } from '../engine-lifecycles.js';
import { page } from '../paging.js';
import { parameterList } from '../defaults.js';
import type { WireObject } from '../model.js';
import type { CallContext, Handler } from './context.js';

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterValue', 400, message);
}

function maxRecords(q: URLSearchParams, max = 100): number {
  const raw = q.get('MaxRecords');
  if (raw === null) return max;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 20 || n > max) throw invalid(`Invalid value ${raw} for MaxRecords. Must be between 20 and ${max}`);
  return n;
}

function paged(ctx: CallContext, op: string, items: WireObject[], listName: string): Record<string, WireObject[] | string | undefined> {
  const p = page(items, maxRecords(ctx.query), ctx.query.get('Marker') ?? undefined, `rds:${op}`, () => invalid('The marker is not valid.'));
  return { [listName]: p.items, Marker: p.next };
}

const describeDBMajorEngineVersions: Handler = (ctx) => {
  const engine = ctx.query.get('Engine') ?? undefined;
  const major = ctx.query.get('MajorEngineVersion') ?? undefined;
  if (major && !engine) throw invalid('MajorEngineVersion requires Engine.');
  return paged(ctx, `DescribeDBMajorEngineVersions:${engine ?? ''}:${major ?? ''}`, majorEngineVersions(engine, major) as WireObject[], 'DBMajorEngineVersions');
};

const describeDBInstanceAutomatedBackups: Handler = (ctx) => {
  let items = ctx.region.instanceAutomatedBackups ?? [];
  const id = ctx.query.get('DBInstanceIdentifier');
  if (id) items = items.filter((b) => b['DBInstanceIdentifier'] === id);
  return paged(ctx, 'DescribeDBInstanceAutomatedBackups', items, 'DBInstanceAutomatedBackups');
};

const describeGlobalClusters: Handler = (ctx) => {
  let items = ctx.region.globalClusters ?? [];
  const id = ctx.query.get('GlobalClusterIdentifier');
  if (id) {
    items = items.filter((g) => g['GlobalClusterIdentifier'] === id);
    if (items.length === 0) throw new ApiError('GlobalClusterNotFoundFault', 404, `Global cluster ${id} not found.`);
  }
  return paged(ctx, 'DescribeGlobalClusters', items, 'GlobalClusters');
};

/**
 * DescribeEngineDefaultClusterParameters: the family's defaults (Source engine-default), with the
 * fixture's `engine_defaults` applied (null: the row without a ParameterValue, as AWS answers for
 * many parameters). The Marker sits inside EngineDefaults, as the API reference shapes it.
 */
const describeEngineDefaultClusterParameters: Handler = (ctx) => {
  const family = ctx.query.get('DBParameterGroupFamily');
  if (!family) throw new ApiError('MissingParameter', 400, 'The request must contain the parameter DBParameterGroupFamily');
  const overrides = ctx.region.engineDefaults?.[family] ?? {};
  const rows: WireObject[] = parameterList(family, {}).map((r) => ({ ...r }));
  for (const [name, value] of Object.entries(overrides)) {
    let row = rows.find((r) => r['ParameterName'] === name);
    if (!row) {
      row = { ParameterName: name, Description: name, Source: 'engine-default', ApplyType: 'dynamic', DataType: 'string', IsModifiable: true };
      rows.push(row);
    }
    if (value === null) delete row['ParameterValue'];
    else row['ParameterValue'] = value;
  }
  rows.sort((a, b) => String(a['ParameterName']).localeCompare(String(b['ParameterName'])));
  const p = page(rows, maxRecords(ctx.query), ctx.query.get('Marker') ?? undefined, `rds:DescribeEngineDefaultClusterParameters:${family}`, () => invalid('The marker is not valid.'));
  return { EngineDefaults: { DBParameterGroupFamily: family, Marker: p.next, Parameters: p.items } };
};

export const moreRdsOperations: Record<string, Handler> = {
  DescribeEngineDefaultClusterParameters: describeEngineDefaultClusterParameters,
  DescribeDBMajorEngineVersions: describeDBMajorEngineVersions,
  DescribeDBInstanceAutomatedBackups: describeDBInstanceAutomatedBackups,
  DescribeGlobalClusters: describeGlobalClusters,
};
