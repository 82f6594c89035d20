// `npm run bench`: every performance figure of the issues, each measured next to its baseline in
// the same run, on the sandbox. Progress goes to stderr, a table to stdout, and every number,
// with the machine and its load, to bench/results.json. Prints only; asserts nothing.
//   npm run bench                      medium collection (4 regions x 100 clusters), ~10 min on 2 cores
//   npm run bench -- --full            the headline collection (16 regions x 300 clusters)
// Other options: --cli-regions N --cli-clusters N (the account of the AWS CLI comparison, default
// 2 x 4), --latency MS (20), --concurrency N (8), --startup-runs N (15), --only collection,evaluation,...
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchSandbox, timeCollect, type CollectTiming } from './collect.js';
import { AWS_CLI, UNSUPPORTED, runAwsCliLoop } from './awscli.js';
import { mainThreadCpu, makeBundle, makeControls, measureEngine } from './engine.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_BENCH = join(ROOT, 'bench', 'report.ts');
const RESULTS = join(ROOT, 'bench', 'results.json');
const SECTIONS = ['collection', 'evaluation', 'report', 'verify', 'startup', 'html', 'period'] as const;
const PERIOD_BENCH = join(ROOT, 'bench', 'period.ts');

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    'cli-regions': { type: 'string', default: '2' },
    'cli-clusters': { type: 'string', default: '4' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'startup-runs': { type: 'string', default: '15' },
    only: { type: 'string' },
    nights: { type: 'string', default: '365' },
  },
});
const only = new Set((args.only ?? SECTIONS.join(',')).split(','));
const latencyMs = Number(args.latency);
const concurrency = Number(args.concurrency);
const headline = args.full ? { regions: 16, clustersPerRegion: 300 } : { regions: 4, clustersPerRegion: 100 };
const cliAccount = { regions: Number(args['cli-regions']), clustersPerRegion: Number(args['cli-clusters']) };

