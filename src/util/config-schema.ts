// AWS Config's recorded property names per resource type, from the vendored
// awslabs/aws-config-resource-schema files (vendor/aws-config-resource-schema). The sandbox
// serves only these properties; the history normalisers may read only these (a test checks).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';

/** The resource types whose schema is vendored. */
export const CONFIG_SCHEMA_TYPES = [
  'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBClusterSnapshot', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::Config::ResourceCompliance', 'AWS::Config::ConfigurationRecorder',
  // issues 22 and 23: the evidence read where it lives, rebuilt from history (collectors/history/evidence.ts)
  'AWS::CloudTrail::Trail', 'AWS::S3::Bucket', 'AWS::GuardDuty::Detector', 'AWS::RDS::DBSnapshot',
  'AWS::Backup::BackupVault', 'AWS::Backup::RecoveryPoint', 'AWS::Backup::BackupPlan',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::CloudFront::Distribution',
] as const;

const cache = new Map<string, ReadonlySet<string>>();

/**
 * Every property path Config records for `type`, flattened with dots and without list indexes
 * (`configuration.dbclusterMembers.dbinstanceIdentifier`); undefined for a type not vendored.
 */
export function configSchemaPaths(type: string): ReadonlySet<string> | undefined {
  if (!(CONFIG_SCHEMA_TYPES as readonly string[]).includes(type)) return undefined;
  let paths = cache.get(type);
  if (!paths) {
    const file = join(PACKAGE_ROOT, 'vendor', 'aws-config-resource-schema', 'resource-types', `${type.replaceAll('::', '_')}.properties.json`);
    paths = new Set(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
    cache.set(type, paths);
  }
  return paths;
}

/** The flattened paths of a value as the schema writes them: objects by key, lists see through. */
export function flattenPaths(value: unknown, prefix: string, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) flattenPaths(v, prefix, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) flattenPaths(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) {
    out.add(prefix);
  }
  return out;
}

/**
 * Removes from `value` every leaf whose path the schema does not list (under `prefix`), so a
 * served configuration item never carries a property AWS Config would not record.
 */
export function keepSchemaPaths(value: unknown, prefix: string, allowed: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return allowed.has(prefix) || [...allowed].some((p) => p.startsWith(`${prefix}.`)) ? [] : undefined;
    const items = value.map((v) => keepSchemaPaths(v, prefix, allowed)).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const kept = keepSchemaPaths(v, `${prefix}.${k}`, allowed);
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (value === undefined) return undefined;
  return allowed.has(prefix) ? value : undefined;
}
