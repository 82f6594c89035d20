// population.tsv built as bytes while the runs stream past: the same bytes as joining the lines,
// across block boundaries and with multi-byte text.
import { describe, expect, it } from 'vitest';
import { PopulationLines } from '../src/history/population.js';

describe('PopulationLines', () => {
  it('gives exactly the joined lines, across 1 MiB blocks and with multi-byte characters', () => {
    const p = new PopulationLines();
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      // ~60 bytes a line: 40,000 lines span three blocks; a line longer than a block too
      const line = i === 20_000 ? 'x'.repeat(1_500_000) : `ctl-${i % 7}\trun-${i}|arn:aws:rds:eu-central-1:1:cluster:é${i}\tPASS\tabc`;
      lines.push(line);
      p.add(line);
    }
    expect(p.lines).toBe(40_000);
    const bytes = p.take();
    expect(bytes.equals(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'))).toBe(true);
    expect(p.take().length).toBe(0);
  });
});
