// Manifest assembly: what a finished collection run knows, put in the order and shape of the
// bundle on disk (docs/CONTRACTS.md), so the in-memory bundle equals the one written.
import type { Collection, EvidenceBundle, EvidenceRecord, Manifest } from './model.js';
import { bundleFiles } from './bundle.js';

export interface RunOutcome {
  runId: string;
  toolVersion: string;
  /** collector ids in run order: collections and records are sorted by it */
  collectorOrder: readonly string[];
  /** the first account's caller identity record, if any account answered */
  callerRecord?: EvidenceRecord;
  /** the accounts collected (this shard's), in plan order */
  accounts: readonly string[];
  /** the regions asked for; with all regions, each account's enabled ones instead */
  regions: readonly string[];
  allRegions: boolean;
  accountRegions: ReadonlyMap<string, string[]>;
  regionsNotEnabled: Record<string, { region: string; status: string }[]>;
  startedAt: Date;
  endedAt: Date;
  collections: Collection[];
  records: EvidenceRecord[];
  asOf?: Date;
  orgRole?: string;
  skippedAccounts?: NonNullable<Manifest['organization']>['skippedAccounts'];
  shard?: Manifest['shard'];
  catalogDigest?: string;
  notices: readonly string[];
  pacing: NonNullable<Manifest['pacing']>;
  /** the records are spilled to disk: the bundle carries none, and its files[] is filled when the spill finishes */
  spilled: boolean;
}

/** The bundle of a run: collections and records sorted, the manifest as the bundle on disk will have it. */
export function assembleBundle(o: RunOutcome): EvidenceBundle {
  const order = new Map<string, number>(o.collectorOrder.map((id, i) => [id, i]));
  const collections = o.collections.sort((a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || (order.get(a.collector)! - order.get(b.collector)!));
  const records = o.records.sort((a, b) => (order.get(a.collector)! - order.get(b.collector)!) || cmp(a.id, b.id));
  const callerData = (o.callerRecord?.data ?? {}) as { Account?: string; Arn?: string; UserId?: string };
  const manifest: Manifest = {
    formatVersion: 1,
    runId: o.runId,
    tool: { name: 'trustpack', version: o.toolVersion },
    ...(callerData.Account && callerData.Arn
      ? { caller: { account: callerData.Account, arn: callerData.Arn, ...(callerData.UserId ? { userId: callerData.UserId } : {}) } }
      : {}),
    accounts: [...new Set(o.accounts)],
    regions: o.allRegions ? [...new Set([...o.accountRegions.values()].flat())].sort() : [...o.regions],
    startedAt: o.startedAt.toISOString(),
    endedAt: o.endedAt.toISOString(),
    collections,
    files: [],
    ...(o.asOf ? { asOf: o.asOf.toISOString(), source: 'config-history' as const } : {}),
  };
  if (o.allRegions) {
    manifest.accountRegions = Object.fromEntries([...o.accountRegions].sort(([a], [b]) => cmp(a, b)));
    if (Object.keys(o.regionsNotEnabled).length > 0) manifest.regionsNotEnabled = o.regionsNotEnabled;
  }
  if (o.orgRole !== undefined) manifest.organization = { role: o.orgRole, skippedAccounts: o.skippedAccounts ?? [] };
  if (o.shard) manifest.shard = o.shard;
  if (o.catalogDigest) manifest.catalogDigest = o.catalogDigest;
  if (o.notices.length > 0) manifest.notices = [...o.notices];
  if (Object.keys(o.pacing).length > 0) manifest.pacing = Object.fromEntries(Object.entries(o.pacing).sort(([a], [b]) => cmp(a, b)));
  const bundle: EvidenceBundle = { manifest, records };
  // spilled: the files are on disk, and spill.finish() lists them
  if (o.spilled) return bundle;
  // Fill files[] as the bundle on disk will have them, so the in-memory manifest is the same.
  const written = JSON.parse(bundleFiles(bundle).at(-1)!.bytes.toString('utf8')) as Manifest;
  manifest.files = written.files;
  return bundle;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
