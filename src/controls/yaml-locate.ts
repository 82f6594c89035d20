// Maps a JSON-pointer-like path in parsed YAML back to a line and column in the file,
// so every problem can be reported as FILE:LINE:COL.
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './yaml-lib.js';

export interface Position { line: number; col: number }

export interface Located {
  /** the value node at the path, when it exists */
  node?: Node;
  /** the key node of the pair holding the value, when the parent is a map */
  key?: Node;
  /** the deepest existing node along the path (what to point at when the path is missing) */
  nearest?: Node;
}

/** Splits an ajv instancePath ("/assert/all/0/op") into segments, undoing ~1 and ~0 escapes. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function locate(doc: Document, segments: readonly (string | number)[]): Located {
  const { isMap, isPair, isSeq } = yamlLib();
  let current: unknown = doc.contents;
  let key: Node | undefined;
  let nearest = current as Node | undefined;
  for (const seg of segments) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return { nearest };
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current)) {
      const item = current.items[Number(seg)];
      if (item === undefined) return { nearest };
      key = undefined;
      current = item;
    } else {
      return { nearest };
    }
    if (current) nearest = current as Node;
    else return { key, nearest: key ?? nearest };
  }
  return { node: current as Node | undefined, key, nearest };
}

function keyText(k: unknown): string {
  if (yamlLib().isScalar(k)) return String(k.value);
  return String(k);
}

export function positionOf(node: Node | undefined, lc: LineCounter): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return lc.linePos(offset);
}
