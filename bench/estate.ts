// An estate through AWS Organizations under the sandbox's rate limits: how close collection comes
// to its bound, how much client CPU a call costs, what memory peaks at, and what 4 shards plus a
// merge cost (and whether their records say what the unsharded run's say). Never part of
// `npm test`; prints only, asserts nothing.
//   node --import tsx bench/estate.ts [--accounts 1000] [--regions 2] [--clusters 10] [--latency 50]
//                                     [--concurrency 64] [--shards 4] [--processes 1]
// The sandbox runs in a child process, so this process's CPU is the client's alone.
// `--processes P` collects as P processes of `collect --shard K/P` at once, each with 1/P of the
// concurrency, then merges them (what a user does to use P cores): the same calls, the same
// in-flight total and so the same bound; the client CPU is summed over the processes.
//
// The bound is the larger of: the time the rate limits allow (per bucket: calls beyond the burst
// at the sustained rate) and calls x latency / concurrency. Both are limits outside the client;
// the client's own CPU (and the sandbox's) is printed next to it as a diagnostic, never part of
// it, so a slow client shows as a ratio above 1. `--shards 0` skips the shard part (profiling).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RateLimits } from '../src/sandbox/index.js';

const SELF = fileURLToPath(import.meta.url);
const ROLE = 'trustpack-audit';

/**
 * The sandbox's limits, tighter than the client's table (RDS: AWS's sustained 12/s but a burst of
 * 20 against the client's 100), and one API the client's table leaves out (below), so throttles
 * really happen and the back-off is exercised.
 */
const SANDBOX_LIMITS: RateLimits = {
  shared: { rds: { rate: 12, burst: 20 } },
  apis: {
    'config:GetComplianceDetailsByConfigRule': { rate: 2, burst: 1 },
    'config:DescribeConfigRules': { rate: 4, burst: 4 },
    'kms:DescribeKey': { rate: 20, burst: 20 },
  },
};
/** the client's table without GetComplianceDetailsByConfigRule */
const CLIENT_OVERRIDE = { apis: { 'config:GetComplianceDetailsByConfigRule': { rate: 0, burst: 1 } } };

interface ServeOptions { accounts: number; regions: number; clusters: number; latencyMs: number }

async function serve(o: ServeOptions): Promise<void> {
  const { generateAccount, organizationOf, startSandbox } = await import('../src/sandbox/index.js');
  const now = new Date();
  const accounts = Array.from({ length: o.accounts }, (_, i) => {
    const id = String(100000000000 + i);
    return generateAccount({ regions: o.regions, clustersPerRegion: o.clusters, seed: i + 1, accountId: id, now, evidenceSources: true }).accounts[0]!;
  });
  const fixture = { accounts, organization: organizationOf(accounts, { management: accounts[0]!.id, now }) };
  const sb = await startSandbox({ fixture, port: 0, latencyMs: o.latencyMs, rateLimits: SANDBOX_LIMITS });
  process.stdout.write(JSON.stringify({ url: sb.url, regions: Object.keys(accounts[0]!.regions) }) + '\n');
  process.on('message', (m) => {
    if (m === 'stats') process.send?.({ stats: sb.stats(), cpu: process.cpuUsage() });
  });
  process.once('SIGTERM', () => void sb.close().then(() => process.exit(0)));
}

interface Child { url: string; regions: string[]; stats(): Promise<{ stats: { calls: number; throttled: number; byOperation: Record<string, number> }; cpu: NodeJS.CpuUsage }>; close(): Promise<void> }

async function startChild(o: ServeOptions): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, SELF, '--serve', JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; regions: string[] }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; regions: string[] });
    });
    child.once('exit', (code) => reject(new Error(`sandbox process exited (${code})`)));
  });
  return {
    ...ready,
    stats: () => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as Awaited<ReturnType<Child['stats']>>));
      child.send('stats');
    }),
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

interface ShardChildOptions { k: number; n: number; concurrency: number; regions: string[]; out: string }

