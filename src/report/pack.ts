// buildPack: results + controls + evidence files -> one signed PDF. Deterministic: the same
// inputs, signing time and key give the same bytes (fixed info dates, no random ids).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { FRAMEWORK_IDS, type Control } from '../controls/model.js';
import type { Manifest } from '../evidence/model.js';
import type { ControlResult } from '../engine/results.js';
import { COLORS, PAGE, Writer, openPackDocument } from './layout.js';
import type { PackContext } from './context.js';
import { writeFileAtomic } from '../util/atomic.js';
import { drawCover } from './cover.js';
import { drawMatrix, drawSummary } from './summary.js';
import { drawControls } from './control-pages.js';
import { drawAppendix, drawWaivers } from './appendix.js';
import { runCriteria } from './run-criteria.js';
import { drawRunCriteria } from './run-criteria-pages.js';
import { drawExceptions, frameworkNames } from './auditor.js';
import { FRAMEWORKS } from '../controls/registry/frameworks.js';
import { addSignaturePlaceholder, placeholderLength, resolvePackSigner, signPdf } from '../signing/sign.js';
import type { PackAttachment, PackInput } from './types.js';
import { MANIFEST_ATTACHMENT, OSCAL_ATTACHMENT, RESULTS_ATTACHMENT } from '../pack/contract.js';

export type { PackInput } from './types.js';

const rank = (id: string): number => {
  const i = (FRAMEWORK_IDS as readonly string[]).indexOf(id);
  return i < 0 ? FRAMEWORK_IDS.length : i;
};
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The attachments as embedded: the caller's, plus results.json and the OSCAL document when absent. */
function packAttachments(input: PackInput): (PackAttachment & { sha256: string })[] {
  const list: PackAttachment[] = [...input.attachments];
  const has = (n: string): boolean => list.some((a) => a.name === n);
  if (!has(RESULTS_ATTACHMENT)) list.push({ name: RESULTS_ATTACHMENT, bytes: Buffer.from(JSON.stringify(input.results, null, 2) + '\n'), description: 'trustpack results (Results JSON)' });
  if (!has(OSCAL_ATTACHMENT)) list.push({ name: OSCAL_ATTACHMENT, bytes: Buffer.from(JSON.stringify(input.oscal, null, 2) + '\n'), description: 'OSCAL assessment results 1.0.4' });
  const seen = new Set<string>();
  for (const a of list) {
    if (seen.has(a.name)) throw new Error(`two attachments named ${a.name}`);
    seen.add(a.name);
  }
  return list.map((a) => ({ ...a, sha256: sha256(a.bytes) }));
}

function describe(name: string): string {
  if (name === MANIFEST_ATTACHMENT) return 'evidence bundle manifest: run, caller, collections, sha256 of each records file';
  if (name.startsWith('records/')) return `evidence records of collector ${basename(name).replace(/\.jsonl$/, '')} (one JSON record per line)`;
  return name;
}

function mimeOf(name: string): string {
  if (name.endsWith('.jsonl')) return 'application/x-ndjson';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.pdf')) return 'application/pdf';
  if (name.endsWith('.html')) return 'text/html';
  return 'application/octet-stream';
}

