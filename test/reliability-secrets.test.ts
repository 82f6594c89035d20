// Secrets never leak: collect, check in every format, evaluate, report (signed with a PKCS#12 whose
// passphrase comes through --sign-passphrase-env) and verify run with unique marker strings as
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the passphrase, once clean and once under a fault
// plan (so error messages land in the manifest). Every output byte is scanned: bundle files, the
// pack (also decompressed by qpdf --qdf), results files, and stdout/stderr of every run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../src/sandbox/index.js';
import { runCli, type RunResult } from './helpers/cli.js';
import { listFiles, PROJECT_FILE, sampleSandbox, sandboxEnv } from './helpers/reliability-env.js';

// unique, and shaped so that no generic credential pattern would hide them by luck
const SECRET = 'zzSecretKeyMarker-7f3a9c1e-never-print';
const SESSION = 'zzSessionTokenMarker-51b2e0d4-never-print';
const PASSPHRASE = 'zzP12PassphraseMarker-c4d8a6f2-never-print';
const MARKERS = [SECRET, SESSION, PASSPHRASE];

let sb: Sandbox;
let tmp: string;
let env: Record<string, string | undefined>;
const logs: { what: string; text: string }[] = [];

/** The markers and their encodings a file or log could carry them in. */
function needles(): { name: string; bytes: Buffer }[] {
  return MARKERS.flatMap((m) => [
    { name: m, bytes: Buffer.from(m, 'utf8') },
    { name: `${m} (UTF-16BE)`, bytes: Buffer.from(m, 'utf16le').swap16() },
    { name: `${m} (UTF-16LE)`, bytes: Buffer.from(m, 'utf16le') },
    { name: `${m} (hex)`, bytes: Buffer.from(Buffer.from(m).toString('hex')) },
    { name: `${m} (base64)`, bytes: Buffer.from(Buffer.from(m).toString('base64').slice(0, 40)) },
  ]);
}

/** Markers found in `bytes`, compared case-insensitively (hex may be upper case). */
function leaks(bytes: Buffer): string[] {
  const lower = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  return needles().filter((n) => bytes.includes(n.bytes) || lower.includes(Buffer.from(n.bytes.toString('latin1').toLowerCase(), 'latin1'))).map((n) => n.name);
}