const load = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);
const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)} load ${load()[0]!.toFixed(1)}] ${msg}\n`);
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

interface Row {
  area: string;
  figure: string;
  trustpack: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const started = new Date();
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
results['machine'] = {
  cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', totalMemMB: Math.round(os.totalmem() / 2 ** 20),
  loadAverageAtStart: load(), node: process.version, platform: `${os.platform()} ${os.release()}`, date: started.toISOString(), commit,
};
results['options'] = { full: args.full, headline, cliAccount, latencyMs, concurrency, startupRuns: Number(args['startup-runs']) };

const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

// ---------------------------------------------------------------- collection
async function collection(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const { generateAccount, startSandbox } = await import('../src/sandbox/index.js');
  // 1. Small account: trustpack and the sequential AWS CLI loop against one in-process sandbox,
  //    HTTP calls counted by the sandbox for both.
  const fixture = generateAccount({ ...cliAccount, seed: 42 });
  const regions = Object.keys(fixture.accounts[0]!.regions);
  const sb = await startSandbox({ fixture, port: 0, latencyMs });
  let small: CollectTiming;
  let smallHttp: number;
  let cli: Awaited<ReturnType<typeof runAwsCliLoop>>;
  let cliHttp: number;
  let cliByOperation: Record<string, number>;
  const loadSmall = load();
  try {
    log(`collection: ${cliAccount.regions} regions x ${cliAccount.clustersPerRegion} clusters, ${latencyMs} ms latency: trustpack`);
    const before = sb.stats().calls;
    small = await timeCollect({ url: sb.url, regions, latencyMs, concurrency, served: () => sb.callLog() });
    smallHttp = sb.stats().calls - before;
    log(`  trustpack ${s(small.wallMs)}, ${smallHttp} HTTP calls; now the AWS CLI loop (one ${AWS_CLI} process per call, sequential)`);
    const cliStats0 = sb.stats();
    cli = await runAwsCliLoop({
      url: sb.url, regions,
      onCall: (n, cmd) => { if (n % 10 === 0) log(`  aws call ${n} (${cmd})`); },
    });
    const cliStats1 = sb.stats();
    cliHttp = cliStats1.calls - cliStats0.calls;
    cliByOperation = Object.fromEntries(Object.entries(cliStats1.byOperation)
      .map(([k, n]): [string, number] => [k, n - (cliStats0.byOperation[k] ?? 0)]).filter(([, n]) => n > 0));
    log(`  AWS CLI ${s(cli.wallMs)}, ${cli.processes} processes, ${cliHttp} HTTP calls, ${cli.failures} failed`);
  } finally {
    await sb.close();
  }
  const tpRate = smallHttp / (small.wallMs / 1000);
  const cliRate = cliHttp / (cli.wallMs / 1000);
  const smallBound = (smallHttp * latencyMs) / concurrency;

  // 2. Headline (or medium) account: trustpack alone, the sandbox in a child process.
  log(`collection: ${headline.regions} regions x ${headline.clustersPerRegion} clusters, ${latencyMs} ms latency, concurrency ${concurrency}: trustpack`);
  const bsb = await startBenchSandbox({ ...headline, latencyMs, seed: 42 });
  const loadBig = load();
  let big: CollectTiming;
  try {
    big = await timeCollect({ url: bsb.url, regions: bsb.regions, latencyMs, concurrency, served: () => bsb.calls() });
  } finally {
    await bsb.close();
  }
  log(`  ${big.calls} calls in ${s(big.wallMs)}, ${big.ratio.toFixed(2)}x the bound (max of latency ${s(big.latencyBoundMs)} and the client's own pacing ${s(big.pacingBoundMs)})`);

  const speedup = cli.wallMs / small.wallMs;
  const perCall = tpRate / cliRate;
  results['collection'] = {
    small: {
      account: cliAccount, latencyMs, concurrency, loadAverage: loadSmall,
      trustpack: { ...small, httpCalls: smallHttp, httpCallsPerSecond: tpRate, latencyBoundMs: smallBound, ratioToBound: small.wallMs / smallBound },
      awsCli: { ...cli, httpCalls: cliHttp, httpCallsPerSecond: cliRate, byOperation: cliByOperation, sequentialLatencyBoundMs: cliHttp * latencyMs, unsupported: UNSUPPORTED },
      speedupWall: speedup, speedupPerCall: perCall,
    },
    headline: { account: headline, latencyMs, concurrency, loadAverage: loadBig, trustpack: big },
  };
  const name = `${headline.regions}x${headline.clustersPerRegion}`;
  rows.push({
    area: 'collection', figure: `${name} @${latencyMs} ms: ${big.calls} calls, wall vs calls x latency / ${concurrency}`,
    trustpack: `${s(big.wallMs)} (${big.callsPerSecond.toFixed(0)} calls/s; client CPU ${s(big.cpuMs)}, ${(big.cpuMs / big.calls).toFixed(2)} ms/call)`,
    baseline: `bound ${s(big.boundMs)} = max(latency ${s(big.latencyBoundMs)}, ${(latencyMs / concurrency).toFixed(1)} ms/call; the client's own pacing ${s(big.pacingBoundMs)})`,
    ratio: `${big.ratio.toFixed(2)}x bound`, target: '<= 1.5x bound', met: yes(big.ratio <= 1.5),
  });
  rows.push({
    area: 'collection', figure: `${cliAccount.regions}x${cliAccount.clustersPerRegion} @${latencyMs} ms: trustpack vs sequential aws CLI loop`,
    trustpack: `${s(small.wallMs)}, ${smallHttp} calls (${tpRate.toFixed(0)}/s)`,
    baseline: `${s(cli.wallMs)}, ${cliHttp} calls (${cliRate.toFixed(2)}/s)`,
    ratio: `${speedup.toFixed(0)}x faster (${perCall.toFixed(0)}x per call)`, target: '>= 10x faster', met: yes(speedup >= 10),
  });
  rows.push({
    area: 'collection', figure: `${cliAccount.regions}x${cliAccount.clustersPerRegion}: trustpack vs calls x latency / ${concurrency}`,
    trustpack: s(small.wallMs), baseline: `bound ${s(smallBound)}`, ratio: `${(small.wallMs / smallBound).toFixed(2)}x bound`,
    target: '(small run; fixed costs dominate)', met: '-',
  });
}

