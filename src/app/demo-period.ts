// `demo --period`: a quarter of the sample account without an AWS account. The sample is served
// as it stood on SAMPLE_DATE (its dates are relative, so a fixed day makes every run repeatable):
// a few live runs on past days, then a daily backfill from the sample's configuration history,
// all in one evidence archive; then its history, a signed period pack, and both verified.
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { writeFileAtomic } from '../util/atomic.js';
import { loadProjectContext, type ProjectOptions } from './project.js';
import { collectBundle } from './collect.js';
import { withSampleSandbox } from './demo.js';
import { checkDemoFolder, demoMarkerText, DEMO_MARKER } from './output-target.js';

/** The day the sample's period ends: its relative dates ("40 days ago") count back from here. */
const SAMPLE_DATE = '2026-11-30';
/** 90 days, both ends included */
const PERIOD_DAYS = 90;
/** live runs, days before SAMPLE_DATE: outside the sample's changes, whose state only history knows */
const LIVE_DAYS_BEFORE = [75, 45, 0];

const DAY = 86_400_000;
const OUTPUTS = ['archive/', 'history.txt', 'history.json', 'demo-signer.pem', 'period-pack.pdf'] as const;

export async function runDemoPeriod(o: ProjectOptions & { out: string; force?: boolean; log: (s: string) => void }): Promise<{ text: string; exitCode: number }> {
  checkDemoFolder(o.out, OUTPUTS, o.force);
  const project = o.project ?? join(PACKAGE_ROOT, 'examples', 'sample', 'trustpack.yaml');
  const ctx = loadProjectContext({ ...o, project });
  const end = new Date(`${SAMPLE_DATE}T23:59:59Z`);
  const start = new Date(end.getTime() - (PERIOD_DAYS - 1) * DAY).toISOString().slice(0, 10);
  const period = `${start}..${SAMPLE_DATE}`;
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  // the archive is built beside the old one and replaces it only once complete
  const building = join(out, `.archive.${process.pid}.tmp`);
  await rm(building, { recursive: true, force: true });
  const { appendBundle, openForWriting } = await import('./archive.js');

  const lines: string[] = [];
  for (const before of LIVE_DAYS_BEFORE) {
    const at = new Date(end.getTime() - before * DAY - 12 * 3_600_000); // midday UTC
    const bundle = await withSampleSandbox(at, () => collectBundle({ project, log: () => {}, tty: false, clock: () => at }, ctx));
    const archive = await openForWriting({ archive: building });
    try {
      const r = await appendBundle(ctx, bundle, archive, at);
      lines.push(`live run as of ${at.toISOString()}: entry ${r.stored.entry.n}, ${bundle.records.length} records`);
      o.log(lines.at(-1)!);
    } finally {
      archive.close();
    }
  }

  const { runBackfill } = await import('./backfill.js');
  const backfill = await withSampleSandbox(end, () =>
    runBackfill({ project, archive: building, period, every: '1d', log: () => {}, tty: false }, end));
  lines.push(`backfill: ${backfill.appended} daily runs rebuilt from the sample's configuration history`);
  o.log(lines.at(-1)!);

  await rm(join(out, 'archive'), { recursive: true, force: true });
  await rename(building, join(out, 'archive'));
  const archiveDir = join(out, 'archive');

  const { runHistory } = await import('./history.js');
  const historyText = await runHistory({ project, archive: archiveDir, period, format: 'table' });
  const historyJson = await runHistory({ project, archive: archiveDir, period, format: 'json' });
  await writeFileAtomic(join(out, 'history.txt'), historyText.text + '\n');
  await writeFileAtomic(join(out, 'history.json'), historyJson.text + '\n');

  const now = new Date();
  const { makeDemoSigner } = await import('../signing/sign.js');
  const signer = makeDemoSigner({ commonName: 'trustpack demo signer', organisation: ctx.project.organisation ?? 'trustpack demo', notBefore: now });
  await writeFileAtomic(join(out, 'demo-signer.pem'), signer.certPem);
  const pack = join(out, 'period-pack.pdf');
  const { runPeriodReport, verifyPackAgainstArchive } = await import('./period.js');
  const report = await runPeriodReport({ project, archive: archiveDir, period, framework: 'all', out: pack, force: true, signer, signingTime: now.toISOString() });

  await writeFileAtomic(join(out, DEMO_MARKER), demoMarkerText(out, OUTPUTS));

  const { verifyPack } = await import('../verify/verify.js');
  const verified = await verifyPack(pack, { trustPem: signer.certPem });
  const { runArchiveVerify } = await import('./archive.js');
  const chain = await runArchiveVerify({ archive: archiveDir, format: 'text' });
  const runs = await verifyPackAgainstArchive(pack, archiveDir);
  const valid = verified.valid && chain.exitCode === 0 && runs.problems.length === 0;

  const rel = (p: string) => (p.startsWith(process.cwd() + '/') ? p.slice(process.cwd().length + 1) : p);
  return {
    text: [
      `the sample account over ${period} (served as it stood on each day; see examples/sample/README.md, "A period")`,
      ...lines.map((l) => '  ' + l),
      `archive:      ${rel(archiveDir)}  (chain ${chain.exitCode === 0 ? 'intact' : 'BROKEN'})`,
      `history:      ${rel(join(out, 'history.txt'))}, ${rel(join(out, 'history.json'))}`,
      report.text.split('\n').map((l, i) => (i === 0 ? l : '  ' + l)).join('\n'),
      `verify:       ${verified.valid ? 'VALID' : 'INVALID: ' + verified.problems.join('; ')}; ${runs.checked} runs match the archive${runs.problems.length ? ': ' + runs.problems.join('; ') : ''}`,
      `try: trustpack verify ${rel(pack)} --trust ${rel(join(out, 'demo-signer.pem'))} --archive ${rel(archiveDir)}`,
    ].join('\n'),
    exitCode: valid ? 0 : 1,
  };
}
