// What every collector module exports. Collectors know AWS and nothing of controls.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { EvidenceRecord, EvidenceRecordDraft } from '../src/evidence/model.js';
import type { ResourceIdentifier } from '@aws-sdk/client-config-service';
import type { Pacer, PacingStats } from '../src/aws/pacing.js';
import type { HistoryItem } from './history/items.js';
import type { CollectorDeclaration, CollectorId } from './declarations.js';

/** A collector's declaration (collectors/declarations.ts) without its record shape and history support. */
export interface CollectorInfo extends Omit<CollectorDeclaration, 'id' | 'dependsOn' | 'records' | 'history'> {
  readonly id: CollectorId;
  /** typed: a declaration that depends on an undeclared collector does not compile */
  readonly dependsOn?: readonly CollectorId[];
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
  /** the run's other accounts, for resources one of them owns (a key shared from a security account) */
  estate?: EstateContext;
  /** set for `collect --as-of`: the time the evidence describes, rebuilt from Config's history */
  asOf?: Date;
  /** the account and region's configuration history (as-of runs only), shared by a backfill's steps */
  history?: ConfigHistory;
  /**
   * as-of runs, global collectors: the history of one region of this account (Config records a
   * bucket in its own region, CloudFront distributions in us-east-1), and the run's regions
   */
  historyIn?: (region: string) => ConfigHistory;
  historyRegions?: readonly string[];
  /** paces every HTTP attempt and rides out throttling (src/aws/pacing.ts); stats are this collection's */
  pacing?: { pacer: Pacer; stats: PacingStats };
  /**
   * SDK clients shared by the collections of one account (collectors/client-pool.ts); without it
   * every `createClient` makes its own
   */
  clients?: ClientPool;
}

/** Clients kept by a key (service class, region, account, config): made once, shared, destroyed together. */
export interface ClientPool {
  get<C extends object>(key: string, make: () => C): C;
}

/**
 * What a collection may know of the rest of the run: whose credentials read a resource another
 * account of the estate owns, and one memo across the run so such a resource is read once.
 */
export interface EstateContext {
  /** the credentials of an account of the run, or undefined when the account is not in it */
  credentialsFor(account: string): Promise<AwsCredentialIdentityProvider> | undefined;
  /** every account of the run (all shards'), sorted; for a resource whose owner is not known (a trail's bucket) */
  accounts?(): readonly string[];
  /** the run-wide memo: the first caller of a key starts the work, the others share its promise */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
}

export interface Collector extends CollectorInfo {
  collect(ctx: CollectContext): AsyncIterable<EvidenceRecordDraft>;
}

/**
 * What an as-of collector reads of an account and region's configuration history. The store
 * (history/store.ts, ConfigHistoryStore) implements it; declared here so that the context does
 * not import the store, which imports common.ts, which imports this file.
 */
export interface ConfigHistory {
  /** the start of the time range the store reads */
  readonly from: Date;
  /** one memo per store, shared by the collectors of its account and region */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
  discovered(type: string, c: Pick<CollectContext, 'countCall' | 'signal'>): Promise<ResourceIdentifier[]>;
  itemAt(r: ResourceIdentifier, at: Date, c: Pick<CollectContext, 'countCall' | 'signal'>): Promise<HistoryItem | undefined>;
  lastBefore(r: ResourceIdentifier, t: Date, c: Pick<CollectContext, 'countCall' | 'signal'>): Promise<HistoryItem | undefined>;
}
