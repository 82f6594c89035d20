// The period pack from an archive of nightly sample runs: signed (pdfsig), well-formed (qpdf),
// readable (pdftotext), its attachments extracted by pdfdetach, the sample redrawn by a few
// lines of shell from the printed seed, and its runs checked against the archive.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { archiveNights, NIGHTS } from './helpers/archive-nights.js';
import { ROOT, runCli } from './helpers/cli.js';
import { startTsa } from './helpers/tsa-server.js';

// the sample project (system, preparer, reviewer) lives beside its account
const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
let sb: Sandbox;
let dir: string;
let archive: string;
let pack: string;
let text: string;
let reportOut: string;
const ENV = { TP_PERIOD_PASS: 'period-pass-xyz' };

beforeAll(async () => {
  const fixture = loadFixture(SAMPLE);
  sb = await startSandbox({ fixture, port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-period-'));
  archive = join(dir, 'archive');
  await archiveNights(fixture, archive, PROJECT);
  // a PKCS#12 made by openssl, a tool nobody here wrote
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=Audit Signer/O=Example SaaS Inc.'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'k.pem'), '-in', join(dir, 'c.pem'), '-out', join(dir, 's.p12'), '-passout', `pass:${ENV.TP_PERIOD_PASS}`], { stdio: 'ignore' });
  pack = join(dir, 'q1.pdf');
  const r = await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--out', pack,
    '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_PERIOD_PASS', '--signing-time', '2026-03-07T09:00:00Z', '--sample-size', '6'], { env: ENV });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  reportOut = r.stdout;
  text = execFileSync('pdftotext', ['-layout', pack, '-']).toString('utf8');
}, 180_000);
afterAll(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('period pack', () => {
  it('is signed over the whole file (pdfsig) and well-formed (qpdf --check)', () => {
    const sig = execFileSync('pdfsig', [pack]).toString('utf8');
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    expect(execFileSync('qpdf', ['--check', pack]).toString('utf8')).toContain('No syntax or stream encoding errors found');
  });

  it('names the period, the system, preparer, reviewer and the archive head on the cover', async () => {
    const list = JSON.parse((await runCli(['archive', 'list', '--archive', archive, '--format', 'json'])).stdout);
    expect(text).toContain('Period evidence pack');
    expect(text).toContain('Audit period 2026-03-01 to 2026-03-06');
    expect(text).toContain('The Example SaaS order platform');
    expect(text).toContain('Amazon RDS (Aurora), AWS KMS');
    expect(text).toContain('Alex Moreno, Compliance Lead');
    expect(text).toContain('Dana Whitfield, CTO');
    expect(text).toContain(`${list.head.sha256}:${list.head.n}`);
    expect(text).toContain('5 of 6');
    expect(reportOut).toContain(`archive head ${list.head.sha256}:${list.head.n}`);
  });

  it('lists exceptions with dates, days open and the management response; the gap day; a legend and timelines', () => {
    expect(text).toContain('Status legend');
    expect(text).toContain('Timelines');
    // the open TLS exception on legacy-reporting with its response, the fixed key rotation one
    const tls = text.slice(text.indexOf('Exceptions'));
    expect(tls).toMatch(/rds-cluster-tls-enforced/);
    expect(tls).toMatch(/rds-cluster-tls-enforced\s+FAIL\s+2026-03-01\s+OPEN\s+5\s+5\s+Response \(Priya Raman/);
    expect(tls).toContain('arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting');
    expect(tls).toMatch(/kms-cmk-rotation-enabled[\s\S]*?2026-03-01\s+2026-03-03\s+2\s+2/);
    expect(text).toContain('2026-03-04');
    expect(text).toContain('1 day of the period without a run');
  });

  it('attaches the history JSON, the period file, the population and every run manifest named by its sha256', async () => {
    const names = execFileSync('pdfdetach', ['-list', pack]).toString('utf8');
    expect(names).toContain('history.json');
    expect(names).toContain('period.json');
    expect(names).toContain('population.tsv');
    const out = join(dir, 'detached');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('pdfdetach', ['-saveall', '-o', out, pack]);
    const period = JSON.parse(await readFile(join(out, 'period.json'), 'utf8'));
    expect(period.runs.map((r: { asOf: string }) => r.asOf)).toEqual(NIGHTS);
    for (const r of period.runs as { bundle: string }[]) {
      const manifest = await readFile(join(out, `bundle-${r.bundle}.json`));
      expect(execFileSync('sha256sum', { input: manifest }).toString().split(' ')[0]).toBe(r.bundle);
    }
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history.days.missing).toEqual(['2026-03-04']);
  });

  it('the sample is redrawn identically by a few lines of shell from the printed seed', async () => {
    const out = join(dir, 'detached2');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('pdfdetach', ['-saveall', '-o', out, pack]);
    const seed = /Seed: (\S+)/.exec(text)![1]!;
    const n = /rds-cluster-tls-enforced: population (\d+), daily, n = (\d+)/.exec(text)!;
    expect(Number(n[1])).toBeGreaterThan(Number(n[2])); // a real draw, not the whole population
    const script = `cd "${out}" && grep "^rds-cluster-tls-enforced	" population.tsv | cut -f2 | while IFS= read -r id; do
  printf '%s %s\\n' "$(printf '%s%s' "$SEED" "$id" | sha256sum | cut -d' ' -f1)" "$id"; done | sort | head -n "$N"`;
    await writeFile(join(dir, 'redraw.sh'), script);
    const drawn = execFileSync('sh', [join(dir, 'redraw.sh')], { env: { ...process.env, SEED: seed, N: n[2]! } }).toString('utf8').trim().split('\n');
    expect(drawn).toHaveLength(Number(n[2]));
    const section = text.slice(text.indexOf('rds-cluster-tls-enforced: population'));
    const printed = section.slice(0, section.indexOf(': population', 40));
    for (const line of drawn) {
      const [key, id] = line.split(' ');
      expect(printed).toContain(key);
      expect(printed).toContain(id!.split('|')[1]!.slice(-20)); // the resource, however wrapped
    }
  });

  it('verify checks the pack (0), and with --archive its runs against the archive (0; 1 once the archive changed)', async () => {
    const ok = await runCli(['verify', pack, '--archive', archive, '--format', 'table']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('VALID');
    expect(ok.stdout).toContain('5 runs match their entries');
    const copy = join(dir, 'changed');
    await cp(archive, copy, { recursive: true });
    await unlink(join(copy, 'entries', '00000003.json'));
    const bad = await runCli(['verify', pack, '--archive', copy, '--format', 'json']);
    expect(bad.code).toBe(1);
    const j = JSON.parse(bad.stdout);
    expect(j.valid).toBe(false);
    expect(j.archive.problems.join('\n')).toContain('archive entry 3 is missing');
  });

  it('the same archive, signing time and RSA key give the same bytes', async () => {
    const again = join(dir, 'q1-again.pdf');
    const r = await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--out', again,
      '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_PERIOD_PASS', '--signing-time', '2026-03-07T09:00:00Z', '--sample-size', '6'], { env: ENV });
    expect(r.code).toBe(0);
    expect((await readFile(again)).equals(await readFile(pack))).toBe(true);
  });

  it('refuses a period without runs and a bad period (exit 2)', async () => {
    expect((await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2025-01-01..2025-01-31', '--unsigned', '--out', join(dir, 'x.pdf')])).code).toBe(2);
    expect((await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-13-01..2026-13-02', '--unsigned'])).code).toBe(2);
    expect((await runCli(['report', '--project', PROJECT, '--archive', archive, '--unsigned'])).code).toBe(2);
  });
  it('refuses to replace an existing pack without --force, and says when a management response matches no exception', async () => {
    const before = await readFile(pack);
    const again = await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--out', pack, '--unsigned']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(pack);
    expect(await readFile(pack)).toEqual(before);
    // a project whose responses file adds one response for a resource that had no exception
    const responses = join(dir, 'responses.yaml');
    await writeFile(responses, (await readFile(join(ROOT, 'examples', 'sample', 'responses.yaml'), 'utf8')) +
      '  - control: rds-cluster-deletion-protection\n    resource: "arn:aws:rds:eu-west-9:999999999999:cluster:nowhere"\n    response: nothing to say\n    owner: "Nobody"\n    date: "2026-03-03"\n');
    const project = join(dir, 'trustpack.yaml');
    await writeFile(project, `organisation: Example SaaS Inc.\ncontrols: ${join(ROOT, 'controls')}\nresponses: ${responses}\n`);
    const out = join(dir, 'warned.pdf');
    const r = await runCli(['report', '--project', project, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--out', out, '--unsigned']);
    expect(r.code).toBe(0);
    const warning = 'the management response to rds-cluster-deletion-protection on arn:aws:rds:eu-west-9:999999999999:cluster:nowhere (Nobody, 2026-03-03) matches no exception of this period';
    expect(r.stdout).toContain(`WARNING ${warning}`);
    // the response that does cover an exception is no warning
    expect(r.stdout).not.toContain('rds-cluster-tls-enforced on');
    const warnedText = execFileSync('pdftotext', [out, '-']).toString('utf8').replace(/\s+/g, ' ');
    expect(warnedText).toContain(`WARNING ${warning}`);
  }, 120_000);
  it('takes an RFC 3161 timestamp like the run pack (room for the token in the signature placeholder)', async () => {
    const tsa = await startTsa();
    try {
      const out = join(dir, 'stamped.pdf');
      const r = await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--out', out,
        '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_PERIOD_PASS', '--tsa-url', tsa.url], { env: ENV });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(tsa.requests).toBe(1);
      const tsaRoot = join(dir, 'tsa-root.pem');
      await writeFile(tsaRoot, tsa.root.pem);
      const v = await runCli(['verify', out, '--trust', join(dir, 'c.pem'), '--tsa-trust', tsaRoot, '--format', 'json']);
      expect(v.code).toBe(0);
      const j = JSON.parse(v.stdout) as { valid: boolean; timestamp: unknown };
      expect(j.valid).toBe(true);
      expect(j.timestamp).not.toBeNull();
      expect(execFileSync('pdfsig', [out]).toString('utf8')).toContain('Signature is Valid.');
    } finally {
      await tsa.close();
    }
  }, 120_000);
});
