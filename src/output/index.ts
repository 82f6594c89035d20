// One entry point for every machine- and human-readable format of Results.
import type { EvidenceBundle } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import { toOscal } from './oscal.js';

export type OutputFormat = 'table' | 'json' | 'junit' | 'csv' | 'markdown' | 'oscal';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'junit', 'csv', 'markdown', 'oscal'];

export interface RenderOptions {
  /** ANSI colour; the CLI passes process.stdout.isTTY && !NO_COLOR */
  color: boolean;
  /** the evidence bundle, for formats that cite collection times (oscal) */
  bundle?: EvidenceBundle;
  /** terminal width for the table; long titles are cut to fit */
  width?: number;
}

export function render(format: OutputFormat, results: Results, opts: RenderOptions): string {
  switch (format) {
    case 'oscal': return `${JSON.stringify(toOscal(results, opts.bundle), null, 2)}\n`;
    default: throw new Error(`format ${format} not implemented yet`);
  }
}
