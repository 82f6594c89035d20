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
  send(command: object, ...rest: unknown[]): Promise<unknown>;
  destroy(): void;
}

/** What a call needs to know of the collection that sent it; carried on the command itself. */
interface CallScope {
  countCall: CollectContext['countCall'];
  account: string;
  pacing: CollectContext['pacing'];
  limit: CollectContext['limit'];
}

const SCOPE = Symbol('trustpack.callScope');

/** The SDK puts the command being sent in every middleware's context (@smithy/types HandlerExecutionContext). */
interface MiddlewareContext { commandName?: string; __smithy_context?: { commandInstance?: unknown } }

function scopeOf(context: MiddlewareContext): CallScope | undefined {
  return (context.__smithy_context?.commandInstance as { [SCOPE]?: CallScope } | undefined)?.[SCOPE];
}

const operationOf = (context: MiddlewareContext): string => context.commandName?.replace(/Command$/, '') ?? 'unknown';

type Next = (args: unknown) => Promise<unknown>;

/**
 * An SDK client with the run's middleware: counting every logical call for the manifest, pacing
 * and sending every HTTP attempt through the run's in-flight bound. The collection each call
 * belongs to is read from the call (its command), so one client serves several collections.
 */
function newClient<C extends SdkClient>(Ctor: new (config: never) => C, config: Record<string, unknown>, region: string): C {
  const client = new Ctor(config as never);
  const service = serviceOf(Ctor.name);
  // initialize runs once per send(), before retries: one logical call.
  client.middlewareStack.add(
    (next: Next, context: MiddlewareContext) => (args: unknown) => {
      scopeOf(context)?.countCall(operationOf(context));
      return next(args);
    },
    { step: 'initialize', name: 'trustpackCountCall', priority: 'high' },
  );
  // deserialize wraps each HTTP attempt (inside the SDK's retry loop). The pacer goes first
  // (outermost): it waits for the bucket's token and rides out throttles before the in-flight
  // bound is taken, so a slot is never held while waiting.
  client.middlewareStack.add(
    (next: Next, context: MiddlewareContext) => (args: unknown) => {
      const pacing = scopeOf(context)?.pacing;
      if (!pacing) return next(args);
      return pacing.pacer.run({ service, operation: operationOf(context), account: scopeOf(context)!.account, region }, () => next(args), pacing.stats);
    },
    { step: 'deserialize', name: 'trustpackPacing', priority: 'high' },
  );
  client.middlewareStack.add(
    (next: Next, context: MiddlewareContext) => (args: unknown) => {
      const limit = scopeOf(context)?.limit;
      return limit ? limit(() => next(args)) : next(args);
    },
    { step: 'deserialize', name: 'trustpackInFlightLimit', priority: 'low' },
  );
  return client;
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;
/** A number per object (a credentials provider, an HTTP agent), for pool keys. */
function identity(o: object): string {
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = ++lastIdentity));
  return `#${id}`;
}

/** A key equal for two configs that make the same client: values by value, objects by identity. */
function describeConfig(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return JSON.stringify(value) ?? 'undefined';
  if (typeof value === 'function' || Object.getPrototypeOf(value) !== Object.prototype) return identity(value);
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().map((k) => `${k}:${describeConfig(obj[k])}`).join(',')}}`;
}

function poolKey(Ctor: object, region: string, account: string, config: Record<string, unknown>): string {
  // retryStrategy is a new object per collection made from maxAttempts, which is in the key
  const { retryStrategy: _r, ...rest } = config;
  return `${identity(Ctor)} ${region} ${account} ${describeConfig(rest)}`;
}

/**
 * An SDK client for the collection: the run's client config (credentials, retries, timeouts;
 * the endpoint comes from the SDK's own AWS_ENDPOINT_URL handling), counting every logical call
 * for this collection and sending every HTTP attempt through the run's pacing and in-flight bound.
 * With `ctx.clients` the underlying client is shared with the account's other collections (same
 * class, region, account and config) and destroy() leaves it to the pool; what is returned is a
 * view of it (still an instance of Ctor, as paginators require) whose send() tags each command
 * with this collection.
 */
export function createClient<C extends SdkClient>(
  ctx: CollectContext,
  Ctor: new (config: never) => C,
  region: string = String(ctx.clientConfig['region'] ?? ctx.region),
): C {
  const config = { ...ctx.clientConfig, region };
  const pool = ctx.clients;
  const core = pool ? pool.get(poolKey(Ctor, region, ctx.account, config), () => newClient(Ctor, config, region)) : newClient(Ctor, config, region);
  const scope: CallScope = { countCall: ctx.countCall, account: ctx.account, pacing: ctx.pacing, limit: ctx.limit };
  const view = Object.create(core) as C;
  Object.defineProperties(view, {
    send: { value: (command: object, ...rest: unknown[]) => {
      (command as { [SCOPE]?: CallScope })[SCOPE] = scope;
      return core.send(command, ...rest);
    } },
    destroy: { value: pool ? () => { /* the pool destroys it with the account's other clients */ } : () => core.destroy() },
  });
  return view;
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