function manifestOf(input: PackInput): Manifest | undefined {
  if (input.manifest) return input.manifest;
  const a = input.attachments.find((x) => x.name === MANIFEST_ATTACHMENT);
  if (!a) return undefined;
  try {
    return JSON.parse(a.bytes.toString('utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** The frameworks a pack is about: the one asked for, else every one the catalog loaded. */
function packFrameworkIds(input: PackInput): string[] {
  if (input.framework && input.framework !== 'all') return [input.framework];
  return FRAMEWORK_IDS.filter((id) => input.frameworks.some((f) => f.id === id));
}

export async function buildPack(input: PackInput): Promise<Buffer> {
  const { signer, identity } = resolvePackSigner(input); // fail fast on a bad key
  const attachments = packAttachments(input);
  const t = input.signingTime;
  const org = input.organisation ?? '';
  const { doc, bytes } = await openPackDocument({
    Title: `Security evidence pack${org ? ` — ${org}` : ''} — run ${input.results.run.id}`,
    Author: org || 'trustpack',
    // a framework-only pack names only its framework
    Subject: `Evidence for ${frameworkNames(packFrameworkIds(input), new Map(FRAMEWORKS.map((f) => [f.id, f.name])))} controls`,
    Keywords: packFrameworkIds(input).join(', '),
    Creator: `trustpack ${input.results.tool.version}`,
    Producer: `trustpack ${input.results.tool.version} (pdfkit)`,
    // fixed dates: pdfkit derives the trailer /ID from the info dictionary
    CreationDate: t,
    ModDate: t,
  });

  const wanted = input.framework && input.framework !== 'all' ? [input.framework] : undefined;
  // the framework registry's order (src/controls/registry/frameworks.ts), whatever order they were loaded in
  const frameworks = input.frameworks
    .filter((f) => !wanted || wanted.includes(f.id))
    .sort((a, b) => rank(a.id) - rank(b.id));
  const ctx: PackContext = {
    w: new Writer(doc),
    input,
    manifest: manifestOf(input),
    frameworks,
    coverage: input.coverage.frameworks.filter((f) => frameworks.some((x) => x.id === f.id)),
    controls: new Map<string, Control>(input.controls.map((c) => [c.id, c])),
    results: new Map<string, ControlResult>(input.results.controls.map((c) => [c.id, c])),
    attachments,
    criteria: runCriteria({ results: input.results, catalog: input.controls, frameworks, ...(input.evidenceSources ? { sources: input.evidenceSources } : {}) }),
  };
  if (identity) ctx.signer = identity;

  drawCover(ctx);
  drawSummary(ctx);
  drawExceptions(ctx);
  drawMatrix(ctx);
  drawRunCriteria(ctx);
  drawControls(ctx);
  drawWaivers(ctx);
  drawAppendix(ctx);

  for (const a of attachments) {
    doc.file(a.bytes, {
      name: a.name,
      type: mimeOf(a.name),
      description: a.description ?? describe(a.name),
      creationDate: t,
      modifiedDate: t,
      relationship: 'Data',
    } as never);
  }

  drawPageFurniture(ctx);
  if (signer && identity) {
    const range = doc.bufferedPageRange();
    doc.switchToPage(range.start + range.count - 1);
    await addSignaturePlaceholder(doc, {
      signingTime: t,
      name: identity.commonName ?? identity.subject,
      reason: `trustpack evidence pack, run ${input.results.run.id}`,
      location: org,
      signatureLength: placeholderLength(signer),
    });
  }
  ctx.w.finish();
  const pdf = await bytes();
  return signer ? signPdf(pdf, signer, t) : pdf;
}

/** Header (run id, organisation) and footer (page X of Y) on every page. */
function drawPageFurniture(ctx: PackContext): void {
  const { w, input } = ctx;
  const doc = w.doc;
  const range = doc.bufferedPageRange();
  const marker = input.unsigned ? '  ·  UNSIGNED' : input.demoSigner ? '  ·  DEMO SIGNER — not for audit use' : '';
  const head = `trustpack evidence pack${input.organisation ? `  ·  ${input.organisation}` : ''}  ·  run ${input.results.run.id}${marker}`;
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const onCover = i === 0;
    for (const line of w.wrap(head, w.width, 'sans', 7).slice(0, 1)) w.drawLine(line, PAGE.left, 24, 'sans', 7, onCover ? '#dbe6f1' : COLORS.muted);
    if (!onCover) doc.moveTo(PAGE.left, 36).lineTo(PAGE.right, 36).lineWidth(0.4).strokeColor(COLORS.rule).stroke();
    doc.moveTo(PAGE.left, 806).lineTo(PAGE.right, 806).lineWidth(0.4).strokeColor(COLORS.rule).stroke();
    const footer = `page ${i + 1} of ${range.count}`;
    w.drawLine(footer, PAGE.right - w.measure(footer, 'sans', 7), 812, 'sans', 7, COLORS.muted);
    w.drawLine(`signed ${input.signingTime.toISOString()}`, PAGE.left, 812, 'sans', 7, COLORS.muted);
  }
}

/** Writes atomically (a temporary sibling, then rename): a killed run leaves no partial pack. */
export async function writePack(input: PackInput, outFile: string): Promise<void> {
  await writeFileAtomic(outFile, await buildPack(input));
}
