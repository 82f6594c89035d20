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

/** A record before its id is computed. */
export interface EvidenceRecordDraft {
  collector: string;
  source: EvidenceSource;
  /** CloudFormation-style type, e.g. AWS::RDS::DBCluster */
  resourceType: string;
  /** ARN of the resource the record describes */
  resource: string;
  /** the data as AWS returned it (for joins: the joined facts); null when `error` is set */
  data: unknown;
  /**
   * the resource's evidence could not be read: the call and the error (its findings are ERROR).
   * `fields`: only these top-level fields of `data` are missing (the rest was read), so only
   * controls reading one of them are in doubt.
   */
  error?: { operation: string; code: string; message: string; fields?: string[] };
}

/** id = sha256 (hex) of the RFC 8785 canonical JSON of the draft. */
export interface EvidenceRecord extends EvidenceRecordDraft {
  id: string;
}

export type CollectionStatus = 'ok' | 'error';

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
  /** the time the evidence describes: a backfilled run's as-of time (live runs: absent, = startedAt) */
  asOf?: string;
  /** `config-history` for runs rebuilt by `collect --as-of` / `backfill` (absent: live) */
  source?: 'live' | 'config-history';
}

export interface EvidenceBundle {
  manifest: Manifest;
  records: EvidenceRecord[];
}
