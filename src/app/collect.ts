// `collect` and `check`: evidence from AWS (or any AWS-compatible endpoint) through the SDK.
import { join, resolve } from 'node:path';
import { sweepStaleTemps, tempSibling } from '../util/atomic.js';
import type { RecordSpill } from '../evidence/spill.js';
import type { HistoryStores } from '../../collectors/run.js';
import type { EvidenceBundle } from '../evidence/model.js';
import { COLLECTORS, withDependencies } from '../../collectors/registry.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { makeProgress } from './progress.js';
import { evaluateAndRender, parseMaxRows } from './evaluate.js';
import { checkFramework } from './list.js';
import { loadGate, type GateOptions } from './gates.js';
import { UsageError } from './errors.js';
import { checkOutputTarget } from './output-target.js';
import { plural } from '../output/text.js';
import { endpointOverride } from '../aws/explain.js';
import { VERSION } from '../version.js';
import { checkRegionNames, isAllRegions } from '../aws/regions.js';
import { checkAccountIds, parseShard } from '../aws/estate.js';
import { catalogDigest } from '../controls/digest.js';
import { networkSettings } from '../aws/network-options.js';
import { DEFAULT_PACING, mergePacing, type PacingTable } from '../aws/pacing.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

export interface CollectArgs extends ProjectOptions {
  regions?: string[];
  roleArn?: string[];
  // ---- estates ----
  orgRole?: string;
  accounts?: string[];
  excludeAccounts?: string[];
  shard?: string;
  rateLimits?: string;
  profile?: string;
  concurrency?: string;
  /** `--timeout SECONDS` and `--max-attempts N` (src/aws/network-options.ts) */
  timeout?: string;
  maxAttempts?: string;
  out?: string;
  /** replace an existing non-empty --out (and --output) */
  force?: boolean;
  /** `--as-of DATE|TIMESTAMP`: the state then, rebuilt from AWS Config's configuration history */
  asOf?: string;
  /** the collection's clock (`demo --period`: a live run of the sample as if made on a past day) */
  clock?: () => Date;
  /** also append the bundle to this evidence archive (folder or s3://bucket/prefix) */
  archive?: string;
  retainUntil?: string;
  retainMode?: string;
  log: (s: string) => void;
  tty: boolean;
}

/** The collectors the catalog's automated controls read, their dependencies, and the caller identity. */
export function collectorsFor(ctx: ProjectContext): string[] {
  const wanted = new Set<string>(['sts.caller-identity']);
  for (const c of ctx.controls) if (c.kind === 'automated' && c.collector) wanted.add(c.collector);
  return withDependencies([...wanted]);
}

/** The regions asked for, checked (src/aws/regions.ts) wherever they were written; `all` stays `all`. */
function regionsFor(args: CollectArgs, ctx: ProjectContext): string[] | undefined {
  const check = (names: string[], where: string): string[] => {
    if (isAllRegions(names)) return ['all'];
    const checked = checkRegionNames(names, where);
    for (const w of checked.warnings) args.log(`warning: ${w}`);
    return checked.regions;
  };
  if (args.regions && args.regions.length > 0) return check(args.regions, '--regions');
  if (ctx.project.regions && ctx.project.regions.length > 0) return check(ctx.project.regions, `${ctx.projectFile ?? 'trustpack.yaml'}: regions`);
  return undefined; // the SDK's configured region
}

