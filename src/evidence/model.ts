// Evidence as collected: what AWS answered, where, when, and to which call.

/** The call that produced a record. */
export interface EvidenceSource {
  /** AWS service id as in the SDK endpoint name: rds, kms, config, sts; `trustpack` for joins */
  service: string;
  operation: string;
  parameters: Record<string, unknown>;
  region: string;
  account: string;
  /** ISO 8601 time of the call's answer */
  time: string;
  /** for joined records: the ids of the records the join read */
  derivedFrom?: string[];
  /** `config-history`: rebuilt from AWS Config's configuration history (`collect --as-of`) */
  origin?: 'config-history';
  /** the configuration item the record was rebuilt from (its capture time is `time`) */
  configurationStateId?: string;
  configurationItemStatus?: string;
}

/**
 * A call about one resource that failed while the rest of its collection succeeded: access
 * denied on one key, a snapshot deleted while the run read it. The record names the resource and
 * the failed call; findings that need it are ERROR, the rest of the scope's evidence stands.
 */
interface RecordError {
  /** the AWS operation that failed, e.g. kms:GetKeyRotationStatus */
  operation: string;
  code: string;
  message: string;
  /**
   * the fields of `data` the failed call would have filled, when the record holds what the other
   * calls read (a key described but its rotation status denied); absent: `data` is null
   */
  fields?: string[];
}

/** A record before its id is computed. */
export interface EvidenceRecordDraft {
  collector: string;
  source: EvidenceSource;
  /** CloudFormation-style type, e.g. AWS::RDS::DBCluster */
  resourceType: string;
  /** ARN of the resource the record describes */
  resource: string;
  /** the data as AWS returned it (for joins: the joined facts); null when nothing could be read */
  data: unknown;
  /** set when a call about this resource failed (see RecordError) */
  error?: RecordError;
  /** the account that owns the resource when it is not the record's own (a key shared from another account) */
  owner?: string;
}

/** id = sha256 (hex) of the RFC 8785 canonical JSON of the draft. */
export interface EvidenceRecord extends EvidenceRecordDraft {
  id: string;
}

type CollectionStatus = 'ok' | 'error';

/** One collector run for one account and region: the unit of completeness. */
export interface Collection {
  collector: string;
  account: string;
  /** the region, or `global` for global collectors */
  region: string;
  status: CollectionStatus;
  /** error details when status is `error`; never contains credentials */
  error?: { code: string; message: string };
  calls: number;
  records: number;
  /** how many of the records are per-resource ERROR records (a call about one resource failed) */
  resourceErrors?: number;
  startedAt: string;
  endedAt: string;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
  records?: number;
}

export interface Manifest {
  formatVersion: 1;
  runId: string;
  tool: { name: 'trustpack'; version: string };
  caller?: { account: string; arn: string; userId?: string };
  accounts: string[];
  regions: string[];
  startedAt: string;
  endedAt: string;
  /** every (collector, account, region) attempted */
  collections: Collection[];
  files: ManifestFile[];
  /** `--regions all`: the regions enabled in each account (scopes are per account then) */
  accountRegions?: Record<string, string[]>;
  /** `--regions all`: opt-in regions not enabled, per account, with their RegionOptStatus */
  regionsNotEnabled?: Record<string, { region: string; status: string }[]>;
  /** `--org-role`: the role assumed and the accounts skipped for their State */
  organization?: { role: string; skippedAccounts: { account: string; state: string }[] };
  /** `--shard K/N`: which slice, of how many accounts, and the sha256 of the full sorted list */
  shard?: { k: number; n: number; accountsSha256: string; accounts: number };
  /** `merge`: the shards this bundle was merged from */
  mergedFrom?: { k: number; runId: string; manifestSha256: string }[];
  /** sha256 of the control catalog the run collected for */
  catalogDigest?: string;
  /** per collector: the pacing that was needed (throttles absorbed, retries, time lost) */
  pacing?: Record<string, { throttles: number; retries: number; backoffMs: number; pacedMs: number }>;
  /** things the user should know that are not failures */
  notices?: string[];
  /** the time the evidence describes: a backfilled run's as-of time (live runs: absent, = startedAt) */
  asOf?: string;
  /** `config-history` for runs rebuilt by `collect --as-of` / `backfill` (absent: live) */
  source?: 'live' | 'config-history';
}

export interface EvidenceBundle {
  manifest: Manifest;
  records: EvidenceRecord[];
}
