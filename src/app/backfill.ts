// `backfill`: one as-of run per step of a period, rebuilt from AWS Config's configuration
// history and appended to the evidence archive with source config-history. Each resource's
// history is read once for the whole backfill (not once per step); steps already archived
// from history for the same regions are skipped, so a rerun appends nothing twice.
import type { EvidenceBundle } from '../evidence/model.js';
import type { ConfigHistoryStore } from '../../collectors/history/store.js';
import { loadProjectContext } from './project.js';
import { collectBundle, type CollectArgs } from './collect.js';
import { networkSettings } from '../aws/network-options.js';
import { parseStep, periodTimes, stepTimes } from './as-of.js';
import { UsageError } from './errors.js';

export interface BackfillArgs extends CollectArgs {
  archive: string;
  period: string;
  every?: string;
  retainUntil?: string;
  retainMode?: string;
}

export interface BackfillOutcome {
  text: string;
  exitCode: number;
  appended: number;
  skipped: number;
  /** Config calls made for the whole backfill, by operation */
  configCalls: Record<string, number>;
}

export async function runBackfill(args: BackfillArgs, now: Date = new Date()): Promise<BackfillOutcome> {
  if (args.asOf !== undefined) throw new UsageError('backfill: --as-of is for collect; backfill takes --period and --every');
  networkSettings(args); // before the archive is opened
  const ctx = loadProjectContext(args);
  const period = await periodTimes(args.period);
  const step = parseStep(args.every ?? '1d');
  const times = stepTimes(period, step, now);
  if (times.length === 0) throw new UsageError(`--period ${args.period}: no step of ${args.every ?? '1d'} ends in the past`);
  const { appendBundle, openForWriting } = await import('./archive.js');
  const archive = await openForWriting({ ...args, archive: args.archive });
  try {
    // what this archive already holds from history, by as-of time (and the regions it covered)
    const done = new Map<string, { regions: string[]; accounts: string[] }[]>();
    for await (const s of archive.entries()) {
      if (s.entry.source !== 'config-history') continue;
      const list = done.get(s.entry.asOf) ?? [];
      list.push({ regions: s.entry.regions, accounts: s.entry.accounts });
      done.set(s.entry.asOf, list);
    }
    const wanted = args.regions && args.regions.length > 0 ? args.regions : ctx.project.regions;
    // accounts named by role ARN (arn:aws:iam::ACCOUNT:role/NAME); the caller's own is known only once it runs
    const accounts = (args.roleArn ?? []).map((a) => a.split(':')[4] ?? '');
    const covered = (t: Date): boolean => (done.get(t.toISOString()) ?? []).some((e) =>
      (!wanted || wanted.length === 0 || wanted.every((r) => e.regions.includes(r))) && accounts.every((a) => e.accounts.includes(a)));
    const todo = times.filter((t) => !covered(t));
    const skipped = times.length - todo.length;
    if (todo.length === 0) {
      return { text: `backfill ${args.period} every ${args.every ?? '1d'}: all ${times.length} steps already archived from history; nothing appended`, exitCode: 0, appended: 0, skipped, configCalls: {} };
    }
    const history = { from: todo[0]!, to: todo.at(-1)!, stores: new Map<string, ConfigHistoryStore>() };
    const lines: string[] = [];
    let failedSteps = 0;
    let last: Awaited<ReturnType<typeof appendBundle>> | undefined;
    try {
      for (const t of todo) {
        // one line per step rather than one per collection: a quarter is ninety runs
        const bundle: EvidenceBundle = await collectBundle({ ...args, asOf: t.toISOString(), tty: false, log: () => {} }, ctx, { asOf: t, history });
        const failed = bundle.manifest.collections.filter((c) => c.status === 'error');
        if (failed.length > 0) failedSteps++;
        last = await appendBundle(ctx, bundle, archive);
        const line = `  ${t.toISOString()}  entry ${last.stored.entry.n}  run ${bundle.manifest.runId}  ${bundle.records.length} records${failed.length ? `, ${failed.length} collections without history` : ''}`;
        lines.push(line);
        args.log(`backfilled${line}`);
      }
    } finally {
      for (const s of history.stores.values()) s.destroy();
    }
    const configCalls: Record<string, number> = {};
    for (const s of history.stores.values()) for (const [op, n] of Object.entries(s.stats.byOperation)) configCalls[op] = (configCalls[op] ?? 0) + n;
    const calls = Object.entries(configCalls).map(([op, n]) => `${op} ${n}`).join(', ');
    const head = last ? `${last.stored.sha256}:${last.stored.entry.n}` : '';
    const text = [
      `backfill ${args.period} every ${args.every ?? '1d'}: ${todo.length} runs appended to ${args.archive} from AWS Config history`
        + (skipped ? `, ${skipped} steps already archived skipped` : ''),
      ...lines,
      `configuration history read once for ${history.from.toISOString()}..${history.to.toISOString()}: ${calls || 'no calls'}`,
      ...(failedSteps ? ['some evidence has no history (collectors/README.md, "From history"): those controls are ERROR in the backfilled runs'] : []),
      `head ${head}`,
    ].join('\n');
    return { text, exitCode: failedSteps > 0 ? 1 : 0, appended: todo.length, skipped, configCalls };
  } finally {
    archive.close();
  }
}
