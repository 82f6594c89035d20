// Packs (layout 3): the record data a run stores for the first time, many data texts to one
// object, so that a night of an estate is a few objects to write and to hash instead of one per
// distinct resource state (~10^5 at 100 accounts). A pack is the data texts joined by newlines
// (a data text is JSON: it holds no raw newline), named like every object by the sha256 of its
// uncompressed bytes and stored gzip-compressed. Recipes name (pack, offset, length) per line.
import { sha256Hex } from '../evidence/canonical.js';
import type { DataLocation } from './recipe.js';

/** a pack is closed past this many uncompressed bytes: readers hold a pack whole while joining */
const PACK_BYTES = 64 * 1024 * 1024;

interface Pack {
  sha256: string;
  bytes: Buffer;
}

/**
 * Packs the data texts in the order given, one pack at a time as each fills (a caller storing
 * each before taking the next holds one pack's bytes); `located` learns where each text went.
 */
export function* packData(data: Iterable<[string, Buffer]>, located: Map<string, DataLocation>, cap = PACK_BYTES): Generator<Pack> {
  let parts: Buffer[] = [];
  let shas: [string, number, number][] = [];
  let size = 0;
  const close = (): Pack => {
    const bytes = Buffer.concat(parts, size);
    const sha256 = sha256Hex(bytes);
    for (const [d, offset, length] of shas) located.set(d, [sha256, offset, length]);
    parts = [];
    shas = [];
    size = 0;
    return { sha256, bytes };
  };
  const NL = Buffer.from('\n');
  for (const [sha, text] of data) {
    if (located.has(sha)) continue;
    if (size > 0 && size + text.length + 1 > cap) yield close();
    shas.push([sha, size, text.length]);
    parts.push(text, NL);
    size += text.length + 1;
  }
  if (parts.length > 0) yield close();
}
