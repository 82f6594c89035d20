// Records streamed to disk as the run collects them, so a large estate's evidence never sits in
// memory all at once. Each finished collection's records are appended to
// records/<collector>.jsonl in a folder next to the bundle's destination; finish() writes the
// manifest (every file's sha256) and renames the folder into place, as writeBundle does: a run
// that dies leaves no bundle at the destination. Lines are in the order collections finished;
// readers take any order (the pack re-serialises the bundle sorted by record id).
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { recordLine } from './canonical.js';
import { MANIFEST_FILE, manifestBytes, recordsPath } from './bundle.js';
import type { EvidenceRecord, Manifest, ManifestFile } from './model.js';

export class RecordSpill {
  private readonly files = new Map<string, { handle: Promise<FileHandle>; chain: Promise<void>; records: number }>();
  private readonly ready: Promise<void>;

  /** `dir` must not exist: a temporary sibling of the destination (src/util/atomic.ts tempSibling). */
  constructor(readonly dir: string) {
    this.ready = mkdir(join(dir, 'records'), { recursive: true }).then(() => undefined);
  }

  /** Appends one collection's records (one write per collection, in order per collector). */
  append(collector: string, records: readonly EvidenceRecord[]): Promise<void> {
    let f = this.files.get(collector);
    if (!f) {
      const handle = this.ready.then(() => open(join(this.dir, recordsPath(collector)), 'a'));
      f = { handle, chain: handle.then(() => undefined), records: 0 };
      this.files.set(collector, f);
    }
    const entry = f;
    entry.records += records.length;
    const text = records.map((r) => `${recordLine(r)}\n`).join('');
    entry.chain = entry.chain.then(async () => {
      if (text !== '') await (await entry.handle).write(text);
    });
    return entry.chain;
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
      await f.chain;
      await (await f.handle).close();
      const path = recordsPath(collector);
      const bytes = await readFile(join(this.dir, path));
      files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, records: f.records });
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