async function cli(what: string, args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runCli(['--project', PROJECT_FILE, ...args], { env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
  logs.push({ what: `${what} stdout`, text: r.stdout }, { what: `${what} stderr`, text: r.stderr });
  return r;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tp-rel-secrets-'));
  sb = await sampleSandbox({ fixedClock: false });
  env = { ...sandboxEnv(sb.url, SECRET, SESSION), TP_PACK_PASS: PASSPHRASE, TRUSTPACK_DEBUG: undefined };
  // a PKCS#12 made by openssl, protected by the passphrase marker
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'k.pem'), '-out', join(tmp, 'signer.pem'), '-days', '30', '-subj', '/CN=Secrets Test Signer/O=Example SaaS Inc.'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(tmp, 'k.pem'), '-in', join(tmp, 'signer.pem'), '-out', join(tmp, 'signer.p12'), '-passout', `pass:${PASSPHRASE}`], { stdio: 'ignore' });
  rmSync(join(tmp, 'k.pem'));
});
afterAll(async () => {
  await sb?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const FORMATS = ['json', 'junit', 'csv', 'markdown', 'table'] as const;

/** collect, check in every format, evaluate, report signed, verify, qpdf --qdf: into `dir`. */
async function fullFlow(dir: string, expectCollect: number): Promise<string[]> {
  const problems: string[] = [];
  const bundle = join(dir, 'evidence');
  const c = await cli(`${dir} collect`, ['collect', '--out', bundle]);
  if (c.code !== expectCollect) problems.push(`collect exited ${c.code} (expected ${expectCollect}): ${c.stderr.slice(-300)}`);
  const checks = await Promise.all(FORMATS.map((f) => cli(`${dir} check --format ${f}`, ['check', '--format', f, ...(f === 'json' ? ['--output', join(dir, 'check.json')] : [])])));
  checks.forEach((r, i) => {
    if (r.code !== 1) problems.push(`check --format ${FORMATS[i]} exited ${r.code}: ${r.stderr.slice(-300)}`);
  });
  const ev = await cli(`${dir} evaluate oscal`, ['evaluate', '--evidence', bundle, '--format', 'oscal', '--output', join(dir, 'oscal.json')]);
  if (ev.code !== 1) problems.push(`evaluate exited ${ev.code}: ${ev.stderr.slice(-300)}`);
  const pack = join(dir, 'pack.pdf');
  const rep = await cli(`${dir} report`, ['report', '--evidence', bundle, '--out', pack, '--sign-p12', join(tmp, 'signer.p12'), '--sign-passphrase-env', 'TP_PACK_PASS']);
  if (rep.code !== 0) problems.push(`report exited ${rep.code}: ${rep.stderr.slice(-300)}`);
  const [vj, vt] = await Promise.all([
    cli(`${dir} verify json`, ['verify', pack, '--trust', join(tmp, 'signer.pem'), '--format', 'json']),
    cli(`${dir} verify table`, ['verify', pack, '--trust', join(tmp, 'signer.pem'), '--format', 'table']),
  ]);
  if (vj.code !== 0 || vt.code !== 0) problems.push(`verify exited ${vj.code}/${vt.code}: ${vj.stdout.slice(0, 300)}`);
  else if ((JSON.parse(vj.stdout) as { valid: boolean }).valid !== true) problems.push('the pack does not verify');
  // the pack decompressed: every stream (attachments included) in the clear
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', pack, join(dir, 'pack.qdf.pdf')]);
  return problems;
}

function scanDir(dir: string): string[] {
  const out: string[] = [];
  for (const f of listFiles(dir)) {
    if (f === 'signer.p12') continue; // the key itself: protected by the passphrase, holds no marker
    const found = leaks(readFileSync(join(dir, f)));
    if (found.length > 0) out.push(`${f}: ${found.join(', ')}`);
  }
  return out;
}

describe('no secret in any output', () => {
  it('the scanner finds a marker in every encoding it looks for (a control for the scans below)', () => {
    for (const m of MARKERS) {
      expect(leaks(Buffer.from(`x ${m} y`))).toContain(m);
      expect(leaks(Buffer.from(Buffer.from(m).toString('hex').toUpperCase()))).toContain(`${m} (hex)`);
      expect(leaks(Buffer.concat([Buffer.from('(\xfe\xff', 'latin1'), Buffer.from(m, 'utf16le').swap16()]))).toContain(`${m} (UTF-16BE)`);
    }
    expect(leaks(Buffer.from('nothing here'))).toEqual([]);
  });

  it('clean run: bundle, results in every format, signed pack (decompressed too), verify, logs', async () => {
    const dir = join(tmp, 'clean');
    const problems = await fullFlow(dir, 0);
    expect(problems).toEqual([]);
    const files = listFiles(dir);
    expect(files).toEqual(expect.arrayContaining(['evidence/manifest.json', 'check.json', 'oscal.json', 'pack.pdf', 'pack.qdf.pdf']));
    // the decompressed pack really holds the embedded evidence in the clear
    expect(readFileSync(join(dir, 'pack.qdf.pdf')).includes(Buffer.from('"formatVersion"'))).toBe(true);
    expect(scanDir(dir)).toEqual([]);
  }, 180_000);

  it('under a fault plan: error messages in the manifest, the logs and the pack carry no secret', async () => {
    sb.setFaults({
      seed: 11,
      rules: [
        { service: 'kms', region: 'us-east-1', kind: 'access-denied' },
        { service: 'config', operation: 'DescribeConfigRules', region: 'us-east-1', kind: 'malformed' },
        { service: 'rds', operation: 'DescribeDBInstances', region: 'eu-central-1', kind: 'truncate' },
        { service: 'rds', operation: 'DescribeDBClusterAutomatedBackups', kind: 'server-error', times: 2 },
        { service: 'config', operation: 'DescribeConfigurationRecorders', kind: 'throttle', times: 1 },
      ],
    });
    const dir = join(tmp, 'faults');
    let problems: string[];
    try {
      problems = await fullFlow(dir, 1);
    } finally {
      sb.setFaults(undefined);
    }
    expect(problems).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'evidence/manifest.json'), 'utf8')) as { collections: { status: string; error?: { code: string; message: string } }[] };
    const errors = manifest.collections.filter((c) => c.status === 'error');
    expect(errors.map((e) => e.error?.code)).toEqual(expect.arrayContaining(['AccessDeniedException', 'MalformedResponse']));
    expect(scanDir(dir)).toEqual([]);
  }, 180_000);

  it('no log of any run (stdout, stderr) carries a secret', () => {
    expect(logs.length).toBeGreaterThanOrEqual(2 * 2 * 10);
    const found = logs.flatMap((l) => leaks(Buffer.from(l.text)).map((m) => `${l.what}: ${m}`));
    expect(found).toEqual([]);
    console.log(`reliability-secrets: ${logs.length / 2} CLI runs, ${listFiles(tmp).length} files scanned for ${needles().length} needles`);
  });
});
