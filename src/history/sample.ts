// The population of a control over a period and a sample anyone can redraw without trustpack.
// Population: every (run, resource) occurrence of the control's findings in the period, named
// `<run id>|<resource ARN>`. Sample: the n occurrences with the smallest
// sha256(seed || occurrence id) (hex, UTF-8 text concatenated), so:
// examples/redraw-sample.sh (attached to every period pack) does exactly that in sh.
// Only findings on real resources are occurrences: never an attestation of a manual control,
// never a placeholder for missing evidence (`arn:...:*`).
import { createHash } from 'node:crypto';

export const SAMPLE_METHOD =
  'the n occurrences whose sha256(seed || occurrence id) is smallest: the SHA-256 of the UTF-8 text of the seed followed by the occurrence id, compared as lower-case hex';

/**
 * Sample sizes by how often the control operates, as audit firms' tables for tests of
 * operating effectiveness commonly set them (AICPA Audit Guide ranges, upper ends).
 */
const SAMPLE_SIZES: readonly { frequency: string; everyDays: number; n: number }[] = [
  { frequency: 'several times a day', everyDays: 0.5, n: 40 },
  { frequency: 'daily', everyDays: 1.5, n: 25 },
  { frequency: 'weekly', everyDays: 10, n: 5 },
  { frequency: 'monthly', everyDays: 45, n: 2 },
  { frequency: 'quarterly', everyDays: 120, n: 2 },
  { frequency: 'annually', everyDays: Infinity, n: 1 },
];

/** The frequency row for `runs` runs over `days` days. */
export function frequencyOf(runs: number, days: number): { frequency: string; n: number } {
  const every = runs > 0 ? days / runs : Infinity;
  const row = SAMPLE_SIZES.find((r) => every <= r.everyDays) ?? SAMPLE_SIZES.at(-1)!;
  return { frequency: row.frequency, n: row.n };
}

export const occurrenceId = (runId: string, resource: string) => `${runId}|${resource}`;

function sampleKey(seed: string, id: string): string {
  return createHash('sha256').update(seed + id, 'utf8').digest('hex');
}

/** Keeps the n smallest keys seen, so a year of occurrences never sits in memory at once. */
export class SampleDraw<T = undefined> {
  private readonly kept: { key: string; id: string; item: T }[] = [];
  private readonly hash = createHash('sha256');
  population = 0;

  constructor(readonly seed: string, readonly n: number) {}

  /** `item`: what the sample row shows of this occurrence (kept only while it is among the n). */
  offer(id: string, item: T): void {
    this.population++;
    this.hash.update(`${id}\n`, 'utf8');
    if (this.n <= 0) return;
    const key = sampleKey(this.seed, id);
    const k = this.kept;
    if (k.length === this.n && key >= k[k.length - 1]!.key) return;
    let i = k.length;
    while (i > 0 && k[i - 1]!.key > key) i--;
    k.splice(i, 0, { key, id, item });
    if (k.length > this.n) k.pop();
  }

  /** The sample, smallest key first (the order `sort | head` prints). */
  drawn(): { key: string; id: string; item: T }[] {
    return [...this.kept];
  }

  /** sha256 of the occurrence ids offered, one per line: `cut -f2 | sha256sum` of the population. */
  populationSha256(): string {
    return this.hash.copy().digest('hex');
  }
}