/**
 * One collection of the bench's estate (the whole of it, or shard K of N) into `out`, its records
 * streamed to disk as `collect --out` does; its manifest.
 */
async function collectTo(regions: string[], concurrency: number, out: string, shard?: { k: number; n: number }) {
  const { collectEvidence } = await import('../collectors/run.js');
  const { RecordSpill } = await import('../src/evidence/spill.js');
  const { DEFAULT_PACING, mergePacing } = await import('../src/aws/pacing.js');
  const spill = new RecordSpill(`${out}.tmp`);
  const b = await collectEvidence({ regions, orgRole: ROLE, toolVersion: 'bench', concurrency, ...(shard ? { shard } : {}), spill, pacing: { table: mergePacing(DEFAULT_PACING, CLIENT_OVERRIDE) } });
  return spill.finish(b.manifest, out);
}

/** One of P collecting processes: shard K of P into `out`, then its CPU and peak RSS on stdout. */
async function shardChild(o: ShardChildOptions): Promise<void> {
  await collectTo(o.regions, o.concurrency, o.out, { k: o.k, n: o.n });
  process.stdout.write(JSON.stringify({ cpu: process.cpuUsage(), rssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function runShardChild(o: ShardChildOptions): Promise<{ out: string; cpu: NodeJS.CpuUsage; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, SELF, '--shard-child', JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`collecting process ${o.k}/${o.n} exited (${code})`));
      else resolve({ out: o.out, ...(JSON.parse(line) as { cpu: NodeJS.CpuUsage; rssMb: number }) });
    });
  });
}

