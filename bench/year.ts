// A year of an estate in the archive (issue 25): N nights of the generated estate appended to a
// folder archive at a stated change rate, then what the archive costs to read. Prints only.
//   node --import tsx bench/year.ts [--accounts 100] [--nights 30] [--rate 0.01] [--clusters 10] [--no-pack] [--keep]
//
// Night 1 is one account of the sandbox's estate generator collected through the sandbox by the
// real collectors, copied to every account (ids rewritten, record ids recomputed). Each later
// night: every record's source time is that night's (so every record id changes, as in a real
// run), `rate` of the resources change their data, and a few appear and disappear. Each night is
// evaluated with the sample project's catalog and appended as `collect --archive` does. Then:
// bytes added per night (raw bundle + results vs what the archive stored), and `history`,
// `archive verify` (full and --since of the last night) and the period pack, each in a child
// process (the built CLI) timed with /usr/bin/time: wall, CPU and peak RSS, with the load average.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appendBundle } from '../src/app/archive.js';
import { loadProjectContext } from '../src/app/project.js';
import { timedCli } from './timed-cli.js';
import { openArchive } from '../src/archive/index.js';
import { bundleFiles } from '../src/evidence/bundle.js';
import { toRecord } from '../src/evidence/canonical.js';
import type { EvidenceBundle, EvidenceRecord } from '../src/evidence/model.js';

const ROOT = resolve(import.meta.dirname, '..');
const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
const MB = 1024 * 1024;

async function nightOne(clusters: number): Promise<EvidenceBundle> {
  const { generateAccount, startSandbox } = await import('../src/sandbox/index.js');
  const fixture = generateAccount({ regions: 2, clustersPerRegion: clusters, seed: 1, accountId: '100000000000', now: new Date('2026-01-01T00:00:00Z') });
  const sb = await startSandbox({ fixture, port: 0 });
  process.env['AWS_ENDPOINT_URL'] = sb.url;
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIAIOSFODNN7EXAMPLE';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'bench-secret-not-a-real-key-000000000000';
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  const { collectEvidence } = await import('../collectors/run.js');
  try {
    return await collectEvidence({ regions: Object.keys(fixture.accounts[0]!.regions), concurrency: 16, toolVersion: 'bench' });
  } finally {
    await sb.close();
  }
}

/** Every account's copy of the template's records as JSON text (ids rewritten), made once: the same every night. */
function estateTexts(template: EvidenceBundle, accounts: number): string[] {
  const texts: string[] = [];
  for (let i = 0; i < accounts; i++) {
    const account = String(100000000000 + i);
    for (const r of template.records) texts.push(JSON.stringify({ ...r, id: undefined }).replaceAll('100000000000', account));
  }
  return texts;
}

/** Night `n` of the estate: every account a copy of the template, `rate` of resources changed since night 1. */
function nightOf(template: EvidenceBundle, texts: readonly string[], accounts: number, n: number, rate: number): EvidenceBundle {
  const time = new Date(Date.UTC(2026, 0, n, 2)).toISOString();
  const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
  const records: EvidenceRecord[] = [];
  let k = 0;
  for (const text of texts) {
    k++;
    // a few resources appear and disappear: each resource is absent one night in 200
    if ((k * 7 + n) % 200 === 0) continue;
    const draft = JSON.parse(text) as EvidenceRecord;
    draft.source = { ...draft.source, time };
    // each night `rate` of the resources change: a resource's data carries the night of its latest change
    let revision = 0;
    for (let m = n; m >= 2 && revision === 0; m--) if ((Math.imul(k, 2654435761) ^ Math.imul(m, 40503)) >>> 0 < rate * 2 ** 32) revision = m;
    if (revision > 0 && draft.data && typeof draft.data === 'object' && !Array.isArray(draft.data)) {
      draft.data = { ...draft.data, TrustpackBenchRevision: revision };
    }
    const { id: _drop, ...rest } = draft;
    records.push(toRecord(rest));
  }
  const manifest = {
    ...template.manifest, runId: `year-${n}`, accounts: ids, startedAt: time, endedAt: time, files: [],
    collections: ids.flatMap((account) => template.manifest.collections.map((c) => ({ ...c, account, startedAt: time, endedAt: time }))),
  };
  return { manifest, records };
}

