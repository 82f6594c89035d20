// The evidence archive: an append-only chain of runs in a folder or under an S3 prefix.
//
//   objects/<sha256>.gz       layout 3 (written now): manifests, results, records-file recipes and
//                             packs of record data, gzip-compressed, named by the uncompressed sha256;
//                             layout 2 (read only): the same, with one object per record data
//   objects/<sha256>          layout 1 (read only): every bundle file and results JSON, whole
//   entries/<N, 8 digits>.json  entry N: the run, its bundle's and results' sha256, its recipes,
//                             the sha256 of entry N-1
//
// An append writes the objects first, then creates entry N with a create-only write; a writer
// that loses the race for N chains onto the winner's entry and tries N+1. Nothing stored is
// ever rewritten or deleted. The archive knows bytes and hashes, not controls: the results it
// stores are evaluated by the caller (src/app/archive.ts) with the project's catalog.
import { VERSION } from '../version.js';
import type { EvidenceBundle, Manifest } from '../evidence/model.js';
import pLimit from 'p-limit';
import { MANIFEST_FILE, readBundleFiles } from './bundle-files.js';
import { gunzipCapped, gzip, ObjectUnreadable } from './compress.js';
import {
  ENTRIES, entryBytes, entryKey, entryNumber, gzObjectKey, LAYOUT, layoutOf, objectKey, parseEntry, sha256Of,
  type ArchiveEntry, type StoredEntry,
} from './entry.js';
import { packData } from './pack.js';
import { joinRecords, recipeBytes, recipeData, splitRecords, type DataLocation } from './recipe.js';
import { FolderStore } from './folder.js';
import { S3Store, type S3StoreOptions } from './s3.js';
import { ArchiveAccessError, type ArchiveStore } from './store.js';
import type { Head } from './entry.js';
import { verifyArchive, type VerifyOptions, type VerifyReport } from './verify.js';

export type { ArchiveEntry, StoredEntry } from './entry.js';
export { formatHead, parseHead } from './entry.js';
export type { VerifyReport } from './verify.js';
export type { ArchiveStore } from './store.js';

export interface OpenArchiveOptions extends S3StoreOptions {
  /** create the folder when missing and check that the S3 bucket can be written with retention */
  forWriting?: boolean;
}

export interface AppendInput {
  /** the bundle's files as bundleFiles() gives them (manifest.json among them) */
  files: { path: string; bytes: Uint8Array }[];
  /** the results JSON evaluated for this run, exact bytes */
  results: Uint8Array;
  /** digest of the catalog and parameters the results were evaluated with */
  catalog: string;
  /** what the archive should say about the run; read from the manifest when absent */
  asOf?: string;
  source?: 'live' | 'config-history';
  /**
   * the streak index object of this run given the previous run's (src/history/run-index.ts):
   * the archive stores it and entry N names it; computed again when a lost race changes the previous run
   */
  index?: (previous: string | null) => Uint8Array;
}

export interface AppendOutcome {
  /** the entry created, or (alreadyArchived) the entry that already holds this bundle */
  stored: StoredEntry;
  /** entries another writer created first while this one was appending */
  lostRaces: number;
  /** the bundle's sha256 was already in the chain: nothing was appended (a retried CI job) */
  alreadyArchived?: boolean;
}

/** entries read at once when looking for a bundle already in the chain (S3: one round trip each) */
const READS_IN_FLIGHT = 16;
/** objects written at once by an append (S3: one PUT each) */
const WRITES_IN_FLIGHT = 16;
/** packs held at once while rebuilding a run (each up to PACK_BYTES uncompressed) */
const PACKS_HELD_BYTES = 256 * 1024 * 1024;

export class Archive {
  /** bundle sha256 -> the first entry holding it, for the entries read so far (appends in one process read each entry once) */
  private readonly bundles = new Map<string, StoredEntry>();
  private readonly entriesRead = new Set<string>();

  /** where the record data the head's run references is stored: an append points there instead of storing it again */
  private known: { head: string; located: Map<string, DataLocation>; index: string | null } | undefined;

  constructor(readonly store: ArchiveStore) {}

  /** Stores one object (layouts 2, 3): gzip-compressed, named by its uncompressed sha256; never replaced. */
  private async put(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.store.create(gzObjectKey(sha256), gzip(bytes));
  }

