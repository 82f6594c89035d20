// Collection progress on stderr: a bar on a terminal, one plain line per collection in CI logs.
import type { CollectProgress as ProgressEvent } from '../../collectors/run.js';

export interface Progress {
  onProgress(e: ProgressEvent): void;
  stop(): void;
}

export async function makeProgress(opts: { tty: boolean; total: number; log: (s: string) => void }): Promise<Progress> {
  // the same failure (a denied role fails every collection of its account alike) is printed once;
  // the summary at the end counts it
  const seen = new Set<string>();
  const firstTime = (e: ProgressEvent): boolean => {
    const key = `${e.account}\u0000${e.error ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  if (!opts.tty) {
    return {
      onProgress(e) {
        if (e.phase === 'done') opts.log(`collected ${e.account} ${e.region} ${e.collector}: ${e.records ?? 0} record${e.records === 1 ? '' : 's'}`);
        if (e.phase === 'error' && firstTime(e)) opts.log(`FAILED    ${e.account} ${e.region} ${e.collector}: ${e.error ?? 'unknown error'} (the same failure elsewhere is counted at the end)`);
      },
      stop() {},
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: 'collecting [{bar}] {value}/{total} {errors} {current}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let errors = 0;
  let done = 0;
  bar.start(opts.total, 0, { current: '', errors: '' });
  return {
    onProgress(e) {
      if (e.phase === 'start') {
        bar.update(done, { current: `${e.region} ${e.collector}` });
        return;
      }
      done++;
      if (e.phase === 'error') {
        // failures stay on screen above the bar, so they are not lost when it clears
        errors++;
        if (firstTime(e)) {
          bar.stop();
          opts.log(`FAILED ${e.account} ${e.region} ${e.collector}: ${e.error ?? 'unknown error'}`);
          bar.start(Math.max(opts.total, done), done, { current: '', errors: '' });
        }
      }
      bar.update(done, { errors: errors ? `(${errors} failed)` : '' });
    },
    stop() {
      bar.stop();
    },
  };
}
