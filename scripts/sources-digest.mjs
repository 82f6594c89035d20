// The sha256 of the sources `npm run build` compiles into dist/ (every .ts under src/ and
// collectors/, and the tsconfig files), over their paths and contents, not their times (file
// times after a clone prove nothing). The build writes it to dist/sources.sha256
// (`node scripts/sources-digest.mjs --write`); test/helpers/cli.ts refuses to run the CLI when
// dist/ was built from other sources, so a CLI test never passes or fails on stale code.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
export const DIGEST_FILE = join('dist', 'sources.sha256');

function compiledSources(root) {
  const files = ['tsconfig.json', 'tsconfig.build.json'];
  for (const dir of ['src', 'collectors']) {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (e.isFile() && e.name.endsWith('.ts')) files.push(relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
    }
  }
  return files.sort();
}

/** sha256 over `path NUL sha256(content) LF` of every compiled source, in path order. */
export function sourcesDigest(root = ROOT) {
  const h = createHash('sha256');
  for (const f of compiledSources(root)) h.update(`${f}\0${createHash('sha256').update(readFileSync(join(root, f))).digest('hex')}\n`);
  return h.digest('hex');
}

/** The digest dist/ was built from, or undefined when dist/ has none. */
export function builtDigest(root = ROOT) {
  try {
    return readFileSync(join(root, DIGEST_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(join(ROOT, DIGEST_FILE), `${sourcesDigest()}\n`);
}
