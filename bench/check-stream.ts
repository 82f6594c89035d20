// `check` at estate size: a bundle of N records (default 1,000,000) on disk, evaluated by the
// built CLI the way `check` evaluates what it collected (one collector's records file at a time,
// findings spooled to disk, results.json streamed: `evaluate --evidence DIR --format json
// --output FILE` is that path without the collection). Prints wall, CPU and peak RSS from
// /usr/bin/time -v, with the load average. Never part of `npm test`; asserts nothing.
//   node --import tsx bench/check-stream.ts [--records 1000000] [--controls 50] [--keep]
//
// The records are real ones: the sandbox's sample account (examples/sample) collected once,
// then every record cloned under a new resource name (and so a new id) until each collector
// that has records holds an equal share. The controls are the first N automated controls of the
// real catalog (controls/) whose collector has records, at their default parameters (no project
// file: the sample's waivers and attestations name controls left out). Findings = sum over the controls of their collector's records in
// scope; the bench counts them in the results file.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadFixture, startSandbox } from '../src/sandbox/index.js';
import { manifestBytes, readBundle } from '../src/evidence/bundle.js';
import { recordId, recordLine } from '../src/evidence/canonical.js';
import { timedCli } from './timed-cli.js';
import type { EvidenceRecord, ManifestFile } from '../src/evidence/model.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const BIN = join(ROOT, 'bin', 'trustpack.js');
const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');

const { values: opt } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, controls: { type: 'string', default: '50' }, keep: { type: 'boolean', default: false } } });
const RECORDS = Number(opt.records);
const CONTROLS = Number(opt.controls);

const work = mkdtempSync(join(os.tmpdir(), 'trustpack-bench-check-'));
const env: NodeJS.ProcessEnv = {
  ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true',
};
delete env['AWS_PROFILE'];

async function collectSample(): Promise<string> {
  const sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/sample/account.yaml')), port: 0 });
  const out = join(work, 'sample');
  try {
    await promisify(execFile)(process.execPath, [BIN, '--project', PROJECT, 'collect', '--out', out], { env: { ...env, AWS_ENDPOINT_URL: sb.url } });
  } finally {
    await sb.close();
  }
  return out;
}

/** The first `n` automated controls whose collector has records, copied with the claims file. */
function pickControls(collectors: ReadonlySet<string>, n: number): { dir: string; perCollector: Map<string, number> } {
  const dir = join(work, 'controls');
  mkdirSync(dir);
  copyFileSync(join(ROOT, 'controls', 'claims.yaml'), join(dir, 'claims.yaml'));
  cpSync(join(ROOT, 'controls', 'frameworks'), join(dir, 'frameworks'), { recursive: true });
  const perCollector = new Map<string, number>();
  let picked = 0;
  for (const name of readdirSync(join(ROOT, 'controls')).sort()) {
    if (picked >= n || name === 'claims.yaml' || !name.endsWith('.yaml')) continue;
    const doc = parseYaml(readFileSync(join(ROOT, 'controls', name), 'utf8')) as { kind?: string; collector?: string; corroborates?: string };
    if (doc.kind !== 'automated' || !doc.collector || !collectors.has(doc.collector) || doc.corroborates) continue;
    copyFileSync(join(ROOT, 'controls', name), join(dir, name));
    perCollector.set(doc.collector, (perCollector.get(doc.collector) ?? 0) + 1);
    picked++;
  }
  return { dir, perCollector };
}

