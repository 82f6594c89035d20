// The import graph of src/ and collectors/ against the layer table (scripts/layers.mjs, the table
// of docs/ARCHITECTURE.md): every import, static, type-only, re-export or dynamic import(),
// resolved to its file, must point at the importer's own layer or one its row allows, and no
// chain of imports may come back to where it started. eslint's no-restricted-imports gives the
// same layer rule in an editor; this test also sees dynamic imports and cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isSdk, LAYERS, layerOf } from '../scripts/layers.mjs';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

type Graph = Map<string, string[]>;

/** Each file's imports: repository paths for relative ones, `sdk` for the AWS SDK. */
function importGraph(files: string[]): Graph {
  const graph: Graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets: string[] = [];
    for (const { fileName } of importedFiles) {
      if (isSdk(fileName)) targets.push('sdk');
      else if (fileName.startsWith('.')) targets.push(posix.normalize(posix.join(posix.dirname(file), fileName)).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Imports against the layer table, as `importer -> target (layer -> layer)`. */
function layerViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (!from) continue;
    for (const target of targets) {
      const to = target === 'sdk' ? 'sdk' : layerOf(target);
      if (to === undefined || to === from || LAYERS[from]!.includes(to)) continue;
      out.push(`${file} -> ${target} (${from} may not import ${to})`);
    }
  }
  return out;
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('collectors')];
  const graph = importGraph(files);

  it('reads every module and resolves its relative imports to files that exist', () => {
    expect(files.length).toBeGreaterThan(150);
    const known = new Set(files);
    const dangling = [...graph].flatMap(([f, targets]) => targets.filter((t) => t !== 'sdk' && !known.has(t)).map((t) => `${f} -> ${t}`));
    expect(dangling).toEqual([]);
    // dynamic imports are edges too (the report command loads the pack lazily)
    expect(graph.get('src/app/report.ts')).toContain('src/report/pack.ts');
  });

  it('every module belongs to a layer of the table', () => {
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('no import goes against the layer table', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no import cycle, type-only ones included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the checks see a violation and a cycle when there is one', () => {
    const bad: Graph = new Map([
      ['src/engine/a.ts', ['src/engine/b.ts', 'sdk']],
      ['src/engine/b.ts', ['src/engine/a.ts']],
      ['src/report/c.ts', ['collectors/run.ts']],
      ['src/signing/d.ts', ['src/report/pack.ts']],
    ]);
    expect(layerViolations(bad)).toEqual([
      'src/engine/a.ts -> sdk (src/engine may not import sdk)',
      'src/report/c.ts -> collectors/run.ts (src/report may not import collectors)',
      'src/signing/d.ts -> src/report/pack.ts (src/signing may not import src/report)',
    ]);
    expect(cycles(bad)).toEqual([['src/engine/a.ts', 'src/engine/b.ts']]);
  });

  it('the layer table names only folders and files that exist, and allows only layers it defines', () => {
    for (const [layer, allowed] of Object.entries(LAYERS)) {
      expect(files.some((f) => layerOf(f) === layer), layer).toBe(true);
      for (const a of allowed) expect(a === 'sdk' || a in LAYERS, `${layer} allows ${a}`).toBe(true);
    }
  });
});
