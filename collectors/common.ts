// Helpers shared by the collector modules: SDK clients wired to the run (call counting,
// the in-flight bound, abort), record drafts, ARNs, and checks on what AWS answered.
import type { CollectContext } from './types.js';
import { MalformedResponseError } from './errors.js';
import type { EvidenceRecord, EvidenceRecordDraft, EvidenceSource } from '../src/evidence/model.js';
import { describeError } from '../src/aws/errors.js';

export { MalformedResponseError };

/** The part of an SDK v3 client we touch; every generated client has it. */
interface SdkClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
  destroy(): void;
}

/**
 * An SDK client for the collection: the run's client config (credentials, retries, timeouts;
 * the endpoint comes from the SDK's own AWS_ENDPOINT_URL handling), counting every logical call
 * for the manifest and sending every HTTP attempt through the run's in-flight bound.
 */
export function createClient<C extends SdkClient>(
  ctx: CollectContext,
  Ctor: new (config: never) => C,
  region: string = String(ctx.clientConfig['region'] ?? ctx.region),
): C {
  const config = { ...ctx.clientConfig, region };
  const client = new Ctor(config as never);
  // initialize runs once per send(), before retries: one logical call.
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      ctx.countCall(context.commandName?.replace(/Command$/, '') ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'trustpackCountCall', priority: 'high' },
  );
  // deserialize wraps each HTTP attempt (inside the SDK's retry loop). The pacer goes first
  // (outermost): it waits for the bucket's token and rides out throttles before the in-flight
  // bound is taken, so a slot is never held while waiting.
  const pacing = ctx.pacing;
  if (pacing) {
    const service = serviceOf(Ctor.name);
    const account = ctx.account;
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
        pacing.pacer.run({ service, operation: context.commandName?.replace(/Command$/, '') ?? 'unknown', account, region }, () => next(args), pacing.stats),
      { step: 'deserialize', name: 'trustpackPacing', priority: 'high' },
    );
  }
  const limit = ctx.limit;
  if (limit) {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => (args: unknown) => limit(() => next(args)),
      { step: 'deserialize', name: 'trustpackInFlightLimit', priority: 'low' },
    );
  }
  return client;
}

/** The service id of an SDK client class as AWS names it in IAM and in the pacing table. */
function serviceOf(clientName: string): string {
  const name = clientName.replace(/Client$/, '').toLowerCase();
  if (name === 'configservice') return 'config';
  return name === 'cloudwatchlogs' ? 'logs' : name;
}

/** Extra arguments for send() and paginators: the run's abort signal. */
export function sendOptions(ctx: CollectContext): { abortSignal?: AbortSignal } {
  return ctx.signal ? { abortSignal: ctx.signal } : {};
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new MalformedResponseError(`answer without ${what}`);
  return value;
}

export function requireArray<T>(value: T[] | undefined, what: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MalformedResponseError(`${what} is not a list`);
  return value;
}

/** The ARN partition of a region (aws, aws-cn, aws-us-gov). */
export function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface DraftInput {
  service: string;
  operation: string;
  parameters: Record<string, unknown>;
  resourceType: string;
  resource: string;
  data: unknown;
  region?: string;
  account?: string;
  time?: string;
  derivedFrom?: string[];
}

/**
 * A per-resource ERROR: the call about this one resource failed, the rest of the collection
 * stands. `data` is what the other calls about it read (then `fields` names what is missing), or
 * null. Only an abort still stops the whole collection.
 */
export function errorDraft(
  ctx: CollectContext, collector: string, d: Omit<DraftInput, 'data'> & { data?: unknown; failed: { operation: string; err: unknown; fields?: string[] } },
): EvidenceRecordDraft {
  const e = describeError(d.failed.err);
  if (e.code === 'Aborted') throw d.failed.err;
  const { failed, data, ...rest } = d;
  return {
    ...makeDraft(ctx, collector, { ...rest, data: data ?? null }),
    error: { operation: failed.operation, code: e.code, message: e.message, ...(data !== undefined && failed.fields ? { fields: failed.fields } : {}) },
  };
}

export function makeDraft(ctx: CollectContext, collector: string, d: DraftInput): EvidenceRecordDraft {
  const source: EvidenceSource = {
    service: d.service,
    operation: d.operation,
    parameters: d.parameters,
    region: d.region ?? ctx.region,
    account: d.account ?? ctx.account,
    time: d.time ?? ctx.now().toISOString(),
  };
  if (d.derivedFrom) source.derivedFrom = [...new Set(d.derivedFrom)].sort();
  return { collector, source, resourceType: d.resourceType, resource: d.resource, data: d.data };
}

export interface PagedList<Page, Item> {
  collector: string;
  service: string;
  operation: string;
  resourceType: string;
  /** the input sent, without the page token */
  parameters: Record<string, unknown>;
  pages: AsyncIterable<Page>;
  /** the page's list, and its name for the error when AWS leaves it out */
  items: (page: Page) => Item[] | undefined;
  itemsName: string;
  arn: (item: Item) => unknown;
  arnName: string;
}

/** One record per item of every page of a describe call, the item kept as AWS returned it. */
export async function* recordsOfPages<Page, Item>(ctx: CollectContext, l: PagedList<Page, Item>): AsyncIterable<EvidenceRecordDraft> {
  for await (const page of l.pages) {
    const time = ctx.now().toISOString();
    for (const item of requireArray(l.items(page), l.itemsName)) {
      yield makeDraft(ctx, l.collector, {
        service: l.service, operation: l.operation, parameters: l.parameters, time,
        resourceType: l.resourceType, resource: requireString(l.arn(item), l.arnName), data: item,
      });
    }
  }
}

/** Records of a collector this one depends on (run ensures they were collected first). */
export function prior(ctx: CollectContext, collector: string): readonly EvidenceRecord[] {
  const records = ctx.prior.get(collector);
  if (!records) throw new Error(`records of ${collector} are not available (dependency not collected)`);
  return records;
}

/** The `data` of a record as an object (records hold JSON objects for every collector). */
export function dataOf(record: EvidenceRecord): Record<string, unknown> {
  const d = record.data;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The input actually sent, minus the pagination token: what the record's call asked for. */
export function callParameters(input: Record<string, unknown>, tokenName: string): Record<string, unknown> {
  const { [tokenName]: _token, ...rest } = input;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** Runs fn on every item concurrently (the run's in-flight bound applies to the requests). */
export async function mapConcurrent<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map(fn));
}
