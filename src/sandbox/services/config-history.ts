// AWS Config's configuration history (JSON 1.1, StarlingDoveService): ListDiscoveredResources,
// GetResourceConfigHistory and BatchGetResourceConfig, shaped after the Config API reference. Served from the
// region's fixture timelines (fixture-history.ts).
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { WireObject, WireValue } from '../model.js';
import type { StoredItem, Timeline } from '../history-model.js';
import { CONFIG_SCHEMA_TYPES } from '../../util/config-schema.js';
import type { CallContext, Handler } from './context.js';

const SEVEN_DAYS_MS = 7 * 86_400_000;

const badToken = () => new ApiError('InvalidNextTokenException', 400, 'The specified next token is invalid. Specify the nextToken string that was returned in the previous response to get the next page of results.');

function validation(field: string, value: unknown, constraint: string): ApiError {
  return new ApiError('ValidationException', 400, `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function resourceType(ctx: CallContext): string {
  const t = ctx.json['resourceType'];
  if (typeof t !== 'string' || !t) throw validation('resourceType', null, 'Member must not be null');
  // The types we vendor a schema for are the only ones the sandbox knows; AWS rejects unknown
  // enum values the same way (cluster parameter groups and automated backups are not Config types).
  if (!(CONFIG_SCHEMA_TYPES as readonly string[]).includes(t)) {
    throw validation('resourceType', t, `Member must satisfy enum value set: [${CONFIG_SCHEMA_TYPES.join(', ')}, ...]`);
  }
  return t;
}

function limitOf(ctx: CallContext, dflt: number): number {
  const v = ctx.json['limit'] ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) {
    throw new ApiError('InvalidLimitException', 400, `The limit ${String(v)} is not valid: specify a number from 0 to 100.`);
  }
  return v === 0 ? dflt : v;
}

function timeOf(ctx: CallContext, field: string): Date | undefined {
  const v = ctx.json[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ApiError('SerializationException', 400, `${field} must be a timestamp`);
  return new Date(Math.round(v * 1000));
}

function nextToken(ctx: CallContext): string | undefined {
  const t = ctx.json['nextToken'];
  return typeof t === 'string' && t !== '' ? t : undefined;
}

function timelines(ctx: CallContext): Timeline[] {
  return ctx.region.history?.timelines ?? [];
}

/** A resource is discovered once its first item is captured (items in the future do not exist yet). */
function discoveredBy(t: Timeline, now: Date): boolean {
  return (t.items[0]?.captureTime.getTime() ?? Infinity) <= now.getTime();
}

const listDiscoveredResources: Handler = (ctx) => {
  const type = resourceType(ctx);
  const ids = ctx.json['resourceIds'];
  const name = ctx.json['resourceName'];
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))) throw validation('resourceIds', ids, 'Member must be a list of strings');
  if (Array.isArray(ids) && ids.length > 0 && typeof name === 'string') {
    throw new ApiError('ValidationException', 400, 'You cannot specify both resourceIds and resourceName.');
  }
  const withDeleted = ctx.json['includeDeletedResources'] === true;
  const limit = limitOf(ctx, 100);
  const all = timelines(ctx).filter((t) => t.resourceType === type && discoveredBy(t, ctx.now)
    && (withDeleted || !t.deletedAt || t.deletedAt.getTime() > ctx.now.getTime())
    && (!Array.isArray(ids) || ids.length === 0 || ids.includes(t.resourceId))
    && (typeof name !== 'string' || t.resourceName === name));
  const p = page(all, limit, nextToken(ctx), `config:ListDiscoveredResources:${type}:${withDeleted}:${JSON.stringify(ids ?? null)}:${String(name ?? '')}`, badToken);
  return {
    resourceIdentifiers: p.items.map((t) => ({
      resourceType: t.resourceType, resourceId: t.resourceId, resourceName: t.resourceName,
      resourceDeletionTime: t.deletedAt && t.deletedAt.getTime() <= ctx.now.getTime() ? t.deletedAt : undefined,
    })),
    nextToken: p.next,
  };
};

/** A ConfigurationItem as the API returns it: configuration and supplementary values are JSON strings. */
function wireItem(ctx: CallContext, t: Timeline, i: StoredItem): WireObject {
  const b = i.body;
  const supplementary: Record<string, WireValue> = {};
  for (const [k, v] of Object.entries(b?.supplementaryConfiguration ?? {})) supplementary[k] = JSON.stringify(v);
  return {
    version: '1.3',
    accountId: ctx.account.id,
    configurationItemCaptureTime: i.captureTime,
    configurationItemStatus: i.status,
    configurationStateId: i.stateId,
    configurationItemMD5Hash: '',
    arn: t.arn,
    resourceType: t.resourceType,
    resourceId: t.resourceId,
    resourceName: t.resourceName,
    awsRegion: ctx.region.name,
    availabilityZone: b?.availabilityZone,
    resourceCreationTime: b?.resourceCreationTime,
    tags: b ? b.tags : undefined,
    relatedEvents: [],
    relationships: [],
    configuration: b ? JSON.stringify(b.configuration) : undefined,
    supplementaryConfiguration: b ? supplementary : undefined,
    recordingFrequency: 'CONTINUOUS',
    configurationItemDeliveryTime: new Date(i.captureTime.getTime() + 60_000),
  };
}

const getResourceConfigHistory: Handler = (ctx) => {
  const type = resourceType(ctx);
  const id = ctx.json['resourceId'];
  if (typeof id !== 'string' || !id) throw validation('resourceId', null, 'Member must not be null');
  const later = timeOf(ctx, 'laterTime') ?? ctx.now;
  const earlier = timeOf(ctx, 'earlierTime');
  if (earlier && earlier.getTime() > later.getTime()) {
    throw new ApiError('InvalidTimeRangeException', 400, 'The specified time range is not valid. The earlier time is not chronologically before the later time.');
  }
  // "Each call to the API is limited to span a duration of seven days." Without earlierTime the
  // answer starts at the first item recorded (API reference); newest first it walks back seven
  // days a page (walkBack).
  if (earlier && later.getTime() - earlier.getTime() > SEVEN_DAYS_MS) {
    throw new ApiError('InvalidTimeRangeException', 400, 'The specified time range is not valid. The time range between earlierTime and laterTime cannot exceed 7 days.');
  }
  const order = ctx.json['chronologicalOrder'] ?? 'Reverse';
  if (order !== 'Reverse' && order !== 'Forward') throw validation('chronologicalOrder', order, 'Member must satisfy enum value set: [Reverse, Forward]');
  const limit = limitOf(ctx, 10);
  const t = timelines(ctx).find((x) => x.resourceType === type && x.resourceId === id && discoveredBy(x, ctx.now));
  if (!t) throw new ApiError('ResourceNotDiscoveredException', 400, `Resource ${id} of resourceType:${type} is unknown or has not been discovered`);
  // the token is tied to the query as sent (a missing laterTime means "now" on every page)
  const scope = `config:GetResourceConfigHistory:${type}:${id}:${String(ctx.json['laterTime'] ?? '')}:${earlier?.getTime() ?? ''}:${order}`;
  if (!earlier && order === 'Reverse') return walkBack(ctx, t, later, limit, scope);
  const inRange = t.items.filter((i) => i.captureTime.getTime() <= later.getTime() && (!earlier || i.captureTime.getTime() >= earlier.getTime()));
  if (order === 'Reverse') inRange.reverse();
  const p = page(inRange, limit, nextToken(ctx), scope, badToken);
  return { configurationItems: p.items.map((i) => wireItem(ctx, t, i)), nextToken: p.next };
};

/**
 * Newest first without earlierTime: each call still spans at most seven days ("It is likely
 * that the number of records returned is smaller than the specified limit. In such cases, you
 * can make another call, using the nextToken"). A page covers (cursor - 7 days, cursor], the
 * cursor starting at laterTime and carried in the token; a page with nothing in its seven days
 * is empty but carries a token while older items exist, so an item a year old takes some
 * fifty calls to reach.
 */
function walkBack(ctx: CallContext, t: Timeline, later: Date, limit: number, scope: string): WireObject {
  let cursor = later.getTime();
  let offset = 0;
  const token = nextToken(ctx);
  if (token !== undefined) {
    const d = decodeWalkToken(token);
    if (!d || d.scope !== scope || d.cursor > later.getTime()) throw badToken();
    cursor = d.cursor;
    offset = d.offset;
  }
  const from = cursor - SEVEN_DAYS_MS;
  const window = t.items.filter((i) => i.captureTime.getTime() <= cursor && i.captureTime.getTime() > from).reverse();
  if (offset > window.length) throw badToken();
  const items = window.slice(offset, offset + limit);
  let next: string | undefined;
  if (offset + limit < window.length) next = encodeWalkToken(scope, cursor, offset + limit);
  else if (t.items.some((i) => i.captureTime.getTime() <= from)) next = encodeWalkToken(scope, from, 0);
  return { configurationItems: items.map((i) => wireItem(ctx, t, i)), nextToken: next };
}

function encodeWalkToken(scope: string, cursor: number, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, c: cursor, o: offset }), 'utf8').toString('base64url');
}

function decodeWalkToken(token: string): { scope: string; cursor: number; offset: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; c?: unknown; o?: unknown };
    if (typeof v.s === 'string' && Number.isInteger(v.c) && Number.isInteger(v.o) && (v.o as number) >= 0) {
      return { scope: v.s, cursor: v.c as number, offset: v.o as number };
    }
  } catch {
    // not ours: fall through
  }
  return undefined;
}

/**
 * Each resource's CURRENT item as a BaseConfigurationItem (API reference): 1 to 100 resource
 * keys; deleted resources and unknown keys are simply absent ("does not return results for
 * deleted resources"); no tags ("filtered out"), no relationships, related events or MD5 hash.
 * The sandbox processes every key it is sent unless started with `configBatchProcessed`: keys
 * past that many come back in unprocessedResourceKeys, for a client to send again.
 */
const batchGetResourceConfig: Handler = (ctx) => {
  const keys = ctx.json['resourceKeys'];
  if (!Array.isArray(keys)) throw validation('resourceKeys', null, 'Member must not be null');
  if (keys.length < 1 || keys.length > 100) {
    throw validation('resourceKeys', `[${keys.length} keys]`, 'Member must have length less than or equal to 100, Member must have length greater than or equal to 1');
  }
  const items: WireObject[] = [];
  const unprocessed: WireObject[] = [];
  const budget = ctx.configBatchProcessed ?? keys.length;
  keys.forEach((k, n) => {
    const key = k !== null && typeof k === 'object' && !Array.isArray(k) ? k as Record<string, unknown> : {};
    const type = key['resourceType'];
    const id = key['resourceId'];
    if (typeof type !== 'string' || !(CONFIG_SCHEMA_TYPES as readonly string[]).includes(type)) {
      throw validation(`resourceKeys.${n + 1}.member.resourceType`, type ?? null, `Member must satisfy enum value set: [${CONFIG_SCHEMA_TYPES.join(', ')}, ...]`);
    }
    if (typeof id !== 'string' || id.length < 1 || id.length > 768) {
      throw validation(`resourceKeys.${n + 1}.member.resourceId`, id ?? null, 'Member must have length between 1 and 768');
    }
    if (n >= budget) {
      unprocessed.push({ resourceType: type, resourceId: id });
      return;
    }
    const t = timelines(ctx).find((x) => x.resourceType === type && x.resourceId === id && discoveredBy(x, ctx.now));
    if (!t || (t.deletedAt && t.deletedAt.getTime() <= ctx.now.getTime())) return;
    const current = t.items.filter((i) => i.captureTime.getTime() <= ctx.now.getTime()).at(-1);
    if (!current || current.status === 'ResourceDeleted' || current.status === 'ResourceDeletedNotRecorded') return;
    const { tags: _t, relatedEvents: _e, relationships: _r, configurationItemMD5Hash: _h, ...base } = wireItem(ctx, t, current);
    items.push(base);
  });
  return { baseConfigurationItems: items, unprocessedResourceKeys: unprocessed };
};

export const configHistoryOperations: Record<string, Handler> = {
  ListDiscoveredResources: listDiscoveredResources,
  GetResourceConfigHistory: getResourceConfigHistory,
  BatchGetResourceConfig: batchGetResourceConfig,
};
