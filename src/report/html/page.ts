// The evidence browser's one HTML file: the model and the records as inert JSON blocks, one
// inline stylesheet and one inline script whose sha256 hashes are the only sources the
// Content-Security-Policy allows, so the page can reach nothing outside itself.
import { createHash } from 'node:crypto';
import { BROWSER_SCRIPT, BROWSER_STYLE } from './assets.generated.js';
import type { BrowserFindings, BrowserModel, RecordTexts } from './model.js';

/** The attachment name of the HTML inside a pack (verify --html compares against it). */
export const HTML_ATTACHMENT = 'evidence-browser.html';

const cspHash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's CSP, written out: nothing but its own inline script and style, images only as data: URLs. */
function contentSecurityPolicy(): string {
  return `default-src 'none'; script-src ${cspHash(BROWSER_SCRIPT)}; style-src ${cspHash(BROWSER_STYLE)}; img-src data:`;
}

/**
 * JSON for a `<script type="application/json">` block: `<` only ever occurs inside JSON strings,
 * where `\u003c` is the same character, so no `</script>` in AWS data can end the block early.
 */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The whole page. Deterministic: same model and records, same bytes. The script comes after the
 * small model and before the findings and records, so the requirements are drawn while the
 * browser still parses the bulk; views that need the bulk wait for it.
 */
export function renderBrowserHtml(model: BrowserModel, findings: BrowserFindings, records: RecordTexts): Buffer {
  const recordObject: Record<string, string> = {};
  for (const [id, text] of records) recordObject[id] = text;
  const sub = model.kind === 'run'
    ? `run ${model.run!.id} · evidence as of ${model.run!.asOf ?? model.run!.startedAt} · framework ${model.framework}`
    : `audit period ${model.period!.start} to ${model.period!.end} · ${model.period!.runs.length} runs · framework ${model.framework}`;
  const nav = [['requirements', 'Requirements'], ['controls', 'Controls'], ['findings', model.kind === 'period' ? 'Exceptions' : 'Findings'], ['check', 'Check evidence'], ['about', 'About']]
    .map(([v, label]) => `<li><a href="#/${v}" data-view="${v}">${label}</a></li>`).join('');
  const html = '<!doctype html>\n' +
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="referrer" content="no-referrer">\n' +
    `<title>${escapeText(model.title)}</title>\n` +
    `<style>${BROWSER_STYLE}</style>\n</head>\n<body>\n` +
    '<a class="skip" href="#main">Skip to content</a>\n' +
    `<header><h1>${escapeText(model.organisation ? `${model.organisation} — ` : '')}${escapeText(model.title)}</h1>` +
    `<p>${escapeText(sub)} · made by trustpack ${escapeText(model.toolVersion)}</p>` +
    `<nav aria-label="views"><ul>${nav}</ul></nav></header>\n` +
    '<main id="main" tabindex="-1"><noscript>This page needs JavaScript to show its evidence; the data is in the JSON blocks of its source.</noscript></main>\n' +
    `<script type="application/json" id="tp-data">${inertJson(model)}</script>\n` +
    `<script>${BROWSER_SCRIPT}</script>\n` +
    `<script type="application/json" id="tp-findings">${inertJson(findings)}</script>\n` +
    `<script type="application/json" id="tp-records">${inertJson(recordObject)}</script>\n</body>\n</html>\n`;
  return Buffer.from(html, 'utf8');
}
