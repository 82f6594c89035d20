// `evaluate`: controls x an evidence bundle on disk -> results in the chosen format.
import type { EvidenceBundle, Manifest } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import { evaluate, evaluateByCollector, type EvaluateOptions } from '../engine/evaluate.js';
import { render, type OutputFormat } from '../output/index.js';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cannotWrite, sweepStaleTemps, writeFileAtomic } from '../util/atomic.js';
import { checkOutputTarget } from './output-target.js';
import { VERSION } from '../version.js';
import { COLLECTORS } from '../../collectors/registry.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { checkFramework } from './list.js';
import { loadGate, type Gate, type GateOptions } from './gates.js';
import { UsageError } from './errors.js';

/** docs/ARCHITECTURE.md: 1 when any control FAILED or is in ERROR, else 0. */
function exitCodeOf(results: Results): 0 | 1 {
  return results.summary.FAIL > 0 || results.summary.ERROR > 0 ? 1 : 0;
}

/** A backfilled run is judged as of its own time (a snapshot's age, a waiver's expiry), the live one as of now. */
function judgedAt(m: Manifest): Date {
  return m.source === 'config-history' && m.asOf ? new Date(m.asOf) : new Date();
}

function engineOptions(ctx: ProjectContext, framework: string | undefined, now: Date): EvaluateOptions {
  const fw = checkFramework(framework);
  return {
    toolVersion: VERSION,
    now,
    globalCollectors: COLLECTORS.filter((c) => c.scope === 'global').map((c) => c.id),
    project: ctx.project,
    waivers: ctx.waivers,
    attestations: ctx.attestations,
    ...(fw ? { framework: fw } : {}),
    ...(ctx.attestationBaseDir ? { attestationBaseDir: ctx.attestationBaseDir } : {}),
  };
}

export function evaluateBundle(ctx: ProjectContext, bundle: EvidenceBundle, framework: string | undefined, now = judgedAt(bundle.manifest)): Results {
  return evaluate(ctx.controls, bundle, engineOptions(ctx, framework, now));
}

/**
 * The evidence to evaluate: a bundle in memory, or a bundle folder read one collector's records
 * file at a time (hash-checked as readBundle does), so a large estate never sits in memory whole.
 */
export type EvidenceSource = { bundle: EvidenceBundle } | { dir: string };

