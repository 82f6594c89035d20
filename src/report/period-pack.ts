// buildPeriodPack: a period's history and what surrounds it -> one signed PDF, with the history
// JSON, the archive entries used, the population and every run's manifest attached.
// Deterministic like the run pack: same inputs, signing time and RSA key give the same bytes.
import { COLORS, PAGE, Writer, openPackDocument } from './layout.js';
import { addSignaturePlaceholder, placeholderLength, resolvePackSigner, signPdf } from '../signing/sign.js';
import { drawExceptions, drawGaps, drawPeriodAppendix, drawPeriodCover, drawPeriodSummary, drawSamples, drawTimelines, drawWaivers } from './period-pages.js';
import { drawCriteria } from './period-criteria-pages.js';
import { drawReevaluation, judgedMarker } from './period-judged.js';
import type { PeriodPackInput } from './period-types.js';

export type { PeriodPackInput } from './period-types.js';

export async function buildPeriodPack(input: PeriodPackInput): Promise<Buffer> {
  const { signer, identity } = resolvePackSigner(input);
  const t = input.signingTime;
  const org = input.organisation ?? '';
  const h = input.history;
  const { doc, bytes } = await openPackDocument({
    Title: `Period evidence pack${org ? ` — ${org}` : ''} — ${h.period.start} to ${h.period.end}`,
    Author: org || 'trustpack',
    Subject: `Operating effectiveness evidence for ${h.period.start} to ${h.period.end}${input.judged.mode === 'reevaluated' ? ' (re-evaluated with today\'s catalog)' : ''}`,
    Creator: `trustpack ${input.toolVersion}`,
    Producer: `trustpack ${input.toolVersion} (pdfkit)`,
    CreationDate: t,
    ModDate: t,
  });

  const w = new Writer(doc);
  drawPeriodCover(w, input, identity);
  drawPeriodSummary(w, input);
  drawCriteria(w, input);
  drawTimelines(w, input);
  drawExceptions(w, input);
  drawWaivers(w, input);
  drawGaps(w, input);
  drawSamples(w, input);
  drawPeriodAppendix(w, input);
  drawReevaluation(w, input);

  for (const a of input.attachments) {
    doc.file(a.bytes, {
      name: a.name, type: a.name.endsWith('.tsv') ? 'text/tab-separated-values' : a.name.endsWith('.sh') ? 'text/x-shellscript' : a.name.endsWith('.html') ? 'text/html' : 'application/json',
      description: a.description, creationDate: t, modifiedDate: t, relationship: 'Data',
    } as never);
  }

  const range = doc.bufferedPageRange();
  const marker = input.unsigned ? '  ·  UNSIGNED' : input.demoSigner ? '  ·  DEMO SIGNER — not for audit use' : '';
  const head = `trustpack period evidence pack${judgedMarker(input)}${org ? `  ·  ${org}` : ''}  ·  ${h.period.start} to ${h.period.end}${marker}`;
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    w.drawLine(head, PAGE.left, 24, 'sans', 7, i === 0 ? '#dbe6f1' : COLORS.muted);
    doc.moveTo(PAGE.left, 806).lineTo(PAGE.right, 806).lineWidth(0.4).strokeColor(COLORS.rule).stroke();
    const footer = `page ${i + 1} of ${range.count}`;
    w.drawLine(footer, PAGE.right - w.measure(footer, 'sans', 7), 812, 'sans', 7, COLORS.muted);
    w.drawLine(`archive head ${input.archive.head.sha256.slice(0, 16)}…:${input.archive.head.n}`, PAGE.left, 812, 'sans', 7, COLORS.muted);
  }
  if (signer && identity) {
    doc.switchToPage(range.start + range.count - 1);
    await addSignaturePlaceholder(doc, {
      signingTime: t, name: identity.commonName ?? identity.subject,
      reason: `trustpack period evidence pack, ${h.period.start} to ${h.period.end}`, location: org,
      // room for the chain, the revocation lists and a timestamp token, as the run pack has
      signatureLength: placeholderLength(signer),
    });
  }
  w.finish();
  const pdf = await bytes();
  return signer ? signPdf(pdf, signer, t) : pdf;
}
