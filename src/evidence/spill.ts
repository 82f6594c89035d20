// Records streamed to disk as the run collects them, so a large estate's evidence never sits in
// memory all at once. Each finished collection's records are appended to
// records/<collector>.jsonl in a folder next to the bundle's destination; finish() writes the
// manifest (every file's sha256) and renames the folder into place, as writeBundle does: a run
// that dies leaves no bundle at the destination. Lines are in the order collections finished;
// readers take any order (the pack re-serialises the bundle sorted by record id). Lines are
// buffered per file and written in batches of ~256 KB, each hashed as it is written, so finish()
// never reads the files back (at estate size one file is hundreds of MB).
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { recordLine } from './canonical.js';
import { MANIFEST_FILE, manifestBytes, recordsPath } from './bundle.js';
import type { EvidenceRecord, Manifest, ManifestFile } from './model.js';

/** buffered text per file before it is written (one write, one hash update) */
const FLUSH_BYTES = 256 * 1024;

interface SpillFile {
  handle: Promise<FileHandle>;
  /** the writes so far, in order */
  chain: Promise<void>;
  records: number;
  /** lines not written yet, and their length in UTF-16 units (a cheap bound on their bytes) */
  pending: string[];
  pendingLength: number;
  hash: Hash;
  bytes: number;
}

export class RecordSpill {
  private readonly files = new Map<string, SpillFile>();
  private readonly ready: Promise<void>;

  /** `dir` must not exist: a temporary sibling of the destination (src/util/atomic.ts tempSibling). */
  constructor(readonly dir: string) {
    this.ready = mkdir(join(dir, 'records'), { recursive: true }).then(() => undefined);
  }

  /**
   * Appends one collection's records, in order per collector. They are buffered: the promise
   * settles when they are handed to the file's write queue (a write error surfaces here or in finish()).
   */
  append(collector: string, records: readonly EvidenceRecord[]): Promise<void> {
    let f = this.files.get(collector);
    if (!f) {
      const handle = this.ready.then(() => open(join(this.dir, recordsPath(collector)), 'a'));
      f = { handle, chain: handle.then(() => undefined), records: 0, pending: [], pendingLength: 0, hash: createHash('sha256'), bytes: 0 };
      // a failure to open is reported by the next flush or by finish(), not as an unhandled rejection
      f.chain.catch(() => undefined);
      this.files.set(collector, f);
    }
    f.records += records.length;
    for (const r of records) {
      const line = recordLine(r);
      f.pending.push(line, '\n');
      f.pendingLength += line.length + 1;
    }
    return f.pendingLength >= FLUSH_BYTES ? this.flush(f) : Promise.resolve();
  }

  /** Writes the buffered lines: the bytes hashed are the bytes written. */
  private flush(f: SpillFile): Promise<void> {
    if (f.pending.length > 0) {
      const bytes = Buffer.from(f.pending.join(''), 'utf8');
      f.pending = [];
      f.pendingLength = 0;
      f.hash.update(bytes);
      f.bytes += bytes.length;
      f.chain = f.chain.then(async () => {
        await (await f.handle).write(bytes);
      });
    }
    return f.chain;
  }

  /** The records spilled so far, per collector. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.files].map(([c, f]) => [c, f.records]));
  }

  /**
   * Closes the files, lists them with their sha256 in the manifest (a collector that ran fine and
   * found nothing gets an empty file, as bundleFiles does), writes manifest.json and renames the
   * folder to `target`. Returns the manifest as written.
   */
  async finish(manifest: Manifest, target: string): Promise<Manifest> {
    await this.ready;
    for (const c of manifest.collections) if (c.status === 'ok' && !this.files.has(c.collector)) await this.append(c.collector, []);
    const files: ManifestFile[] = [];
    for (const [collector, f] of [...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await this.flush(f);
      await (await f.handle).close();
      files.push({ path: recordsPath(collector), sha256: f.hash.digest('hex'), bytes: f.bytes, records: f.records });
    }
    const written: Manifest = { ...manifest, files };
    await writeFile(join(this.dir, MANIFEST_FILE), manifestBytes(written));
    await mkdir(dirname(target), { recursive: true });
    await rename(this.dir, target);
    return written;
  }

  /** Removes the folder (a failed or aborted run). */
  async discard(): Promise<void> {
    for (const f of this.files.values()) await (await f.handle.catch(() => undefined))?.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
