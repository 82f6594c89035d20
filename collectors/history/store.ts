// Reads AWS Config's configuration history for one account and region, once per resource for
// a whole time range, so a backfill of ninety daily steps costs what one pass over the range
// costs, not ninety passes. Within the API's limits: each GetResourceConfigHistory call with
// both times spans at most seven days; the item in force when the range starts (which may be
// years older) is asked for without earlierTime, newest first, limit 1, following nextToken
// back seven days a page until it comes (one call per seven days between it and the range).
// That walk costs a call per week of the item's age, so first BatchGetResourceConfig (100 keys a
// call) fetches every live resource's CURRENT item: one captured at or before the range starts
// has not changed since, so it is the item in force over the whole range and neither the walk
// back nor the forward windows are needed. Only resources changed since the range start, and
// deleted ones (the batch does not return them), take the history path.
import {
  BatchGetResourceConfigCommand, ConfigServiceClient, GetResourceConfigHistoryCommand, paginateListDiscoveredResources,
  type GetResourceConfigHistoryCommandInput, type ResourceIdentifier, type ResourceKey,
} from '@aws-sdk/client-config-service';
import type { CollectContext, ConfigHistory } from '../types.js';
import { createClient, MalformedResponseError, sendOptions } from '../common.js';
import { parseBaseItem, parseItem, type HistoryItem } from './items.js';
import { OTHER_PATHS } from './normalise.js';

export const SEVEN_DAYS_MS = 7 * 86_400_000;
/** BatchGetResourceConfig's most resource keys per call (API reference). */
export const BATCH_KEYS = 100;
/** Rounds of retrying unprocessed keys before those resources take the history path instead. */
const UNPROCESSED_ROUNDS = 5;

/**
 * Types whose normalisers read tags: BatchGetResourceConfig's items carry none (API reference:
 * "does not return any tags"), so an unchanged resource of such a type still costs one
 * GetResourceConfigHistory call, for exactly its current item (tags included).
 */
const NEEDS_TAGS = new Set(Object.entries(OTHER_PATHS).filter(([, paths]) => paths.includes('tags.key')).map(([type]) => type));

export interface HistoryStoreOptions {
  /** use BatchGetResourceConfig for resources unchanged since the range start (default true) */
  batchCurrent?: boolean;
}

export interface HistoryCallStats {
  calls: number;
  byOperation: Record<string, number>;
}

/** What a store's caller needs for one call: counting it for the manifest, and aborting. */
type CallCtx = Pick<CollectContext, 'countCall' | 'signal'>;

export class ConfigHistoryStore implements ConfigHistory {
  readonly stats: HistoryCallStats = { calls: 0, byOperation: {} };
  private readonly client: ConfigServiceClient;
  private readonly listed = new Map<string, Promise<ResourceIdentifier[]>>();
  private readonly timelines = new Map<string, Promise<HistoryItem[]>>();
  private readonly before = new Map<string, Promise<HistoryItem | undefined>>();
  private readonly currents = new Map<string, Promise<Map<string, HistoryItem>>>();
  private readonly batchCurrent: boolean;

  /** `ctx` supplies the client settings (credentials, endpoint, retries, the in-flight bound). */
  constructor(ctx: CollectContext, readonly from: Date, readonly to: Date, opts: HistoryStoreOptions = {}) {
    this.batchCurrent = opts.batchCurrent ?? true;
    if (to.getTime() < from.getTime()) throw new Error('history range ends before it starts');
    this.client = createClient({ ...ctx, countCall: () => { /* counted per call below */ } }, ConfigServiceClient);
  }

  private readonly memos = new Map<string, Promise<unknown>>();

