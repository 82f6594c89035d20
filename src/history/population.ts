// The period's population file (population.tsv), built while the runs stream past. A year of an
// estate is millions of occurrence lines: held as JS strings in an array (then joined, then
// encoded) they cost three to four times their bytes at the peak; here each line is encoded
// into large byte blocks as it arrives, so the peak is the bytes themselves plus one copy when
// the file is taken.
const BLOCK = 1 << 20;

export class PopulationLines {
  private readonly full: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private total = 0;
  lines = 0;

  /** Appends `line` and a newline (the line holds no newline: its fields are ids, ARNs, statuses). */
  add(line: string): void {
    this.lines++;
    const need = Buffer.byteLength(line, 'utf8') + 1;
    if (this.used + need > this.block.length) {
      if (this.used > 0) this.full.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, need));
      this.used = 0;
    }
    this.used += this.block.write(line, this.used, 'utf8');
    this.block[this.used++] = 0x0a;
    this.total += need;
  }

  /** The file's bytes; the blocks are released. */
  take(): Buffer {
    const parts = [...this.full, this.block.subarray(0, this.used)];
    this.full.length = 0;
    this.block = Buffer.alloc(0);
    this.used = 0;
    const out = Buffer.concat(parts, this.total);
    this.total = 0;
    return out;
  }
}