async function storedBytes(dir: string, seen: Set<string>): Promise<number> {
  let bytes = 0;
  for (const sub of ['objects', 'entries']) {
    for (const name of await readdir(join(dir, sub)).catch(() => [] as string[])) {
      const key = `${sub}/${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      bytes += (await stat(join(dir, key))).size;
    }
  }
  return bytes;
}

function timed(label: string, args: string[]): { label: string; wallS: number; cpuS: number; rssMB: number; code: number } {
  const load = loadavg()[0]!.toFixed(1);
  const r = timedCli(args);
  const out = { label, wallS: r.wallS, cpuS: r.userS + r.systemS, rssMB: r.rssMB, code: r.code };
  console.log(`${label.padEnd(34)} ${out.wallS.toFixed(2)} s wall, ${out.cpuS.toFixed(2)} s CPU, peak ${out.rssMB.toFixed(0)} MB, exit ${out.code} (load ${load})`);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    accounts: { type: 'string', default: '100' }, nights: { type: 'string', default: '30' },
    rate: { type: 'string', default: '0.01' }, clusters: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false },
    'no-pack': { type: 'boolean', default: false },
  } });
  const accounts = Number(values.accounts);
  const nights = Number(values.nights);
  const rate = Number(values.rate);
  console.log(`bench:year: ${accounts} accounts x 2 regions x ${values.clusters} clusters, ${nights} nights, ${(rate * 100).toFixed(0)}% of resources changing a night; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const template = await nightOne(Number(values.clusters));
  const texts = estateTexts(template, accounts);
  const dir = await mkdtemp(join(tmpdir(), 'tp-bench-year-'));
  const ctx = loadProjectContext({ project: PROJECT });
  const archive = await openArchive(dir, { forWriting: true });
  const seen = new Set<string>();
  const rows: { raw: number; stored: number; appendS: number }[] = [];
  let pinned = '';
  try {
    for (let n = 1; n <= nights; n++) {
      const t0 = performance.now();
      const bundle = nightOf(template, texts, accounts, n, rate);
      const synthS = (performance.now() - t0) / 1000;
      const raw = bundleFiles(bundle).reduce((s, f) => s + f.bytes.length, 0);
      const t = performance.now();
      const o = await appendBundle(ctx, bundle, archive, new Date(bundle.manifest.startedAt));
      const appendS = (performance.now() - t) / 1000;
      const stored = await storedBytes(dir, seen);
      const results = (await archive.object(o.stored.entry.results)).length;
      rows.push({ raw: raw + results, stored, appendS });
      if (n === nights - 1) pinned = `${o.stored.sha256}:${o.stored.entry.n}`;
      console.log(`night ${String(n).padStart(3)}: ${bundle.records.length} records, raw ${((raw + results) / MB).toFixed(1)} MB (bundle ${(raw / MB).toFixed(1)} + results ${(results / MB).toFixed(1)}), stored ${(stored / MB).toFixed(2)} MB (${((100 * stored) / (raw + results)).toFixed(1)}%), append ${appendS.toFixed(1)} s (synthesis ${synthS.toFixed(1)} s), load ${loadavg()[0]!.toFixed(1)}`);
    }
    archive.close();
    const later = rows.slice(1);
    const avg = (f: (r: (typeof rows)[number]) => number) => later.reduce((s, r) => s + f(r), 0) / Math.max(1, later.length);
    console.log(`nights 2..${nights}: raw ${(avg((r) => r.raw) / MB).toFixed(1)} MB a night, stored ${(avg((r) => r.stored) / MB).toFixed(2)} MB a night (${((100 * avg((r) => r.stored)) / avg((r) => r.raw)).toFixed(1)}% of raw); night 1 stored ${(rows[0]!.stored / MB).toFixed(1)} MB`);
    const total = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]) / MB;
    console.log(`archive on disk: ${total.toFixed(1)} MB (du -sb) for ${nights} nights`);

    const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}`;
    const half = Math.max(1, Math.floor(nights / 2));
    const base = timed('startup (trustpack --version)', ['--version']);
    const h1 = timed(`history (nights 1..${half})`, ['history', '--archive', dir, '--period', `${day(1)}..${day(half)}`, '--format', 'json']);
    const h = timed(`history (nights 1..${nights})`, ['history', '--archive', dir, '--format', 'json']);
    const v = timed('archive verify (full)', ['archive', 'verify', '--archive', dir, '--format', 'json']);
    const s = timed('archive verify --since (1 night)', ['archive', 'verify', '--archive', dir, '--since', pinned, '--format', 'json']);
    const period = `${day(1)}..${day(Math.min(nights, 31))}`;
    const pdf = join(dir, '..', `tp-bench-year-${process.pid}.pdf`);
    const p = values['no-pack'] ? undefined : timed(`period pack (unsigned, ${nights} nights)`, ['report', '--project', PROJECT, '--archive', dir, '--period', period, '--framework', 'soc2', '--unsigned', '--out', pdf, '--force']);
    await rm(pdf, { force: true });

    // Extrapolation to 365 nights x 1,000 accounts. A command's time is its startup (measured
    // above) plus what it does per night; per night scales with the records of a night (accounts).
    // history is timed over half the nights and all of them: per night = the difference / the
    // nights added, and the two halves' rates agreeing is what shows the cost per night flat. The
    // others are timed once: per night = (time - startup) / nights, which counts their own fixed
    // costs as per-night (an overestimate). verify --since reads one night's references: it scales
    // with accounts only. Each is given from wall time and from CPU time: on a shared machine the
    // wall time is mostly waiting for a core, so CPU time is the better measure of the work.
    const scale = 1000 / accounts;
    type T = (typeof base);
    const net = (x: T, k: 'wallS' | 'cpuS') => Math.max(0, x[k] - base[k]);
    const half2 = (k: 'wallS' | 'cpuS') => (h[k] - h1[k]) / Math.max(1, nights - half);
    const year = (k: 'wallS' | 'cpuS', perNight: number) => base[k] + perNight * scale * 365;
    const both = (f: (k: 'wallS' | 'cpuS') => number, unit: 's' | 'min') => {
      const d = unit === 'min' ? 60 : 1;
      return `${(f('wallS') / d).toFixed(1)} ${unit} wall, ${(f('cpuS') / d).toFixed(1)} ${unit} CPU`;
    };
    console.log(`history per night: ${both((k) => net(h1, k) / half, 's')} over nights 1..${half}; ${both(half2, 's')} over nights ${half + 1}..${nights} (flat when these agree)`);
    console.log(`extrapolated to 365 nights x 1,000 accounts (x${scale.toFixed(1)} accounts, x${(365 / nights).toFixed(1)} nights; startup + per-night cost x accounts x nights):`);
    console.log(`  stored growth ${(avg((r) => r.stored) * scale / MB).toFixed(0)} MB a night (${((100 * avg((r) => r.stored)) / avg((r) => r.raw)).toFixed(1)}% of raw ${(avg((r) => r.raw) * scale / MB).toFixed(0)} MB); a year ${((rows[0]!.stored + avg((r) => r.stored) * 364) * scale / 1024 / MB).toFixed(1)} GB`);
    console.log(`  history ${both((k) => year(k, Math.max(half2(k), net(h1, k) / half)), 's')} (peak ${h.rssMB.toFixed(0)} MB here, ${(h.rssMB / h1.rssMB).toFixed(2)}x the half period's)`);
    console.log(`  archive verify (full) ${both((k) => year(k, net(v, k) / nights), 'min')}`);
    console.log(`  archive verify --since one night ${both((k) => base[k] + net(s, k) * scale, 's')}`);
    if (p) console.log(`  period pack ${both((k) => year(k, net(p, k) / nights), 'min')} (peak ${p.rssMB.toFixed(0)} MB here)`);
    console.log('  (memory is not extrapolated: peak RSS above is for this size)');
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

await main();
