// The evidence browser in a real browser: the sample run collected from the sandbox, reported
// with --html and --out (signed by an openssl-made key), then opened from file:// in Debian's
// chromium through playwright-core. Also a period's HTML from an archive of nightly runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { SAMPLE, useSandboxEnv } from './collect-helpers.js';
import { archiveNights } from './helpers/archive-nights.js';
import { ARTIFACTS, launchChromium, openLogged } from './helpers/browser.js';
import { ROOT, runCli } from './helpers/cli.js';

const PROJECT = join(ROOT, 'examples', 'sample', 'trustpack.yaml');
const ENV = { TP_HTML_PASS: 'html-pass-xyz' };
const TIME = '2026-12-01T09:00:00Z';
let sb: Sandbox;
let browser: Browser;
let dir: string;
let html: string;
let pack: string;
let periodHtml: string;
let results: any;
let records: Map<string, any>;

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const url = (file: string, fragment = '') => pathToFileURL(file).href + fragment;
const shot = (name: string) => join(ARTIFACTS, name);

beforeAll(async () => {
  const fixture = loadFixture(SAMPLE);
  sb = await startSandbox({ fixture, port: 0 });
  useSandboxEnv(sb.url);
  dir = await mkdtemp(join(tmpdir(), 'tp-html-'));
  const evidence = join(dir, 'evidence');
  const c = await runCli(['collect', '--project', PROJECT, '--out', evidence]);
  expect([0, 1]).toContain(c.code);
  // a PKCS#12 made by openssl, a tool nobody here wrote
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=Browser Signer/O=Example SaaS Inc.'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'k.pem'), '-in', join(dir, 'c.pem'), '-out', join(dir, 's.p12'), '-passout', `pass:${ENV.TP_HTML_PASS}`], { stdio: 'ignore' });
  html = join(dir, 'browser.html');
  pack = join(dir, 'pack.pdf');
  const r = await runCli(['report', '--project', PROJECT, '--evidence', evidence, '--html', html, '--out', pack,
    '--sign-p12', join(dir, 's.p12'), '--sign-passphrase-env', 'TP_HTML_PASS', '--signing-time', TIME], { env: ENV });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // what the page must show, read with tools nobody here wrote: pdfdetach's results.json, the bundle's own lines
  execFileSync('pdfdetach', ['-savefile', 'results.json', '-o', join(dir, 'results.json'), pack]);
  execFileSync('pdfdetach', ['-savefile', 'evidence-browser.html', '-o', join(dir, 'detached.html'), pack]);
  execFileSync('pdfdetach', ['-savefile', 'manifest.json', '-o', join(dir, 'manifest.json'), pack]);
  results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
  records = new Map();
  for (const f of await readdir(join(evidence, 'records'))) {
    for (const line of (await readFile(join(evidence, 'records', f), 'utf8')).split('\n')) if (line) records.set(JSON.parse(line).id, JSON.parse(line));
  }

  const archive = join(dir, 'archive');
  await archiveNights(fixture, archive, PROJECT);
  periodHtml = join(dir, 'period.html');
  const p = await runCli(['report', '--project', PROJECT, '--archive', archive, '--period', '2026-03-01..2026-03-06', '--html', periodHtml, '--sample-size', '4']);
  expect(p.stderr).toBe('');
  expect(p.code).toBe(0);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await sb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The first failing finding that cites a record, with its control, a requirement it backs, and its global index. */
function failing() {
  let index = 0;
  for (const c of results.controls) {
    for (const f of c.findings) {
      const fw = Object.keys(c.frameworks)[0];
      if (c.status === 'FAIL' && f.status === 'FAIL' && f.evidence.length && fw) return { control: c, finding: f, index, fw, req: c.frameworks[fw][0] as string };
      index++;
    }
  }
  throw new Error('the sample run has no failing finding with evidence');
}

describe('the evidence browser of a run', () => {
  it('makes no network request and breaks no rule of its own CSP; WebCrypto works from file://', async () => {
    const { page, log } = await openLogged(browser, url(html));
    expect(log.requests).toEqual([url(html)]);
    expect(log.problems).toEqual([]);
    expect(await page.evaluate('isSecureContext && typeof crypto.subtle.digest === "function"')).toBe(true);
    expect(await page.evaluate(() => performance.getEntriesByName('tp-ready').length)).toBe(1);
    await page.screenshot({ path: shot('requirements.png') });
    await page.close();
  });

  it('writes its CSP out: default-src none, only the hashes of its inline script and style', async () => {
    const text = await readFile(html, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(text)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(text)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(text)![1]!;
    const b64 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');
    expect(csp).toBe(`default-src 'none'; script-src 'sha256-${b64(script)}'; style-src 'sha256-${b64(style)}'; img-src data:`);
    expect(text).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
  });

  it('leads from a requirement to a failing finding and on to the evidence record AWS answered', async () => {
    const t = failing();
    const { page, log } = await openLogged(browser, url(html));
    await page.click(`a[href="#/requirement/${encodeURIComponent(t.fw)}/${encodeURIComponent(t.req)}"]`);
    await expect.poll(() => page.textContent('#view-title')).toContain(t.req);
    // never a requirement labelled PASS: counts and the conclusion's words
    expect(await page.textContent('main')).toMatch(/exceptions noted: \d+ failed/);
    await page.click(`main a[href="#/control/${encodeURIComponent(t.control.id)}"]`);
    await expect.poll(() => page.textContent('#view-title')).toContain(t.control.id);
    await page.selectOption('#filter-status', 'FAIL');
    await page.fill('#filter-q', t.finding.resource);
    await page.screenshot({ path: shot('control.png') });
    await page.click(`.vrow[href="#/finding/${t.index}"]`);
    await expect.poll(() => page.textContent('#view-title')).toContain(t.finding.resource);
    expect(await page.textContent('main')).toContain(t.finding.reason);
    await page.screenshot({ path: shot('finding.png') });
    const id = t.finding.evidence[0];
    await page.click(`a[href="#/record/${id}"]`);
    await expect.poll(() => page.textContent('#view-title')).toContain(id.slice(0, 16));
    const rec = records.get(id);
    const main = (await page.textContent('main'))!;
    expect(main).toContain(`${rec.source.service}:${rec.source.operation}`);
    expect(main).toContain(rec.source.time);
    expect(JSON.parse((await page.textContent('pre[aria-label="record data"]'))!)).toEqual(rec.data);
    await page.screenshot({ path: shot('record.png'), fullPage: true });
    expect(log.requests).toEqual([url(html)]);
    await page.close();
  });

  it('filters by account and region, and keeps the filter in the URL fragment', async () => {
    const all = results.controls.flatMap((c: any) => c.findings);
    const account = all[0].account as string;
    const want = all.filter((f: any) => f.account === account && f.region === 'eu-central-1').length;
    expect(want).toBeGreaterThan(0);
    const { page } = await openLogged(browser, url(html, '#/findings'));
    expect(await page.textContent('#finding-count')).toBe(`${all.length} of ${all.length} findings`);
    await page.selectOption('#filter-account', account);
    await page.selectOption('#filter-region', 'eu-central-1');
    expect(await page.textContent('#finding-count')).toBe(`${want} of ${all.length} findings`);
    expect(new URL(page.url()).hash).toBe(`#/findings?account=${account}&region=eu-central-1`);
    // the same fragment in a new tab gives the same view
    const { page: again } = await openLogged(browser, page.url());
    expect(await again.textContent('#finding-count')).toBe(`${want} of ${all.length} findings`);
    expect(await again.inputValue('#filter-region')).toBe('eu-central-1');
    await again.close();
    await page.close();
  });

  it('opens the finding a pasted fragment names', async () => {
    const t = failing();
    const { page } = await openLogged(browser, url(html, `#/finding/${t.index}`));
    expect(await page.textContent('#view-title')).toContain(t.finding.resource);
    expect(await page.textContent('main')).toContain(t.control.id);
    await page.close();
  });

  it('moves through the virtualised list with the keyboard', async () => {
    const { page } = await openLogged(browser, url(html, '#/findings'));
    await page.focus('.vlist');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(':focus').getAttribute('data-k')).toBe('1');
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/finding/1');
    await page.close();
  });

  it('checks every embedded record in the browser: all match', async () => {
    const cited = new Set(results.controls.flatMap((c: any) => c.findings.flatMap((f: any) => f.evidence)));
    const { page } = await openLogged(browser, url(html, '#/check'));
    await page.click('#check-button');
    const summary = (await page.waitForSelector('#check-summary')).textContent();
    const n = (await summary)!.match(/^(\d+) of (\d+) embedded records match their id \(all match\)\.$/);
    expect(n).not.toBeNull();
    expect(Number(n![1])).toBe(Number(n![2]));
    // the page embeds every record of the bundle (the sample is under the cap), not only the cited ones
    expect(Number(n![2])).toBe(records.size);
    expect(records.size).toBeGreaterThan(cited.size);
    // and rebuilds every bundle file from them, hashed against the manifest
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(await page.textContent('#check-files')).toBe(`${manifest.files.length} of ${manifest.files.length} bundle files rebuilt from the embedded records match the pack\u2019s manifest.`);
    await page.screenshot({ path: shot('check-intact.png') });
    await page.close();
  });

  it('reports the one record whose bytes were changed inside the file as altered', async () => {
    const t = failing();
    const id = t.finding.evidence[0] as string;
    const text = await readFile(html, 'utf8');
    // the record's embedded text starts right after its id key; change one letter of its resource ARN
    const at = text.indexOf(`"${id}":"`);
    expect(at).toBeGreaterThan(0);
    const arn = text.indexOf('arn:aws:', at + 70);
    const pos = arn + 4; // the 'a' of 'aws'
    expect(text[pos]).toBe('a');
    const altered = join(dir, 'altered.html');
    const bytes = Buffer.from(text, 'utf8');
    bytes[Buffer.byteLength(text.slice(0, pos), 'utf8')] = 'b'.charCodeAt(0);
    await writeFile(altered, bytes);
    const { page } = await openLogged(browser, url(altered, '#/check'));
    await page.click('#check-button');
    await page.waitForSelector('#check-summary');
    const summary = await page.textContent('#check-summary');
    const m = summary!.match(/^(\d+) of (\d+) embedded records match their id; 1 ALTERED\.$/);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(Number(m![2]) - 1);
    expect(await page.locator('#altered li').allTextContents()).toEqual([`${id} altered: its bytes hash to something else`]);
    // the file holding that record no longer rebuilds to the manifest's sha256 either
    const file = `records/${records.get(id).collector}.jsonl`;
    expect(await page.textContent('#check-files')).toMatch(/; 1 DIFFER\.$/);
    expect(await page.locator('#files-differ li code').allTextContents()).toEqual([file]);
    await page.screenshot({ path: shot('check-altered.png') });
    await page.click(`#altered a[href="#/record/${id}"]`);
    await expect.poll(() => page.textContent('#record-check')).toContain('ALTERED');
    await page.close();
  });

  it('finds a record dropped from the file: every record left matches its id, its bundle file does not', async () => {
    const cited = new Set(results.controls.flatMap((c: any) => c.findings.flatMap((f: any) => f.evidence)));
    const victim = [...records.values()].find((r) => !cited.has(r.id))!;
    expect(victim).toBeDefined();
    const text = await readFile(html, 'utf8');
    const block = /(<script type="application\/json" id="tp-records">)([\s\S]*?)(<\/script>)/.exec(text)!;
    const recs = JSON.parse(block[2]!);
    expect(Object.keys(recs)).toContain(victim.id);
    delete recs[victim.id];
    const dropped = join(dir, 'dropped.html');
    await writeFile(dropped, text.replace(block[0], block[1] + JSON.stringify(recs).replace(/</g, '\\u003c') + block[3]));
    const { page } = await openLogged(browser, url(dropped, '#/check'));
    await page.click('#check-button');
    expect(await (await page.waitForSelector('#check-summary')).textContent()).toMatch(/^(\d+) of \1 embedded records match their id \(all match\)\.$/);
    expect(await page.locator('#files-differ li code').allTextContents()).toEqual([`records/${victim.collector}.jsonl`]);
    expect(await page.getAttribute('body', 'data-check')).toBe('altered');
    await page.close();
  });

  it('prints without its navigation and filters', async () => {
    const { page } = await openLogged(browser, url(html, '#/findings'));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).display)).toBe('none');
    expect(await page.locator('.filters').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).display)).toBe('none');
    await page.close();
  });
});

