// A year of the audit period: 365 nightly runs of the sample account collected through the
// sandbox (with changes between nights: a key's rotation switched off and on, backup retention
// and deletion protection changed, a night skipped now and then), appended to a folder archive;
// then `history` over the year, the signed period pack, and `archive verify`, each in a fresh
// process so its time and peak memory are its own. Prints numbers; asserts nothing.
//   node --import tsx bench/period.ts [--nights 365] [--keep DIR]
//   node --import tsx bench/period.ts --accounts 20 --nights 30   (an estate: generated accounts through
//     Organizations, 2 regions x 10 clusters each, collected once; each night is that run with 1% of
//     its clusters changed (deletion protection flipped), so streaks open and close across accounts)
// Targets (issue 13): history < 10 s, period pack < 60 s and < 1 GB peak, archive verify < 10 s.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
const START = Date.parse('2026-01-01T02:00:00.000Z');
const DAY = 86_400_000;
const PASS = 'trustpack-demo'; // makeDemoSigner's passphrase

async function generate(archiveDir: string, nights: number): Promise<{ runs: number; seconds: number }> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const { loadFixture, startSandbox } = await import('../src/sandbox/index.js');
  const { collectEvidence } = await import('../collectors/run.js');
  const { collectorsFor } = await import('../src/app/collect.js');
  const { appendBundle } = await import('../src/app/archive.js');
  const { loadProjectContext } = await import('../src/app/project.js');
  const { openArchive } = await import('../src/archive/index.js');
  const fixture = loadFixture(join(ROOT, 'examples', 'sample', 'account.yaml'));
  const sb = await startSandbox({ fixture, port: 0 });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIABENCHPERIOD00000', AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/bench', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/bench',
  });
  const ctx = loadProjectContext({ project: PROJECT });
  const archive = await openArchive(archiveDir, { forWriting: true });
  const east = fixture.accounts[0]!.regions['us-east-1']!;
  const key = east.keys.find((k) => k.metadata.KeyManager === 'CUSTOMER' && !k.rotationEnabled);
  const cluster = east.clusters[0]!;
  const t0 = Date.now();
  let runs = 0;
  for (let night = 0; night < nights; night++) {
    if (night % 45 === 44) continue; // a night without a run: a gap
    // changes between nights, so streaks open, resolve and reopen over the year
    if (key) key.rotationEnabled = night % 60 >= 20 && night % 60 < 50;
    cluster.BackupRetentionPeriod = night % 90 < 70 ? 7 : 21;
    cluster['DeletionProtection'] = night % 30 !== 7;
    const now = new Date(START + night * DAY);
    const bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], collectors: collectorsFor(ctx), concurrency: 4, toolVersion: 'bench', now: () => now });
    await appendBundle(ctx, bundle, archive, now);
    runs++;
  }
  archive.close();
  await sb.close();
  return { runs, seconds: (Date.now() - t0) / 1000 };
}

/** An estate's year: one collection through Organizations, then each night a copy with 1% of the clusters changed. */
async function generateEstate(archiveDir: string, nights: number, accounts: number): Promise<{ runs: number; seconds: number; records: number }> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const { generateAccount, organizationOf, startSandbox } = await import('../src/sandbox/index.js');
  const { collectEvidence } = await import('../collectors/run.js');
  const { collectorsFor } = await import('../src/app/collect.js');
  const { appendBundle } = await import('../src/app/archive.js');
  const { loadProjectContext } = await import('../src/app/project.js');
  const { openArchive } = await import('../src/archive/index.js');
  const { toRecord } = await import('../src/evidence/canonical.js');
  const first = new Date(START);
  const list = Array.from({ length: accounts }, (_, i) => generateAccount({ regions: 2, clustersPerRegion: 10, seed: i + 1, accountId: String(100000000000 + i), now: first }).accounts[0]!);
  const sb = await startSandbox({ fixture: { accounts: list, organization: organizationOf(list, { management: list[0]!.id, now: first }) }, port: 0 });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIABENCHPERIOD00000', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: Object.keys(list[0]!.regions)[0],
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/bench', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/bench',
  });
  const ctx = loadProjectContext({ project: PROJECT });
  const t0 = Date.now();
  const base = await collectEvidence({ regions: Object.keys(list[0]!.regions), orgRole: 'trustpack-audit', collectors: collectorsFor(ctx), concurrency: 16, toolVersion: 'bench', now: () => first });
  await sb.close();
  const archive = await openArchive(archiveDir, { forWriting: true });
  const clusters = base.records.map((r, i) => ({ r, i })).filter(({ r }) => r.collector === 'rds.db-clusters');
  let runs = 0;
  for (let night = 0; night < nights; night++) {
    if (night % 45 === 44) continue;
    const now = new Date(START + night * DAY);
    const records = [...base.records];
    // 1% of the clusters a night, a different 1% each night, changed for 10 nights: streaks of 10 nights
    for (const { r, i } of clusters) {
      if ((i * 7919 + Math.floor(night / 10) * 104729) % 100 !== 0) continue;
      const data = { ...(r.data as Record<string, unknown>), DeletionProtection: !(r.data as Record<string, unknown>)['DeletionProtection'] };
      records[i] = toRecord({ collector: r.collector, resourceType: r.resourceType, resource: r.resource, source: r.source, data });
    }
    const stamp = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
    const m = base.manifest;
    const bundle = { manifest: { ...m, runId: `${stamp}-${night.toString(16).padStart(4, '0')}`, startedAt: now.toISOString(), endedAt: now.toISOString() }, records };
    await appendBundle(ctx, bundle, archive, now);
    runs++;
  }
  archive.close();
  return { runs, seconds: (Date.now() - t0) / 1000, records: base.records.length };
}

