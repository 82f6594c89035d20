// The AWS permissions trustpack needs, declared where the calls are made, from which
// `trustpack iam-policy` prints least-privilege policies. Plain data: no SDK is loaded.
//
// Who makes each call (the principal kind):
// - member:       the read-only role trustpack reads each account with (collectors);
// - organization: the identity that runs a collection over several accounts (role assumption,
//                 organization and region listing);
// - archive:      the identity that writes to and reads the evidence archive (S3);
// - archive-reader: whoever only reads it (history, period packs, archive list and verify): no write;
// - signer:       the identity that signs packs with a key held in KMS.
//
// Collectors declare their calls in collectors/declarations.ts (`service`, `operations`); every
// other call site declares here: one row in DECLARED per API action, naming its file. test/iam-policy.test.ts
// fails when a call is made against the sandbox, or an SDK command is used in the source, that
// no declaration covers.

export const PRINCIPAL_KINDS = ['member', 'organization', 'archive', 'archive-reader', 'signer'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface PermissionDeclaration {
  /** IAM action, `service:Action` (the IAM name, which is not always the API's: see iamAction) */
  action: string;
  principal: PrincipalKind;
  /** the file that makes the call */
  site: string;
  /** why it is needed, printed with --explain */
  why: string;
  /** IAM resource; `{role}`, `{bucket}`, `{prefix}`, `{key}` are filled from iam-policy's flags */
  resource?: string;
  /** other principal kinds that make the same call (a read the archive's writer and reader both make) */
  alsoFor?: readonly PrincipalKind[];
  /** an IAM condition, filled like `resource`; dropped when a placeholder it needs was not given */
  condition?: Record<string, Record<string, string[]>>;
}

const DECLARED: readonly PermissionDeclaration[] = [
  {
    action: 'sts:AssumeRole', principal: 'organization', site: 'src/aws/session.ts',
    why: '--role-arn: assumes the read-only member role in each other account',
    resource: 'arn:aws:iam::*:role/{role}',
  },
  // estates (src/aws/estate.ts, src/aws/regions.ts)
  {
    action: 'organizations:ListAccounts', principal: 'organization', site: 'src/aws/estate.ts',
    why: '--org-role: lists the organization\'s accounts (management account or delegated administrator)',
  },
  {
    action: 'account:ListRegions', principal: 'member', site: 'src/aws/regions.ts',
    why: '--regions all: the regions enabled in each account (opt-in regions not enabled are listed, not collected)',
  },
  // backfill (collectors/history/store.ts): the state at a past date from AWS Config's history
  {
    action: 'config:ListDiscoveredResources', principal: 'member', site: 'collectors/history/store.ts',
    why: 'collect --as-of / backfill: the resources of each type, deleted ones included',
  },
  {
    action: 'config:GetResourceConfigHistory', principal: 'member', site: 'collectors/history/store.ts',
    why: 'collect --as-of / backfill: each resource\'s configuration items, seven days a call',
  },
  {
    action: 'config:BatchGetResourceConfig', principal: 'member', site: 'collectors/history/store.ts',
    why: 'collect --as-of / backfill: current items, 100 resources a call; a resource unchanged since the range start needs no walk back through its history',
  },
  // signing packs with a key held in KMS (src/app/kms-client.ts, report --sign-kms-key)
  {
    action: 'kms:GetPublicKey', principal: 'signer', site: 'src/app/kms-client.ts',
    why: 'checks that --sign-cert is the certificate of the signing key before anything is drawn', resource: '{key}',
  },
  {
    action: 'kms:Sign', principal: 'signer', site: 'src/app/kms-client.ts',
    why: 'signs the CMS signed attributes (MessageType DIGEST): the private key never leaves KMS', resource: '{key}',
  },
  // the evidence archive in S3 (src/archive/s3.ts): create-only writes, reads, listing; never a delete
  {
    action: 's3:GetBucketObjectLockConfiguration', principal: 'archive', site: 'src/archive/s3.ts',
    why: 'reads the bucket\'s default Object Lock retention, which every archived object is written with',
    resource: 'arn:aws:s3:::{bucket}', alsoFor: ['archive-reader'],
  },
  {
    action: 's3:ListBucket', principal: 'archive', site: 'src/archive/s3.ts',
    why: 'lists the archive\'s entries and objects (ListObjectsV2), under the archive prefix only', resource: 'arn:aws:s3:::{bucket}',
    alsoFor: ['archive-reader'], condition: { StringLike: { 's3:prefix': ['{prefix}*'] } },
  },
  {
    action: 's3:PutObject', principal: 'archive', site: 'src/archive/s3.ts',
    why: 'appends objects and entries, create-only (If-None-Match: *)', resource: 'arn:aws:s3:::{bucket}/{prefix}*',
  },
  {
    action: 's3:PutObjectRetention', principal: 'archive', site: 'src/archive/s3.ts',
    why: 'writes each object with its Object Lock retention (the bucket default or --retain-until)', resource: 'arn:aws:s3:::{bucket}/{prefix}*',
  },
  {
    action: 's3:GetObject', principal: 'archive', site: 'src/archive/s3.ts',
    why: 'reads entries, stored results and bundles (history, period packs, archive verify)', resource: 'arn:aws:s3:::{bucket}/{prefix}*',
    alsoFor: ['archive-reader'],
  },
];

/** Every declaration made through this module. */
export function declaredPermissions(): readonly PermissionDeclaration[] {
  return DECLARED;
}

/** API operations whose IAM action has another name (AWS Service Authorization Reference). */
const IAM_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  // s3.buckets (issue 22): S3's API names and IAM's differ for these reads
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
};