  /** A lookup of today's state shared by every step (e.g. rule definitions by id): made once. */
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memos.get(key) as Promise<T> | undefined;
    if (!p) this.memos.set(key, p = make());
    return p;
  }

  destroy(): void {
    this.client.destroy();
  }

  private count(c: CallCtx, op: string): void {
    c.countCall(op);
    this.stats.calls++;
    this.stats.byOperation[op] = (this.stats.byOperation[op] ?? 0) + 1;
  }

  /** Every resource of the type Config knows, deleted ones included (one listing per type). */
  discovered(type: string, c: CallCtx): Promise<ResourceIdentifier[]> {
    let p = this.listed.get(type);
    if (!p) {
      p = (async () => {
        const all: ResourceIdentifier[] = [];
        const pages = paginateListDiscoveredResources({ client: this.client, pageSize: 100 },
          { resourceType: type as never, includeDeletedResources: true, limit: 100 }, sendOptions(c as CollectContext));
        for await (const page of pages) {
          this.count(c, 'ListDiscoveredResources');
          all.push(...(page.resourceIdentifiers ?? []));
        }
        return all;
      })();
      this.listed.set(type, p);
    }
    return p;
  }

  private async history(input: GetResourceConfigHistoryCommandInput, c: CallCtx): Promise<HistoryItem[]> {
    const out: HistoryItem[] = [];
    let nextToken: string | undefined;
    do {
      this.count(c, 'GetResourceConfigHistory');
      const page = await this.client.send(new GetResourceConfigHistoryCommand({ ...input, ...(nextToken ? { nextToken } : {}) }), sendOptions(c as CollectContext));
      out.push(...(page.configurationItems ?? []).map(parseItem));
      // One item asked for: the newest one is all that is needed, but each call spans at most
      // seven days, so without earlierTime a page can be empty with a token while an older
      // item exists (API reference): follow the tokens until the item comes, or they end.
      nextToken = input.limit === 1 && out.length > 0 ? undefined : page.nextToken;
    } while (nextToken);
    return out;
  }

  /**
   * The current item of every live resource of the type, by resource id: BatchGetResourceConfig
   * over the discovered resources, 100 keys a call, unprocessed keys sent again. Made once per type.
   */
  private current(type: string, c: CallCtx): Promise<Map<string, HistoryItem>> {
    let p = this.currents.get(type);
    if (!p) {
      p = (async () => {
        const out = new Map<string, HistoryItem>();
        // deleted resources are not returned: asking for them would only waste keys
        let todo: ResourceKey[] = (await this.discovered(type, c))
          .filter((r) => !r.resourceDeletionTime && r.resourceId)
          .map((r) => ({ resourceType: r.resourceType, resourceId: r.resourceId }));
        for (let round = 0; todo.length > 0 && round < UNPROCESSED_ROUNDS; round++) {
          const unprocessed: ResourceKey[] = [];
          for (let i = 0; i < todo.length; i += BATCH_KEYS) {
            this.count(c, 'BatchGetResourceConfig');
            const res = await this.client.send(new BatchGetResourceConfigCommand({ resourceKeys: todo.slice(i, i + BATCH_KEYS) }), sendOptions(c as CollectContext));
            for (const b of res.baseConfigurationItems ?? []) {
              if (b.resourceType !== type || !b.resourceId) throw new MalformedResponseError(`BatchGetResourceConfig returned an item of ${String(b.resourceType)} when asked for ${type}`);
              out.set(b.resourceId, parseBaseItem(b));
            }
            unprocessed.push(...(res.unprocessedResourceKeys ?? []));
          }
          todo = unprocessed;
        }
        // keys still unprocessed after the retries are simply not in the map: they take the history path
        return out;
      })();
      this.currents.set(type, p);
    }
    return p;
  }

  /**
   * The resource's current item when it was captured at or before the range start (unchanged
   * since: the item in force over the whole range), else undefined. Its tags, which the batch
   * does not return, are read with one history call for exactly that item when a normaliser needs them.
   */
  private async unchanged(r: ResourceIdentifier, c: CallCtx): Promise<HistoryItem | undefined> {
    if (!this.batchCurrent || r.resourceDeletionTime || !r.resourceType || !r.resourceId) return undefined;
    const cur = (await this.current(r.resourceType, c)).get(r.resourceId);
    if (!cur || cur.captureTime.getTime() > this.from.getTime()) return undefined;
    if (!NEEDS_TAGS.has(r.resourceType)) return cur;
    const at = cur.captureTime;
    const [full] = await this.history({
      resourceType: r.resourceType, resourceId: r.resourceId, earlierTime: at, laterTime: at, chronologicalOrder: 'Forward', limit: 1,
    }, c);
    // not that item after all (changed in between): let the full path decide
    return full && full.stateId === cur.stateId ? full : undefined;
  }

  /**
   * The resource's items over the store's range: the one in force at `from`, then every item
   * captured up to `to`, ascending. Read once; later steps reuse it.
   */
  private timeline(r: ResourceIdentifier, c: CallCtx): Promise<HistoryItem[]> {
    const key = `${r.resourceType}/${r.resourceId}`;
    let p = this.timelines.get(key);
    if (!p) {
      p = (async () => {
        const same = await this.unchanged(r, c);
        if (same) return [same];
        const base = { resourceType: r.resourceType, resourceId: r.resourceId };
        const items = await this.history({ ...base, laterTime: this.from, chronologicalOrder: 'Reverse', limit: 1 }, c);
        // nothing after the resource's deletion can change it
        const end = Math.min(this.to.getTime(), r.resourceDeletionTime?.getTime() ?? Infinity);
        for (let start = this.from.getTime(); start < end; start += SEVEN_DAYS_MS) {
          const windowEnd = Math.min(start + SEVEN_DAYS_MS, end);
          items.push(...await this.history({
            ...base, earlierTime: new Date(start), laterTime: new Date(windowEnd), chronologicalOrder: 'Forward', limit: 100,
          }, c));
        }
        const seen = new Set<string>();
        return items
          .filter((i) => !seen.has(i.stateId) && seen.add(i.stateId))
          .sort((a, b) => a.captureTime.getTime() - b.captureTime.getTime());
      })();
      this.timelines.set(key, p);
    }
    return p;
  }

  /** The item in force at `at` (within the range), or undefined when the resource did not exist yet. */
  async itemAt(r: ResourceIdentifier, at: Date, c: CallCtx): Promise<HistoryItem | undefined> {
    if (at.getTime() < this.from.getTime() || at.getTime() > this.to.getTime()) {
      throw new Error(`as-of time ${at.toISOString()} is outside the history read (${this.from.toISOString()}..${this.to.toISOString()})`);
    }
    // deleted before the range began: gone for every step, no call needed
    if (r.resourceDeletionTime && r.resourceDeletionTime.getTime() <= this.from.getTime()) return undefined;
    const items = await this.timeline(r, c);
    let found: HistoryItem | undefined;
    for (const i of items) {
      if (i.captureTime.getTime() > at.getTime()) break;
      found = i;
    }
    return found;
  }

  /** The last item captured before `t` (one call, cached): the state just before a deletion. */
  lastBefore(r: ResourceIdentifier, t: Date, c: CallCtx): Promise<HistoryItem | undefined> {
    const key = `${r.resourceType}/${r.resourceId}@${t.getTime()}`;
    let p = this.before.get(key);
    if (!p) {
      p = this.history({ resourceType: r.resourceType, resourceId: r.resourceId, laterTime: new Date(t.getTime() - 1000), chronologicalOrder: 'Reverse', limit: 1 }, c)
        .then((items) => items[0]);
      this.before.set(key, p);
    }
    return p;
  }
}
