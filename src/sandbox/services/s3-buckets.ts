// S3's read side for the fixture accounts' buckets (REST-XML, as the S3 API reference shows it):
// ListBuckets (global, paged with max-buckets and continuation-token, BucketRegion in each entry
// when the request carries a parameter, filtered by prefix and bucket-region) and the per-bucket
// GetObjectLockConfiguration, GetBucketVersioning, GetBucketEncryption,
// GetBucketLifecycleConfiguration, GetBucketReplication and GetPublicAccessBlock. A bucket is
// answered only in its own region (else 301 PermanentRedirect with x-amz-bucket-region, as AWS
// does) and only to its owner (else 403 AccessDenied); a configuration that was never set is S3's
// own 404 for it.
import type { Account, Fixture, WireValue } from '../model.js';
import type { FixtureBucket } from '../model.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Answer { status: number; headers?: Record<string, string>; body?: string }

export class S3ReadError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, string> = {}, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
const doc = (root: string, inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`;

/** Lists S3 flattens: the list's name -> the repeated element's name (S3 API reference). */
const FLAT: Record<string, string> = {
  Rules: 'Rule', Transitions: 'Transition', NoncurrentVersionTransitions: 'NoncurrentVersionTransition', Tags: 'Tag',
};

/** An element, with S3's flattened lists: `Rules: [a, b]` -> `<Rule>a</Rule><Rule>b</Rule>`. */
function xml(name: string, v: WireValue): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) {
    const item = FLAT[name] ?? name;
    return v.map((x) => xml(item, x)).join('');
  }
  if (v instanceof Date) return `<${name}>${v.toISOString()}</${name}>`;
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => xml(k, x)).join('')}</${name}>`;
  return `<${name}>${esc(String(v))}</${name}>`;
}

/** The IAM action AWS names in an access-denied message, where it differs from the API's name. */
const IAM_ACTION: Record<string, string> = {
  GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
  GetBucketEncryption: 'GetEncryptionConfiguration',
  GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
  GetBucketReplication: 'GetReplicationConfiguration',
  GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
};

/** The config sub-resources this module answers, by query parameter. */
export const BUCKET_READS: Record<string, string> = {
  'object-lock': 'GetObjectLockConfiguration',
  versioning: 'GetBucketVersioning',
  encryption: 'GetBucketEncryption',
  lifecycle: 'GetBucketLifecycleConfiguration',
  replication: 'GetBucketReplication',
  publicAccessBlock: 'GetPublicAccessBlock',
};

export function findFixtureBucket(fixture: Fixture, name: string): { owner: Account; bucket: FixtureBucket } | undefined {
  for (const owner of fixture.accounts) {
    const bucket = owner.buckets?.find((b) => b.name === name);
    if (bucket) return { owner, bucket };
  }
  return undefined;
}

export function listBuckets(account: Account, q: URLSearchParams): S3Answer {
  const max = q.has('max-buckets') ? Number(q.get('max-buckets')) : undefined;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10000)) {
    throw new S3ReadError(400, 'InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000');
  }
  const prefix = q.get('prefix') ?? '';
  const region = q.get('bucket-region');
  const token = q.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (token && !after) throw new S3ReadError(400, 'InvalidArgument', 'The continuation token provided is incorrect');
  const all = (account.buckets ?? [])
    .filter((b) => b.name.startsWith(prefix) && (!region || b.region === region) && b.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // without a parameter AWS answers the whole list, up to 10,000, and no BucketRegion
  const parametrised = max !== undefined || q.has('prefix') || region !== null || token !== null;
  const pageOf = all.slice(0, max ?? 10000);
  const next = all.length > pageOf.length ? Buffer.from(pageOf.at(-1)!.name, 'utf8').toString('base64url') : undefined;
  const buckets = pageOf.map((b) => xml('Bucket', {
    Name: b.name, CreationDate: b.created,
    ...(parametrised ? { BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` } : {}),
  })).join('');
  const owner = xml('Owner', { DisplayName: `owner-${account.id}`, ID: createOwnerId(account.id) });
  return {
    status: 200,
    body: doc('ListAllMyBucketsResult', `<Buckets>${buckets}</Buckets>${owner}${next ? xml('ContinuationToken', next) : ''}${q.has('prefix') ? xml('Prefix', prefix) : ''}`),
  };
}

function createOwnerId(account: string): string {
  return Buffer.from(`owner:${account}`).toString('hex').padEnd(64, '0').slice(0, 64);
}

/** One of the six Get* calls on a fixture bucket, as `account` asked it in `region`. */
export function readBucketConfig(found: { owner: Account; bucket: FixtureBucket }, account: Account, region: string, sub: string): S3Answer {
  const { owner, bucket: b } = found;
  const operation = BUCKET_READS[sub]!;
  if (owner.id !== account.id || b.denied.includes(operation)) {
    throw new S3ReadError(403, 'AccessDenied', `User: ${account.callerArn} is not authorized to perform: s3:${IAM_ACTION[operation] ?? operation} on resource: "arn:aws:s3:::${b.name}" because no identity-based policy allows the s3:${IAM_ACTION[operation] ?? operation} action`);
  }
  if (region !== b.region) {
    throw new S3ReadError(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      { Endpoint: `s3.${b.region}.amazonaws.com`, Bucket: b.name }, { 'x-amz-bucket-region': b.region });
  }
  const missing = (code: string, message: string): never => { throw new S3ReadError(404, code, message, { BucketName: b.name }); };
  switch (sub) {
    case 'object-lock':
      if (!b.objectLock) missing('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket');
      return { status: 200, body: doc('ObjectLockConfiguration', Object.entries(b.objectLock!).map(([k, v]) => xml(k, v)).join('')) };
    case 'versioning': {
      const v = b.versioning;
      return { status: 200, body: doc('VersioningConfiguration', `${v['Status'] ? xml('Status', v['Status']) : ''}${v['MFADelete'] ? xml('MfaDelete', v['MFADelete']) : ''}`) };
    }
    case 'encryption':
      if (!b.encryption) missing('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found');
      return { status: 200, body: doc('ServerSideEncryptionConfiguration', xml('Rules', b.encryption!['Rules'])) };
    case 'lifecycle':
      if (!b.lifecycle) missing('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
      return { status: 200, headers: { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' }, body: doc('LifecycleConfiguration', xml('Rules', b.lifecycle)) };
    case 'replication':
      if (!b.replication) missing('ReplicationConfigurationNotFoundError', 'The replication configuration was not found');
      return { status: 200, body: doc('ReplicationConfiguration', xml('Role', b.replication!['Role']) + xml('Rules', b.replication!['Rules'])) };
    case 'publicAccessBlock':
      if (!b.publicAccessBlock) missing('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found');
      return { status: 200, body: doc('PublicAccessBlockConfiguration', Object.entries(b.publicAccessBlock!).map(([k, v]) => xml(k, v)).join('')) };
    default:
      throw new S3ReadError(501, 'NotImplemented', `the sandbox does not implement ?${sub}`);
  }
}
