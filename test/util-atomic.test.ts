// Atomic writes: nothing half-written at the final path, and the temporary siblings of runs that
// were killed are swept by the next write (those of live processes are left alone).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleTemps, writeFileAtomic } from '../src/util/atomic.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('writeFileAtomic', () => {
  it('writes the whole file and leaves no temporary sibling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-atomic-'));
    await writeFileAtomic(join(dir, 'sub', 'out.json'), '{"a":1}\n');
    expect(readFileSync(join(dir, 'sub', 'out.json'), 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.json']);
  });

  it("removes a killed run's leftovers, keeps a live process's, and touches nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-atomic-'));
    const dead = deadPid();
    writeFileSync(join(dir, `.out.pdf.tmp-${dead}-aaaa0000`), 'partial');
    mkdirSync(join(dir, `.out.pdf.tmp-${dead}-bbbb1111`)); // a killed bundle write is a folder
    writeFileSync(join(dir, `.out.pdf.tmp-${process.ppid}-cccc2222`), 'someone else, still running');
    writeFileSync(join(dir, `.other.pdf.tmp-${dead}-dddd3333`), 'another path');
    expect((await sweepStaleTemps(join(dir, 'out.pdf'))).sort()).toEqual([`.out.pdf.tmp-${dead}-aaaa0000`, `.out.pdf.tmp-${dead}-bbbb1111`]);
    await writeFileAtomic(join(dir, 'out.pdf'), 'done');
    expect(readdirSync(dir).sort()).toEqual([`.other.pdf.tmp-${dead}-dddd3333`, `.out.pdf.tmp-${process.ppid}-cccc2222`, 'out.pdf']);
  });
});
