// Stored objects are gzip-compressed and named by the sha256 of their uncompressed bytes (gzip
// output differs between zlib versions, so a name never depends on the compressed bytes).
// Every decompression is capped: a gzip bomb is a verdict, never an out-of-memory.
import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';

/** No object trustpack writes comes near this uncompressed (the largest: an estate's results, a recipe). */
const MAX_OBJECT_BYTES = 512 * 1024 * 1024;

/** one record's data (a resource as AWS described it): read whole, so capped far lower */
export const MAX_DATA_BYTES = 16 * 1024 * 1024;

export const gzip = (bytes: Uint8Array): Buffer => gzipSync(bytes);

/** Why stored bytes could not be decompressed: a verdict on the object, not a crash. */
export class ObjectUnreadable extends Error {}

export function gunzipCapped(bytes: Buffer, cap = MAX_OBJECT_BYTES): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: cap });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new ObjectUnreadable(`decompresses past ${cap} bytes (a gzip bomb?)`);
    throw new ObjectUnreadable(`is not valid gzip (${code ?? (e as Error).message})`);
  }
}

/** `bomb`: past the cap; otherwise the stored bytes are no longer what was written (bad gzip, a read error) */
export type StreamVerdict = { sha256: string; bytes: number } | { unreadable: string; bomb: boolean };

/**
 * Hashes a stored object as it streams in (decompressing when `gzipped`), holding one chunk at a
 * time; `onChunk` sees each uncompressed chunk (a recipe's data references are read this way).
 */
export async function hashStream(src: Readable, gzipped: boolean, onChunk?: (chunk: Buffer) => void, cap = MAX_OBJECT_BYTES): Promise<StreamVerdict> {
  const hash = createHash('sha256');
  let bytes = 0;
  const input: Readable = gzipped ? pipeline(src, createGunzip(), () => undefined) : src;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > cap) {
        input.destroy();
        src.destroy();
        return { unreadable: `decompresses past ${cap} bytes (a gzip bomb?)`, bomb: true };
      }
      hash.update(chunk);
      onChunk?.(chunk);
    }
  } catch (e) {
    src.destroy();
    const code = (e as NodeJS.ErrnoException).code;
    return { unreadable: gzipped ? `altered (no longer valid gzip: ${code ?? (e as Error).message})` : `unreadable (${code ?? (e as Error).message})`, bomb: false };
  }
  return { sha256: hash.digest('hex'), bytes };
}
