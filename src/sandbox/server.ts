// The sandbox HTTP server: one loopback port answers RDS, STS, KMS, Config and S3 as AWS would,
// routed by the SigV4 credential scope, with optional latency and injected faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { accountOfKey, parseAuthorization } from './auth.js';
import { ApiError } from './errors.js';
import { FaultInjector, type FaultKind, type FaultPlan } from './faults.js';
import { emptyRegion, type Account, type Fixture, type WireValue } from './model.js';
import { jsonError, jsonResponse, queryError, queryResponse, restXmlResponse, type XmlAnswer } from './wire.js';
import type { CallContext, Handler, Session } from './services/context.js';
import { RDS_NS, rdsOperations } from './services/rds.js';
import { STS_NS, stsOperations } from './services/sts.js';
import { kmsOperations } from './services/kms.js';
import { configOperations } from './services/config.js';
import { ACCOUNT_PATHS, accountOperations } from './services/account.js';
import { ORGANIZATIONS_TARGET, organizationsOperations } from './services/organizations.js';
import { S3Error, S3Service } from './services/s3.js';
import { CLOUDTRAIL_TARGET, cloudtrailOperations } from './services/cloudtrail.js';
import { backupOperations, backupRoute } from './services/backup.js';
import { ELBV2_NS, elbv2Operations } from './services/elbv2.js';
import { CLOUDFRONT_NS, cloudfrontOperations, cloudfrontRoute, CLOUDFRONT_XML_ITEMS } from './services/cloudfront.js';
import { guarddutyOperations, guarddutyRoute } from './services/guardduty.js';
import { LOGS_TARGET, logsOperations } from './services/logs.js';
import { SandboxLimiter, type RateLimits } from './rate-limits.js';

export interface SandboxOptions {
  fixture: Fixture;
  /** 0 (default) picks a free port */
  port?: number;
  faults?: FaultPlan;
  latencyMs?: number;
  /** a fixed clock (STS expirations); the wall clock when absent */
  now?: Date;
  /** S3: the most keys a ListObjectsV2 page holds (AWS: 1000); smaller to exercise paging */
  s3MaxKeys?: number;
  /** Config: the most keys one BatchGetResourceConfig call processes, the rest unprocessed (default: all) */
  configBatchProcessed?: number;
  /** request throttling per account and region; default: the fixture's `rate_limits` (none: off) */
  rateLimits?: RateLimits;
}

export interface SandboxStats {
  calls: number;
  /** by "service:Operation", e.g. "rds:DescribeDBClusters" */
  byOperation: Record<string, number>;
  faultsInjected: number;
  /** requests answered with a throttling error because their token bucket was empty */
  throttled: number;
}

/** One call the sandbox served: which API, for which account, and as whom. */
export interface SandboxCall {
  /** "service:Operation", e.g. "sts:AssumeRole" */
  call: string;
  region: string;
  account?: string;
  /** the assumed-role session's ARN when the caller used AssumeRole credentials, else absent */
  session?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  setFaults(plan: FaultPlan | undefined): void;
  setLatency(ms: number): void;
  setRateLimits(limits: RateLimits | undefined): void;
  stats(): SandboxStats;
  /** the S3 buckets served (in memory): tests read what was written, as CloudTrail would show */
  s3: S3Service;
  /** the calls served so far, oldest first (the first 100,000: enough for any test) */
  callLog(): SandboxCall[];
  close(): Promise<void>;
}

interface ServiceDef {
  protocol: 'query' | 'json' | 'rest-json' | 'rest-xml';
  /** query: the XML namespace; json: the X-Amz-Target prefix */
  ns: string;
  operations: Record<string, Handler>;
  /** rest-json: request path -> operation */
  paths?: Record<string, string>;
  /** REST services with path parameters: method and path -> operation and parameters (read as query fields) */
  route?: (method: string, path: string) => { operation: string; params: Record<string, string> } | undefined;
  /** XML list item element names of this service (default: RDS's table; {} = AWS's default `member`) */
  xmlItems?: Record<string, string>;
}