/** The IAM action for an API call: `iamAction('s3', 'ListObjectsV2')` is `s3:ListBucket`. */
export function iamAction(service: string, operation: string): string {
  const api = `${service}:${operation}`;
  return IAM_ACTION[api] ?? api;
}

interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string[]>>;
}

interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface ResourceNames {
  role?: string;
  bucket?: string;
  prefix?: string;
  key?: string;
}

function fill(resource: string, names: ResourceNames): string {
  return resource
    .replace('{role}', names.role ?? '*')
    .replace('{bucket}', names.bucket ?? '*')
    .replace('{prefix}', names.prefix ? names.prefix.replace(/\/?$/, '/') : '')
    .replace('{key}', names.key ?? '*');
}

const SID: Record<PrincipalKind, string> = {
  member: 'TrustpackMemberRead', organization: 'TrustpackOrganization', archive: 'TrustpackArchive', 'archive-reader': 'TrustpackArchiveRead', signer: 'TrustpackSigner',
};

/**
 * The least-privilege policy for one principal kind: its actions, one statement per resource,
 * sorted, so the same declarations always print the same document.
 */
export function policyFor(kind: PrincipalKind, declarations: readonly PermissionDeclaration[], names: ResourceNames = {}): PolicyDocument {
  const groups = new Map<string, { resource: string; condition?: PolicyStatement['Condition']; actions: Set<string> }>();
  for (const d of declarations) {
    if (d.principal !== kind && !d.alsoFor?.includes(kind)) continue;
    const resource = fill(d.resource ?? '*', names);
    const condition = d.condition ? fillCondition(d.condition, names) : undefined;
    const key = JSON.stringify([resource, condition ?? null]);
    if (!groups.has(key)) groups.set(key, { resource, ...(condition ? { condition } : {}), actions: new Set() });
    groups.get(key)!.actions.add(d.action);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const [ra, rb] = [groups.get(a)!.resource, groups.get(b)!.resource];
    return ra === rb ? a.localeCompare(b) : ra === '*' ? -1 : rb === '*' ? 1 : ra.localeCompare(rb);
  });
  return {
    Version: '2012-10-17',
    Statement: keys.map((key, i) => {
      const g = groups.get(key)!;
      return {
        Sid: `${SID[kind].replace(/-/g, '')}${i === 0 ? '' : i + 1}`,
        Effect: 'Allow' as const,
        Action: [...g.actions].sort(),
        Resource: g.resource,
        ...(g.condition ? { Condition: g.condition } : {}),
      };
    }),
  };
}

/** A condition's values filled; none when it names the archive prefix and no --prefix was given (the whole bucket is the archive). */
function fillCondition(condition: Record<string, Record<string, string[]>>, names: ResourceNames): PolicyStatement['Condition'] | undefined {
  if (JSON.stringify(condition).includes('{prefix}') && !names.prefix) return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const [op, keys] of Object.entries(condition)) {
    out[op] = {};
    for (const [k, values] of Object.entries(keys)) out[op][k] = values.map((v) => fill(v, names));
  }
  return out;
}

/** The actions of `calls` (`service:Operation`) that no declaration covers. */
export function undeclaredCalls(calls: readonly string[], declarations: readonly PermissionDeclaration[]): string[] {
  const declared = new Set(declarations.map((d) => d.action));
  const missing = new Set<string>();
  for (const call of calls) {
    const [service, operation] = call.split(':');
    if (!service || !operation) continue;
    const action = iamAction(service, operation);
    if (!declared.has(action)) missing.add(action);
  }
  return [...missing].sort();
}
