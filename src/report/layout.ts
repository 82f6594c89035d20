// A light layout layer over pdfkit: a y cursor, our own line wrapping (cached glyph widths,
// long ARNs broken anywhere) and a table that pages itself. pdfkit's own wrapper and
// doc.table() measure every string through the shaper; with tens of thousands of cells that
// dominates the run, so we measure once per character and draw lines with lineBreak off.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type PDFDocumentType from 'pdfkit';

type Doc = InstanceType<typeof PDFDocumentType>;
export type FontName = 'sans' | 'bold' | 'mono';

export const COLORS = {
  text: '#1a1a1a',
  muted: '#666666',
  rule: '#c8c8c8',
  headerFill: '#e9edf2',
  zebra: '#f7f8fa',
  accent: '#1f4e79',
  danger: '#b00020',
} as const;

export const STATUS_COLORS: Record<string, string> = {
  PASS: '#2e7d32',
  FAIL: '#c62828',
  ERROR: '#ef6c00',
  WAIVED: '#6a1b9a',
  MANUAL: '#1565c0',
  NOT_APPLICABLE: '#757575',
  'NOT COVERED': '#9e9e9e',
};

let fontCache: Record<FontName, Buffer> | undefined;
/** DejaVu covers Latin-1 and far beyond ("Zürich"); read once per process. */
/**
 * A pdfkit document as every pack starts: A4, no margins, pages buffered (headers say "page X
 * of Y", drawn once every page exists), PDF 1.7, our fonts registered, its bytes collected.
 * `info` must carry fixed dates: pdfkit derives the trailer /ID from the info dictionary.
 * `bytes()` ends the document and resolves to the whole file.
 */
export async function openPackDocument(info: Record<string, unknown>): Promise<{ doc: Doc; bytes: () => Promise<Buffer> }> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 0, bufferPages: true, pdfVersion: '1.7', lang: 'en', displayTitle: true, info });
  const fonts = fontBytes();
  doc.registerFont('sans', fonts.sans);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('mono', fonts.mono);
  doc.font('sans');
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  return {
    doc,
    bytes: async () => {
      doc.end();
      await done;
      return Buffer.concat(chunks);
    },
  };
}

