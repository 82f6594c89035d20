// GuardDuty (REST-JSON, camelCase members as the API reference shows them): ListDetectors
// (GET /detector, paged), GetDetector (GET /detector/{id}), ListFindings (POST
// /detector/{id}/findings, with findingCriteria on severity and service.archived, paged) and
// GetFindings (POST /detector/{id}/findings/get, at most 50 ids).
import { ApiError } from '../errors.js';
import { page } from '../paging.js';
import type { WireObject } from '../model.js';
import type { Detector } from '../model.js';
import type { CallContext, Handler } from './context.js';

const ROUTES: { method: string; re: RegExp; operation: string }[] = [
  { method: 'GET', re: /^\/detector$/, operation: 'ListDetectors' },
  { method: 'GET', re: /^\/detector\/([^/]+)$/, operation: 'GetDetector' },
  { method: 'POST', re: /^\/detector\/([^/]+)\/findings$/, operation: 'ListFindings' },
  { method: 'POST', re: /^\/detector\/([^/]+)\/findings\/get$/, operation: 'GetFindings' },
];

export function guarddutyRoute(method: string, path: string): { operation: string; params: Record<string, string> } | undefined {
  for (const r of ROUTES) {
    const m = r.method === method ? r.re.exec(path) : null;
    if (m) return { operation: r.operation, params: m[1] ? { DetectorId: decodeURIComponent(m[1]) } : {} };
  }
  return undefined;
}

const badToken = () => new ApiError('BadRequestException', 400, 'The request is rejected because the input nextToken is not valid.');

function detector(ctx: CallContext): Detector {
  const d = ctx.region.guardduty;
  const id = ctx.json['DetectorId'];
  if (!d || d.detectorId !== id) throw new ApiError('BadRequestException', 400, `The request is rejected because the input detectorId is not owned by the current account.`);
  return d;
}

function size(v: unknown, dflt: number, max: number): number {
  const n = v === undefined || v === null ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ApiError('BadRequestException', 400, `The request is rejected because the input maxResults is not in the range 1 to ${max}.`);
  return n;
}

const listDetectors: Handler = (ctx) => {
  const ids = ctx.region.guardduty ? [ctx.region.guardduty.detectorId] : [];
  const p = page(ids, size(ctx.query.get('maxResults') ?? undefined, 50, 50), ctx.query.get('nextToken') ?? undefined, 'guardduty:ListDetectors', badToken);
  return { detectorIds: p.items, nextToken: p.next };
};

const getDetector: Handler = (ctx) => detector(ctx).detector;

/** The value at a dotted criterion key ("service.archived") of a finding. */
function field(f: WireObject, key: string): unknown {
  let v: unknown = f;
  for (const k of key.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function matches(f: WireObject, criterion: Record<string, Record<string, unknown>>): boolean {
  for (const [key, cond] of Object.entries(criterion)) {
    const v = field(f, key);
    const num = typeof v === 'number' ? v : Number.NaN;
    const eq = (cond['eq'] ?? cond['equals']) as unknown[] | undefined;
    if (eq && !eq.map(String).includes(String(v))) return false;
    const neq = (cond['neq'] ?? cond['notEquals']) as unknown[] | undefined;
    if (neq?.map(String).includes(String(v))) return false;
    const gte = cond['gte'] ?? cond['greaterThanOrEqual'];
    if (typeof gte === 'number' && !(num >= gte)) return false;
    const gt = cond['gt'] ?? cond['greaterThan'];
    if (typeof gt === 'number' && !(num > gt)) return false;
    const lt = cond['lt'] ?? cond['lessThan'];
    if (typeof lt === 'number' && !(num < lt)) return false;
  }
  return true;
}

const listFindings: Handler = (ctx) => {
  const d = detector(ctx);
  const criterion = ((ctx.json['findingCriteria'] as { criterion?: Record<string, Record<string, unknown>> } | undefined)?.criterion) ?? {};
  const found = d.findings.filter((f) => matches(f, criterion)).map((f) => f['id'] as string);
  const p = page(found, size(ctx.json['maxResults'], 50, 50), ctx.json['nextToken'] as string | undefined, `guardduty:ListFindings:${JSON.stringify(criterion)}`, badToken);
  return { findingIds: p.items, nextToken: p.next };
};

const getFindings: Handler = (ctx) => {
  const d = detector(ctx);
  const ids = ctx.json['findingIds'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 50) throw new ApiError('BadRequestException', 400, 'The request is rejected because findingIds must hold 1 to 50 ids.');
  return { findings: d.findings.filter((f) => ids.includes(f['id'])) };
};

export const guarddutyOperations: Record<string, Handler> = {
  ListDetectors: listDetectors,
  GetDetector: getDetector,
  ListFindings: listFindings,
  GetFindings: getFindings,
};
