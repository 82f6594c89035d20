// `trustpack demo --period` through the built CLI: a quarter of the sample account from live
// runs and its configuration history, in one archive; the changes of the sample's history
// (examples/sample/README.md, "A period") on the days they were made; the pack checked by our
// verify against the archive and by pdfsig and qpdf, which nobody here wrote.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive, type StoredEntry } from '../src/archive/index.js';
import type { Results } from '../src/engine/results.js';
import type { History } from '../src/history/model.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trustpack-demo-period-'));
const out = join(dir, 'out');
let run: Awaited<ReturnType<typeof runCli>>;
const entries: StoredEntry[] = [];
const results = new Map<number, Results>();

const days = (from: string, to: string): string[] => {
  const list: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) list.push(new Date(t).toISOString().slice(0, 10));
  return list;
};

beforeAll(async () => {
  // no credentials anywhere: the demo brings its own sandbox
  run = await runCli(['demo', '--period', '--out', out], {
    env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ENDPOINT_URL: undefined },
    timeoutMs: 300_000,
  });
  expect(run.code, run.stderr).toBe(0);
  const archive = await openArchive(join(out, 'archive'));
  try {
    for await (const s of archive.entries()) {
      entries.push(s);
      results.set(s.entry.n, await archive.results<Results>(s.entry));
    }
  } finally {
    archive.close();
  }
}, 300_000);

describe('demo --period', () => {
  it('archives three live runs and one rebuilt run for each of the 90 days ending on 2026-11-30', () => {
    const live = entries.filter((e) => e.entry.source === 'live').map((e) => e.entry.asOf.slice(0, 10));
    expect(live).toEqual(['2026-09-16', '2026-10-16', '2026-11-30']);
    const rebuilt = entries.filter((e) => e.entry.source === 'config-history').map((e) => e.entry.asOf.slice(0, 10));
    expect(rebuilt).toEqual(days('2026-09-02', '2026-11-30'));
    expect(run.stdout).toMatch(/93 runs over 90 days \(0 without a run\)/);
  });

  it('shows the retention raised on 2026-10-21 and restored on 2026-10-28 as one exception of seven days', () => {
    const h = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as History;
    const c = h.controls.find((x) => x.id === 'rds-backup-retention-within-window');
    const e = c?.exceptions.filter((x) => x.resource.endsWith(':cluster:orders-prod'));
    expect(e).toEqual([expect.objectContaining({
      status: 'FAIL', firstSeen: '2026-10-21T23:59:59.000Z', lastSeen: '2026-10-27T23:59:59.000Z', resolvedAt: '2026-10-28T23:59:59.000Z',
      runs: 7, source: 'config-history', reason: expect.stringContaining('BackupRetentionPeriod is 35') as unknown,
    })]);
    expect(readFileSync(join(out, 'history.txt'), 'utf8')).toMatch(/orders-prod\s+2026-10-21T23:59:59.000Z -> 2026-10-28T23:59:59.000Z/);
  });

  it("fails a key's rotation on the days history says it was off: orders-data for a week, legacy-reporting (D6) throughout", () => {
    const offDays = new Map<string, string[]>();
    for (const s of entries.filter((x) => x.entry.source === 'config-history')) {
      const c = results.get(s.entry.n)!.controls.find((x) => x.id === 'kms-cmk-rotation-enabled')!;
      for (const f of c.findings) {
        if (f.status === 'FAIL' && /KeyRotationEnabled is false/.test(f.reason)) offDays.set(f.resource, [...(offDays.get(f.resource) ?? []), s.entry.asOf.slice(0, 10)]);
      }
    }
    const spans = [...offDays.values()].sort((a, b) => a.length - b.length);
    expect(spans).toEqual([days('2026-11-10', '2026-11-16'), days('2026-09-02', '2026-11-30')]);
  });

  it('writes a period pack that verifies against its archive, for trustpack and for pdfsig and qpdf', async () => {
    const pack = join(out, 'period-pack.pdf');
    const v = await runCli(['verify', pack, '--trust', join(out, 'demo-signer.pem'), '--archive', join(out, 'archive'), '--format', 'json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const report = JSON.parse(v.stdout) as { valid: boolean; trusted: boolean; problems: string[]; archive: { runs: number; problems: string[] } };
    expect(report).toMatchObject({ valid: true, trusted: true, problems: [], archive: { runs: 93, problems: [] } });
    const pdfsig = execFileSync('pdfsig', [pack], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature is Valid.');
    expect(pdfsig).toContain('Total document signed');
    expect(spawnSync('qpdf', ['--check', pack], { encoding: 'utf8' }).status).toBe(0);
    const chain = await runCli(['archive', 'verify', '--archive', join(out, 'archive')]);
    expect(chain.code, chain.stdout + chain.stderr).toBe(0);
  });

  it('replaces its own output on a second run and refuses a folder it did not write', async () => {
    const again = await runCli(['demo', '--period', '--out', out], { env: { AWS_EC2_METADATA_DISABLED: 'true' }, timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
    const archive = await openArchive(join(out, 'archive'));
    try {
      let n = 0;
      for await (const _ of archive.entries()) n++;
      expect(n).toBe(93); // rebuilt, not appended to
    } finally {
      archive.close();
    }
    const foreign = join(dir, 'foreign');
    execFileSync('mkdir', ['-p', foreign]);
    execFileSync('cp', [join(out, 'history.txt'), join(foreign, 'history.txt')]);
    const refused = await runCli(['demo', '--period', '--out', foreign]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/history\.txt, which an earlier demo did not write/);
  }, 300_000);
});
