// Debian's chromium driven by playwright-core: the browser the evidence browser is tested in.
// No browser is downloaded; .ci/run installs the `chromium` package.
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './cli.js';

const CHROMIUM = process.env['TRUSTPACK_CHROMIUM'] ?? '/usr/bin/chromium';

/** Screenshots the tests keep (git-ignored), for a person to look at after a run. */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'html');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set TRUSTPACK_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export interface PageLog {
  requests: string[];
  problems: string[];
}

/** A page that records every request it makes and every error or CSP refusal it reports. */
export async function openLogged(browser: Browser, url: string, viewport = { width: 1280, height: 860 }): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage({ viewport });
  const log: PageLog = { requests: [], problems: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.problems.push(m.text()); });
  page.on('pageerror', (e) => log.problems.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, log };
}
