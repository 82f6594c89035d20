// The validators in src/controls/validators.generated.ts are generated from controls/schema by
// scripts/gen-validators.mjs; this fails when a schema changed and the module was not regenerated.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('generated schema validators', () => {
  it('are up to date with controls/schema/*.schema.json', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-validators.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr + r.stdout, 'run: node scripts/gen-validators.mjs').toBe('');
    expect(r.status).toBe(0);
  });
});