export function fontBytes(): Record<FontName, Buffer> {
  if (!fontCache) {
    const req = createRequire(import.meta.url);
    const dir = join(dirname(req.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontCache = {
      sans: readFileSync(join(dir, 'DejaVuSans.ttf')),
      bold: readFileSync(join(dir, 'DejaVuSans-Bold.ttf')),
      mono: readFileSync(join(dir, 'DejaVuSansMono.ttf')),
    };
  }
  return fontCache;
}

interface Cell {
  text: string;
  font?: FontName;
  size?: number;
  color?: string;
}
export interface Column {
  header: string;
  width: number;
  font?: FontName;
  size?: number;
}
export interface Row {
  cells: (string | Cell)[];
  /** a full-width line under the cells (e.g. full evidence ids in small mono) */
  detail?: Cell[];
}

export const PAGE = { width: 595.28, height: 841.89, left: 48, right: 547.28, top: 58, bottom: 792 } as const;

export class Writer {
  y: number = PAGE.top;
  readonly width = PAGE.right - PAGE.left;
  private readonly widths = new Map<FontName, Map<number, number>>();
  private curFont: FontName | undefined;
  private curSize = 0;

  constructor(readonly doc: Doc) {
    this.fastWrites();
  }

  /**
   * pdfkit turns every content operator it writes into its own Uint8Array (a JS loop per
   * character) and joins them at the end: with tens of thousands of lines that is most of the
   * garbage. For the page being drawn we collect the operator strings and hand them to pdfkit
   * as one buffer when the page is left (or at finish()). Same bytes, less work.
   */
  private fastWrites(): void {
    type Ref = { write(chunk: unknown): void; __flush?: () => void };
    const ref = (this.doc.page as unknown as { content?: Ref } | undefined)?.content;
    if (!ref || ref.__flush) return;
    const parts: string[] = [];
    const write = ref.write.bind(ref);
    const flush = (): void => {
      if (parts.length) {
        write(Buffer.from(parts.join(''), 'latin1'));
        parts.length = 0;
      }
    };
    ref.write = (chunk: unknown): void => {
      if (typeof chunk === 'string') parts.push(chunk, '\n');
      else {
        flush();
        write(chunk);
      }
    };
    ref.__flush = flush;
    this.pending.add(ref as { __flush: () => void });
  }
  private readonly pending = new Set<{ __flush: () => void }>();

  /** Hands every collected operator to pdfkit; call before doc.end(). */
  finish(): void {
    for (const r of this.pending) r.__flush();
    this.pending.clear();
  }

  setFont(font: FontName, size: number, color: string = COLORS.text): void {
    if (font !== this.curFont) {
      this.doc.font(font);
      this.curFont = font;
    }
    if (size !== this.curSize) {
      this.doc.fontSize(size);
      this.curSize = size;
    }
    // always: fills drawn between lines (zebra, bars) change the colour behind our back
    this.doc.fillColor(color);
  }

  /** Width at size 1 of one code point, measured once per font. */
  private unitWidth(font: FontName, cp: number): number {
    let m = this.widths.get(font);
    if (!m) this.widths.set(font, (m = new Map<number, number>()));
    let w = m.get(cp);
    if (w === undefined) {
      const saveFont = this.curFont;
      const saveSize = this.curSize;
      this.doc.font(font).fontSize(100);
      w = this.doc.widthOfString(String.fromCodePoint(cp)) / 100;
      if (saveFont) this.doc.font(saveFont);
      this.doc.fontSize(saveSize || 10);
      m.set(cp, w);
    }
    return w;
  }

  measure(text: string, font: FontName, size: number): number {
    let w = 0;
    for (const ch of text) w += this.unitWidth(font, ch.codePointAt(0)!);
    return w * size;
  }

  /** Greedy wrap on spaces; a word wider than the line is broken between any characters. */
  wrap(text: string, width: number, font: FontName, size: number): string[] {
    const out: string[] = [];
    const max = width / size;
    const space = this.unitWidth(font, 32);
    for (const para of text.split('\n')) {
      let line = '';
      let lineW = 0;
      for (const word of para.split(' ')) {
        let ww = 0;
        for (const ch of word) ww += this.unitWidth(font, ch.codePointAt(0)!);
        const add = line ? space + ww : ww;
        if (lineW + add <= max) {
          line = line ? `${line} ${word}` : word;
          lineW += add;
          continue;
        }
        if (ww <= max) {
          if (line) out.push(line);
          line = word;
          lineW = ww;
          continue;
        }
        // too long for any line: fill the current line, then break by character
        let rest = line ? ' ' : '';
        let restW = line ? space : 0;
        let cur = line;
        let curW = lineW;
        for (const ch of word) {
          const cw = this.unitWidth(font, ch.codePointAt(0)!);
          if (curW + restW + cw > max && (cur || rest.trim())) {
            out.push(cur + rest.trimEnd());
            cur = '';
            curW = 0;
            rest = '';
            restW = 0;
          }
          rest += ch;
          restW += cw;
        }
        line = cur + rest;
        lineW = curW + restW;
      }
      out.push(line);
    }
    return out;
  }

  lineHeight(size: number): number {
    return size * 1.25;
  }

  newPage(): void {
    this.compactPage();
    this.doc.addPage();
    this.fastWrites();
    // pdfkit resets nothing we cache except the page; keep font state honest
    this.curFont = undefined;
    this.curSize = 0;
    this.y = PAGE.top;
  }

  /**
   * We buffer pages (for "page X of Y"), and pdfkit keeps every content-stream write of a
   * buffered page as its own small Uint8Array until the end: with 10,000+ findings that is
   * most of the memory. A page's /Contents may be an array of streams, so when we leave a page
   * its stream so far is written out (compressed) now and a fresh one takes later writes
   * (the header and footer).
   */
  compactPage(): void {
    type Ref = { buffer: unknown[]; end(): void };
    const page = this.doc.page as unknown as { content?: Ref; dictionary?: { data: { Contents?: unknown } } } | undefined;
    const f = (page?.content as { __flush?: () => void } | undefined)?.__flush;
    if (f) {
      f();
      this.pending.delete(page!.content as unknown as { __flush: () => void });
    }
    if (page?.content && page.dictionary && Array.isArray(page.content.buffer) && page.content.buffer.length > 0) {
      const done = page.content;
      const fresh = (this.doc as unknown as { ref(): Ref }).ref();
      const prior: unknown = page.dictionary.data.Contents;
      page.dictionary.data.Contents = [...(Array.isArray(prior) ? (prior as unknown[]).slice(0, -1) : []), done, fresh];
      page.content = fresh;
      done.end();
    }
    // pdfkit caches the shaped layout of every distinct word forever; ARNs and evidence ids
    // are all distinct, so the cache only grows. Start it afresh every few pages.
    if (++this.pagesSinceReset >= 64) {
      this.pagesSinceReset = 0;
      const families = (this.doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: object }> })._fontFamilies ?? {};
      for (const f of Object.values(families)) if (f.layoutCache) f.layoutCache = Object.create(null) as object;
    }
  }
  private pagesSinceReset = 0;
  private outlineSection: { addItem(title: string): unknown } | undefined;

  ensure(height: number): void {
    if (this.y + height > PAGE.bottom) this.newPage();
  }

  drawLine(text: string, x: number, y: number, font: FontName, size: number, color?: string): void {
    if (!text) return;
    this.setFont(font, size, color);
    this.doc.text(text, x, y, { lineBreak: false });
  }

  /** Wrapped paragraph at the cursor, breaking pages as needed. */
  para(text: string, opts: { font?: FontName; size?: number; color?: string; indent?: number; gap?: number } = {}): void {
    const font = opts.font ?? 'sans';
    const size = opts.size ?? 9.5;
    const x = PAGE.left + (opts.indent ?? 0);
    const lh = this.lineHeight(size);
    for (const line of this.wrap(text, PAGE.right - x, font, size)) {
      this.ensure(lh);
      this.drawLine(line, x, this.y, font, size, opts.color);
      this.y += lh;
    }
    this.y += opts.gap ?? 4;
  }

  /** "Label: value" with a bold label, wrapped. */
  field(label: string, value: string, opts: { size?: number; labelWidth?: number; valueFont?: FontName } = {}): void {
    const size = opts.size ?? 9.5;
    const lw = opts.labelWidth ?? 130;
    const lh = this.lineHeight(size);
    const lines = this.wrap(value, this.width - lw, opts.valueFont ?? 'sans', size);
    this.ensure(lh);
    this.drawLine(label, PAGE.left, this.y, 'bold', size);
    for (const line of lines) {
      this.ensure(lh);
      this.drawLine(line, PAGE.left + lw, this.y, opts.valueFont ?? 'sans', size);
      this.y += lh;
    }
    this.y += 1.5;
  }

  heading(text: string, level: 1 | 2 | 3 = 1, opts: { dest?: string; outline?: boolean } = {}): void {
    const size = level === 1 ? 17 : level === 2 ? 13 : 10.5;
    this.ensure(size * 3.5);
    this.y += level === 1 ? 0 : size * 0.5;
    if (opts.dest) this.doc.addNamedDestination(opts.dest, 'XYZ', null, this.y, null);
    if (opts.outline) {
      // bookmarks: sections at the top level, controls under the section before them
      type Item = { addItem(title: string): Item };
      const root = (this.doc as unknown as { outline: Item }).outline;
      if (level === 1) this.outlineSection = root.addItem(text);
      else (this.outlineSection ?? root).addItem(text);
    }
    for (const line of this.wrap(text, this.width, 'bold', size)) {
      this.drawLine(line, PAGE.left, this.y, 'bold', size, level === 1 ? COLORS.accent : COLORS.text);
      this.y += this.lineHeight(size);
    }
    if (level === 1) {
      this.doc.moveTo(PAGE.left, this.y).lineTo(PAGE.right, this.y).lineWidth(0.8).strokeColor(COLORS.accent).stroke();
      this.y += 6;
    } else {
      this.y += 2;
    }
  }

  /** A table that repeats its header on each page and splits rows taller than a page. */
  table(columns: Column[], rows: Row[], opts: { size?: number; continued?: string } = {}): void {
    const size = opts.size ?? 7.5;
    const lh = this.lineHeight(size);
    const pad = 2.5;
    const xs: number[] = [];
    let acc = PAGE.left;
    for (const c of columns) {
      xs.push(acc);
      acc += c.width;
    }
    const tableRight = acc;
    const header = (cont = false): void => {
      if (cont && opts.continued) {
        this.drawLine(`${opts.continued} (continued)`, PAGE.left, this.y, 'sans', 7.5, COLORS.muted);
        this.y += 11;
      }
      const hl = columns.map((c) => this.wrap(c.header, c.width - 2 * pad, 'bold', size));
      const h = Math.max(...hl.map((l) => l.length)) * lh + 2 * pad;
      this.doc.rect(PAGE.left, this.y, tableRight - PAGE.left, h).fillColor(COLORS.headerFill).fill();
      hl.forEach((lines, i) => lines.forEach((l, j) => this.drawLine(l, xs[i]! + pad, this.y + pad + j * lh, 'bold', size)));
      this.y += h;
    };
    this.ensure(lh * 3 + 2 * pad);
    header();
    let zebra = false;
    for (const row of rows) {
      const cells = columns.map((c, i) => {
        const raw = row.cells[i] ?? '';
        const cell: Cell = typeof raw === 'string' ? { text: raw } : raw;
        const font = cell.font ?? c.font ?? 'sans';
        const csize = cell.size ?? c.size ?? size;
        return { font, size: csize, color: cell.color, lines: this.wrap(cell.text, c.width - 2 * pad, font, csize), lh: this.lineHeight(csize) };
      });
      const details = (row.detail ?? []).flatMap((d) => {
        const font = d.font ?? 'mono';
        const dsize = d.size ?? 5.5;
        return this.wrap(d.text, tableRight - PAGE.left - 2 * pad, font, dsize).map((l) => ({ text: l, font, size: dsize, color: d.color ?? COLORS.muted, lh: this.lineHeight(dsize) }));
      });
      // draw the row in slices so a row taller than a page continues on the next one
      const cursor = cells.map(() => 0);
      let detailAt = 0;
      let fresh = false; // just moved to a new page for this row
      zebra = !zebra;
      for (;;) {
        const avail = PAGE.bottom - this.y - 2 * pad;
        const need = Math.max(...cells.map((c, i) => (c.lines.length - cursor[i]!) * c.lh)) + details.slice(detailAt).reduce((s, d) => s + d.lh, 0);
        // a row that does not fit moves whole to the next page; only a row taller than a page
        // is split (and then only when a few lines' room is left here)
        if (need > avail && !fresh && (need <= PAGE.bottom - PAGE.top - 60 || avail < 4 * lh)) {
          this.newPage();
          header(true);
          fresh = true;
          continue;
        }
        const top = this.y;
        let bottom = top + pad;
        const fills: (() => void)[] = [];
        cells.forEach((c, i) => {
          let yy = top + pad;
          while (cursor[i]! < c.lines.length && yy + c.lh <= top + pad + avail) {
            const line = c.lines[cursor[i]!]!;
            const y0 = yy;
            fills.push(() => this.drawLine(line, xs[i]! + pad, y0, c.font, c.size, c.color));
            cursor[i]!++;
            yy += c.lh;
          }
          bottom = Math.max(bottom, yy);
        });
        const cellsDone = cells.every((c, i) => cursor[i]! >= c.lines.length);
        if (cellsDone) {
          while (detailAt < details.length && bottom + details[detailAt]!.lh <= top + pad + avail) {
            const d = details[detailAt]!;
            const y0 = bottom;
            fills.push(() => this.drawLine(d.text, PAGE.left + pad, y0, d.font, d.size, d.color));
            bottom += d.lh;
            detailAt++;
          }
        }
        const h = bottom - top + pad;
        if (zebra) {
          this.doc.rect(PAGE.left, top, tableRight - PAGE.left, h).fillColor(COLORS.zebra).fill();
            }
        for (const f of fills) f();
        this.y = top + h;
        this.doc.moveTo(PAGE.left, this.y).lineTo(tableRight, this.y).lineWidth(0.3).strokeColor(COLORS.rule).stroke();
        if (cellsDone && detailAt >= details.length) break;
        this.newPage();
        header(true);
        fresh = true;
      }
    }
    this.y += 8;
  }
}
