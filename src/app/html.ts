// `report --html FILE`: the evidence browser, for a run (from its bundle) or a period (from the
// archive), written atomically; the same bytes go into the PDF pack when one is written too.
import type { EvidenceBundle, EvidenceRecord, Manifest } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import type { PeriodPackInput } from '../report/period-types.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { ProjectContext } from './project.js';
import { UsageError } from './errors.js';

export interface HtmlAttachment {
  name: string;
  bytes: Buffer;
  description: string;
}

/** `--html-max-records N`: how many evidence records the page embeds at most (cited first; the cited rest are named). */
export function parseRecordCap(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--html-max-records must be a whole number of at least 0, got '${v}'`);
  return n;
}

export async function runHtml(req: { ctx: ProjectContext; bundle: EvidenceBundle; results: Results; framework: string; recordCap?: number }): Promise<Buffer> {
  const { runModel } = await import('../report/html/model.js');
  const { renderBrowserHtml } = await import('../report/html/page.js');
  const { bundleFiles, MANIFEST_FILE } = await import('../evidence/bundle.js');
  // The manifest as the signed pack embeds it: its records files are written sorted by id (a
  // streamed bundle on disk keeps collection order), and the page rebuilds and hashes those.
  const packed = bundleFiles(req.bundle).find((f) => f.path === MANIFEST_FILE)!;
  const manifest = JSON.parse(packed.bytes.toString('utf8')) as Manifest;
  const { model, findings, records } = runModel({
    results: req.results, controls: req.ctx.controls, frameworks: req.ctx.frameworks, framework: req.framework,
    manifest, records: req.bundle.records,
    ...(req.ctx.project.organisation ? { organisation: req.ctx.project.organisation } : {}),
    ...(req.recordCap !== undefined ? { recordCap: req.recordCap } : {}),
  });
  return renderBrowserHtml(model, findings, records);
}

export async function periodHtml(ctx: ProjectContext, input: Omit<PeriodPackInput, 'attachments' | 'signingTime'>, evidence: { records: readonly EvidenceRecord[]; recordCap?: number }): Promise<Buffer> {
  const { periodModel } = await import('../report/html/model.js');
  const { renderBrowserHtml } = await import('../report/html/page.js');
  const { model, findings, records } = periodModel({
    history: input.history, timelines: input.timelines, exceptions: input.exceptions, samples: input.samples,
    controls: ctx.controls, frameworks: ctx.frameworks, framework: input.framework ?? 'all', toolVersion: input.toolVersion,
    head: input.archive.head, ...(input.organisation ? { organisation: input.organisation } : {}), ...(input.warnings ? { warnings: input.warnings } : {}),
    records: evidence.records, ...(evidence.recordCap !== undefined ? { recordCap: evidence.recordCap } : {}),
  });
  return renderBrowserHtml(model, findings, records);
}

/** Writes the page and returns it as the pack attachment that carries the same bytes. */
export async function writeHtml(file: string, bytes: Buffer): Promise<HtmlAttachment> {
  const { HTML_ATTACHMENT } = await import('../report/html/page.js');
  await writeFileAtomic(file, bytes);
  return { name: HTML_ATTACHMENT, bytes, description: 'the evidence browser: one offline HTML file (the same bytes as report --html wrote)' };
}
