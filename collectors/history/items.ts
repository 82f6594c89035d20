// Configuration items as GetResourceConfigHistory returns them, parsed once, and the one way a
// normaliser reads them: `prop`, which refuses any property the vendored AWS Config schema
// (vendor/aws-config-resource-schema) does not list for the type. A misspelt or invented
// property therefore fails loudly (and test/history-schema.test.ts catches it) instead of
// reading as "absent".
import type { BaseConfigurationItem, ConfigurationItem } from '@aws-sdk/client-config-service';
import { configSchemaPaths } from '../../src/util/config-schema.js';
import { MalformedResponseError } from '../errors.js';

export interface HistoryItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  captureTime: Date;
  status: string;
  stateId: string;
  configuration?: Record<string, unknown>;
  /** values parsed from the JSON strings Config stores them as */
  supplementary: Record<string, unknown>;
  tags: Record<string, string>;
  /**
   * Fields the item's source does not carry: BatchGetResourceConfig's BaseConfigurationItem has
   * no tags (nor relationships, related events, MD5 hash). `prop` refuses to read them.
   */
  notCarried?: readonly string[];
}

/** The statuses whose item holds the resource's configuration. */
export const RECORDED_STATUSES = new Set(['OK', 'ResourceDiscovered']);
export const DELETED_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded']);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedResponseError(`${what} is not JSON`);
  }
}

export function parseItem(ci: ConfigurationItem): HistoryItem {
  const { resourceType, resourceId, configurationItemCaptureTime: at, configurationItemStatus: status, configurationStateId: stateId } = ci;
  if (!resourceType || !resourceId || !(at instanceof Date) || !status || !stateId) {
    throw new MalformedResponseError('configuration item without resourceType, resourceId, capture time, status or state id');
  }
  const where = `configuration item ${stateId} of ${resourceType} ${resourceId}`;
  let configuration: Record<string, unknown> | undefined;
  if (typeof ci.configuration === 'string' && ci.configuration !== '' && ci.configuration !== 'null') {
    const parsed = parseJson(ci.configuration, `the configuration of ${where}`);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedResponseError(`the configuration of ${where} is not an object`);
    configuration = parsed as Record<string, unknown>;
  }
  const supplementary: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ci.supplementaryConfiguration ?? {})) supplementary[k] = parseJson(v, `supplementaryConfiguration.${k} of ${where}`);
  return {
    resourceType, resourceId, captureTime: at, status, stateId, supplementary, tags: { ...(ci.tags ?? {}) },
    ...(ci.resourceName ? { resourceName: ci.resourceName } : {}),
    ...(ci.arn ? { arn: ci.arn } : {}),
    ...(configuration ? { configuration } : {}),
  };
}

/** A current item from BatchGetResourceConfig: the same fields as a history item, but no tags. */
export function parseBaseItem(bi: BaseConfigurationItem): HistoryItem {
  return { ...parseItem(bi), notCarried: ['tags'] };
}

/** A property the vendored schema does not list for the type: a bug in a normaliser. */
export class SchemaViolation extends Error {
  constructor(type: string, path: string) {
    super(`AWS Config does not record "${path}" for ${type} (vendor/aws-config-resource-schema); a normaliser must not read it`);
    this.name = 'SchemaViolation';
  }
}

/** Every property path read so far, by type (tests compare them with the schema). */
const READ_PATHS = new Map<string, Set<string>>();

function allow(type: string, path: string): void {
  const paths = configSchemaPaths(type);
  // a list of scalars is listed as its own path; a list of objects by its members' paths
  if (!paths || !(paths.has(path) || [...paths].some((p) => p.startsWith(`${path}.`)))) throw new SchemaViolation(type, path);
  let seen = READ_PATHS.get(type);
  if (!seen) READ_PATHS.set(type, seen = new Set());
  seen.add(path);
}

/**
 * The value at a schema path of the item: `configuration.a.b`, `supplementaryConfiguration.K`
 * (parsed), or `tags`. Undefined when the item does not carry it.
 */
export function prop(item: HistoryItem, path: string): unknown {
  allow(item.resourceType, path === 'tags' ? 'tags.key' : path);
  const [head, ...rest] = path.split('.');
  // reading "no tags" from an item that never carried them would be a guess, not evidence
  if (item.notCarried?.includes(head!)) throw new Error(`configuration item ${item.stateId} of ${item.resourceType} ${item.resourceId} does not carry ${head} (BatchGetResourceConfig); read it from the history`);
  let v: unknown = head === 'configuration' ? item.configuration : head === 'supplementaryConfiguration' ? item.supplementary : head === 'tags' ? item.tags : undefined;
  for (const k of rest) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** A field of one element of a list property (`configuration.dbclusterMembers` + `dbinstanceIdentifier`). */
export function member(type: string, listPath: string, element: unknown, key: string): unknown {
  allow(type, `${listPath}.${key}`);
  return element !== null && typeof element === 'object' ? (element as Record<string, unknown>)[key] : undefined;
}
