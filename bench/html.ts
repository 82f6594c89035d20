// `npm run bench:html` (and the `html` section of `npm run bench`): the evidence browser at
// 10,000 and 100,000 findings, opened from file:// in Debian's headless chromium. Prints the
// file size, the time to interactive (navigation start -> performance.mark('tp-ready'), median
// of 3 fresh page loads) and the time a free-text filter takes to update the list (the first one
// after the search index is built in the background, and a second one; each until two animation
// frames have run), and how long the findings view takes to open. Asserts nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface HtmlFigure {
  findings: number;
  records: number;
  bytes: number;
  buildSeconds: number;
  readyMs: number[];
  readyMedianMs: number;
  /** navigation start -> the whole document parsed (findings and records blocks included), median of 3 */
  parsedMedianMs: number;
  filterColdMs: number;
  /** hash change to the findings view drawn: the findings block is read then (not before tp-ready) */
  openFindingsMs: number;
  filterWarmMs: number;
  loadAverage: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One measured filter: set the free-text box, fire its input event, wait for two frames. */
const FILTER = (text: string): string => `new Promise((resolve) => {
  const box = document.getElementById('filter-q');
  const t0 = performance.now();
  box.value = ${JSON.stringify(text)};
  box.dispatchEvent(new Event('input'));
  requestAnimationFrame(() => requestAnimationFrame(() => resolve([performance.now() - t0, document.getElementById('finding-count').textContent])));
})`;

export async function measureHtml(sizes: number[], log: (m: string) => void = () => {}): Promise<HtmlFigure[]> {
  const { makeFixture } = await import('../test/report-fixture.js');
  const { runModel } = await import('../src/report/html/model.js');
  const { renderBrowserHtml } = await import('../src/report/html/page.js');
  const { launchChromium } = await import('../test/helpers/browser.js');
  const dir = mkdtempSync(join(os.tmpdir(), 'trustpack-bench-html-'));
  const browser = await launchChromium();
  const out: HtmlFigure[] = [];
  try {
    for (const n of sizes) {
      const t0 = performance.now();
      const fx = makeFixture({ extra: n });
      // an estate: the findings spread over 1,000 accounts
      let i = 0;
      for (const c of fx.input.results.controls) for (const f of c.findings) f.account = String(100000000000 + (i++ % 1000));
      const { model, findings, records } = runModel({ results: fx.input.results, controls: fx.input.controls, frameworks: fx.input.frameworks, framework: 'all', manifest: fx.manifest, records: fx.records });
      const bytes = renderBrowserHtml(model, findings, records);
      const buildSeconds = (performance.now() - t0) / 1000;
      const file = join(dir, `browser-${n}.html`);
      writeFileSync(file, bytes);
      log(`html: ${findings.rows.length} findings, ${(bytes.length / 1e6).toFixed(1)} MB (built in ${buildSeconds.toFixed(1)} s); 3 loads`);
      const loadAverage = os.loadavg();
      const readyMs: number[] = [];
      const parsedMs: number[] = [];
      let filterColdMs = 0;
      let openFindingsMs = 0;
      let filterWarmMs = 0;
      for (let run = 0; run < 3; run++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
        await page.goto(pathToFileURL(file).href, { timeout: 120_000 });
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        readyMs.push(await page.evaluate<number>("performance.getEntriesByName('tp-ready')[0].startTime"));
        await page.waitForLoadState('domcontentloaded', { timeout: 120_000 });
        parsedMs.push(await page.evaluate<number>("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"));
        if (run === 0) {
          const opened = await page.evaluate<number>(`new Promise((resolve) => {
            const t0 = performance.now();
            location.hash = '#/findings';
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
          })`);
          await page.waitForSelector('body[data-index="ready"]', { timeout: 120_000 });
          openFindingsMs = opened;
          const [cold, coldCount] = await page.evaluate<[number, string]>(FILTER('tenant-0099'));
          const [warm, warmCount] = await page.evaluate<[number, string]>(FILTER('eu-central-1 '));
          filterColdMs = cold;
          filterWarmMs = warm;
          log(`  findings view: ${opened.toFixed(0)} ms to open (reads the findings block); free text: ${cold.toFixed(0)} ms first (${coldCount}), ${warm.toFixed(0)} ms next (${warmCount})`);
        }
        await page.close();
      }
      out.push({ findings: findings.rows.length, records: records.size, bytes: bytes.length, buildSeconds, readyMs, readyMedianMs: median(readyMs), parsedMedianMs: median(parsedMs), filterColdMs, filterWarmMs, openFindingsMs, loadAverage });
      log(`  ready: ${readyMs.map((x) => x.toFixed(0)).join(', ')} ms (median ${median(readyMs).toFixed(0)}); whole file parsed: ${parsedMs.map((x) => x.toFixed(0)).join(', ')} ms`);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const figures = await measureHtml(sizes, (m) => process.stderr.write(m + '\n'));
  console.log(`evidence browser, headless ${'chromium'} (${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  console.log('| findings | file size | time to interactive (median of 3) | whole file parsed (median) | findings view opens | free-text filter first / next | target |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const f of figures) {
    console.log(`| ${f.findings.toLocaleString('en')} | ${(f.bytes / 1e6).toFixed(1)} MB | ${f.readyMedianMs.toFixed(0)} ms (${f.readyMs.map((x) => x.toFixed(0)).join(', ')}) | ${f.parsedMedianMs.toFixed(0)} ms | ${f.openFindingsMs.toFixed(0)} ms | ${f.filterColdMs.toFixed(0)} / ${f.filterWarmMs.toFixed(0)} ms | < 3000 ms ready, < 500 ms filter |`);
  }
}
