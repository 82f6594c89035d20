// Outputs never destroy what was there: every option that names an output path refuses an
// existing non-empty target (exit 2) unless --force, and is checked before any long work
// (a collection, a pack) starts. Messages name the path the user gave, never a temporary one.
// The writes themselves stay atomic (src/util/atomic.ts, writeBundle): this only decides
// whether a write may replace what is there.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from './errors.js';

type TargetKind = 'file' | 'folder';

interface OutputTarget {
  /** the path as the user gave it (or the default), used in every message */
  path: string;
  kind: TargetKind;
  /** the option that named it, e.g. "--out" */
  option: string;
}

type State = 'missing' | 'empty' | 'non-empty' | 'file' | 'folder';

function stateOf(path: string, kind: TargetKind): State {
  let s;
  try {
    s = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    throw new UsageError(`${path}: cannot use it as an output (${code ?? String(err)})`);
  }
  if (kind === 'file') {
    if (s.isDirectory()) return 'folder';
    return s.size === 0 ? 'empty' : 'non-empty';
  }
  if (!s.isDirectory()) return 'file';
  return readdirSync(path).length === 0 ? 'empty' : 'non-empty';
}

/**
 * Throws a UsageError (exit 2) when `t` exists and is not empty and `force` is not given, or
 * when it is the wrong kind of thing (a folder where a file goes, or the reverse), force or not.
 */
export function checkOutputTarget(t: OutputTarget, force: boolean | undefined): void {
  const st = stateOf(t.path, t.kind);
  if (st === 'folder') throw new UsageError(`${t.option} ${t.path}: is a folder; give the path of a file`);
  if (st === 'file') throw new UsageError(`${t.option} ${t.path}: is a file; give the path of a folder`);
  if (st === 'non-empty' && !force) {
    throw new UsageError(`${t.option} ${t.path}: already exists and is not empty; choose another path, or pass --force to replace it`);
  }
}

// ---- the demo's output folder --------------------------------------------------------------
// `demo --out DIR` writes a fixed set of names into DIR and must leave everything else in DIR
// alone. It may replace its own earlier output without --force (so `npm start` runs twice),
// and knows its own output by a marker listing the sha256 of every file it wrote: a file the
// user changed or put there is not the demo's, and is refused without --force.

export const DEMO_MARKER = '.trustpack-demo.json';

interface DemoMarker {
  files: Record<string, string>;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function filesUnder(path: string): string[] {
  let s;
  try {
    s = statSync(path);
  } catch {
    return [];
  }
  if (!s.isDirectory()) return [path];
  return readdirSync(path).flatMap((n) => filesUnder(join(path, n)));
}

function readMarker(dir: string): DemoMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, DEMO_MARKER), 'utf8')) as DemoMarker;
    return m && typeof m.files === 'object' && m.files !== null ? m : { files: {} };
  } catch {
    return undefined;
  }
}

/**
 * Output of a demo from before the marker existed: DIR/evidence holds exactly a trustpack
 * bundle (manifest.json and records/*.jsonl, nothing else). Then the demo's own names in DIR
 * are taken as its output, so `npm start` keeps working after an upgrade.
 */
function legacyDemoMarker(dir: string, names: readonly string[]): DemoMarker {
  const evidence = join(dir, 'evidence');
  try {
    const m = JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8')) as { tool?: { name?: unknown } };
    if (m?.tool?.name !== 'trustpack') return { files: {} };
  } catch {
    return { files: {} };
  }
  const bundleShaped = filesUnder(evidence).map((f) => relative(evidence, f))
    .every((f) => f === 'manifest.json' || /^records[\\/][^\\/]+\.jsonl$/.test(f));
  if (!bundleShaped) return { files: {} };
  const files: Record<string, string> = {};
  for (const name of names) for (const f of filesUnder(join(dir, name))) files[relative(dir, f)] = sha256(f);
  return { files };
}

/**
 * Checks the names the demo writes in `dir` (`names`: files, or folders ending in "/"): each
 * must be absent, or exactly what an earlier demo run wrote there, unless `force`.
 */
export function checkDemoFolder(dir: string, names: readonly string[], force: boolean | undefined): void {
  checkOutputTarget({ path: dir, kind: 'folder', option: '--out' }, true);
  if (force) return;
  const marker = readMarker(dir) ?? legacyDemoMarker(dir, names);
  const foreign: string[] = [];
  for (const name of names) {
    for (const f of filesUnder(join(dir, name))) {
      const rel = relative(dir, f);
      if (marker.files[rel] !== sha256(f)) foreign.push(join(dir, rel));
    }
  }
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
    throw new UsageError(`--out ${dir}: the demo would replace ${shown}, which an earlier demo did not write; choose another folder, or pass --force to replace them`);
  }
}

/** Records what the demo wrote in `dir`, so the next run may replace exactly those files. */
export function demoMarkerText(dir: string, names: readonly string[]): string {
  const files: Record<string, string> = {};
  for (const name of names) for (const f of filesUnder(join(dir, name))) files[relative(dir, f)] = sha256(f);
  return JSON.stringify({ note: 'written by trustpack demo: the files it may replace on its next run', files }, null, 2) + '\n';
}
