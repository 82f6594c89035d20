// The configuration-history sources of the issue 22/23 types: one per trail, bucket, detector,
// DB instance snapshot, backup vault, recovery point and plan, load balancer, listener and
// distribution of a region, each building its configuration item from today's describe answer
// with a timeline's `set` laid over it (the describe fields, as the fixture serves them).
// Names a timeline refers to (`resource: TYPE/NAME`): a trail's, bucket's, vault's, plan's or
// load balancer's name; `detector` (the region's one); a snapshot's identifier; VAULT/INDEX for
// a recovery point; LB/PORT for a listener; a distribution's id.
import type { ItemBody } from './history-model.js';
import type { FixtureBucket, Region, SnapshotAttribute, WireObject } from './model.js';
import {
  bucketItem, dbSnapshotItem, detectorItem, distributionItem, listenerItem, loadBalancerItem, planItem, recoveryPointItem, trailItem, vaultItem,
} from './history-evidence-items.js';

type Build = (set: Record<string, unknown>) => ItemBody;
interface Source { type: string; name: string; created?: Date; build: Build }

/** What the account, not the region, holds: Config records each in one region. */
export interface AccountExtras {
  /** the account's buckets whose region this is (Config records a bucket in its own region) */
  buckets?: FixtureBucket[];
  /** the account's distributions, in us-east-1 only (where Config records CloudFront) */
  distributions?: WireObject[];
}

function over<T extends object>(obj: T, set: Record<string, unknown>): T {
  return { ...obj, ...set };
}

function dateOf(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined;
}

/** A bucket's `set`: the GetBucket* answers by the s3.buckets field names, null removing one. */
function bucketOver(b: FixtureBucket, set: Record<string, unknown>): FixtureBucket {
  const out: FixtureBucket = { ...b };
  const field = (k: string, apply: (v: unknown) => void): void => { if (k in set) apply(set[k]); };
  field('ObjectLockConfiguration', (v) => { if (v === null) delete out.objectLock; else out.objectLock = v as WireObject; });
  field('Versioning', (v) => { out.versioning = (v ?? {}) as WireObject; });
  field('ServerSideEncryptionConfiguration', (v) => { if (v === null) delete out.encryption; else out.encryption = v as WireObject; });
  field('LifecycleRules', (v) => { if (v === null) delete out.lifecycle; else out.lifecycle = v as WireObject[]; });
  field('ReplicationConfiguration', (v) => { if (v === null) delete out.replication; else out.replication = v as WireObject; });
  field('PublicAccessBlockConfiguration', (v) => { if (v === null) delete out.publicAccessBlock; else out.publicAccessBlock = v as WireObject; });
  return out;
}

export function evidenceSources(region: Region, account: string, extras: AccountExtras): Source[] {
  const out: Source[] = [];
  for (const t of region.trails ?? []) {
    out.push({ type: 'AWS::CloudTrail::Trail', name: t.trail.Name, build: (set) => trailItem({ ...t, trail: over(t.trail, set) }) });
  }
  for (const b of extras.buckets ?? []) {
    out.push({ type: 'AWS::S3::Bucket', name: b.name, created: b.created, build: (set) => bucketItem(bucketOver(b, set), account) });
  }
  const d = region.guardduty;
  if (d) {
    out.push({ type: 'AWS::GuardDuty::Detector', name: 'detector', created: dateOf(d.detector['createdAt']),
      build: (set) => detectorItem({ ...d, detector: over(d.detector, set) }, region.name, account) });
  }
  for (const s of region.instanceSnapshots ?? []) {
    const id = String(s['DBSnapshotIdentifier']);
    const attrs: SnapshotAttribute[] | undefined = s['SnapshotType'] === 'manual' ? region.instanceSnapshotAttributes?.[id] ?? [] : undefined;
    out.push({ type: 'AWS::RDS::DBSnapshot', name: id, created: dateOf(s['SnapshotCreateTime']),
      build: (set) => {
        const { SharedWith, ...rest } = set;
        const shared = Array.isArray(SharedWith) ? [{ AttributeName: 'restore', AttributeValues: SharedWith.map(String) }] : attrs;
        return dbSnapshotItem(over(s, rest), shared);
      } });
  }
  for (const v of region.backup?.vaults ?? []) {
    out.push({ type: 'AWS::Backup::BackupVault', name: v.vault.BackupVaultName, created: dateOf(v.vault['CreationDate']),
      build: (set) => vaultItem({ ...v, vault: over(v.vault, set) }) });
    v.recoveryPoints.forEach((rp, i) => {
      out.push({ type: 'AWS::Backup::RecoveryPoint', name: `${v.vault.BackupVaultName}/${i}`, created: dateOf(rp['CreationDate']),
        build: (set) => recoveryPointItem(over(rp, set)) });
    });
  }
  for (const p of region.backup?.plans ?? []) {
    out.push({ type: 'AWS::Backup::BackupPlan', name: String(p.summary['BackupPlanName'] ?? p.summary.BackupPlanId), created: dateOf(p.summary['CreationDate']),
      build: (set) => planItem({ ...p, plan: over(p.plan, set) }) });
  }
  for (const lb of region.elbv2?.loadBalancers ?? []) {
    const name = String(lb.lb['LoadBalancerName']);
    out.push({ type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name, created: dateOf(lb.lb['CreatedTime']),
      build: (set) => loadBalancerItem({ ...lb, lb: over(lb.lb, set) }) });
    for (const { listener } of lb.listeners) {
      out.push({ type: 'AWS::ElasticLoadBalancingV2::Listener', name: `${name}/${String(listener['Port'])}`, created: dateOf(lb.lb['CreatedTime']),
        build: (set) => listenerItem(over(listener, set)) });
    }
  }
  for (const dist of extras.distributions ?? []) {
    out.push({ type: 'AWS::CloudFront::Distribution', name: String(dist['Id']), created: dateOf(dist['LastModifiedTime']),
      build: (set) => distributionItem(over(dist, set)) });
  }
  return out;
}