// ---------------------------------------------------------------- evaluation
function evaluation(): void {
  const resources = 100_000;
  log(`evaluation: ${resources.toLocaleString('en')} resources x 25 controls`);
  const loadAt = load();
  const bundle = makeBundle(resources);
  const controls = makeControls();
  const e = measureEngine(bundle, controls);
  log(`  evaluate ${e.seconds.toFixed(2)} s (main-thread CPU ${e.mainThreadCpuSeconds?.toFixed(2) ?? '?'} s); now JSON.parse of the same records as JSONL`);
  const jsonl = bundle.records.map((r) => JSON.stringify(r)).join('\n');
  const parseOnce = (): { seconds: number; cpu: number | undefined } => {
    const c0 = mainThreadCpu();
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (const line of jsonl.split('\n')) if (JSON.parse(line) !== null) n++;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c1 = mainThreadCpu();
    if (n !== resources) throw new Error('JSONL parse count mismatch');
    return { seconds, cpu: c0 !== undefined && c1 !== undefined ? c1 - c0 : undefined };
  };
  parseOnce(); // warm-up
  const parses = [parseOnce(), parseOnce(), parseOnce()];
  const parse = parses.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const rc = e.resources * e.controls;
  results['evaluation'] = {
    loadAverage: loadAt, engine: { ...e, resourceControlPairsPerSecond: rc / e.seconds },
    jsonParse: { bytes: Buffer.byteLength(jsonl), bestOf: 3, seconds: parse.seconds, mainThreadCpuSeconds: parse.cpu, all: parses },
    ratio: e.seconds / parse.seconds,
  };
  const cpuNote = e.mainThreadCpuSeconds !== undefined ? `, CPU ${e.mainThreadCpuSeconds.toFixed(2)} s` : '';
  rows.push({
    area: 'evaluation', figure: `100,000 resources x 25 controls (${(rc / e.seconds / 1e6).toFixed(2)} M pairs/s)`,
    trustpack: `${e.seconds.toFixed(2)} s${cpuNote}`,
    baseline: `JSON.parse ${parse.seconds.toFixed(2)} s (${(Buffer.byteLength(jsonl) / 1e6).toFixed(0)} MB JSONL)`,
    ratio: `${(e.seconds / parse.seconds).toFixed(1)}x parse`, target: '< 2 s on one core',
    met: e.seconds < 2 ? 'yes' : e.mainThreadCpuSeconds !== undefined && e.mainThreadCpuSeconds < 2 ? 'CPU yes, wall NO' : 'NO',
  });
}

// ---------------------------------------------------------------- report + verify (bench/report.ts children)
interface Sample {
  seconds: number;
  peakMB: number;
  bytes: number;
}
/** One measurement in its own process (bench/report.ts --child), so its peak RSS is its own. */
function reportChild(kind: string, n: number, out?: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', REPORT_BENCH, '--child', kind, String(n), out ?? ''],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`bench/report.ts --child ${kind} ${n} failed: ${stderr || err.message}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Sample);
        } catch {
          reject(new Error(`bench/report.ts --child ${kind} ${n}: unexpected output ${stdout.slice(0, 200)}`));
        }
      });
  });
}

async function report(): Promise<void> {
  const sizes = [1_000, 10_000, 50_000];
  const out: { findings: number; loadAverage: number[]; pack: Sample; bare: Sample }[] = [];
  for (const n of sizes) {
    log(`report: pack of ${n.toLocaleString('en')} findings, then bare pdfkit with the same text`);
    const loadAt = load();
    const pack = await reportChild('pack', n);
    const bare = await reportChild('bare', n);
    log(`  pack ${pack.seconds.toFixed(2)} s ${pack.peakMB.toFixed(0)} MB; bare ${bare.seconds.toFixed(2)} s ${bare.peakMB.toFixed(0)} MB`);
    out.push({ findings: n, loadAverage: loadAt, pack, bare });
  }
  const per1k = out.map((o) => ({ findings: o.findings, packSecondsPer1k: o.pack.seconds / (o.findings / 1000), bareSecondsPer1k: o.bare.seconds / (o.findings / 1000) }));
  // marginal cost between sizes: equal figures mean linear growth
  const marginal = out.slice(1).map((o, i) => ({
    from: out[i]!.findings, to: o.findings,
    packSecondsPer1k: (o.pack.seconds - out[i]!.pack.seconds) / ((o.findings - out[i]!.findings) / 1000),
    bareSecondsPer1k: (o.bare.seconds - out[i]!.bare.seconds) / ((o.findings - out[i]!.findings) / 1000),
    packMBPer1k: (o.pack.peakMB - out[i]!.pack.peakMB) / ((o.findings - out[i]!.findings) / 1000),
  }));
  results['report'] = { sizes: out, perThousand: per1k, marginal };
  for (const o of out) {
    const p1k = o.pack.seconds / (o.findings / 1000);
    const isTarget = o.findings === 10_000;
    rows.push({
      area: 'report', figure: `pack, ${o.findings.toLocaleString('en')} findings (${(o.pack.bytes / 1e6).toFixed(1)} MB PDF)`,
      trustpack: `${o.pack.seconds.toFixed(2)} s, ${o.pack.peakMB.toFixed(0)} MB peak, ${p1k.toFixed(2)} s/1k`,
      baseline: `bare pdfkit ${o.bare.seconds.toFixed(2)} s, ${o.bare.peakMB.toFixed(0)} MB`,
      ratio: `${(o.pack.seconds / o.bare.seconds).toFixed(1)}x time, ${(o.pack.peakMB / o.bare.peakMB).toFixed(1)}x memory`,
      target: isTarget ? '< 15 s and < 500 MB' : '',
      met: isTarget ? yes(o.pack.seconds < 15 && o.pack.peakMB < 500) : '-',
    });
  }
  rows.push({
    area: 'report', figure: 'growth: marginal s per 1k findings (1k->10k, 10k->50k)',
    trustpack: marginal.map((m) => m.packSecondsPer1k.toFixed(2)).join(' -> '),
    baseline: `bare ${marginal.map((m) => m.bareSecondsPer1k.toFixed(2)).join(' -> ')}`,
    ratio: (() => {
      const [a, b] = marginal.map((m) => m.packSecondsPer1k);
      return a !== undefined && b !== undefined ? `${(b / a).toFixed(2)} (1.00 = linear)` : '';
    })(),
    target: '', met: '-',
  });
}

