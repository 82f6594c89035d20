// The results JSON of an evaluation too large to hold in memory (a million resources x 50
// controls are 50 million findings, gigabytes of text): the engine hands each finding to a
// FindingsSpool, which writes it, already in its results-JSON form, to one temporary file per
// control; writeResultsJson then streams the document, each control's findings copied from its
// file between the parts renderJson would print around them. The bytes are renderJson's for
// the same results (test/results-file.test.ts), written to a temporary sibling and renamed.
import { closeSync, mkdtempSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FindingSink } from '../engine/sink.js';
import type { Finding, Results } from '../engine/results.js';
import { cannotWrite, tempSibling } from '../util/atomic.js';
import { FindingText, renderJsonAround } from './json.js';

/** a control's buffered findings text is written out past this many characters */
const FLUSH_AT = 1 << 16;
/** the closing line of a findings array in renderJson's text */
const ARRAY_END = '\n      ]';

interface Spooled { fd: number; path: string; count: number; buffered: string; problems: Finding[]; valuesText: Map<object, string> }

export class FindingsSpool implements FindingSink {
  private readonly dir: string;
  private readonly byControl = new Map<string, Spooled>();
  private closed = false;
  private readonly text = new FindingText();

  /**
   * `near`: the file the results are for; the spool is a temporary folder beside it (same disk,
   * so the space it needs is asked of the place the user chose), removed by `remove()`.
   */
  constructor(private readonly near: string) {
    try {
      this.dir = mkdtempSync(join(dirname(near), `.${basename(near)}.tmp-${process.pid}-findings-`));
    } catch (err) {
      throw cannotWrite(near, err);
    }
  }

  add(control: string, f: Finding): void {
    let s = this.byControl.get(control);
    if (s === undefined) s = this.open(control);
    const text = this.text.of(f, s.valuesText);
    s.buffered += s.count === 0 ? text : `,\n${text}`;
    s.count++;
    // what decides a CI gate (--baseline compares failing findings) stays in memory: few, small
    if (f.status === 'FAIL' || f.status === 'ERROR') s.problems.push(f);
    if (s.buffered.length >= FLUSH_AT) this.flush(s);
  }

  /** How many findings a control produced. */
  count(control: string): number {
    return this.byControl.get(control)?.count ?? 0;
  }

  /** A control's FAIL and ERROR findings, in order (what the gates read). */
  problems(control: string): Finding[] {
    return this.byControl.get(control)?.problems ?? [];
  }

  /** Results whose findings are only the FAIL and ERROR ones: what a gate judges by. */
  withProblems(results: Results): Results {
    return { ...results, controls: results.controls.map((c) => ({ ...c, findings: this.problems(c.id) })) };
  }

  /** Writes the whole results JSON to `path` (temporary sibling, then rename). */
  writeResults(path: string, results: Results): void {
    this.finish();
    const tmp = tempSibling(path);
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'w');
      const parts = renderJsonAround(results);
      const out = fd;
      const copy = Buffer.allocUnsafe(1 << 22);
      writeSync(out, parts[0]!);
      results.controls.forEach((c, i) => {
        const s = this.byControl.get(c.id);
        if (s === undefined || s.count === 0) writeSync(out, '[]');
        else {
          writeSync(out, '[\n');
          const from = openSync(s.path, 'r');
          try {
            for (let n = readSync(from, copy); n > 0; n = readSync(from, copy)) writeSync(out, copy, 0, n);
          } finally {
            closeSync(from);
          }
          writeSync(out, ARRAY_END);
        }
        writeSync(out, parts[i + 1]!);
      });
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, path);
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
      throw cannotWrite(path, err);
    }
  }

  /** Removes the spool's files (always call it, in a finally). */
  remove(): void {
    this.closeAll();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private open(control: string): Spooled {
    if (this.closed) throw new Error(`findings spool: ${control} produced a finding after the results were written`);
    const path = join(this.dir, `${this.byControl.size}.json`);
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      throw cannotWrite(this.near, err);
    }
    const s: Spooled = { fd, path, count: 0, buffered: '', problems: [], valuesText: new Map() };
    this.byControl.set(control, s);
    return s;
  }

  private flush(s: Spooled): void {
    try {
      writeSync(s.fd, s.buffered);
    } catch (err) {
      throw cannotWrite(this.near, err);
    }
    s.buffered = '';
  }

  private finish(): void {
    for (const s of this.byControl.values()) if (s.buffered.length > 0) this.flush(s);
    this.closeAll();
  }

  private closeAll(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.byControl.values()) closeSync(s.fd);
  }
}