  /**
   * Where the head entry's record data is stored (what tonight's run most likely shares). Only a
   * layout-3 head is used: the data of an older layout is packed again, once, by the first layout-3 run.
   */
  private async dataOfHead(head: Head | undefined): Promise<{ located: Map<string, DataLocation>; index: string | null }> {
    if (!head) return { located: new Map(), index: null };
    if (this.known?.head === head.sha256) return { located: this.known.located, index: this.known.index };
    const bytes = await this.store.get(entryKey(head.n));
    const entry = bytes ? parseEntry(bytes) : 'unreadable';
    const located = new Map<string, DataLocation>();
    if (typeof entry === 'string') return { located, index: null };
    if (layoutOf(entry) !== LAYOUT) return { located, index: entry.index ?? null };
    for (const sha of Object.values(entry.recipes ?? {})) {
      // an unreadable recipe only means its data is stored again (create-only: nothing replaced)
      const recipe = await this.object(sha).catch(() => undefined);
      if (!recipe) continue;
      try {
        for (const [d, at] of recipeData(recipe.toString('utf8'), sha).located) located.set(d, at);
      } catch {
        continue;
      }
    }
    return { located, index: entry.index ?? null };
  }

  /** The entry already holding this bundle, if any; reads only entries this process has not read yet. */
  private async entryWithBundle(bundleSha: string): Promise<StoredEntry | undefined> {
    const keys = (await this.entryKeys()).filter((k) => !this.entriesRead.has(k));
    for (let i = 0; i < keys.length; i += READS_IN_FLIGHT) {
      const batch = keys.slice(i, i + READS_IN_FLIGHT);
      const read = await Promise.all(batch.map(async (key) => ({ key, bytes: await this.store.get(key) })));
      for (const { key, bytes } of read) {
        this.entriesRead.add(key);
        const entry = bytes ? parseEntry(bytes) : 'unreadable';
        // a malformed entry is `archive verify`'s to report; it holds no bundle we could match
        if (typeof entry === 'string' || !bytes) continue;
        if (!this.bundles.has(entry.bundle)) this.bundles.set(entry.bundle, { key, sha256: sha256Of(bytes), entry });
      }
    }
    return this.bundles.get(bundleSha);
  }

  get location(): string {
    return this.store.location;
  }

  /** Appends a run: objects first, then the entry with a create-only write (retrying N+1). */
  async append(input: AppendInput): Promise<AppendOutcome> {
    const manifestFile = input.files.find((f) => f.path === MANIFEST_FILE);
    if (!manifestFile) throw new ArchiveAccessError('the bundle has no manifest.json');
    const manifest = JSON.parse(Buffer.from(manifestFile.bytes).toString('utf8')) as Manifest & Record<string, unknown>;
    const bundleSha = sha256Of(manifestFile.bytes);
    const already = await this.entryWithBundle(bundleSha);
    if (already) return { stored: already, lostRaces: 0, alreadyArchived: true };
    // Layout 3: each records file becomes a recipe; the record data no earlier run stored (as
    // far as the head's run tells) goes into a few packs, and the recipes point into the packs.
    const head = await this.head();
    const { located: known, index: previousIndex } = await this.dataOfHead(head);
    const splits = input.files.filter((f) => f.path !== MANIFEST_FILE).map((f) => splitRecords(f.path, Buffer.from(f.bytes)));
    const fresh = new Map<string, Buffer>();
    for (const split of splits) {
      if (split.whole) continue;
      for (const [sha, bytes] of split.data) if (!known.has(sha)) fresh.set(sha, bytes);
    }
    const packed = new Map<string, DataLocation>();
    // one pack held at a time: each is stored before the next is made
    for (const pack of packData(fresh, packed)) await this.put(pack.sha256, pack.bytes);
    fresh.clear();
    const limit = pLimit(WRITES_IN_FLIGHT);
    const writes: Promise<void>[] = [];
    // what this run references: the next append (in this process) points there without reading recipes
    const referenced = new Map<string, DataLocation>();
    const locate = (sha: string): DataLocation => {
      const at = known.get(sha) ?? packed.get(sha)!;
      referenced.set(sha, at);
      return at;
    };
    const recipes: Record<string, string> = {};
    for (const split of splits) {
      if (split.whole) writes.push(limit(() => this.put(split.whole!, split.data.get(split.whole!)!)));
      const recipe = recipeBytes(split, locate);
      const recipeSha = sha256Of(recipe);
      writes.push(limit(() => this.put(recipeSha, recipe)));
      recipes[split.path] = recipeSha;
    }
    await Promise.all(writes);
    await this.put(bundleSha, manifestFile.bytes);
    const resultsSha = sha256Of(input.results);
    await this.put(resultsSha, input.results);

    let n = head ? head.n : 0;
    let previous = head ? head.sha256 : null;
    const shard = manifest['shard'] as ArchiveEntry['shard'] | undefined;
    const base = {
      formatVersion: 1 as const,
      layout: LAYOUT,
      runId: manifest.runId,
      asOf: input.asOf ?? (typeof manifest['asOf'] === 'string' ? manifest['asOf'] : manifest.startedAt),
      source: input.source ?? (manifest['source'] === 'config-history' ? 'config-history' as const : 'live' as const),
      accounts: [...manifest.accounts],
      regions: [...manifest.regions],
      ...(shard ? { shard } : {}),
      bundle: bundleSha,
      results: resultsSha,
      catalog: input.catalog,
      recipes,
    };
    let indexOf = previousIndex;
    for (let lost = 0; lost < 10_000; lost++) {
      let index: string | undefined;
      if (input.index) {
        const bytes = input.index(indexOf);
        index = sha256Of(bytes);
        await this.put(index, bytes);
      }
      const entry: ArchiveEntry = { ...base, ...(index ? { index } : {}), n: n + 1, previous, appendedAt: new Date().toISOString(), tool: VERSION };
      const bytes = entryBytes(entry);
      const key = entryKey(n + 1);
      if ((await this.store.create(key, bytes)) === 'created') {
        const sha256 = sha256Of(bytes);
        this.known = { head: sha256, located: referenced, index: index ?? null };
        return { stored: { key, sha256, entry }, lostRaces: lost };
      }
      // Another writer took N+1: chain onto its entry (complete once visible) and try N+2.
      const theirs = await this.store.get(key);
      if (!theirs) throw new ArchiveAccessError(`${this.location}: ${key} exists but cannot be read`);
      // the winner may be a retry of this very bundle: then it is archived, once
      const theirEntry = parseEntry(theirs);
      if (typeof theirEntry !== 'string' && theirEntry.bundle === bundleSha) {
        return { stored: { key, sha256: sha256Of(theirs), entry: theirEntry }, lostRaces: lost + 1, alreadyArchived: true };
      }
      previous = sha256Of(theirs);
      indexOf = typeof theirEntry !== 'string' ? theirEntry.index ?? null : null;
      n += 1;
    }
    throw new ArchiveAccessError(`${this.location}: gave up after 10000 lost races`);
  }