async function verify(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'trustpack-bench-'));
  try {
    const file = join(dir, 'big.pdf');
    // 1,000 findings + 21,700 embedded evidence records of 4 KB: a ~50 MB pack
    log('verify: building a ~50 MB pack (1,000 findings + 21,700 evidence records of 4 KB)');
    const built = await reportChild('big', 21_700, file);
    const loadAt = load();
    log(`  ${(built.bytes / 1e6).toFixed(1)} MB in ${built.seconds.toFixed(1)} s; verify (best of 3), then read + sha256 (best of 3)`);
    const v = await reportChild('verify', 0, file);
    const h = await reportChild('sha', 0, file);
    const mb = v.bytes / 1e6;
    results['verify'] = { loadAverage: loadAt, build: built, verify: { ...v, MBps: mb / v.seconds }, sha256: { ...h, MBps: mb / h.seconds }, ratio: v.seconds / h.seconds };
    rows.push({
      area: 'verify', figure: `verify a ${mb.toFixed(1)} MB pack (best of 3)`,
      trustpack: `${v.seconds.toFixed(2)} s, ${(mb / v.seconds).toFixed(0)} MB/s`,
      baseline: `read+sha256 ${h.seconds.toFixed(2)} s, ${(mb / h.seconds).toFixed(0)} MB/s`,
      ratio: `${(v.seconds / h.seconds).toFixed(1)}x time`, target: '50 MB < 2 s', met: yes((v.seconds * 50) / mb < 2),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- start-up
async function startup(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) {
    log('start-up: dist/ is missing, running npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const runs = Number(args['startup-runs']);
  log(`start-up: node -e 0, trustpack --help, trustpack controls validate; median of ${runs} interleaved runs each`);
  const loadAt = load();
  const { measureStartup } = await import('./startup.js');
  const r = await measureStartup(runs);
  results['startup'] = { loadAverage: loadAt, runs, cases: r };
  const base = r.find((c) => c.name === 'node -e 0');
  const limits: Record<string, number> = { 'trustpack --help': 3, 'trustpack controls validate': 6 };
  for (const c of r) {
    const limit = limits[c.name];
    if (limit === undefined) continue;
    rows.push({
      area: 'start-up', figure: c.name, trustpack: `${c.medianMs.toFixed(0)} ms`, baseline: `node -e 0 ${base ? base.medianMs.toFixed(0) : '?'} ms`,
      ratio: `${c.ratio.toFixed(2)}x`, target: `<= ${limit}x node -e 0`, met: yes(c.ratio <= limit),
    });
  }
}

// ---------------------------------------------------------------- the evidence browser
async function html(): Promise<void> {
  log('html: the evidence browser at 10,000 and 100,000 findings in headless chromium (bench/html.ts)');
  const { measureHtml } = await import('./html.js');
  const figures = await measureHtml([10_000, 100_000], (m) => log(m));
  results['html'] = figures;
  for (const f of figures) {
    rows.push({
      area: 'html', figure: `evidence browser, ${f.findings.toLocaleString('en')} findings (${(f.bytes / 1e6).toFixed(1)} MB HTML)`,
      trustpack: `interactive ${f.readyMedianMs.toFixed(0)} ms (median of 3); findings view opens in ${f.openFindingsMs.toFixed(0)} ms; free-text filter ${f.filterColdMs.toFixed(0)} ms, then ${f.filterWarmMs.toFixed(0)} ms`,
      baseline: `whole file parsed ${f.parsedMedianMs.toFixed(0)} ms`, ratio: '',
      target: f.findings >= 100_000 ? '< 3000 ms interactive, < 500 ms filter' : '', met: f.findings >= 100_000 ? yes(f.readyMedianMs < 3000 && f.filterColdMs < 500) : '-',
    });
  }
}

// ---------------------------------------------------------------- period (bench/period.ts)
/** A year of nightly runs archived, then history, the period pack (all, pci-dss-4.0.1), archive verify. */
async function period(): Promise<void> {
  log(`period: ${args.nights} nightly runs through the sandbox, then history, packs and verify (about 15 min)`);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', PERIOD_BENCH, '--nights', args.nights], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
      (err, out, stderr) => (err ? reject(new Error(`bench/period.ts failed: ${stderr || err.message}`)) : resolve(out)));
  });
  const lines = stdout.trim().split('\n');
  results['period'] = lines;
  for (const line of lines.slice(1)) {
    const m = /^(.+?)\s{2,}([\d.]+) s, peak (\d+) MB\s+\(target ([^;]+);/.exec(line);
    if (!m) continue;
    const limit = /< (\d+) s/.exec(m[4]!);
    const mem = /< (\d+) MB/.exec(m[4]!);
    const met = (!limit || Number(m[2]) < Number(limit[1])) && (!mem || Number(m[3]) < Number(mem[1]));
    rows.push({ area: 'period', figure: `${m[1]!.trim()} (${args.nights} nights)`, trustpack: `${m[2]} s, ${m[3]} MB`, baseline: '', ratio: '', target: m[4]!, met: met ? 'yes' : 'NO' });
  }
}

// ---------------------------------------------------------------- main
function table(): string {
  const header: Row = { area: 'area', figure: 'figure', trustpack: 'trustpack', baseline: 'baseline (same run)', ratio: 'ratio', target: 'target', met: 'met' };
  const cols = Object.keys(header) as (keyof Row)[];
  const esc = (x: string): string => x.replace(/\|/g, '\\|');
  const lines = [`| ${cols.map((c) => header[c]).join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${cols.map((c) => esc(r[c])).join(' | ')} |`);
  return lines.join('\n');
}

const steps: [string, () => Promise<void> | void][] = [
  ['collection', collection], ['evaluation', evaluation], ['report', report], ['verify', verify], ['startup', startup], ['html', html], ['period', period],
];
const errors: Record<string, string> = {};
for (const [name, fn] of steps) {
  if (!only.has(name)) continue;
  try {
    await fn();
  } catch (err) {
    // a failed section is reported, and the others still run
    errors[name] = err instanceof Error ? err.message : String(err);
    log(`${name} FAILED: ${errors[name]}`);
    rows.push({ area: name, figure: 'failed', trustpack: errors[name].split('\n')[0]!.slice(0, 80), baseline: '', ratio: '', target: '', met: '?' });
  }
}
const ended = new Date();
const machine = results['machine'] as Record<string, unknown>;
machine['loadAverageAtEnd'] = load();
machine['durationSeconds'] = r2((ended.getTime() - started.getTime()) / 1000);
results['errors'] = errors;
results['table'] = rows;
writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
const la = (xs: unknown): string => (Array.isArray(xs) ? xs.map((x) => Number(x).toFixed(2)).join(' ') : '?');
console.log(`trustpack bench — ${started.toISOString()}, ${String(machine['cpus'])} CPUs (${String(machine['cpuModel'])}), node ${process.version}, commit ${commit}`);
console.log(`load average (1/5/15 min): ${la(machine['loadAverageAtStart'])} at start, ${la(machine['loadAverageAtEnd'])} at end; ${String(machine['durationSeconds'])} s`);
console.log('');
console.log(table());
console.log('');
console.log(`all numbers: ${RESULTS}`);
log('done');
