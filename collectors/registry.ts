// The catalog of collectors: their declarations (collectors/declarations.ts, plain data, so
// listing or validating controls never loads the AWS SDK) and where each one's code is. A
// collector's module (and with it the SDK client it uses) is imported on demand.
import type { Collector, CollectorInfo, CollectContext } from './types.js';
import type { EvidenceRecordDraft } from '../src/evidence/model.js';
import { DECLARATIONS, type CollectorId } from './declarations.js';
import { iamAction } from '../src/aws/permissions.js';

type CollectFn = (ctx: CollectContext) => AsyncIterable<EvidenceRecordDraft>;
type Loader = () => Promise<{ collect: CollectFn }>;

/**
 * Each collector's module. Static import() calls, so the import graph and knip see them; the
 * type makes a declared collector without a module, or a module no declaration has, a compile error.
 */
const MODULES: { readonly [K in CollectorId]: Loader } = {
  'sts.caller-identity': () => import('./sts-caller-identity.js'),
  'rds.db-clusters': () => import('./rds-db-clusters.js'),
  'rds.db-instances': () => import('./rds-db-instances.js'),
  'rds.cluster-snapshots': () => import('./rds-cluster-snapshots.js'),
  'rds.cluster-automated-backups': () => import('./rds-cluster-automated-backups.js'),
  'rds.cluster-parameters': () => import('./rds-cluster-parameters.js'),
  'rds.engine-default-cluster-parameters': () => import('./rds-engine-default-cluster-parameters.js'),
  'kms.keys': () => import('./kms-keys.js'),
  'rds.cluster-topology': () => import('./rds-cluster-topology.js'),
  'rds.cluster-tls': () => import('./rds-cluster-tls.js'),
  'rds.encryption-keys': () => import('./rds-encryption-keys.js'),
  'config.recorders': () => import('./config-recorders.js'),
  'config.rules': () => import('./config-rules.js'),
  'config.rule-evaluations': () => import('./config-rule-evaluations.js'),
  'rds.cluster-tls-version': () => import('./rds-cluster-tls-version.js'),
  'rds.cluster-audit-settings': () => import('./rds-cluster-audit-settings.js'),
  'kms.key-rotations': () => import('./kms-key-rotations.js'),
  'rds.engine-lifecycles': () => import('./rds-engine-lifecycles.js'),
  'rds.instance-automated-backups': () => import('./rds-instance-automated-backups.js'),
  'rds.global-clusters': () => import('./rds-global-clusters.js'),
  'rds.data-locations': () => import('./rds-data-locations.js'),
  's3.buckets': () => import('./s3-buckets.js'),
  'cloudtrail.trails': () => import('./cloudtrail-trails.js'),
  'cloudtrail.region-coverage': () => import('./cloudtrail-region-coverage.js'),
  'kms.customer-keys': () => import('./kms-customer-keys.js'),
  'rds.instance-snapshots': () => import('./rds-instance-snapshots.js'),
  'backup.vaults': () => import('./backup-vaults.js'),
  'backup.recovery-points': () => import('./backup-recovery-points.js'),
  'backup.plans': () => import('./backup-plans.js'),
  'elbv2.listeners': () => import('./elbv2-listeners.js'),
  'cloudfront.distributions': () => import('./cloudfront-distributions.js'),
  'guardduty.detectors': () => import('./guardduty-detectors.js'),
  'logs.log-groups': () => import('./logs-log-groups.js'),
};

/** Every collector's metadata, in declaration order (withDependencies gives a run's order). */
export const COLLECTORS: readonly CollectorInfo[] = DECLARATIONS.map(({ records: _records, history: _history, ...info }): CollectorInfo => info);

const BY_ID: ReadonlyMap<string, CollectorInfo> = new Map(COLLECTORS.map((c) => [c.id, c]));

/** Whether a string (from a control, a flag, a file) names a declared collector. */
export function isCollectorId(id: string): id is CollectorId {
  return BY_ID.has(id);
}

export function collectorIds(): CollectorId[] {
  return COLLECTORS.map((c) => c.id);
}

export function collectorInfo(id: string): CollectorInfo | undefined {
  return BY_ID.get(id);
}

/**
 * The IAM actions a collector's operations need (`trustpack iam-policy`): its own service's, or
 * another's when an operation is written "service:Operation" (s3:ListBuckets for a trail's bucket).
 */
export function iamActionsOf(c: CollectorInfo): string[] {
  return c.operations.map((op) => {
    const [service, operation] = op.includes(':') ? op.split(':') as [string, string] : [c.service, op];
    return iamAction(service, operation);
  });
}

export class UnknownCollectorError extends Error {
  constructor(id: string) {
    super(`unknown collector "${id}" (known: ${collectorIds().join(', ')})`);
    this.name = 'UnknownCollectorError';
  }
}

/** The collector with its code; imports its module (and its SDK client) on first use. */
export async function loadCollector(id: string): Promise<Collector> {
  const info = BY_ID.get(id);
  if (!info) throw new UnknownCollectorError(id);
  const mod = await MODULES[info.id]();
  return { ...info, collect: mod.collect };
}

/**
 * The given collectors plus everything they depend on, dependencies first (a topological order;
 * ties keep the catalog order so the result is stable).
 */
export function withDependencies(ids: readonly string[]): CollectorId[] {
  const wanted = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    const entry = BY_ID.get(id);
    if (!entry) throw new UnknownCollectorError(id);
    if (path.includes(id)) throw new Error(`collector dependency cycle: ${[...path, id].join(' -> ')}`);
    if (wanted.has(id)) return;
    for (const dep of entry.dependsOn ?? []) visit(dep, [...path, id]);
    wanted.add(id);
  };
  for (const id of ids) visit(id, []);
  // Kahn's algorithm over the catalog order.
  const out: CollectorId[] = [];
  const done = new Set<string>();
  while (out.length < wanted.size) {
    const next = COLLECTORS.find((e) => wanted.has(e.id) && !done.has(e.id) && (e.dependsOn ?? []).every((d) => done.has(d)));
    if (!next) throw new Error('collector dependency cycle');
    out.push(next.id);
    done.add(next.id);
  }
  return out;
}