const SERVICES: Record<string, ServiceDef> = {
  rds: { protocol: 'query', ns: RDS_NS, operations: rdsOperations },
  sts: { protocol: 'query', ns: STS_NS, operations: stsOperations },
  kms: { protocol: 'json', ns: 'TrentService', operations: kmsOperations },
  config: { protocol: 'json', ns: 'StarlingDoveService', operations: configOperations },
  organizations: { protocol: 'json', ns: ORGANIZATIONS_TARGET, operations: organizationsOperations },
  account: { protocol: 'rest-json', ns: '', operations: accountOperations, paths: ACCOUNT_PATHS },
  cloudtrail: { protocol: 'json', ns: CLOUDTRAIL_TARGET, operations: cloudtrailOperations },
  backup: { protocol: 'rest-json', ns: '', operations: backupOperations, route: backupRoute },
  elasticloadbalancing: { protocol: 'query', ns: ELBV2_NS, operations: elbv2Operations, xmlItems: {} },
  cloudfront: { protocol: 'rest-xml', ns: CLOUDFRONT_NS, operations: cloudfrontOperations, route: cloudfrontRoute, xmlItems: CLOUDFRONT_XML_ITEMS },
  logs: { protocol: 'json', ns: LOGS_TARGET, operations: logsOperations },
  guardduty: { protocol: 'rest-json', ns: '', operations: guarddutyOperations, route: guarddutyRoute },
};

const MAX_BODY = 1 << 20;

const targetPrefixes = new Map<string, RegExp>();
/** `X-Amz-Target: [Version.]Namespace.Operation`: the part before the operation, compiled once per namespace. */
function targetPrefix(ns: string): RegExp {
  let re = targetPrefixes.get(ns);
  if (!re) targetPrefixes.set(ns, (re = new RegExp(`^(?:[\\w.]+\\.)?${ns}\\.`)));
  return re;
}