/** `--rate-limits FILE`: {shared?: {service: {rate, burst}}, apis?: {"service:Operation": {rate, burst}}} */
function readRateLimits(file: string): Partial<PacingTable> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--rate-limits ${file}: ${(e as NodeJS.ErrnoException).code ?? 'not valid JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const bad = (what: string): never => { throw new UsageError(`--rate-limits ${file}: ${what}`); };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad('must be an object {shared, apis}');
  const out: Partial<PacingTable> = {};
  for (const [part, value] of Object.entries(raw as Record<string, unknown>)) {
    if (part !== 'shared' && part !== 'apis') bad(`unknown key "${part}" (expected shared, apis)`);
    if (!value || typeof value !== 'object') bad(`${part} must be an object`);
    const table: Record<string, { rate: number; burst: number }> = {};
    for (const [name, b] of Object.entries(value as Record<string, unknown>)) {
      const { rate, burst } = (b ?? {}) as { rate?: unknown; burst?: unknown };
      if (typeof rate !== 'number' || rate < 0 || typeof burst !== 'number' || burst < 1) bad(`${part}.${name} must be {rate: >= 0, burst: >= 1}`);
      if (part === 'apis' && !/^[a-z-]+:[A-Za-z]+$/.test(name)) bad(`apis key "${name}" must be service:Operation`);
      table[name] = { rate: rate as number, burst: burst as number };
    }
    out[part as 'shared' | 'apis'] = table;
  }
  return out;
}