  /** The numbered entry keys in chain order (by number, as the names say). */
  async entryKeys(): Promise<string[]> {
    const keys = (await this.store.list(ENTRIES)).filter((k) => entryNumber(k) !== undefined);
    return keys.sort((a, b) => entryNumber(a)! - entryNumber(b)!);
  }

  /** The last entry's number and sha256, or undefined for an empty archive. */
  async head(): Promise<Head | undefined> {
    const keys = await this.entryKeys();
    const last = keys.at(-1);
    if (!last) return undefined;
    const bytes = await this.store.get(last);
    if (!bytes) throw new ArchiveAccessError(`${this.location}: ${last} listed but cannot be read`);
    return { n: entryNumber(last)!, sha256: sha256Of(bytes) };
  }

  /** Every entry in chain order, read one at a time (history streams over these). */
  async *entries(): AsyncGenerator<StoredEntry> {
    for (const key of await this.entryKeys()) {
      const bytes = await this.store.get(key);
      if (!bytes) throw new ArchiveAccessError(`${this.location}: ${key} listed but cannot be read`);
      const entry = parseEntry(bytes);
      if (typeof entry === 'string') throw new ArchiveAccessError(`${this.location}: ${key}: ${entry} (run \`trustpack archive verify\`)`);
      yield { key, sha256: sha256Of(bytes), entry };
    }
  }

  /** An object's bytes (decompressed, under the cap), checked against its name; either layout. */
  async object(sha256: string): Promise<Buffer> {
    const stored = await this.store.get(gzObjectKey(sha256));
    let bytes: Buffer | undefined;
    if (stored) {
      try {
        bytes = gunzipCapped(stored);
      } catch (e) {
        if (!(e instanceof ObjectUnreadable)) throw e;
        throw new ArchiveAccessError(`${this.location}: object ${sha256} ${e.message} (run \`trustpack archive verify\`)`);
      }
    } else {
      bytes = await this.store.get(objectKey(sha256));
    }
    if (!bytes) throw new ArchiveAccessError(`${this.location}: object ${sha256} is missing (run \`trustpack archive verify\`)`);
    if (sha256Of(bytes) !== sha256) throw new ArchiveAccessError(`${this.location}: object ${sha256} was altered (run \`trustpack archive verify\`)`);
    return bytes;
  }

  /**
   * Stores a streak index object (history --rebuild-index) unless one is there: create-only, so
   * an object already stored is never replaced. True when it was missing and is now written.
   */
  async storeIndex(sha256: string, bytes: Uint8Array): Promise<boolean> {
    if (sha256Of(bytes) !== sha256) throw new Error('storeIndex: the bytes do not hash to the name');
    if ((await this.store.get(gzObjectKey(sha256))) !== undefined) return false;
    return (await this.store.create(gzObjectKey(sha256), gzip(bytes))) === 'created';
  }

