// One entry point for every machine- and human-readable format of Results.
import type { EvidenceBundle } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { toOscal } from './oscal.js';
import { renderTable } from './table.js';

import type { OutputFormat } from '../controls/registry/output-formats.js';
// the list of formats lives in one registry; this switch is where a new one is rendered
export { OUTPUT_FORMATS, type OutputFormat } from '../controls/registry/output-formats.js';

export interface RenderOptions {
  /** ANSI colour (table only); the CLI passes process.stdout.isTTY && !NO_COLOR */
  color: boolean;
  /** the evidence bundle, for formats that cite collection times (oscal) */
  bundle?: EvidenceBundle;
  /** terminal width for the table; the title column is cut to fit */
  width?: number;
  /** markdown: resource rows in the whole summary (`--max-rows`) */
  maxRows?: number;
}

export function render(format: OutputFormat, results: Results, opts: RenderOptions): string {
  switch (format) {
    case 'table': return renderTable(results, opts);
    case 'json': return renderJson(results);
    case 'junit': return renderJunit(results);
    case 'csv': return renderCsv(results);
    case 'markdown': return renderMarkdown(results, opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {});
    case 'oscal': return `${JSON.stringify(toOscal(results, opts.bundle), null, 2)}\n`;
  }
}

