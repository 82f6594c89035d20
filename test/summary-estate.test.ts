// The markdown job summary of an estate stays under the CI step-summary limit (GitHub: 1 MiB per
// step). The estate fixture (examples/estate/organization.yaml) is collected through the sandbox
// and evaluated; its findings are then repeated for 1,000 accounts (the same findings under other
// account ids, as a large organization of alike accounts gives) and rendered as the job summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFixture, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { collectEvidence } from '../collectors/run.js';
import { loadCatalog } from '../src/controls/load.js';
import { evaluate } from '../src/engine/evaluate.js';
import { COLLECTORS } from '../collectors/registry.js';
import { render } from '../src/output/index.js';
import { DEFAULT_MAX_ROWS } from '../src/output/markdown.js';
import type { Results } from '../src/engine/results.js';
import { NOW, useSandboxEnv } from './collect-helpers.js';
import { ROOT } from './helpers/cli.js';

const STEP_SUMMARY_LIMIT = 1024 * 1024;
const ACCOUNTS = 1000;
let sb: Sandbox;
let estate: Results;

beforeAll(async () => {
  sb = await startSandbox({ fixture: loadFixture(join(ROOT, 'examples/estate/organization.yaml'), NOW), port: 0, now: NOW });
  useSandboxEnv(sb.url);
  const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
  const bundle = await collectEvidence({ regions: ['us-east-1', 'ap-east-1'], orgRole: 'trustpack-audit', toolVersion: 'test', now: () => NOW, runId: '20261128T233000Z-0000' });
  estate = evaluate(catalog.controls, bundle, { toolVersion: 'test', now: NOW });
}, 120_000);
afterAll(async () => {
  await sb?.close();
});

/** The estate's findings under `n` account ids (the fixture's accounts cycled). */
function scaled(r: Results, n: number): Results {
  const ids = Array.from({ length: n }, (_, i) => String(200000000000 + i));
  const controls = r.controls.map((c) => ({
    ...c,
    findings: ids.flatMap((id, i) => c.findings
      .filter((f) => f.account === r.run.accounts[i % r.run.accounts.length])
      .map((f) => ({ ...f, account: id, resource: f.resource.replace(/:\d{12}:/, `:${id}:`) }))),
  }));
  return { ...r, run: { ...r.run, accounts: ids }, controls };
}

describe('the markdown job summary of a 1,000-account estate', () => {
  let big: Results;
  let text: string;
  beforeAll(() => {
    big = scaled(estate, ACCOUNTS);
    text = render('markdown', big, { color: false });
  });

  it('has thousands of failing findings to summarise', () => {
    const failing = big.controls.flatMap((c) => c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR'));
    expect(failing.length).toBeGreaterThan(20 * DEFAULT_MAX_ROWS);
  });

  it('stays far under the 1 MiB step-summary limit', () => {
    const bytes = Buffer.byteLength(text);
    expect(bytes).toBeLessThan(STEP_SUMMARY_LIMIT / 4);
    expect(text.split('\n').filter((l) => l.startsWith('| arn:')).length).toBeLessThanOrEqual(DEFAULT_MAX_ROWS);
  });

  it('keeps every count exact and says where the rest is', () => {
    for (const s of ['FAIL', 'ERROR', 'PASS'] as const) expect(text).toContain(` ${s} | ${big.summary[s]} |`);
    for (const c of big.controls.filter((x) => x.status === 'FAIL')) {
      const n = c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR').length;
      expect(text, c.id).toContain(`${n} resource${n === 1 ? '' : 's'} failing or in error in `);
    }
    expect(text).toMatch(/_\d+ resource rows left out to keep this summary small \(`--max-rows 500`\); every count above is complete/);
  });

  it('without the budget (the per-control cap alone, as before) it would not fit', () => {
    const uncapped = render('markdown', big, { color: false, maxRows: Number.MAX_SAFE_INTEGER });
    expect(Buffer.byteLength(uncapped)).toBeGreaterThan(Buffer.byteLength(text) * 2);
  });

  it('--max-rows sets the budget', () => {
    const small = render('markdown', big, { color: false, maxRows: 10 });
    expect(small.split('\n').filter((l) => l.startsWith('| arn:')).length).toBe(10);
    expect(Buffer.byteLength(small)).toBeLessThan(Buffer.byteLength(text));
  });
});
