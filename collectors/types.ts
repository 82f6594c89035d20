// What every collector module exports. Collectors know AWS and nothing of controls.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';

export interface CollectorInfo {
  /** stable id referenced by controls, e.g. `rds.db-clusters` */
  id: string;
  /** AWS service (SDK endpoint name) */
  service: 'rds' | 'kms' | 'config' | 'sts';
  /** the API operations it calls */
  operations: string[];
  /** CloudFormation-style resource type of its records */
  resourceType: string;
  /** regional collectors run once per region; global ones once per account */
  scope: 'regional' | 'global';
  /** collectors whose records this one reads (joins); they run first, in the same account and region */
  dependsOn?: string[];
  description: string;
}

export interface CollectContext {
  account: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** client config shared by every SDK client: region, credentials, retries, endpoint, abort */
  clientConfig: Record<string, unknown>;
  /** records already collected for this account and region, by collector id (for joins) */
  prior: ReadonlyMap<string, readonly EvidenceRecord[]>;
  /** count one API call (for the manifest) */
  countCall(operation: string): void;
  now(): Date;
  /** aborts the run's calls (Ctrl-C); pass it to every `send` / paginator */
  signal?: AbortSignal;
  /**
   * bounds the AWS requests in flight across the whole run (p-limit); collectors' clients send
   * every HTTP attempt through it (see collectors/common.ts `createClient`)
   */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** set for `collect --as-of`: the time the evidence describes, rebuilt from Config's history */
  asOf?: Date;
  /** the account and region's configuration history (as-of runs only), shared by a backfill's steps */
  history?: import('./history/store.js').ConfigHistoryStore;
}

export interface Collector extends CollectorInfo {
  collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft>;
}