  /** Refuses an entry written in a layout this version cannot read, naming it. */
  private readable(entry: ArchiveEntry): void {
    if (layoutOf(entry) > LAYOUT) {
      throw new ArchiveAccessError(`${this.location}: entry ${entry.n} was written by a newer trustpack (layout ${layoutOf(entry)}; this version reads layouts 1 to ${LAYOUT}): upgrade trustpack`);
    }
  }

  /**
   * A reader of objects for rebuilding one run: packs (and record data) are read and checked once
   * and held while lines point into them, the least recently used let go past PACKS_HELD_BYTES.
   */
  private heldReader(): (sha256: string) => Promise<Buffer> {
    const held = new Map<string, Buffer>();
    let bytes = 0;
    return async (sha) => {
      const got = held.get(sha);
      if (got) {
        held.delete(sha);
        held.set(sha, got);
        return got;
      }
      const b = await this.object(sha);
      held.set(sha, b);
      bytes += b.length;
      for (const [k, v] of held) {
        if (bytes <= PACKS_HELD_BYTES || k === sha) break;
        held.delete(k);
        bytes -= v.length;
      }
      return b;
    };
  }

  /** One file of an entry's bundle, exact bytes: stored whole (layout 1) or rebuilt from its recipe (layouts 2, 3). */
  async bundleFile(entry: ArchiveEntry, f: { path: string; sha256: string }, read = this.heldReader()): Promise<Buffer> {
    this.readable(entry);
    const where = `${this.location} entry ${entry.n} ${f.path}`;
    if (layoutOf(entry) === 1) return this.object(f.sha256);
    const recipe = entry.recipes?.[f.path];
    if (!recipe) throw new ArchiveAccessError(`${where}: the entry has no recipe for this file`);
    let bytes: Buffer;
    try {
      bytes = await joinRecords((await this.object(recipe)).toString('utf8'), read, where);
    } catch (e) {
      if (e instanceof ArchiveAccessError) throw e;
      throw new ArchiveAccessError(`${(e as Error).message} (run \`trustpack archive verify\`)`);
    }
    if (sha256Of(bytes) !== f.sha256) throw new ArchiveAccessError(`${where}: rebuilt, it does not hash to the manifest's ${f.sha256}`);
    return bytes;
  }

  /** Every file of an entry's bundle (manifest.json last), exact bytes: what `archive get` writes. */
  async bundleFiles(entry: ArchiveEntry): Promise<{ path: string; bytes: Buffer }[]> {
    const manifest = await this.manifestBytes(entry);
    let files: { path: string; sha256: string }[];
    try {
      files = (JSON.parse(manifest.toString('utf8')) as { files: { path: string; sha256: string }[] }).files;
      if (!Array.isArray(files)) throw new Error('no files');
    } catch {
      throw new ArchiveAccessError(`${this.location} entry ${entry.n}: its manifest lists no files`);
    }
    const out: { path: string; bytes: Buffer }[] = [];
    const read = this.heldReader();
    for (const f of files) {
      if (typeof f?.path !== 'string' || !/^records\/[a-z0-9][a-z0-9.-]*\.jsonl$/.test(f.path)) throw new ArchiveAccessError(`${this.location} entry ${entry.n}: bad file path in its manifest`);
      out.push({ path: f.path, bytes: await this.bundleFile(entry, f, read) });
    }
    out.push({ path: MANIFEST_FILE, bytes: manifest });
    return out;
  }

  /** The results stored with an entry (evaluated when the run was archived). */
  async results<T = unknown>(entry: ArchiveEntry): Promise<T> {
    return JSON.parse((await this.object(entry.results)).toString('utf8')) as T;
  }

  async manifestBytes(entry: ArchiveEntry): Promise<Buffer> {
    return this.object(entry.bundle);
  }

  /** The whole bundle of an entry, every file checked against its sha256. */
  async bundle(entry: ArchiveEntry): Promise<EvidenceBundle> {
    this.readable(entry);
    const read = this.heldReader();
    return readBundleFiles(await this.manifestBytes(entry), (f) => this.bundleFile(entry, f, read), `${this.location} entry ${entry.n}`);
  }

  verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyArchive(this, opts);
  }

  close(): void {
    (this.store as { destroy?: () => void }).destroy?.();
  }
}

/** Opens a folder or s3://bucket/prefix archive. */
export async function openArchive(location: string, opts: OpenArchiveOptions = {}): Promise<Archive> {
  if (location.startsWith('s3://')) {
    const store = new S3Store(location, opts);
    await store.open(Boolean(opts.forWriting));
    return new Archive(store);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new ArchiveAccessError(`--archive ${location}: a folder or s3://bucket/prefix`);
  const store = new FolderStore(location);
  await store.open(Boolean(opts.forWriting));
  return new Archive(store);
}
