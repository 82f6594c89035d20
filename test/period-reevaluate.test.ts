// `report --archive --reevaluate` (issue 21, precision "where waivers apply"): a period pack
// normally uses the results stored when each run was archived; with --reevaluate it judges the
// archived evidence again with today's catalog and waivers, and says so on its cover, on every
// page and in its attachments, listing each control whose status changed. Two runs archived
// before a waiver existed; the waiver added afterwards changes nothing in the stored pack and
// waives the finding in the re-evaluated one.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { collectorsFor } from '../src/app/collect.js';
import { appendBundle, catalogDigest } from '../src/app/archive.js';
import { loadProjectContext } from '../src/app/project.js';
import { openArchive } from '../src/archive/index.js';
import { runPeriodReport } from '../src/app/period.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { runCli } from './helpers/cli.js';
import { sampleProjectYaml } from './helpers/sample-project.js';

const RUNS = ['2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z'];
const LEGACY = 'arn:aws:rds:us-east-1:111122223333:cluster:legacy-reporting';
const CONTROL = 'rds-cluster-members-multi-az';

let sb: Sandbox;
let dir: string;
let today: string;
const packs: Record<'stored' | 'reevaluated', { file: string; text: string; pages: string[]; files: string; out: string }> = {} as never;

function projectFile(name: string, waivers?: string): string {
  return sampleProjectYaml({ ...(waivers ? { waivers } : {}), extra: [`# ${name}`] });
}

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(SAMPLE), port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-reevaluate-'));
  const archive = join(dir, 'archive');
  // the runs are archived by a project without any waiver
  await writeFile(join(dir, 'then.yaml'), projectFile('then'));
  const then = loadProjectContext({ project: join(dir, 'then.yaml') });
  const a = await openArchive(archive, { forWriting: true });
  try {
    for (const at of RUNS) {
      const now = new Date(at);
      const bundle = await collectEvidence({ regions: ['us-east-1', 'eu-central-1'], collectors: collectorsFor(then), concurrency: 4, toolVersion: '0.1.0', now: () => now });
      await appendBundle(then, bundle, a, now);
    }
  } finally {
    a.close();
  }
  // today: a waiver approved before the period, which the stored results never applied
  await writeFile(join(dir, 'waivers.yaml'), [
    'waivers:',
    `  - control: ${CONTROL}`,
    `    resource: "${LEGACY}"`,
    '    reason: reporting cluster rebuilt nightly from the source of truth',
    '    approver: "Dana Whitfield, CTO"',
    '    approved_on: "2026-02-01"',
    '    expires: "2027-12-31"',
    '',
  ].join('\n'));
  const project = join(dir, 'trustpack.yaml');
  await writeFile(project, projectFile('today', join(dir, 'waivers.yaml')));
  today = catalogDigest(loadProjectContext({ project }));
  for (const mode of ['stored', 'reevaluated'] as const) {
    const file = join(dir, `${mode}.pdf`);
    const r = await runPeriodReport({ project, archive, period: '2026-03-01..2026-03-02', framework: 'soc2', out: file, unsigned: true, signingTime: '2026-03-03T09:00:00Z', ...(mode === 'reevaluated' ? { reevaluate: true } : {}) });
    const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    const pages = Array.from({ length: count }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), file, '-']).toString('utf8').replace(/\s+/g, ' '));
    const files = join(dir, `${mode}-files`);
    execFileSync('mkdir', ['-p', files]);
    execFileSync('pdfdetach', ['-saveall', '-o', files, file]);
    packs[mode] = { file, text: pages.join(' '), pages, files, out: r.text };
  }
}, 300_000);
afterAll(async () => {
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Hist { reevaluated?: { catalog: string; note: string }; controls: { id: string; runs: Record<string, number> }[] }
const json = async <T>(mode: 'stored' | 'reevaluated', name: string): Promise<T> => JSON.parse(await readFile(join(packs[mode].files, name), 'utf8')) as T;

describe('period pack: stored results, or --reevaluate', () => {
  it('without --reevaluate the stored results stand, and the pack says AS STORED', async () => {
    const { text, out } = packs.stored;
    const h = await json<Hist>('stored', 'history.json');
    expect(h.reevaluated).toBeUndefined();
    expect(h.controls.find((c) => c.id === CONTROL)!.runs).toMatchObject({ FAIL: 2, WAIVED: 0 });
    expect(text.includes('AS STORED: the results evaluated when each run was archived'), 'the cover says AS STORED').toBe(true);
    expect(text.includes('RE-EVALUATED'), 'no word of re-evaluation').toBe(false);
    const period = await json<{ judged: { mode: string; archivedCatalogs: { digest: string; runs: number }[] } }>('stored', 'period.json');
    expect(period.judged.mode).toBe('stored');
    expect(period.judged.archivedCatalogs.reduce((n, c) => n + c.runs, 0)).toBe(RUNS.length);
    expect(out).toContain('judged: as stored');
  });

  it('with --reevaluate today\'s catalog and waivers judge the archived evidence, and every page says so', async () => {
    const { pages, text, out } = packs.reevaluated;
    const h = await json<Hist>('reevaluated', 'history.json');
    expect(h.reevaluated?.catalog).toBe(today);
    // the waiver added after the runs were archived now covers both runs
    expect(h.controls.find((c) => c.id === CONTROL)!.runs).toMatchObject({ FAIL: 0, WAIVED: 2 });
    for (const [i, p] of pages.entries()) expect(p.startsWith('trustpack period evidence pack · RE-EVALUATED, not the stored results'), `page ${i + 1}`).toBe(true);
    expect(text.includes(`RE-EVALUATED: the archived evidence of every run judged again with today's catalog sha256 ${today.slice(0, 16)}`), 'the cover').toBe(true);
    expect(text.includes('2 runs judged differently from the stored results')).toBe(true);
    // the appendix lists each run's changed control, stored status then today's
    const appendix = text.slice(text.indexOf("Re-evaluation: where today's judgement differs"));
    for (const at of RUNS) expect(appendix.includes(`${at.slice(0, 10)} ${at.slice(11, 19)} UTC`), at).toBe(true);
    expect(appendix.split(`${CONTROL} FAIL WAIVED`).length - 1).toBe(2);
    const period = await json<{ judged: { mode: string; catalog: string } }>('reevaluated', 'period.json');
    expect(period.judged).toMatchObject({ mode: 'reevaluated', catalog: today });
    const info = execFileSync('pdfinfo', [packs.reevaluated.file]).toString();
    expect(info).toContain("re-evaluated with today's catalog");
    expect(out).toContain(`judged: RE-EVALUATED with today's catalog ${today}`);
    expect(out).toContain('WARNING RE-EVALUATED');
  });

  it('the two packs differ where an auditor looks first: the cover', () => {
    const cover = (m: 'stored' | 'reevaluated') => packs[m].pages[0]!;
    expect(cover('stored')).toMatch(/AS STORED: the results evaluated/);
    expect(cover('reevaluated')).toMatch(/RE-EVALUATED: the archived evidence of every run judged again/);
    expect(cover('reevaluated')).toMatch(/RE-EVALUATED: the statuses in this pack come from judging the archived evidence again/);
    expect(cover('stored')).not.toMatch(/RE-EVALUATED/);
  });

  it('report --evidence --reevaluate is refused: a run pack has no stored results to prefer', async () => {
    const r = await runCli(['report', '--evidence', dir, '--reevaluate', '--unsigned', '--out', join(dir, 'x.pdf')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reevaluate applies to a period pack');
  });
});
