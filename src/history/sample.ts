// The population of a control over a period and a sample anyone can redraw without trustpack.
// Population: every (run, resource) occurrence of the control's findings in the period, named
// `<run id>|<resource ARN>`. Sample: the n occurrences with the smallest
// sha256(seed || occurrence id) (hex, UTF-8 text concatenated), so:
//   grep "^CONTROL<TAB>" population.tsv | cut -f2 | while IFS= read -r id; do
//     printf '%s %s\n' "$(printf '%s%s' "$SEED" "$id" | sha256sum | cut -d' ' -f1)" "$id"; done | sort | head -n N
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
export class SampleDraw {
  private readonly kept: { key: string; id: string }[] = [];
  population = 0;

  constructor(readonly seed: string, readonly n: number) {}

  offer(id: string): void {
    this.population++;
    if (this.n <= 0) return;
    const key = sampleKey(this.seed, id);
    const k = this.kept;
    if (k.length === this.n && key >= k[k.length - 1]!.key) return;
    let i = k.length;
    while (i > 0 && k[i - 1]!.key > key) i--;
    k.splice(i, 0, { key, id });
    if (k.length > this.n) k.pop();
  }

  /** The sample, smallest key first (the order `sort | head` prints). */
  drawn(): { key: string; id: string }[] {
    return [...this.kept];
  }
}