describe('the signed copy', () => {
  it('is embedded in the PDF byte for byte, and the same inputs give the same bytes', async () => {
    expect(execFileSync('pdfdetach', ['-list', pack]).toString('utf8')).toContain('evidence-browser.html');
    const detached = await readFile(join(dir, 'detached.html'));
    expect(sha(detached)).toBe(sha(await readFile(html)));
    expect(execFileSync('pdfsig', [pack]).toString('utf8')).toContain('Signature is Valid.');
    const again = join(dir, 'again.html');
    // the results are evaluated at the signing time (ages of keys and attestations), so it is one of the inputs
    const r = await runCli(['report', '--project', PROJECT, '--evidence', join(dir, 'evidence'), '--html', again, '--signing-time', TIME]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('evidence pack'); // --html alone writes the HTML only
    expect(sha(await readFile(again))).toBe(sha(await readFile(html)));
  });

  it('verify --html: identical (0) and listed among the attachments; one byte off (1)', async () => {
    const ok = await runCli(['verify', pack, '--html', html, '--format', 'json']);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.html).toMatchObject({ identical: true, attachment: 'evidence-browser.html', sha256: sha(await readFile(html)) });
    expect(j.attachments.map((a: any) => a.name)).toContain('evidence-browser.html');
    const copy = join(dir, 'copy.html');
    await copyFile(html, copy);
    const b = await readFile(copy);
    b[b.length - 2] = 0x20;
    await writeFile(copy, b);
    const bad = await runCli(['verify', pack, '--html', copy, '--format', 'table']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('is NOT the embedded evidence-browser.html');
    const missing = await runCli(['verify', pack, '--html', join(dir, 'nope.html')]);
    expect(missing.code).toBe(2);
  });

  it('names the records a cap leaves out and where they are', async () => {
    const capped = join(dir, 'capped.html');
    const r = await runCli(['report', '--project', PROJECT, '--evidence', join(dir, 'evidence'), '--html', capped, '--html-max-records', '3']);
    expect(r.code).toBe(0);
    // the files named are those the signed pack embeds (pdfdetach's copy of its manifest)
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const { page } = await openLogged(browser, url(capped, '#/check'));
    const main = (await page.textContent('main'))!;
    expect(main).toMatch(/\d+ cited records are not embedded \(cap 3\)/);
    const firstLeft = (await page.locator('table[data-left-out] tbody tr').first().locator('td').allTextContents());
    const file = manifest.files.find((f: any) => f.path === firstLeft[1]);
    expect(file).toBeDefined();
    expect(firstLeft[2]).toBe(file.sha256);
    await page.click('#check-button');
    expect(await (await page.waitForSelector('#check-summary')).textContent()).toBe('3 of 3 embedded records match their id (all match).');
    // files whose records were left out are named as not checkable, never as matching
    expect(await page.textContent('#check-files')).toMatch(/\d+ not checkable here \(records left out of this file\)\.$/);
    await page.close();
  });
});

describe('the evidence browser of a period', () => {
  it('shows each control\'s timeline and its exceptions with their dates, offline', async () => {
    const history = JSON.parse((await runCli(['history', '--project', PROJECT, '--archive', join(dir, 'archive'), '--period', '2026-03-01..2026-03-06', '--format', 'json'])).stdout);
    const c = history.controls.find((x: any) => x.exceptions.length > 0);
    const e = c.exceptions[0];
    const { page, log } = await openLogged(browser, url(periodHtml, `#/control/${encodeURIComponent(c.id)}`));
    expect(log.requests).toEqual([url(periodHtml)]);
    expect(log.problems).toEqual([]);
    expect(await page.locator('ol.timeline li').count()).toBe(history.runs.length);
    expect(await page.textContent('#finding-count')).toBe(`${c.exceptions.length} of ${c.exceptions.length} exceptions`);
    await page.screenshot({ path: shot('period-control.png'), fullPage: true });
    await page.click('.vrow >> nth=0');
    const main = (await page.textContent('main'))!;
    expect(main).toContain(e.resource);
    expect(main).toContain(e.firstSeen);
    expect(main).toContain(e.resolvedAt ?? (e.gone ? 'gone' : 'open'));
    await page.close();
  });

  it('opens a sampled item down to the evidence record of the run it was drawn from, and checks it', async () => {
    const { page } = await openLogged(browser, url(periodHtml, '#/controls'));
    const model = JSON.parse(/<script type="application\/json" id="tp-data">([\s\S]*?)<\/script>/.exec(await readFile(periodHtml, 'utf8'))![1]!);
    const c = model.controls.find((x: any) => x.sample && x.sample.drawn.some((d: any) => d.records.length > 0));
    expect(c).toBeDefined();
    const item = c.sample.drawn.find((d: any) => d.records.length > 0);
    await page.goto(url(periodHtml, `#/control/${encodeURIComponent(c.id)}`));
    await page.click(`table a[href="#/record/${item.records[0]}"]`);
    await expect.poll(() => page.textContent('#view-title')).toContain('Evidence record');
    const main = (await page.textContent('main'))!;
    // the page shows the record that item's finding cited, and names the sampled item that cites it
    const recs = JSON.parse(/<script type="application\/json" id="tp-records">([\s\S]*?)<\/script>/.exec(await readFile(periodHtml, 'utf8'))![1]!);
    expect(sha(recs[item.records[0]])).toBe(item.records[0]);
    expect(main).toContain(JSON.parse(recs[item.records[0]]).source.operation);
    expect(main).toContain(`in the run as of ${item.asOf}`);
    expect(main).toContain(item.resource);
    await page.goto(url(periodHtml, '#/check'));
    await page.click('#check-button');
    expect(await (await page.waitForSelector('#check-summary')).textContent()).toMatch(/^(\d+) of \1 embedded records match their id \(all match\)\.$/);
    expect(model.records.embedded).toBeGreaterThan(0);
    await page.close();
  });
});
