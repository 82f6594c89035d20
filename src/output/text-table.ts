// Plain aligned columns for a terminal: the one table renderer behind the results table
// (table.ts) and the catalog and archive views (src/app/list.ts, archive.ts). Widths count code
// points, and ANSI colour codes in a cell are not counted, so painted cells stay aligned.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Display width in code points (good enough for ids, ARNs and titles; no East Asian wide cells). */
function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

function fit(s: string, width: number): string {
  const cps = [...s];
  return cps.length <= width ? s : `${cps.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export interface AlignOptions {
  /** the one column that may be cut (with …) so that a line fits `total` characters */
  shrink?: { column: number; total: number };
}

/** Each row as one line, its columns padded to the widest cell, two spaces apart, no trailing space. */
export function alignColumns(rows: readonly (readonly string[])[], opts: AlignOptions = {}): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const shrink = opts.shrink;
  if (shrink && shrink.column < columns) {
    const others = widths.reduce((a, w, i) => (i === shrink.column ? a : a + w), 0) + 2 * (columns - 1);
    widths[shrink.column] = Math.max(visibleLength(rows[0]?.[shrink.column] ?? ''), Math.min(widths[shrink.column]!, shrink.total - others));
  }
  return rows.map((cells) =>
    cells
      .map((cell, i) => {
        const text = shrink && i === shrink.column ? fit(cell, widths[i]!) : cell;
        return i === cells.length - 1 ? text : text + ' '.repeat(Math.max(0, widths[i]! - visibleLength(text)));
      })
      .join('  ')
      .trimEnd(),
  );
}

export function textTable(headers: string[], rows: string[][]): string {
  return alignColumns([headers, ...rows]).join('\n');
}
