// Fault plans: which calls fail, how, how often. A seeded generator makes a run repeatable.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { FixtureError } from './errors.js';
import { Cursor, yamlLocator } from './reader.js';

export const FAULT_KINDS = ['throttle', 'server-error', 'access-denied', 'timeout', 'truncate', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  /** rds, sts, kms, config; any when absent */
  service?: string;
  /** API operation name, e.g. DescribeDBClusters; any when absent */
  operation?: string;
  region?: string;
  account?: string;
  kind: FaultKind;
  /** probability of injecting on a matching call, 0..1 (default 1) */
  rate?: number;
  /** inject at most this many times */
  times?: number;
}

export interface FaultPlan {
  seed?: number;
  /** latency for every call while this plan is active (replaces the sandbox's own) */
  latencyMs?: number;
  rules: FaultRule[];
}

export interface CallFacts { service: string; operation: string; region: string; account: string }

/** mulberry32: small, fast, good enough to decide faults repeatably. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, call by call, whether a fault applies; counts injections per rule. */
export class FaultInjector {
  private readonly random: () => number;
  private readonly used: number[];

  constructor(readonly plan: FaultPlan) {
    this.random = seededRandom(plan.seed ?? 1);
    this.used = plan.rules.map(() => 0);
  }

  /** The first matching rule that fires, or undefined. */
  decide(call: CallFacts): FaultRule | undefined {
    for (const [i, rule] of this.plan.rules.entries()) {
      if (rule.service && rule.service !== call.service) continue;
      if (rule.operation && rule.operation !== call.operation) continue;
      if (rule.region && rule.region !== call.region) continue;
      if (rule.account && rule.account !== call.account) continue;
      if (rule.times !== undefined && (this.used[i] ?? 0) >= rule.times) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      this.used[i] = (this.used[i] ?? 0) + 1;
      return rule;
    }
    return undefined;
  }
}

/** Checks a plan given as a plain object (YAML or JSON parsed), reporting positions through `c`. */
function readFaultPlan(c: Cursor): FaultPlan {
  c.keys(['seed', 'latencyMs', 'latency_ms', 'rules']);
  const plan: FaultPlan = { rules: [] };
  if (c.has('seed')) plan.seed = c.num('seed', 1, 0, 2 ** 32 - 1);
  if (c.has('latencyMs') || c.has('latency_ms')) plan.latencyMs = c.num(c.has('latencyMs') ? 'latencyMs' : 'latency_ms', 0, 0, 600_000);
  for (const rc of c.list('rules')) {
    rc.keys(['service', 'operation', 'region', 'account', 'kind', 'rate', 'times']);
    const rule: FaultRule = { kind: rc.oneOf('kind', FAULT_KINDS) };
    if (rc.has('service')) rule.service = rc.oneOf('service', ['rds', 'sts', 'kms', 'config'] as const);
    for (const k of ['operation', 'region', 'account'] as const) {
      const v = rc.optStr(k);
      if (v !== undefined) rule[k] = v;
    }
    if (rc.has('rate')) {
      const v = rc.at('rate').value;
      if (typeof v !== 'number' || v < 0 || v > 1) rc.fail(`"rate" must be a number from 0 to 1, found ${JSON.stringify(v)}`, [...rc.path, 'rate']);
      rule.rate = v as number;
    }
    if (rc.has('times')) rule.times = rc.num('times', 1, 0);
    plan.rules.push(rule);
  }
  return plan;
}

/** Reads a fault plan file (YAML or JSON); problems throw FixtureError "FILE:LINE:COL: problem". */
export function loadFaultPlan(file: string): FaultPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FixtureError(`${file}: cannot read fault plan: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseFaultPlan(text, file);
}

export function parseFaultPlan(text: string, file: string): FaultPlan {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lc.linePos(first.pos[0]);
    throw new FixtureError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return readFaultPlan(new Cursor(doc.toJS() as unknown, [], yamlLocator(file, doc, lc), new Date()));
}
