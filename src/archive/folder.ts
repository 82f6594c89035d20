// A folder archive: what a laptop uses. Objects and entries are created with link(2) from a
// fully written temporary file: like open(..., 'wx') it fails with EEXIST when the name is
// taken (so a lost race is seen, never an overwrite), and unlike a plain 'wx' write no reader
// can ever see a half-written entry. No rename, no lock file; a crashed append leaves at most
// a file under tmp/, reported as an orphan.
import { link, lstat, mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { ArchiveAccessError, type ArchiveStore } from './store.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

export class FolderStore implements ArchiveStore {
  readonly immutable = false;
  private readonly root: string;

  constructor(readonly location: string) {
    this.root = resolve(location);
  }

  /** Fails unless the folder exists (readers) or can be created (writers). */
  async open(forWriting: boolean): Promise<void> {
    try {
      const s = await stat(this.root);
      if (!s.isDirectory()) throw new ArchiveAccessError(`${this.location}: not a folder`);
    } catch (e) {
      if (e instanceof ArchiveAccessError) throw e;
      if (errno(e) !== 'ENOENT') throw new ArchiveAccessError(`${this.location}: cannot read (${errno(e) ?? 'error'})`);
      if (!forWriting) throw new ArchiveAccessError(`${this.location}: no archive there (the folder does not exist)`);
      await mkdir(this.root, { recursive: true });
    }
    await this.refuseLinks('');
  }

  /**
   * A symbolic link anywhere inside the archive (objects/ pointing elsewhere, one entry linked to
   * another file) is refused before anything is read or written: through it an append would
   * write outside the archive, and a reader would trust bytes the archive does not hold.
   */
  private async refuseLinks(rel: string): Promise<void> {
    const dir = rel === '' ? this.root : join(this.root, rel);
    let items;
    try {
      items = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw new ArchiveAccessError(`${join(this.location, rel)}: cannot list (${errno(e) ?? 'error'})`);
    }
    for (const d of items) {
      const inner = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isSymbolicLink()) throw new ArchiveAccessError(`${join(this.location, inner)}: a symbolic link inside the archive; refused (an archive folder holds only its own files and folders)`);
      if (d.isDirectory()) await this.refuseLinks(inner);
    }
  }

  /** The folder a write goes to is a real folder of the archive, not a link swapped in since open(). */
  private async realFolder(path: string): Promise<void> {
    const s = await lstat(path);
    if (!s.isDirectory()) throw new ArchiveAccessError(`${path}: not a folder of the archive (a symbolic link?); refused`);
  }

  private path(key: string): string {
    if (key.split('/').some((p) => p === '' || p === '.' || p === '..')) throw new Error(`bad archive key ${key}`);
    return join(this.root, key);
  }

  async create(key: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    const final = this.path(key);
    const tmp = join(this.root, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(dirname(tmp), { recursive: true });
    await mkdir(dirname(final), { recursive: true });
    await this.realFolder(dirname(tmp));
    await this.realFolder(dirname(final));
    await writeFile(tmp, bytes, { flag: 'wx' });
    try {
      await link(tmp, final);
      return 'created';
    } catch (e) {
      if (errno(e) === 'EEXIST') return 'exists';
      throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'EISDIR') return undefined;
      throw new ArchiveAccessError(`${join(this.location, key)}: cannot read (${errno(e) ?? 'error'})`);
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    try {
      const handle = await open(this.path(key), 'r');
      return handle.createReadStream({ highWaterMark: 1 << 20 });
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'EISDIR') return undefined;
      throw new ArchiveAccessError(`${join(this.location, key)}: cannot read (${errno(e) ?? 'error'})`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    // keys are <folder>/<name>: one level is all the archive uses
    const dir = prefix.replace(/\/$/, '');
    let names: string[];
    try {
      names = await readdir(this.path(dir));
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw new ArchiveAccessError(`${join(this.location, dir)}: cannot list (${errno(e) ?? 'error'})`);
    }
    return names.map((n) => `${dir}/${n}`).sort();
  }
}