/** Without a signature (curl, a hand-written client) the service is inferred from the request itself. */
function inferService(req: IncomingMessage, form: URLSearchParams): string | undefined {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target.startsWith('TrentService.')) return 'kms';
  if (target.startsWith('StarlingDoveService.')) return 'config';
  if (target.includes('CloudTrail_20131101.')) return 'cloudtrail';
  if (target.startsWith('Logs_20140328.')) return 'logs';
  const version = form.get('Version');
  if (version === '2014-10-31') return 'rds';
  if (version === '2011-06-15') return 'sts';
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ApiError('RequestEntityTooLarge', 413, 'Request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const MAX_CALL_LOG = 100_000;

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const { fixture } = opts;
  const defaultAccount = fixture.accounts[0];
  if (!defaultAccount) throw new Error('sandbox fixture has no account');
  let injector = opts.faults ? new FaultInjector(opts.faults) : undefined;
  let latency = opts.latencyMs ?? 0;
  const limitsOf = (l: RateLimits | undefined) => (l ? new SandboxLimiter(l) : undefined);
  let limiter = limitsOf(opts.rateLimits ?? fixture.rateLimits);
  let throttledBefore = 0;
  const stats: SandboxStats = { calls: 0, byOperation: {}, faultsInjected: 0, throttled: 0 };
  const callLog: SandboxCall[] = [];
  const sessions = new Map<string, Session>();
  const sockets = new Set<Socket>();
  const now = () => (opts.now ? new Date(opts.now.getTime()) : new Date());

  // an estate has a thousand accounts: look them up by id, not by a scan per request
  const accountsById = new Map<string, Account>();
  for (const a of fixture.accounts) if (!accountsById.has(a.id)) accountsById.set(a.id, a);
  function accountFor(accessKeyId: string | undefined): Account | undefined {
    const id = (accessKeyId && sessions.get(accessKeyId)?.account) ?? accountOfKey(accessKeyId);
    if (id === undefined) return defaultAccount; // any other key: the fixture's first account
    return accountsById.get(id);
  }

  async function answer(req: IncomingMessage, requestId: string): Promise<XmlAnswer | 'hold'> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const isJson = contentType.includes('json');
    const form = new URLSearchParams(url.search);
    if (!isJson) for (const [k, v] of new URLSearchParams(body)) form.append(k, v);
    const scope = parseAuthorization(req.headers.authorization);
    const serviceName = scope.service ?? inferService(req, form) ?? 'unknown';
    const service = SERVICES[serviceName];
    const regionName = scope.region ?? 'us-east-1';
    if (!service) {
      return queryError(RDS_NS, 400, 'InvalidAction', `The sandbox does not serve the service "${serviceName}" (it serves ${Object.keys(SERVICES).join(', ')}).`, requestId);
    }
    const xml = service.protocol === 'query' || service.protocol === 'rest-xml';
    const fail = (status: number, code: string, message: string): XmlAnswer =>
      xml ? queryError(service.ns, status, code, message, requestId) : jsonError(status, code, message);

    const routed = service.route?.(req.method ?? 'GET', url.pathname);
    if (routed) for (const [k, v] of Object.entries(routed.params)) form.set(k, v);
    const operation = service.protocol === 'query' ? form.get('Action') ?? ''
      : routed ? routed.operation
        : service.protocol === 'rest-json' ? service.paths?.[url.pathname] ?? ''
          : String(req.headers['x-amz-target'] ?? '').replace(targetPrefix(service.ns), '');
    stats.calls++;
    const opKey = `${serviceName}:${operation || '(none)'}`;
    stats.byOperation[opKey] = (stats.byOperation[opKey] ?? 0) + 1;

    const account = accountFor(scope.accessKeyId);
    const caller = scope.accessKeyId ? sessions.get(scope.accessKeyId) : undefined;
    if (callLog.length < MAX_CALL_LOG) callLog.push({ call: opKey, region: regionName, ...(account ? { account: account.id } : {}), ...(caller ? { session: caller.arn } : {}) });
    await latencyWait();
    if (!account) return fail(403, service.protocol === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', 'The security token included in the request is invalid.');

    const handler = service.operations[operation];
    if (!handler) {
      return service.protocol === 'query'
        ? fail(400, 'InvalidAction', `Could not find operation ${operation || '(no Action)'} for version ${form.get('Version') ?? '(none)'}`)
        : fail(400, 'UnknownOperationException', `Unknown operation ${operation || '(no X-Amz-Target)'}`);
    }

    const fault = faultFor(serviceName, operation, regionName, account.id);
    const session = scope.accessKeyId ? sessions.get(scope.accessKeyId) : undefined;
    if (fault && fault !== 'truncate' && fault !== 'malformed') {
      return injectedError(fault, serviceName, operation, regionName, account, session, fail);
    }

    let json: Record<string, unknown> = {};
    if (isJson && body.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
      } catch {
        return fail(400, 'SerializationException', 'The request body is not valid JSON.');
      }
    }
    if (routed) Object.assign(json, routed.params);
    const ctx: CallContext = {
      fixture, account, region: account.regions[regionName] ?? emptyRegion(regionName),
      query: form, json, now: now(), sessions, ...(session ? { session } : {}),
      ...(opts.configBatchProcessed ? { configBatchProcessed: opts.configBatchProcessed } : {}),
    };
    let result: XmlAnswer;
    try {
      const data: Record<string, WireValue> = handler(ctx);
      result = service.protocol === 'query' ? queryResponse(service.ns, operation, data, requestId, service.xmlItems)
        : service.protocol === 'rest-xml' ? restXmlResponse(service.ns, data, service.xmlItems ?? {}) : jsonResponse(data);
    } catch (e) {
      result = e instanceof ApiError ? fail(e.status, e.code, e.message) : fail(500, 'InternalFailure', `sandbox error: ${(e as Error).message}`);
    }
    if (fault === 'truncate') return { ...result, body: result.body.slice(0, Math.floor(result.body.length / 2)) };
    if (fault === 'malformed') return { status: 200, contentType: result.contentType, body: xml ? '<<<sandbox: this is not XML &&&' : '{"sandbox": this is not JSON' };
    return result;
  }

  const s3 = new S3Service({ now, fixture, ...(opts.s3MaxKeys ? { maxKeys: opts.s3MaxKeys } : {}) });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    // S3 is REST (path-style /bucket/key, raw bodies): its own handler, routed by the SigV4 scope
    const s3Scope = parseAuthorization(req.headers.authorization);
    if (s3Scope.service === 's3') {
      const s3Account = accountFor(s3Scope.accessKeyId);
      const s3Caller = s3Scope.accessKeyId ? sessions.get(s3Scope.accessKeyId) : undefined;
      void s3.handle(req, res, s3Scope.region ?? 'us-east-1', s3Account, (op) => admitS3(op, s3Scope.region ?? 'us-east-1', s3Account, s3Caller)).then((op) => {
        if (callLog.length < MAX_CALL_LOG) {
          callLog.push({ call: `s3:${op}`, region: s3Scope.region ?? 'us-east-1', ...(s3Account ? { account: s3Account.id } : {}), ...(s3Caller ? { session: s3Caller.arn } : {}) });
        }
        stats.calls++;
        stats.byOperation[`s3:${op}`] = (stats.byOperation[`s3:${op}`] ?? 0) + 1;
      });
      return;
    }
    answer(req, requestId).then(
      (a) => {
        if (a === 'hold') return; // a timeout: the client gives up; close() destroys the socket
        res.writeHead(a.status, { 'Content-Type': a.contentType, 'Content-Length': Buffer.byteLength(a.body), 'x-amzn-RequestId': requestId });
        res.end(a.body);
      },
      (e: unknown) => {
        const status = e instanceof ApiError ? e.status : 400;
        if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(e instanceof Error ? e.message : 'bad request');
      },
    );
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // a held (timeout) request must not keep the process alive once the client has gone
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  /** The answer's delay (the fault plan's, else the sandbox's): a timer, so other requests carry on meanwhile. */
  async function latencyWait(): Promise<void> {
    const delay = injector?.plan.latencyMs ?? latency;
    if (delay > 0) await sleep(delay);
  }

  /** What a call meets first: the rate limits (a throttle), then the fault plan; undefined when neither. */
  function faultFor(service: string, operation: string, region: string, account: string): FaultKind | undefined {
    if (limiter && !limiter.allow(service, operation, account, region)) return 'throttle';
    const fault = injector?.decide({ service, operation, region, account });
    if (fault) stats.faultsInjected++;
    return fault?.kind;
  }

  /**
   * S3's share of what every other service gets: the latency, the rate limits and the fault plan,
   * answered as S3 answers them (503 SlowDown, 500 InternalError, 403 AccessDenied). Truncated and
   * malformed answers are not injected into S3's raw bodies.
   */
  async function admitS3(operation: string, region: string, account: Account | undefined, session: Session | undefined): Promise<S3Error | 'hold' | undefined> {
    await latencyWait();
    if (!account) return undefined;
    switch (faultFor('s3', operation, region, account.id)) {
      case 'throttle': return new S3Error(503, 'SlowDown', 'Please reduce your request rate.');
      case 'server-error': return new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      case 'access-denied':
        return new S3Error(403, 'AccessDenied', `User: ${session?.arn ?? account.callerArn} is not authorized to perform: s3:${operation} because no identity-based policy allows the s3:${operation} action`);
      case 'timeout': return 'hold';
      default: return undefined;
    }
  }

  function injectedError(kind: FaultKind, service: string, operation: string, region: string, account: Account, session: Session | undefined,
    fail: (status: number, code: string, message: string) => XmlAnswer): XmlAnswer | 'hold' {
    const json = SERVICES[service]?.protocol === 'json';
    // AWS Backup (REST-JSON) answers AccessDeniedException with 403 and ThrottlingException with 429
    const backup = service === 'backup';
    switch (kind) {
      case 'throttle':
        if (backup) return fail(429, 'ThrottlingException', 'Rate exceeded');
        return fail(400, json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
      case 'server-error':
        return fail(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
      case 'access-denied': {
        const who = session?.arn ?? account.callerArn;
        return fail(json ? 400 : 403, json || backup ? 'AccessDeniedException' : 'AccessDenied',
          `User: ${who} is not authorized to perform: ${service}:${operation} on resource: arn:aws:${service}:${region}:${account.id}:* because no identity-based policy allows the ${service}:${operation} action`);
      }
      case 'timeout':
        return 'hold';
      default:
        return fail(500, 'InternalFailure', `unexpected fault ${kind}`);
    }
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setFaults(plan) {
      injector = plan ? new FaultInjector(plan) : undefined;
    },
    setLatency(ms) {
      latency = Math.max(0, ms);
    },
    setRateLimits(limits) {
      throttledBefore += limiter?.throttled ?? 0;
      limiter = limitsOf(limits);
    },
    stats: () => ({ calls: stats.calls, byOperation: { ...stats.byOperation }, faultsInjected: stats.faultsInjected, throttled: throttledBefore + (limiter?.throttled ?? 0) }),
    s3,
    callLog: () => callLog.map((c) => ({ ...c })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // held requests and keep-alive connections would keep close() waiting: end them
        for (const s of sockets) s.destroy();
        sockets.clear();
      }),
  };
}
