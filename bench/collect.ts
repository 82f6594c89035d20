// Collection throughput against the sandbox: how close the run comes to the latency bound.
//   node --import tsx bench/collect.ts [--regions 16] [--clusters 300] [--latency 20] [--concurrency 8]
// The sandbox runs in a child process so its CPU (building large answers) does not share the
// collector's event loop, as with a real endpoint. Prints only; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SandboxCall } from '../src/sandbox/index.js';
import { DEFAULT_PACING, type PacingTable } from '../src/aws/pacing.js';

export interface BenchSandbox {
  url: string;
  regions: string[];
  /** the calls the sandbox served so far (service:Operation, account, region) */
  calls(): Promise<SandboxCall[]>;
  close(): Promise<void>;
}

export interface BenchSandboxOptions {
  regions: number;
  clustersPerRegion: number;
  latencyMs: number;
  seed?: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts a sandbox serving a generated account in a child process. */
export async function startBenchSandbox(opts: BenchSandboxOptions): Promise<BenchSandbox> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, SELF, '--serve', JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
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
    calls: () => new Promise((resolve) => {
      child.once('message', (m) => resolve((m as { calls: SandboxCall[] }).calls));
      child.send('calls');
    }),
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function serve(opts: BenchSandboxOptions): Promise<void> {
  const { generateAccount, startSandbox } = await import('../src/sandbox/index.js');
  const fixture = generateAccount({ regions: opts.regions, clustersPerRegion: opts.clustersPerRegion, seed: opts.seed ?? 42 });
  const sb = await startSandbox({ fixture, port: 0, latencyMs: opts.latencyMs });
  const regions = Object.keys(fixture.accounts[0]!.regions);
  process.stdout.write(JSON.stringify({ url: sb.url, regions }) + '\n');
  process.on('message', (m) => {
    if (m === 'calls') process.send?.({ calls: sb.callLog() });
  });
  process.once('SIGTERM', () => {
    const cpu = process.cpuUsage();
    // the endpoint's own CPU: when it nears the wall time, the sandbox, not the client, is the limit
    process.stderr.write(`sandbox CPU    ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${sb.stats().calls} calls served)\n`);
    void sb.close().then(() => process.exit(0));
  });
}

export interface CollectTiming {
  calls: number;
  records: number;
  wallMs: number;
  callsPerSecond: number;
  /** calls x latency / concurrency: the fastest any client keeping `concurrency` requests in flight can be */
  latencyBoundMs: number;
  /**
   * the time the client's own pacing table forces (src/aws/pacing.ts DEFAULT_PACING): per account,
   * region and bucket, the calls beyond the burst at the sustained rate; the largest of them
   */
  pacingBoundMs: number;
  /** max(latencyBoundMs, pacingBoundMs): no client that keeps to its own pacing can be faster */
  boundMs: number;
  /** wallMs / boundMs (1.0 = at the bound) */
  ratio: number;
  errors: number;
  /** CPU time of this process during the run (user + system) */
  cpuMs: number;
}

/** Times one trustpack collection against `url` (AWS_ENDPOINT_URL), with dummy credentials. */
/** The pacing bound of `calls` under `table`: the slowest (account, region, bucket) of them. */
export function pacingBoundMs(calls: readonly SandboxCall[], table: PacingTable = DEFAULT_PACING): number {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const service = c.call.slice(0, c.call.indexOf(':'));
    const bucket = table.shared[service] ? service : table.apis[c.call] ? c.call : undefined;
    if (!bucket) continue;
    const k = `${c.account ?? ''}\u0000${c.region}\u0000${bucket}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let worst = 0;
  for (const [k, n] of counts) {
    const bucket = k.slice(k.lastIndexOf('\u0000') + 1);
    const spec = table.shared[bucket] ?? table.apis[bucket]!;
    worst = Math.max(worst, (Math.max(0, n - spec.burst) / spec.rate) * 1000);
  }
  return worst;
}

/** `served`: the sandbox's call log, read after the run for the pacing bound. */
export async function timeCollect(opts: { url: string; regions: string[]; latencyMs: number; concurrency: number; served: () => Promise<SandboxCall[]> | SandboxCall[] }): Promise<CollectTiming> {
  process.env['AWS_ENDPOINT_URL'] = opts.url;
  process.env['AWS_ACCESS_KEY_ID'] ??= 'AKIAIOSFODNN7EXAMPLE';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'bench-secret-not-a-real-key-000000000000';
  const { collectEvidence } = await import('../collectors/run.js');
  const cpu = process.cpuUsage();
  const started = performance.now();
  const bundle = await collectEvidence({ regions: opts.regions, concurrency: opts.concurrency, toolVersion: 'bench' });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const calls = bundle.manifest.collections.reduce((n, c) => n + c.calls, 0);
  const latencyBoundMs = (calls * opts.latencyMs) / opts.concurrency;
  const paced = pacingBoundMs(await opts.served());
  const boundMs = Math.max(latencyBoundMs, paced);
  return {
    calls, records: bundle.records.length, wallMs, callsPerSecond: calls / (wallMs / 1000), latencyBoundMs, pacingBoundMs: paced, boundMs,
    ratio: boundMs > 0 ? wallMs / boundMs : Number.NaN,
    errors: bundle.manifest.collections.filter((c) => c.status === 'error').length,
    cpuMs: (used.user + used.system) / 1000,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      regions: { type: 'string', default: '16' },
      clusters: { type: 'string', default: '300' },
      latency: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  if (values.serve) return serve(JSON.parse(values.serve) as BenchSandboxOptions);
  const opts = { regions: Number(values.regions), clustersPerRegion: Number(values.clusters), latencyMs: Number(values.latency) };
  const concurrency = Number(values.concurrency);
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const sb = await startBenchSandbox(opts);
  try {
    console.log(`sandbox: ${opts.regions} regions x ${opts.clustersPerRegion} clusters, ${opts.latencyMs} ms latency; concurrency ${concurrency}`);
    const t = await timeCollect({ url: sb.url, regions: sb.regions, latencyMs: opts.latencyMs, concurrency, served: () => sb.calls() });
    console.log(`calls          ${t.calls}`);
    console.log(`records        ${t.records}`);
    console.log(`errors         ${t.errors}`);
    console.log(`wall time      ${(t.wallMs / 1000).toFixed(2)} s`);
    console.log(`client CPU     ${(t.cpuMs / 1000).toFixed(2)} s`);
    console.log(`calls/s        ${t.callsPerSecond.toFixed(1)}`);
    console.log(`latency bound  ${(t.latencyBoundMs / 1000).toFixed(2)} s  (calls x ${opts.latencyMs} ms / ${concurrency})`);
    console.log(`pacing bound   ${(t.pacingBoundMs / 1000).toFixed(2)} s  (the client's own rate table: per account, region and bucket, calls beyond the burst at the rate)`);
    console.log(`ratio          ${t.ratio.toFixed(2)}  (wall / max(latency bound, pacing bound); 1.00 = at the bound)`);
    // When the client's own CPU per call (SigV4, XML parsing, hashing) nears latency / concurrency,
    // CPU, not latency, bounds the run: the two do not overlap perfectly on a busy event loop.
    console.log(`CPU per call   ${(t.cpuMs / t.calls).toFixed(2)} ms  (latency / concurrency = ${(opts.latencyMs / concurrency).toFixed(2)} ms)`);
  } finally {
    await sb.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
