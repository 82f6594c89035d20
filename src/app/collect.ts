// `collect` and `check`: evidence from AWS (or any AWS-compatible endpoint) through the SDK.
import { join } from 'node:path';
import type { EvidenceBundle } from '../evidence/model.js';
import { COLLECTORS, withDependencies } from '../../collectors/registry.js';
import { loadProjectContext, type ProjectContext, type ProjectOptions } from './project.js';
import { makeProgress } from './progress.js';
import { evaluateAndRender } from './evaluate.js';
import { UsageError } from './errors.js';
import { VERSION } from '../version.js';

export interface CollectArgs extends ProjectOptions {
  regions?: string[];
  roleArn?: string[];
  profile?: string;
  concurrency?: string;
  out?: string;
  /** `--as-of DATE|TIMESTAMP`: the state then, rebuilt from AWS Config's configuration history */
  asOf?: string;
  /** also append the bundle to this evidence archive (folder or s3://bucket/prefix) */
  archive?: string;
  retainUntil?: string;
  retainMode?: string;
  log: (s: string) => void;
  tty: boolean;
}

/** The collectors the catalog's automated controls read, their dependencies, and the caller identity. */
export function collectorsFor(ctx: ProjectContext): string[] {
  const wanted = new Set<string>(['sts.caller-identity']);
  for (const c of ctx.controls) if (c.kind === 'automated' && c.collector) wanted.add(c.collector);
  return withDependencies([...wanted]);
}

function regionsFor(args: CollectArgs, ctx: ProjectContext): string[] | undefined {
  if (args.regions && args.regions.length > 0) return args.regions;
  if (ctx.project.regions && ctx.project.regions.length > 0) return ctx.project.regions;
  return undefined; // the SDK's configured region
}

function parseConcurrency(v: string | undefined): number {
  const n = Number(v ?? '8');
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, got '${v}'`);
  return n;
}

export async function collectBundle(args: CollectArgs, ctx: ProjectContext,
  backfill?: { asOf: Date; history: import('../../collectors/run.js').HistoryStores }): Promise<EvidenceBundle> {
  const { collectEvidence } = await import('../../collectors/run.js');
  const asOf = backfill?.asOf ?? (args.asOf !== undefined ? (await import('./as-of.js')).parseAsOf(args.asOf) : undefined);
  const collectors = collectorsFor(ctx);
  const regions = regionsFor(args, ctx);
  const accounts = Math.max(1, args.roleArn?.length ?? 0);
  const infos = COLLECTORS.filter((c) => collectors.includes(c.id));
  const perAccount = infos.reduce((n, c) => n + (c.scope === 'global' ? 1 : (regions?.length ?? 1)), 0);
  const progress = await makeProgress({ tty: args.tty, total: accounts * perAccount, log: args.log });
  try {
    return await collectEvidence({
      ...(regions ? { regions } : {}),
      ...(args.roleArn ? { roleArns: args.roleArn } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      collectors,
      concurrency: parseConcurrency(args.concurrency),
      ...(asOf ? { asOf } : {}),
      ...(backfill ? { history: backfill.history } : {}),
      onProgress: (e) => progress.onProgress(e),
      toolVersion: VERSION,
    });
  } finally {
    progress.stop();
  }
}

function collectionSummary(bundle: EvidenceBundle): { text: string; failed: number } {
  const failed = bundle.manifest.collections.filter((c) => c.status === 'error');
  const lines = [
    ...(bundle.manifest.source === 'config-history' ? [`as of ${bundle.manifest.asOf ?? '?'}, rebuilt from AWS Config's configuration history`] : []),
    `run ${bundle.manifest.runId}: ${bundle.records.length} records from ${bundle.manifest.collections.length} collections ` +
      `(${bundle.manifest.accounts.join(', ')}; ${bundle.manifest.regions.join(', ')})`,
  ];
  if (failed.length > 0) {
    lines.push(`${failed.length} collection${failed.length === 1 ? '' : 's'} failed; controls that need them will be in ERROR:`);
    for (const f of failed) lines.push(`  ${f.account} ${f.region} ${f.collector}: ${f.error?.code ?? 'Error'}: ${f.error?.message ?? ''}`);
  }
  return { text: lines.join('\n'), failed: failed.length };
}

export async function runCollect(args: CollectArgs): Promise<{ text: string; exitCode: number }> {
  const ctx = loadProjectContext(args);
  // open the archive first: a refused location (a locked bucket without retention) fails before collecting
  const archiving = args.archive ? await import('./archive.js') : undefined;
  const archive = archiving && args.archive ? await archiving.openForWriting({ ...args, archive: args.archive }) : undefined;
  try {
    const bundle = await collectBundle(args, ctx);
    const { writeBundle } = await import('../evidence/bundle.js');
    const dir = args.out ?? join('reports', `evidence-${bundle.manifest.runId}`);
    await writeBundle(bundle, dir);
    const s = collectionSummary(bundle);
    const archived = archiving && archive && args.archive
      ? '\n' + archiving.describeAppend(args.archive, await archiving.appendBundle(ctx, bundle, archive))
      : '';
    return { text: `${s.text}\nevidence bundle: ${dir}${archived}`, exitCode: s.failed > 0 ? 1 : 0 };
  } finally {
    archive?.close();
  }
}

export async function runCheck(args: CollectArgs & { framework?: string; format: string; output?: string; color: boolean }): Promise<{ text: string; exitCode: number }> {
  const ctx = loadProjectContext(args);
  const bundle = await collectBundle(args, ctx);
  if (args.out) {
    const { writeBundle } = await import('../evidence/bundle.js');
    await writeBundle(bundle, args.out);
    args.log(`evidence bundle: ${args.out}`);
  }
  const s = collectionSummary(bundle);
  args.log(s.text);
  return evaluateAndRender(ctx, bundle, args);
}
