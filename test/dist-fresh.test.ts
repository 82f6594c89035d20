// The CLI tests run the built dist/ (as users do); the build records the sha256 of the sources
// it compiled, and the CLI helper refuses a dist/ built from other sources. This file says so
// once for the suite, and shows the digest follows contents, not file times.
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourcesDigest } from '../scripts/sources-digest.mjs';
import { staleDist } from './helpers/cli.js';

describe('dist/ is built from the current sources', () => {
  it('the digest the build wrote matches src/ and collectors/ now (else: npm run build)', () => {
    expect(staleDist()).toBeUndefined();
  });

  const root = mkdtempSync(join(tmpdir(), 'trustpack-digest-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('changes with a source byte, a new source or a tsconfig, not with file times', () => {
    mkdirSync(join(root, 'src', 'engine'), { recursive: true });
    mkdirSync(join(root, 'collectors'));
    writeFileSync(join(root, 'tsconfig.json'), '{}');
    writeFileSync(join(root, 'tsconfig.build.json'), '{}');
    writeFileSync(join(root, 'src', 'engine', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'collectors', 'b.ts'), 'export const b = 2;\n');
    const first = sourcesDigest(root);
    utimesSync(join(root, 'src', 'engine', 'a.ts'), new Date(0), new Date(0));
    expect(sourcesDigest(root)).toBe(first);
    writeFileSync(join(root, 'src', 'engine', 'a.ts'), 'export const a = 2;\n');
    const edited = sourcesDigest(root);
    expect(edited).not.toBe(first);
    writeFileSync(join(root, 'collectors', 'c.ts'), '');
    expect(sourcesDigest(root)).not.toBe(edited);
    writeFileSync(join(root, 'tsconfig.build.json'), '{"include":[]}');
    expect(sourcesDigest(root)).not.toBe(edited);
  });
});