/** One measured step, in this (fresh) process. */
async function phase(name: string, archiveDir: string, nights: number, out: string): Promise<void> {
  const end = new Date(START + (nights - 1) * DAY).toISOString().slice(0, 10);
  const period = `2026-01-01..${end}`;
  const t0 = process.hrtime.bigint();
  let detail: string;
  if (name === 'history') {
    const { runHistory } = await import('../src/app/history.js');
    const r = await runHistory({ archive: archiveDir, period, format: 'json' });
    const h = JSON.parse(r.text) as { runs: unknown[]; controls: { exceptions: unknown[] }[] };
    detail = `${h.runs.length} runs, ${h.controls.reduce((n, c) => n + c.exceptions.length, 0)} exceptions`;
  } else if (name === 'pack' || name === 'pack-pci') {
    const { runPeriodReport } = await import('../src/app/period.js');
    process.env['TP_BENCH_PASS'] = PASS;
    const r = await runPeriodReport({ archive: archiveDir, period, framework: name === 'pack' ? 'all' : 'pci-dss-4.0.1', out, force: true, signP12: join(archiveDir, '..', 'signer.p12'), signPassphraseEnv: 'TP_BENCH_PASS', project: PROJECT });
    const pages = /\/Type\s*\/Page\b/g;
    const { readFile } = await import('node:fs/promises');
    detail = `${r.text.split('\n')[1] ?? ''}; ${((await readFile(out)).toString('latin1').match(pages) ?? []).length} pages`;
  } else {
    const { openArchive } = await import('../src/archive/index.js');
    const a = await openArchive(archiveDir);
    const r = await a.verify();
    detail = `${r.entries} entries, intact ${r.intact}, ${r.gaps.length} gap days`;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ name, seconds, peakMB: process.resourceUsage().maxRSS / 1024, detail }) + '\n');
}

function runPhase(name: string, archiveDir: string, nights: number, out: string): Promise<{ seconds: number; peakMB: number; detail: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, SELF, '--phase', name, '--archive', archiveDir, '--nights', String(nights), '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    p.stdout.on('data', (d: Buffer) => (buf += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(buf.trim().split('\n').at(-1)!) as { seconds: number; peakMB: number; detail: string }) : reject(new Error(`${name} exited ${code}`))));
  });
}

const { values } = parseArgs({ options: { nights: { type: 'string', default: '365' }, accounts: { type: 'string', default: '0' }, keep: { type: 'string' }, phase: { type: 'string' }, archive: { type: 'string' }, out: { type: 'string' } } });
const nights = Number(values.nights);
if (values.phase) {
  await phase(values.phase, values.archive!, nights, values.out!);
} else {
  const dir = values.keep ?? await mkdtemp(join(tmpdir(), 'tp-bench-period-'));
  const archiveDir = join(dir, 'archive');
  const { makeDemoSigner } = await import('../src/signing/sign.js');
  await writeFile(join(dir, 'signer.p12'), makeDemoSigner({ commonName: 'bench signer', organisation: 'bench', notBefore: new Date('2025-01-01T00:00:00Z') }).p12);
  const accounts = Number(values.accounts);
  if (accounts > 0) {
    const g = await generateEstate(archiveDir, nights, accounts);
    console.log(`estate                 ${accounts} accounts x 2 regions x 10 clusters, ${g.records} records a run`);
    console.log(`nights                 ${nights} (${g.runs} runs archived in ${g.seconds.toFixed(1)} s: one collection, then 1% of clusters changed a night)`);
  } else {
    const g = await generate(archiveDir, nights);
    console.log(`nights                 ${nights} (${g.runs} runs archived in ${g.seconds.toFixed(1)} s through the sandbox)`);
  }
  console.log(`load average (1 min)   ${loadavg()[0]!.toFixed(2)} (2 vCPUs shared with other work)`);
  const out = join(dir, 'period-pack.pdf');
  for (const [name, label, target] of [
    ['history', 'history over the year', '< 10 s'],
    ['pack', 'period pack, all (signed)', '< 60 s, < 1024 MB'],
    ['pack-pci', 'period pack, pci-dss-4.0.1', '< 60 s, < 1024 MB'],
    ['verify', 'archive verify', '< 10 s'],
  ] as const) {
    const r = await runPhase(name, archiveDir, nights, out);
    console.log(`${label.padEnd(27)} ${r.seconds.toFixed(2)} s, peak ${Math.round(r.peakMB)} MB  (target ${target}; ${r.detail})`);
  }
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
