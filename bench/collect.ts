// Collection throughput against the sandbox: how close the run comes to the latency bound.
//   node --import tsx bench/collect.ts [--regions 16] [--clusters 300] [--latency 20] [--concurrency 8]
// The sandbox runs in a child process so its CPU (building large answers) does not share the
// collector's event loop, as with a real endpoint. Prints only; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchSandbox {
  url: string;
  regions: string[];
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
    stdio: ['ignore', 'pipe', 'inherit'],
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
  /** wallMs / latencyBoundMs (1.0 = at the bound) */
  ratio: number;
  errors: number;
  /** CPU time of this process during the run (user + system) */
  cpuMs: number;
}

/** Times one trustpack collection against `url` (AWS_ENDPOINT_URL), with dummy credentials. */
export async function timeCollect(opts: { url: string; regions: string[]; latencyMs: number; concurrency: number }): Promise<CollectTiming> {
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
  return {
    calls, records: bundle.records.length, wallMs, callsPerSecond: calls / (wallMs / 1000), latencyBoundMs,
    ratio: latencyBoundMs > 0 ? wallMs / latencyBoundMs : Number.NaN,
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
    const t = await timeCollect({ url: sb.url, regions: sb.regions, latencyMs: opts.latencyMs, concurrency });
    console.log(`calls          ${t.calls}`);
    console.log(`records        ${t.records}`);
    console.log(`errors         ${t.errors}`);
    console.log(`wall time      ${(t.wallMs / 1000).toFixed(2)} s`);
    console.log(`client CPU     ${(t.cpuMs / 1000).toFixed(2)} s`);
    console.log(`calls/s        ${t.callsPerSecond.toFixed(1)}`);
    console.log(`latency bound  ${(t.latencyBoundMs / 1000).toFixed(2)} s  (calls x ${opts.latencyMs} ms / ${concurrency})`);
    console.log(`ratio          ${t.ratio.toFixed(2)}  (wall / bound; 1.00 = at the bound)`);
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
