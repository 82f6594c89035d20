// Configuration items of the types issues 22 and 23 read (trails, buckets, detectors, DB
// snapshots, AWS Backup, ELBv2, CloudFront), built from the fixture's describe answers the way
// AWS Config records them: each type's own casing (camelCase for most, PascalCase for the
// CloudFormation-registry types Backup, GuardDuty and ELBv2 listeners), S3's configurations under
// supplementaryConfiguration in Config's names, and only what the vendored
// awslabs/aws-config-resource-schema lists (history-items.ts `filtered` drops the rest: a
// trail's status, its selectors, a vault's lock, a detector's features never reach an item).
import { filtered } from './history-items.js';
import type { ItemBody } from './history-model.js';
import type { BackupPlan, BackupVault, Detector, FixtureBucket, LoadBalancer, Trail, WireObject, WireValue } from './model.js';

/** Dates as ISO strings, Describe's PascalCase keys as Config's camelCase (first letter lowered). */
function camel(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(camel);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(x)]));
  }
  return v;
}

/** Dates as ISO strings, keys as they are (the PascalCase types). */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null)) as unknown;
}

function tagMap(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(list)) for (const t of list as { Key?: string; Value?: string }[]) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

function date(v: WireValue | undefined): Date | undefined {
  if (v instanceof Date) return v;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined;
}

export function trailItem(t: Trail): ItemBody {
  return filtered('AWS::CloudTrail::Trail', {
    resourceId: t.trail.Name, resourceName: t.trail.Name, arn: t.trail.TrailARN, availabilityZone: 'Not Applicable', tags: {},
    configuration: camel(t.trail) as Record<string, unknown>, supplementaryConfiguration: {},
  });
}

/**
 * A bucket as Config records it: its configurations under supplementaryConfiguration in
 * Config's own names (the S3 Java model's), each absent when the bucket has none.
 */
export function bucketItem(b: FixtureBucket, account: string): ItemBody {
  const sup: Record<string, unknown> = {};
  if (b.objectLock) {
    const r = ((b.objectLock['Rule'] as WireObject | undefined)?.['DefaultRetention'] ?? undefined) as WireObject | undefined;
    sup['ObjectLockConfiguration'] = {
      objectLockEnabled: b.objectLock['ObjectLockEnabled'],
      ...(r ? { rule: { defaultRetention: { mode: r['Mode'], ...(r['Days'] !== undefined ? { days: r['Days'] } : {}), ...(r['Years'] !== undefined ? { years: r['Years'] } : {}) } } } : {}),
    };
  }
  sup['BucketVersioningConfiguration'] = { status: b.versioning['Status'] ?? 'Off', isMfaDeleteEnabled: b.versioning['MFADelete'] === 'Enabled' };
  if (b.encryption) {
    sup['ServerSideEncryptionConfiguration'] = {
      rules: ((b.encryption['Rules'] ?? []) as WireObject[]).map((r) => {
        const d = (r['ApplyServerSideEncryptionByDefault'] ?? {}) as WireObject;
        return {
          applyServerSideEncryptionByDefault: { sseAlgorithm: d['SSEAlgorithm'], ...(d['KMSMasterKeyID'] !== undefined ? { kmsMasterKeyID: d['KMSMasterKeyID'] } : {}) },
          bucketKeyEnabled: r['BucketKeyEnabled'] === true,
        };
      }),
    };
  }
  if (b.lifecycle) {
    sup['BucketLifecycleConfiguration'] = {
      rules: b.lifecycle.map((r) => {
        const exp = r['Expiration'] as WireObject | undefined;
        const nce = r['NoncurrentVersionExpiration'] as WireObject | undefined;
        const prefix = ((r['Filter'] as WireObject | undefined)?.['Prefix'] ?? r['Prefix']) as string | undefined;
        return {
          id: r['ID'], status: r['Status'],
          ...(exp?.['Days'] !== undefined ? { expirationInDays: exp['Days'] } : {}),
          ...(nce?.['NoncurrentDays'] !== undefined ? { noncurrentVersionExpirationInDays: nce['NoncurrentDays'], noncurrentVersionExpiration: { noncurrentDays: nce['NoncurrentDays'] } } : {}),
          ...(prefix !== undefined ? { filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix } } } : {}),
        };
      }),
    };
  }
  // Config keeps the replication role, not its rules or destinations
  if (b.replication) sup['BucketReplicationConfiguration'] = { roleARN: b.replication['Role'] };
  if (b.publicAccessBlock) sup['PublicAccessBlockConfiguration'] = camel(b.publicAccessBlock);
  return filtered('AWS::S3::Bucket', {
    resourceId: b.name, resourceName: b.name, arn: `arn:aws:s3:::${b.name}`, availabilityZone: 'Regional', resourceCreationTime: b.created,
    tags: {}, configuration: { name: b.name, owner: { id: account }, creationDate: b.created.toISOString() }, supplementaryConfiguration: sup,
  });
}

