// Fixture S3 buckets, per account (S3 is global; each bucket lives in one region), with the
// configurations the six per-bucket Get* calls answer. A configuration left out is "not
// configured" and answered with S3's own error for that (ObjectLockConfigurationNotFoundError...).
//
//   buckets:
//     - name: example-cloudtrail-logs
//       region: us-east-1                     # BucketRegion (required)
//       created: 900 days ago
//       object_lock: { mode: COMPLIANCE, days: 400 }   # or years: 1; {} = enabled without a default
//       versioning: Enabled                   # Enabled | Suspended; absent: never enabled ({})
//       encryption: { algorithm: "aws:kms", key: "arn:aws:kms:...", bucket_key: true }   # or AES256
//       lifecycle: [ ...rules as GetBucketLifecycleConfiguration returns them... ]
//       replication: { role: ARN, rules: [ ...as GetBucketReplication returns them... ] }
//       public_access_block: true             # all four flags; or a mapping of the four
//       denied: [GetBucketReplication]        # operations answered AccessDenied for this bucket
import type { Cursor } from './reader.js';
import type { FixtureBucket, WireObject, WireValue } from './model.js';


const PAB = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export function readBucket(c: Cursor, account: string): FixtureBucket {
  c.keys(['name', 'region', 'created', 'object_lock', 'versioning', 'encryption', 'lifecycle', 'replication', 'public_access_block', 'denied']);
  const name = c.str('name');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) c.fail(`"${name}" is not a valid bucket name`, [...c.path, 'name']);
  const region = c.str('region');
  const out: FixtureBucket = { name, region, created: c.date('created', '900 days ago'), versioning: {}, denied: c.strings('denied') };
  if (c.has('object_lock')) {
    const lc = c.at('object_lock').keys(['mode', 'days', 'years']);
    const lock: WireObject = { ObjectLockEnabled: 'Enabled' };
    if (lc.has('mode')) {
      if (lc.has('days') === lc.has('years')) lc.fail('a default retention names either "days" or "years"');
      lock['Rule'] = { DefaultRetention: {
        Mode: lc.oneOf('mode', ['COMPLIANCE', 'GOVERNANCE'] as const),
        ...(lc.has('days') ? { Days: lc.num('days', undefined, 1, 36500) } : { Years: lc.num('years', undefined, 1, 100) }),
      } };
    }
    out.objectLock = lock;
  }
  // Object Lock keeps versioning on; otherwise versioning is what the fixture says
  const versioning = c.has('versioning') ? c.oneOf('versioning', ['Enabled', 'Suspended'] as const) : out.objectLock ? 'Enabled' : undefined;
  if (versioning) out.versioning = { Status: versioning, MFADelete: 'Disabled' };
  if (c.has('encryption')) {
    const ec = c.at('encryption').keys(['algorithm', 'key', 'bucket_key']);
    const algorithm = ec.oneOf('algorithm', ['AES256', 'aws:kms', 'aws:kms:dsse'] as const);
    out.encryption = { Rules: [{
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm, ...(ec.has('key') ? { KMSMasterKeyID: ec.str('key') } : {}) },
      BucketKeyEnabled: ec.bool('bucket_key', false),
    }] };
  }
  if (c.has('lifecycle')) out.lifecycle = plain(c.at('lifecycle'), 'lifecycle') as WireObject[];
  if (c.has('replication')) {
    const rc = c.at('replication').keys(['role', 'rules']);
    out.replication = { Role: rc.str('role', `arn:aws:iam::${account}:role/s3-replication`), Rules: plain(rc.at('rules'), 'rules') as WireValue[] };
  }
  if (c.has('public_access_block')) {
    const v = c.at('public_access_block').value;
    out.publicAccessBlock = typeof v === 'boolean'
      ? Object.fromEntries(PAB.map((k) => [k, v]))
      : Object.fromEntries(PAB.map((k) => [k, c.at('public_access_block').keys([...PAB]).bool(k, false)]));
  }
  return out;
}

/** A YAML value kept as written (rules AWS returns verbatim); dates stay text. */
function plain(c: Cursor, what: string): WireValue {
  if (!Array.isArray(c.value)) c.fail(`"${what}" must be a list`);
  return JSON.parse(JSON.stringify(c.value)) as WireValue;
}