export async function evaluateAndRender(
  ctx: ProjectContext,
  source: EvidenceSource,
  args: {
    framework?: string; format: string; output?: string; color: boolean; gate?: Gate; log?: (s: string) => void; maxRows?: string; width?: number;
    /** the CLI's stdout: JSON without --output is streamed to it (the text returned is then empty) */
    stdout?: NodeJS.WritableStream;
  },
): Promise<{ text: string; exitCode: number }> {
  const maxRows = parseMaxRows(args.maxRows, args.format);
  let results: Results;
  let bundle: EvidenceBundle | undefined;
  if ('bundle' in source) {
    bundle = source.bundle;
    results = evaluateBundle(ctx, bundle, args.framework);
  } else if (args.format === 'oscal') {
    // OSCAL dates each observation from its record: the whole bundle is read
    const { readBundle } = await import('../evidence/bundle.js');
    bundle = await readBundle(source.dir);
    results = evaluateBundle(ctx, bundle, args.framework);
  } else if (args.format === 'json' && args.output) {
    return evaluateToJsonFile(ctx, source.dir, { ...args, output: args.output });
  } else if (args.format === 'json' && args.stdout) {
    // at estate size the JSON is longer than the longest string V8 holds: through a file, streamed
    const tmp = await mkdtemp(join(tmpdir(), 'trustpack-results-'));
    try {
      const file = join(tmp, 'results.json');
      const r = await evaluateToJsonFile(ctx, source.dir, { ...args, output: file });
      await pipeline(createReadStream(file), args.stdout, { end: false });
      return { text: '', exitCode: r.exitCode };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  } else {
    const { openBundle } = await import('../evidence/bundle.js');
    const opened = await openBundle(source.dir);
    results = await evaluateByCollector(ctx.controls, opened.manifest, (c) => opened.records(c), engineOptions(ctx, args.framework, judgedAt(opened.manifest)));
    await opened.checkUnread(); // a changed file no control reads still fails the run, as before
    bundle = { manifest: opened.manifest, records: [] };
  }
  const judged = args.gate ? args.gate.judge(results) : { exitCode: exitCodeOf(results), notes: [] };
  for (const n of judged.notes) args.log?.(n);
  const text = render(args.format as OutputFormat, results, {
    color: args.color, bundle, ...(maxRows !== undefined ? { maxRows } : {}), ...(args.width !== undefined ? { width: args.width } : {}),
  });
  if (args.output) {
    await writeFileAtomic(args.output, text.endsWith('\n') ? text : text + '\n');
    return { text: writtenTo(args.output, results), exitCode: judged.exitCode };
  }
  return { text, exitCode: judged.exitCode };
}

function writtenTo(output: string, results: Results): string {
  const s = results.summary;
  return `results written to ${output}: ${s.PASS} passed, ${s.FAIL} failed, ${s.ERROR} error, ${s.WAIVED} waived, ${s.MANUAL} manual, ${s.NOT_APPLICABLE} not applicable` +
    (results.warnings ?? []).map((w) => `\nWARNING ${w.message}`).join('');
}

/**
 * `--format json --output FILE` from a bundle folder, at any size: findings go to a spool on disk
 * as they are produced and the results file is streamed from it (src/output/results-file.ts);
 * only the verdicts and the failing findings (for the gates) stay in memory. Same bytes as
 * rendering the results held in memory.
 */
async function evaluateToJsonFile(ctx: ProjectContext, dir: string,
  args: { framework?: string; output: string; gate?: Gate; log?: (s: string) => void }): Promise<{ text: string; exitCode: number }> {
  const { openBundle } = await import('../evidence/bundle.js');
  const { FindingsSpool } = await import('../output/results-file.js');
  const opened = await openBundle(dir);
  await mkdir(dirname(resolve(args.output)), { recursive: true }).catch((err: unknown) => { throw cannotWrite(args.output, err); });
  await sweepStaleTemps(args.output);
  const spool = new FindingsSpool(args.output);
  try {
    const results = await evaluateByCollector(ctx.controls, opened.manifest, (c) => opened.records(c),
      { ...engineOptions(ctx, args.framework, judgedAt(opened.manifest)), sink: spool });
    await opened.checkUnread(); // a changed file no control reads still fails the run, as before
    const judged = args.gate ? args.gate.judge(spool.withProblems(results)) : { exitCode: exitCodeOf(results), notes: [] };
    for (const n of judged.notes) args.log?.(n);
    spool.writeResults(args.output, results);
    return { text: writtenTo(args.output, results), exitCode: judged.exitCode };
  } finally {
    spool.remove();
  }
}

/** `--max-rows N`: the markdown job summary's resource rows (src/output/markdown.ts). */
export function parseMaxRows(text: string | undefined, format: string): number | undefined {
  if (text === undefined) return undefined;
  if (format !== 'markdown') throw new UsageError(`--max-rows applies to --format markdown (the job summary), not ${format}`);
  if (!/^\d+$/.test(text.trim()) || Number(text) > 1_000_000) throw new UsageError(`--max-rows must be a whole number from 0, got '${text}'`);
  return Number(text);
}

export async function runEvaluate(args: ProjectOptions & GateOptions & { evidence: string; framework?: string; format: string; output?: string; color: boolean; force?: boolean; maxRows?: string; width?: number; stdout?: NodeJS.WritableStream }): Promise<{ text: string; exitCode: number }> {
  if (args.output) checkOutputTarget({ path: args.output, kind: 'file', option: '--output' }, args.force);
  parseMaxRows(args.maxRows, args.format);
  checkFramework(args.framework);
  const ctx = loadProjectContext(args);
  const gate = await loadGate(args);
  return evaluateAndRender(ctx, { dir: args.evidence }, { ...args, gate });
}