export function detectorItem(d: Detector, region: string, account: string): ItemBody {
  return filtered('AWS::GuardDuty::Detector', {
    resourceId: d.detectorId, resourceName: d.detectorId, arn: `arn:aws:guardduty:${region}:${account}:detector/${d.detectorId}`,
    availabilityZone: 'Regional', ...(date(d.detector['createdAt']) ? { resourceCreationTime: date(d.detector['createdAt'])! } : {}), tags: {},
    configuration: {
      Id: d.detectorId, Enable: d.detector['status'] === 'ENABLED', FindingPublishingFrequency: d.detector['findingPublishingFrequency'],
      // the CloudFormation shape keeps the two legacy data sources only, never Features
      DataSources: { S3Logs: { Enable: ((d.detector['features'] ?? []) as WireObject[]).some((f) => f['name'] === 'S3_DATA_EVENTS' && f['status'] === 'ENABLED') } },
    },
    supplementaryConfiguration: {},
  });
}

export function dbSnapshotItem(s: WireObject, attributes: { AttributeName: string; AttributeValues: string[] }[] | undefined): ItemBody {
  const id = String(s['DBSnapshotIdentifier']);
  return filtered('AWS::RDS::DBSnapshot', {
    resourceId: id, resourceName: id, arn: String(s['DBSnapshotArn']), availabilityZone: String(s['AvailabilityZone'] ?? 'Not Applicable'),
    ...(date(s['SnapshotCreateTime']) ? { resourceCreationTime: date(s['SnapshotCreateTime'])! } : {}),
    tags: tagMap(s['TagList']), configuration: camel(s) as Record<string, unknown>,
    supplementaryConfiguration: attributes ? { DBSnapshotAttributes: attributes.map((a) => ({ attributeName: a.AttributeName, attributeValues: a.AttributeValues })) } : {},
  });
}

export function vaultItem(v: BackupVault): ItemBody {
  return filtered('AWS::Backup::BackupVault', {
    resourceId: v.vault.BackupVaultName, resourceName: v.vault.BackupVaultName, arn: v.vault.BackupVaultArn, availabilityZone: 'Regional',
    ...(date(v.vault['CreationDate']) ? { resourceCreationTime: date(v.vault['CreationDate'])! } : {}), tags: {},
    configuration: plain(v.vault) as Record<string, unknown>, supplementaryConfiguration: {},
  });
}

export function recoveryPointItem(rp: WireObject): ItemBody {
  const arn = String(rp['RecoveryPointArn']);
  return filtered('AWS::Backup::RecoveryPoint', {
    resourceId: arn, resourceName: arn, arn, availabilityZone: 'Regional',
    ...(date(rp['CreationDate']) ? { resourceCreationTime: date(rp['CreationDate'])! } : {}), tags: {},
    configuration: plain(rp) as Record<string, unknown>, supplementaryConfiguration: {},
  });
}

export function planItem(p: BackupPlan): ItemBody {
  const { Rules, ...rest } = p.plan as WireObject & { Rules?: WireValue };
  return filtered('AWS::Backup::BackupPlan', {
    resourceId: p.summary.BackupPlanId, resourceName: String(p.summary['BackupPlanName'] ?? p.summary.BackupPlanId),
    arn: String(p.summary['BackupPlanArn']), availabilityZone: 'Regional', tags: {},
    configuration: plain({
      BackupPlanId: p.summary.BackupPlanId, BackupPlanArn: p.summary['BackupPlanArn'], VersionId: p.summary['VersionId'],
      // CloudFormation's AWS::Backup::BackupPlan names the rule list BackupPlanRule
      BackupPlan: { ...rest, BackupPlanRule: Rules ?? [] },
    }) as Record<string, unknown>,
    supplementaryConfiguration: {},
  });
}

export function loadBalancerItem(lb: LoadBalancer): ItemBody {
  const name = String(lb.lb['LoadBalancerName']);
  return filtered('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    resourceId: lb.lb.LoadBalancerArn, resourceName: name, arn: lb.lb.LoadBalancerArn, availabilityZone: 'Multiple Availability Zones',
    ...(date(lb.lb['CreatedTime']) ? { resourceCreationTime: date(lb.lb['CreatedTime'])! } : {}), tags: {},
    configuration: camel(lb.lb) as Record<string, unknown>, supplementaryConfiguration: {},
  });
}

export function listenerItem(l: WireObject & { ListenerArn: string }): ItemBody {
  return filtered('AWS::ElasticLoadBalancingV2::Listener', {
    resourceId: l.ListenerArn, resourceName: l.ListenerArn, arn: l.ListenerArn, availabilityZone: 'Regional', tags: {},
    configuration: plain(l) as Record<string, unknown>, supplementaryConfiguration: {},
  });
}

/** A distribution as Config records it: the DistributionConfig's members under distributionConfig. */
export function distributionItem(d: WireObject): ItemBody {
  const { ARN, Id, DomainName, Status, LastModifiedTime, ...config } = d;
  return filtered('AWS::CloudFront::Distribution', {
    resourceId: String(Id), resourceName: String(Id), arn: String(ARN), availabilityZone: 'Not Applicable', tags: {},
    configuration: {
      arn: ARN, id: Id, domainName: DomainName, status: Status,
      ...(LastModifiedTime !== undefined ? { lastModifiedTime: camel(LastModifiedTime) } : {}), distributionConfig: camel(config),
    },
    supplementaryConfiguration: {},
  });
}