/** A bundle of `total` records: the sample's records cloned, an equal share per collector. */
async function writeBigBundle(sampleDir: string, collectors: string[], total: number): Promise<string> {
  const sample = await readBundle(sampleDir);
  const dir = join(work, 'bundle');
  mkdirSync(join(dir, 'records'), { recursive: true });
  const files: ManifestFile[] = [];
  for (const [ci, collector] of collectors.entries()) {
    const templates = sample.records.filter((r) => r.collector === collector);
    const share = Math.floor(total / collectors.length) + (ci < total % collectors.length ? 1 : 0);
    const records: EvidenceRecord[] = [];
    for (let i = 0; i < share; i++) {
      const t = templates[i % templates.length]!;
      const { id: _id, ...draft } = t;
      const clone = { ...draft, resource: `${t.resource}-bench-${i}` };
      records.push({ ...clone, id: recordId(clone) });
    }
    records.sort((a, b) => (a.id < b.id ? -1 : 1));
    const bytes = Buffer.from(records.map((r) => `${recordLine(r)}\n`).join(''), 'utf8');
    const path = `records/${collector}.jsonl`;
    writeFileSync(join(dir, path), bytes);
    files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, records: records.length });
  }
  // files no picked control reads are kept as collected (checkUnread still hashes them)
  for (const f of sample.manifest.files) {
    if (files.some((g) => g.path === f.path)) continue;
    copyFileSync(join(sampleDir, f.path), join(dir, f.path));
    files.push(f);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  writeFileSync(join(dir, 'manifest.json'), manifestBytes({ ...sample.manifest, files }));
  return dir;
}

/** Findings in a results file: each is an object opened on a line of its own at their indent. */
async function countFindings(file: string): Promise<number> {
  let n = 0;
  let tail = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    const text = tail + (chunk as string);
    const lines = text.split('\n');
    tail = lines.pop() ?? '';
    for (const l of lines) if (l === '        {') n++;
  }
  return n;
}

try {
  const t0 = Date.now();
  const sampleDir = await collectSample();
  const sample = await readBundle(sampleDir);
  const withRecords = new Set(sample.records.map((r) => r.collector));
  const { dir: controlsDir, perCollector } = pickControls(withRecords, CONTROLS);
  const collectors = [...perCollector.keys()].sort();
  const bundle = await writeBigBundle(sampleDir, collectors, RECORDS);
  const bundleBytes = readdirSync(join(bundle, 'records')).reduce((n, f) => n + statSync(join(bundle, 'records', f)).size, 0);
  console.log(`setup                ${((Date.now() - t0) / 1000).toFixed(1)} s (sample collected, bundle written)`);
  console.log(`records              ${RECORDS} in ${collectors.length} collector files (${(bundleBytes / 1e6).toFixed(0)} MB), largest ${Math.ceil(RECORDS / collectors.length)}`);
  console.log(`controls             ${[...perCollector.values()].reduce((a, b) => a + b, 0)} automated, real catalog (${collectors.length} collectors, ${[...perCollector.values()].join('/')} per collector)`);
  const results = join(work, 'results.json');
  const load0 = os.loadavg();
  const r = timedCli(['evaluate', '--evidence', bundle, '--controls', controlsDir, '--format', 'json', '--output', results], { env, cwd: work });
  const load1 = os.loadavg();
  if (r.code !== 0 && r.code !== 1) {
    console.error(r.stderr);
    throw new Error(`evaluate exited ${String(r.code)}`);
  }
  const size = statSync(results).size;
  const findings = await countFindings(results);
  console.log(`findings             ${findings} (results.json ${(size / 1e6).toFixed(0)} MB)`);
  console.log(`wall                 ${r.wallS.toFixed(1)} s`);
  console.log(`cpu s (user+sys)     ${(r.userS + r.systemS).toFixed(1)} (${r.userS.toFixed(1)} + ${r.systemS.toFixed(1)})`);
  console.log(`peak RSS MB          ${r.rssMB.toFixed(0)}`);
  console.log(`load average (1 min) ${load0[0]!.toFixed(2)} before, ${load1[0]!.toFixed(2)} after, on ${os.cpus().length} cores`);
  console.log(`summary              ${r.stdout.trim().split('\n')[0] ?? ''}`);
} finally {
  if (opt.keep) console.log(`kept                 ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
