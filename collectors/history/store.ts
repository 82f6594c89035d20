// Reads AWS Config's configuration history for one account and region, once per resource for
// a whole time range, so a backfill of ninety daily steps costs what one pass over the range
// costs, not ninety passes. Within the API's limits: each GetResourceConfigHistory call with
// both times spans at most seven days; the item in force when the range starts (which may be
// years older) is asked for without earlierTime, newest first, limit 1, following nextToken
// back seven days a page until it comes (one call per seven days between it and the range).
import {
  ConfigServiceClient, GetResourceConfigHistoryCommand, paginateListDiscoveredResources,
  type GetResourceConfigHistoryCommandInput, type ResourceIdentifier,
} from '@aws-sdk/client-config-service';
import type { CollectContext } from '../types.js';
import { createClient, sendOptions } from '../common.js';
import { parseItem, type HistoryItem } from './items.js';

export const SEVEN_DAYS_MS = 7 * 86_400_000;

export interface HistoryCallStats {
  calls: number;
  byOperation: Record<string, number>;
}

/** What a store's caller needs for one call: counting it for the manifest, and aborting. */
type CallCtx = Pick<CollectContext, 'countCall' | 'signal'>;

export class ConfigHistoryStore {
  readonly stats: HistoryCallStats = { calls: 0, byOperation: {} };
  private readonly client: ConfigServiceClient;
  private readonly listed = new Map<string, Promise<ResourceIdentifier[]>>();
  private readonly timelines = new Map<string, Promise<HistoryItem[]>>();
  private readonly before = new Map<string, Promise<HistoryItem | undefined>>();

  /** `ctx` supplies the client settings (credentials, endpoint, retries, the in-flight bound). */
  constructor(ctx: CollectContext, readonly from: Date, readonly to: Date) {
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
   * The resource's items over the store's range: the one in force at `from`, then every item
   * captured up to `to`, ascending. Read once; later steps reuse it.
   */
  private timeline(r: ResourceIdentifier, c: CallCtx): Promise<HistoryItem[]> {
    const key = `${r.resourceType}/${r.resourceId}`;
    let p = this.timelines.get(key);
    if (!p) {
      p = (async () => {
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
