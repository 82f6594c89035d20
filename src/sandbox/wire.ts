// Encoders for the two AWS wire protocols the sandbox speaks: query (XML answers) and JSON 1.1.
import type { WireValue } from './model.js';

/**
 * Item element names of the XML lists we emit, by list field name, as the SDK's RDS/STS schemas
 * declare them (node_modules/@aws-sdk/client-rds/dist-cjs/index.js: `{ xmlName: ... }` on list members).
 * A list not named here uses AWS's default item name, `member` (e.g. EnabledCloudwatchLogsExports).
 */
const XML_LIST_ITEMS: Record<string, string> = {
  DBClusters: 'DBCluster',
  AvailabilityZones: 'AvailabilityZone',
  DBClusterMembers: 'DBClusterMember',
  VpcSecurityGroups: 'VpcSecurityGroupMembership',
  DBClusterOptionGroupMemberships: 'DBClusterOptionGroup',
  ReadReplicaIdentifiers: 'ReadReplicaIdentifier',
  AssociatedRoles: 'DBClusterRole',
  TagList: 'Tag',
  DBInstances: 'DBInstance',
  DBParameterGroups: 'DBParameterGroup',
  DBSecurityGroups: 'DBSecurityGroup',
  OptionGroupMemberships: 'OptionGroupMembership',
  DBClusterSnapshots: 'DBClusterSnapshot',
  DBClusterSnapshotAttributes: 'DBClusterSnapshotAttribute',
  AttributeValues: 'AttributeValue',
  DBClusterAutomatedBackups: 'DBClusterAutomatedBackup',
  Parameters: 'Parameter',
  DBClusterParameterGroups: 'DBClusterParameterGroup',
  DBMajorEngineVersions: 'DBMajorEngineVersion',
  SupportedEngineLifecycles: 'SupportedEngineLifecycle',
  DBInstanceAutomatedBackups: 'DBInstanceAutomatedBackup',
  DBInstanceAutomatedBackupsReplications: 'DBInstanceAutomatedBackupsReplication',
  GlobalClusters: 'GlobalClusterMember',
  GlobalClusterMembers: 'GlobalClusterMember',
  Readers: 'member',
  DBSnapshots: 'DBSnapshot',
  DBSnapshotAttributes: 'DBSnapshotAttribute',
};

const XML_SPECIAL = /[&<>"']/;
const XML_SPECIALS = /[&<>"']/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(s: string): string {
  // most values have nothing to escape: test before building a new string
  return XML_SPECIAL.test(s) ? s.replace(XML_SPECIALS, (c) => XML_ENTITIES[c] ?? c) : s;
}

/** ISO 8601 with milliseconds, as AWS writes timestamps in XML. */
function xmlScalar(v: string | number | boolean | Date): string {
  if (v instanceof Date) return v.toISOString();
  return escapeXml(String(v));
}

/** `items`: list field name -> item element name (a service's own; RDS's by default). */
/** `Parent.List` keys name lists whose item name depends on the parent (CloudFront's `Items`). */
function xmlElement(name: string, value: WireValue, items: Record<string, string> = XML_LIST_ITEMS, parent = ''): string {
  if (value === undefined) return '';
  // string concatenation, no intermediate arrays: the sandbox encodes every answer of an estate
  if (Array.isArray(value)) {
    const item = items[`${parent}.${name}`] ?? items[name] ?? 'member';
    let out = `<${name}>`;
    for (const v of value) out += xmlElement(item, v, items, name);
    return `${out}</${name}>`;
  }
  if (value instanceof Date || typeof value !== 'object') return `<${name}>${xmlScalar(value)}</${name}>`;
  let out = `<${name}>`;
  for (const k of Object.keys(value)) out += xmlElement(k, value[k], items, name);
  return `${out}</${name}>`;
}

export interface XmlAnswer { status: number; contentType: string; body: string }

/** `<XResponse xmlns=NS><XResult>...</XResult><ResponseMetadata><RequestId>` */
export function queryResponse(ns: string, action: string, result: Record<string, WireValue>, requestId: string, items?: Record<string, string>): XmlAnswer {
  const inner = Object.entries(result).map(([k, v]) => xmlElement(k, v, items)).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, contentType: 'text/xml', body };
}

/** REST-XML (CloudFront): the output's one top-level element carries the namespace. */
export function restXmlResponse(ns: string, result: Record<string, WireValue>, items: Record<string, string>): XmlAnswer {
  const [name, value] = Object.entries(result)[0] ?? ['Empty', {}];
  const inner = xmlElement(name, value, items).replace(`<${name}>`, `<${name} xmlns="${ns}">`);
  return { status: 200, contentType: 'text/xml', body: `<?xml version="1.0" encoding="UTF-8"?>\n${inner}` };
}

export function queryError(ns: string, status: number, code: string, message: string, requestId: string): XmlAnswer {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>`
    + `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status, contentType: 'text/xml', body };
}

/** JSON 1.1 bodies: timestamps as epoch seconds, undefined fields left out. */
function toJsonValue(v: WireValue): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export function jsonResponse(result: Record<string, WireValue>): XmlAnswer {
  return { status: 200, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(toJsonValue(result)) };
}

export function jsonError(status: number, code: string, message: string): XmlAnswer {
  return { status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ __type: code, message }) };
}