const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** Seconds the buckets force: per (account, region, bucket), calls beyond the burst at the rate. */
function rateLimitBoundMs(byScope: Map<string, number>, limits: RateLimits): number {
  let worst = 0;
  for (const [key, calls] of byScope) {
    const bucket = key.split('\u0000')[2]!;
    const spec = limits.shared?.[bucket] ?? limits.apis?.[bucket];
    if (!spec) continue;
    worst = Math.max(worst, Math.max(0, calls - spec.burst) / spec.rate * 1000);
  }
  return worst;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' }, accounts: { type: 'string', default: '1000' }, regions: { type: 'string', default: '2' },
      clusters: { type: 'string', default: '10' }, latency: { type: 'string', default: '50' }, concurrency: { type: 'string', default: '64' },
      shards: { type: 'string', default: '4' }, processes: { type: 'string', default: '1' }, 'shard-child': { type: 'string' },
    },
  });
  if (values.serve) return serve(JSON.parse(values.serve) as ServeOptions);
  if (values['shard-child']) return shardChild(JSON.parse(values['shard-child']) as ShardChildOptions);
  const o: ServeOptions = { accounts: Number(values.accounts), regions: Number(values.regions), clusters: Number(values.clusters), latencyMs: Number(values.latency) };
  const concurrency = Number(values.concurrency);
  const shards = Number(values.shards);
  const processes = Math.max(1, Number(values.processes));
  // P processes split the concurrency: the in-flight total (and so the latency bound) stays
  const perProcess = processes === 1 ? concurrency : Math.max(1, Math.floor(concurrency / processes));

  const t0 = performance.now();
  const sb = await startChild(o);
  console.log(`estate: ${o.accounts} accounts x ${o.regions} regions x ${o.clusters} clusters via Organizations, ${o.latencyMs} ms latency, rate limits on, concurrency ${concurrency} (sandbox ready in ${fmt(performance.now() - t0)}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDBENCHESTATE', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: sb.regions[0],
    AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
  });
  // loaded before the clock starts, so the collection's time and CPU are the collection's
  await Promise.all([import('../collectors/run.js'), import('../src/evidence/spill.js'), import('../src/aws/pacing.js')]);
  const { openBundle } = await import('../src/evidence/bundle.js');
  const { canonicalJsonOfData, sha256Hex } = await import('../src/evidence/canonical.js');
  const { mergeShardDirs } = await import('../src/evidence/merge.js');
  /**
   * Per collector, the sorted digests of what each record says (not when it was read: times and
   * so ids differ between runs). One collector's file in memory at a time: at full size the
   * bundle does not fit in memory as objects.
   */
  const contentOf = async (dir: string): Promise<{ digests: Map<string, string>; throttled: number }> => {
    const opened = await openBundle(dir);
    const digests = new Map<string, string>();
    let throttled = 0;
    for (const f of opened.manifest.files) {
      const collector = f.path.replace(/^records\/|\.jsonl$/g, '');
      const records = await opened.records(collector);
      throttled += records.filter((r) => /Throttl/.test(r.error?.code ?? '')).length;
      // the caller's ARN names the run's role session (trustpack-<run id>): it differs by design
      if (collector === 'sts.caller-identity') continue;
      const each = records.map((r) => sha256Hex(canonicalJsonOfData({ resource: r.resource, resourceType: r.resourceType, data: r.data, error: r.error ?? null }))).sort();
      digests.set(collector, sha256Hex(each.join('\n')));
    }
    return { digests, throttled };
  };
  const tmp = await mkdtemp(join(tmpdir(), 'trustpack-bench-estate-'));

  try {
    // ---- one unsharded run -----------------------------------------------------------------
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    const before = await sb.stats();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let manifest: Awaited<ReturnType<typeof collectTo>>;
    let cpu: NodeJS.CpuUsage;
    let childRss: number[] = [];
    if (processes === 1) {
      manifest = await collectTo(sb.regions, concurrency, join(tmp, 'full'));
      cpu = process.cpuUsage(cpu0);
    } else {
      // as a user with P cores does it (README, "An estate on one machine with several cores"): P processes each
      // `collect --shard K/P` with the concurrency split between them, then `trustpack merge`
      const results = await Promise.all(Array.from({ length: processes }, (_, i) =>
        runShardChild({ k: i + 1, n: processes, concurrency: perProcess, regions: sb.regions, out: join(tmp, `par-${i + 1}`) })));
      await mergeShardDirs(results.map((r) => r.out), join(tmp, 'full'));
      manifest = JSON.parse(await readFile(join(tmp, 'full', 'manifest.json'), 'utf8')) as typeof manifest;
      const own = process.cpuUsage(cpu0);
      cpu = { user: own.user + results.reduce((n, r) => n + r.cpu.user, 0), system: own.system + results.reduce((n, r) => n + r.cpu.system, 0) };
      childRss = results.map((r) => r.rssMb);
    }
    const wallMs = performance.now() - start;
    const recordCount = manifest.files.reduce((n, f) => n + (f.records ?? 0), 0);
    const after = await sb.stats();
    const calls = after.stats.calls - before.stats.calls;
    const clientCpuMs = (cpu.user + cpu.system) / 1000;
    // calls per (account, region, bucket) from the manifest's collections, mapped to their buckets
    const byScope = new Map<string, number>();
    // RDS meters every API of the service in one bucket per account and region: every call of
    // an rds.* collection counts (joins-only collections make none)
    for (const c of manifest.collections) {
      const bucket = c.collector.startsWith('rds.') ? 'rds' : undefined;
      if (!bucket) continue;
      const k = `${c.account}\u0000${c.region}\u0000${bucket}`;
      byScope.set(k, (byScope.get(k) ?? 0) + c.calls);
    }
    // per-API buckets: the sandbox counts calls per API over the estate, which is uniform
    // (every account and region generated alike), so each scope had its share of them
    for (const api of Object.keys(SANDBOX_LIMITS.apis ?? {})) {
      const n = (after.stats.byOperation[api] ?? 0) - (before.stats.byOperation[api] ?? 0);
      if (n > 0) byScope.set(`all\u0000all\u0000${api}`, n / (o.accounts * o.regions));
    }
    const rateMs = rateLimitBoundMs(byScope, SANDBOX_LIMITS);
    const latencyMs = (calls * o.latencyMs) / (perProcess * processes);
    const bound = Math.max(rateMs, latencyMs);
    const sandboxCpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    const rss = process.resourceUsage().maxRSS / 1024;
    const full = await contentOf(join(tmp, 'full'));
    const throttleErrors = manifest.collections.filter((c) => /Throttl|Rate/.test(c.error?.code ?? '')).length + full.throttled;
    const pacing = Object.values(manifest.pacing ?? {}).reduce((a, p) => ({ throttles: a.throttles + p.throttles, backoffMs: a.backoffMs + p.backoffMs }), { throttles: 0, backoffMs: 0 });
    console.log(`calls           ${calls} (sandbox throttled ${after.stats.throttled - before.stats.throttled}; client absorbed ${pacing.throttles}, back-off ${fmt(pacing.backoffMs)} summed over calls)`);
    console.log(`bound           ${fmt(bound)} = max(rate limits ${fmt(rateMs)}, calls x latency / concurrency ${fmt(latencyMs)})`);
    console.log(`collection      ${fmt(wallMs)} (${(wallMs / bound).toFixed(2)}x the bound; goal <= 1.3x)${processes > 1 ? `: ${processes} processes of collect --shard K/${processes} at once, then merge` : ''}`);
    console.log(`throttling errors reaching the evidence: ${throttleErrors} (goal 0); collections in error: ${manifest.collections.filter((c) => c.status === 'error').length}`);
    const perService = new Map<string, number>();
    for (const [op, n] of Object.entries(after.stats.byOperation)) {
      const service = op.split(':')[0]!;
      perService.set(service, (perService.get(service) ?? 0) + n - (before.stats.byOperation[op] ?? 0));
    }
    console.log(`calls/service   ${[...perService].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ')}`);
    console.log(`client CPU      ${fmt(clientCpuMs)}, ${(clientCpuMs / Math.max(1, calls)).toFixed(2)} ms a call (user ${fmt(cpu.user / 1000)}, system ${fmt(cpu.system / 1000)}${processes > 1 ? `, summed over the ${processes} processes and the merge` : ''}; diagnostic, not part of the bound)`);
    console.log(`sandbox CPU     ${fmt(sandboxCpuMs)}, ${(sandboxCpuMs / Math.max(1, calls)).toFixed(2)} ms a call (its own process)`);
    if (processes > 1) console.log(`peak RSS        ${childRss.map((r) => r.toFixed(0)).join(' + ')} MB in the collecting processes, ${rss.toFixed(0)} MB in this one (the merge; goal < 1536 MB in all); ${recordCount} records`);
    else console.log(`peak RSS        ${rss.toFixed(0)} MB during the collection, records streamed to disk (goal < 1536 MB); ${recordCount} records, ${rssBefore.toFixed(0)} MB before it`);

    console.log(`load average    ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min) after the collection; ${cpus().length} cores`);

    // ---- N shards + merge ------------------------------------------------------------------
    if (shards < 1) return;
    const shardStart = performance.now();
    for (let k = 1; k <= shards; k++) await collectTo(sb.regions, concurrency, join(tmp, `shard-${k}`), { k, n: shards });
    const shardMs = performance.now() - shardStart;
    const mergeStart = performance.now();
    // as `trustpack merge` does it: every shard file checked against its manifest, then concatenated
    await mergeShardDirs(Array.from({ length: shards }, (_, i) => join(tmp, `shard-${i + 1}`)), join(tmp, 'merged'));
    const mergeMs = performance.now() - mergeStart;
    const merged = await contentOf(join(tmp, 'merged'));
    const differ = [...new Set([...full.digests.keys(), ...merged.digests.keys()])].filter((c) => full.digests.get(c) !== merged.digests.get(c));
    console.log(`${shards} shards        ${fmt(shardMs)} collecting one after the other; merge ${fmt(mergeMs)} (goal < 10 s); records ${differ.length === 0 ? 'say the same as' : `of ${differ.join(', ')} DIFFER from`} the unsharded run's`);
  } finally {
    await sb.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
