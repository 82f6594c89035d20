#!/usr/bin/env node
// Rewrites the README's claim table (between <!-- catalog:begin --> and <!-- catalog:end -->)
// from the catalog: the output of `trustpack controls list --by-claim --format markdown` of the
// built CLI (run `npm run build` first). test/claims.test.ts fails when the README is stale.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(root, 'README.md');
const table = execFileSync(process.execPath, [join(root, 'bin', 'trustpack.js'), 'controls', 'list', '--by-claim', '--format', 'markdown', '--controls', join(root, 'controls')], { encoding: 'utf8' }).trimEnd();
const text = readFileSync(readme, 'utf8');
const re = /(<!-- catalog:begin -->\n)[\s\S]*?(<!-- catalog:end -->)/;
if (!re.test(text)) throw new Error('README.md has no <!-- catalog:begin --> ... <!-- catalog:end --> section');
writeFileSync(readme, text.replace(re, (_m, a, b) => `${a}${table}\n${b}`));