function parseConcurrency(v: string | undefined): number {
  const n = Number(v ?? '8');
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, got '${v}'`);
  return n;
}

export async function collectBundle(args: CollectArgs, ctx: ProjectContext,
  backfill?: { asOf: Date; history: HistoryStores }, spill?: RecordSpill): Promise<EvidenceBundle> {
  const { collectEvidence } = await import('../../collectors/run.js');
  const asOf = backfill?.asOf ?? (args.asOf !== undefined ? (await import('./as-of.js')).parseAsOf(args.asOf) : undefined);
  const network = networkSettings(args);
  const collectors = collectorsFor(ctx);
  const regions = regionsFor(args, ctx);
  const accounts = Math.max(1, args.roleArn?.length ?? 0);
  const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
  const only = args.accounts ? checkAccountIds(args.accounts, '--accounts') : undefined;
  const exclude = args.excludeAccounts ? checkAccountIds(args.excludeAccounts, '--exclude-accounts') : undefined;
  const infos = COLLECTORS.filter((c) => collectors.includes(c.id));
  const perAccount = infos.reduce((n, c) => n + (c.scope === 'global' ? 1 : (regions?.length ?? 1)), 0);
  const progress = await makeProgress({ tty: args.tty, total: accounts * perAccount, log: args.log });
  try {
    return await collectEvidence({
      ...(regions ? { regions } : {}),
      ...(args.roleArn ? { roleArns: args.roleArn } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      ...(args.orgRole !== undefined ? { orgRole: args.orgRole } : {}),
      ...(only ? { accounts: only } : {}),
      ...(exclude ? { excludeAccounts: exclude } : {}),
      ...(shard ? { shard } : {}),
      ...(args.rateLimits ? { pacing: { table: mergePacing(DEFAULT_PACING, readRateLimits(args.rateLimits)) } } : {}),
      catalogDigest: catalogDigest(ctx.controls),
      onNotice: (m) => args.log(`note: ${m}`),
      ...(spill ? { spill } : {}),
      collectors,
      concurrency: parseConcurrency(args.concurrency),
      maxAttempts: network.maxAttempts,
      requestTimeoutMs: network.requestTimeoutMs,
      ...(asOf ? { asOf } : {}),
      ...(args.clock ? { now: args.clock } : {}),
      ...(backfill ? { history: backfill.history } : {}),
      onProgress: (e) => progress.onProgress(e),
      toolVersion: VERSION,
    });
  } finally {
    progress.stop();
  }
}

/** For a collection that could not connect: the endpoint override in effect for its service, if any. */
function overrideNote(collector: string, code: string | undefined): string {
  if (code !== 'NetworkError' && code !== 'Timeout') return '';
  const service = COLLECTORS.find((c) => c.id === collector)?.service;
  const o = service ? endpointOverride(service) : undefined;
  return o ? ` (endpoint from ${o.variable}=${o.url})` : '';
}

/** `failed`: collections that failed plus resources that could not be read (collect exits 1 on either). */
/**
 * One line per distinct failure: an account whose role is denied fails every collection of every
 * region with the same sentence, which is said once with the count and where it happened.
 */
export function failureLines(failed: EvidenceBundle['manifest']['collections']): string[] {
  const groups = new Map<string, { first: (typeof failed)[number]; regions: Set<string>; collectors: Set<string>; n: number }>();
  for (const f of failed) {
    const key = `${f.account}\u0000${f.error?.code ?? ''}\u0000${f.error?.message ?? ''}\u0000${overrideNote(f.collector, f.error?.code)}`;
    const g = groups.get(key) ?? { first: f, regions: new Set<string>(), collectors: new Set<string>(), n: 0 };
    g.regions.add(f.region);
    g.collectors.add(f.collector);
    g.n++;
    groups.set(key, g);
  }
  return [...groups.values()].map(({ first: f, regions, collectors, n }) => {
    const what = `${f.error?.code ?? 'Error'}: ${f.error?.message ?? ''}${overrideNote(f.collector, f.error?.code)}`;
    if (n === 1) return `  ${f.account} ${f.region} ${f.collector}: ${what}`;
    const list = (set: Set<string>, noun: string) => (set.size === 1 ? [...set][0]! : `${set.size} ${noun}s`);
    // a few collectors are named (two KMS collectors behind one dead endpoint); many are counted
    const names = collectors.size <= 3 ? [...collectors].sort().join(', ') : list(collectors, 'collector');
    return `  ${f.account} ${where(regions)} ${names}: ${what} (x${n} collections)`;
  });
}

/** Where a failure happened: "global" is the account's global scope, not a region ("3 regions and global"). */
function where(regions: ReadonlySet<string>): string {
  const regional = [...regions].filter((r) => r !== 'global');
  const named = regional.length === 1 ? regional[0]! : regional.length > 1 ? `${regional.length} regions` : '';
  if (!regions.has('global')) return named;
  return named ? `${named} and global` : 'global';
}

function collectionSummary(bundle: EvidenceBundle, recordCount = bundle.records.length): { text: string; failed: number } {
  const failed = bundle.manifest.collections.filter((c) => c.status === 'error');
  const lines = [
    ...(bundle.manifest.source === 'config-history' ? [`as of ${bundle.manifest.asOf ?? '?'}, rebuilt from AWS Config's configuration history`] : []),
    `run ${bundle.manifest.runId}: ${plural(recordCount, 'record')} from ${plural(bundle.manifest.collections.length, 'collection')} ` +
      `(${bundle.manifest.accounts.join(', ')}; ${bundle.manifest.regions.join(', ')})`,
  ];
  const m = bundle.manifest;
  for (const s of m.organization?.skippedAccounts ?? []) lines.push(`skipped account ${s.account}: ${s.state}`);
  const unreadable = m.collections.reduce((n, c) => n + (c.resourceErrors ?? 0), 0);
  if (unreadable > 0) lines.push(`${unreadable} resource${unreadable === 1 ? '' : 's'} could not be read (per-resource ERROR records; the findings that need them are ERROR)`);
  const throttles = Object.values(m.pacing ?? {}).reduce((n, p) => n + p.throttles, 0);
  if (throttles > 0) lines.push(`${throttles} throttled request${throttles === 1 ? '' : 's'} ridden out (see pacing in the manifest)`);
  if (failed.length > 0) {
    lines.push(`${failed.length} collection${failed.length === 1 ? '' : 's'} failed; controls that need them will be in ERROR:`);
    lines.push(...failureLines(failed));
  }
  return { text: lines.join('\n'), failed: failed.length + unreadable };
}

