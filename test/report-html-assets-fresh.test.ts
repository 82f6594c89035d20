// The evidence browser's inline script and style ship as src/report/html/assets.generated.ts,
// generated from src/report/html/assets/ by scripts/gen-html-assets.mjs; this fails when an
// asset changed and the module was not regenerated (the page's CSP hashes would still match, but
// the package would ship the old page).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('generated evidence browser assets', () => {
  it('are up to date with src/report/html/assets/', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-html-assets.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr + r.stdout, 'run: node scripts/gen-html-assets.mjs').toBe('');
    expect(r.status).toBe(0);
  });
});