export async function runCollect(args: CollectArgs): Promise<{ text: string; exitCode: number }> {
  // output paths are checked before the collection, not after it
  if (args.out) checkOutputTarget({ path: args.out, kind: 'folder', option: '--out' }, args.force);
  networkSettings(args); // a malformed endpoint or flag is found before anything is opened
  const ctx = loadProjectContext(args);
  // open the archive first: a refused location (a locked bucket without retention) fails before collecting
  const archiving = args.archive ? await import('./archive.js') : undefined;
  const archive = archiving && args.archive ? await archiving.openForWriting({ ...args, archive: args.archive }) : undefined;
  try {
    let bundle: EvidenceBundle;
    let s: { text: string; failed: number };
    let dir: string;
    if (args.out) {
      // With --out the records stream to a folder beside it as collections finish (a large estate
      // never sits in memory), renamed into place once the manifest is written.
      dir = args.out;
      const target = resolve(args.out);
      const { RecordSpill } = await import('../evidence/spill.js');
      await sweepStaleTemps(target); // what a killed run left beside it
      const spill = new RecordSpill(tempSibling(target));
      let manifest: EvidenceBundle['manifest'];
      try {
        const collected = await collectBundle(args, ctx, undefined, spill);
        // checkOutputTarget let an existing folder through only when empty or with --force: it
        // moves aside first, so the final path never holds a mix of two runs
        const old = existsSync(target) ? tempSibling(target) : undefined;
        if (old) await rename(target, old);
        manifest = await spill.finish(collected.manifest, target);
        if (old) await rm(old, { recursive: true, force: true });
      } catch (err) {
        await spill.discard();
        throw err;
      }
      s = collectionSummary({ manifest, records: [] }, manifest.files.reduce((n, f) => n + (f.records ?? 0), 0));
      // the archive stores the bundle as written; read back (hash-checked) only when archiving
      bundle = archive ? await (await import('../evidence/bundle.js')).readBundle(target) : { manifest, records: [] };
    } else {
      bundle = await collectBundle(args, ctx);
      const { writeBundle } = await import('../evidence/bundle.js');
      dir = join('reports', `evidence-${bundle.manifest.runId}`);
      await writeBundle(bundle, dir);
      s = collectionSummary(bundle);
    }
    const archived = archiving && archive && args.archive
      ? '\n' + archiving.describeAppend(args.archive, await archiving.appendBundle(ctx, bundle, archive, undefined, dir))
      : '';
    return { text: `${s.text}\nevidence bundle: ${dir}${archived}`, exitCode: s.failed > 0 ? 1 : 0 };
  } finally {
    archive?.close();
  }
}

export async function runCheck(args: CollectArgs & GateOptions & { framework?: string; format: string; output?: string; color: boolean; maxRows?: string; width?: number; stdout?: NodeJS.WritableStream }): Promise<{ text: string; exitCode: number }> {
  if (args.out) checkOutputTarget({ path: args.out, kind: 'folder', option: '--out' }, args.force);
  if (args.output) checkOutputTarget({ path: args.output, kind: 'file', option: '--output' }, args.force);
  networkSettings(args);
  const ctx = loadProjectContext(args);
  checkFramework(args.framework); // an unknown framework is found before the collection, not after
  parseMaxRows(args.maxRows, args.format);
  const gate = await loadGate(args); // a bad baseline is found before the collection, not after
  // As `collect --out`: records stream to a folder as collections finish and are evaluated one
  // collector's file at a time, so the estate never sits in memory whole. Without --out the
  // folder is a temporary one, removed afterwards.
  const { RecordSpill } = await import('../evidence/spill.js');
  const target = args.out ? resolve(args.out) : await mkdtemp(join(tmpdir(), 'trustpack-check-'));
  const dir = args.out ? target : join(target, 'bundle');
  if (args.out) await sweepStaleTemps(target);
  const spill = new RecordSpill(tempSibling(dir));
  try {
    let manifest: EvidenceBundle['manifest'];
    try {
      const collected = await collectBundle(args, ctx, undefined, spill);
      const old = existsSync(dir) ? tempSibling(dir) : undefined;
      if (old) await rename(dir, old);
      manifest = await spill.finish(collected.manifest, dir);
      if (old) await rm(old, { recursive: true, force: true });
    } catch (err) {
      await spill.discard();
      throw err;
    }
    if (args.out) args.log(`evidence bundle: ${args.out}`);
    args.log(collectionSummary({ manifest, records: [] }, manifest.files.reduce((n, f) => n + (f.records ?? 0), 0)).text);
    return await evaluateAndRender(ctx, { dir }, { ...args, gate });
  } finally {
    if (!args.out) await rm(target, { recursive: true, force: true });
  }
}
