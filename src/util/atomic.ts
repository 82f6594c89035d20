// Every output is written to a temporary sibling and renamed, so a reader (or a killed run)
// never sees a half-written file at the final path. A run killed mid-write leaves its
// temporary sibling behind; the next write to the same path removes those whose process is gone.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from './errors.js';

const tempPrefix = (path: string) => `.${basename(path)}.tmp-`;

export function tempSibling(path: string): string {
  return join(dirname(path), `${tempPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary siblings of `path` left by runs that were killed (their process is gone). */
export async function sweepStaleTemps(path: string): Promise<string[]> {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    await rm(join(dirname(path), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await sweepStaleTemps(path);
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw cannotWrite(path, err);
  }
}

/** An error naming the path the caller asked for, never the temporary sibling it went through. */
export function cannotWrite(path: string, err: unknown): Error {
  if (err instanceof UsageError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (!code) return err instanceof Error ? err : new Error(String(err));
  const why: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'no space left on the device', EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'is a folder', EEXIST: 'exists', ENAMETOOLONG: 'name too long',
    EFBIG: 'the file is too large for this system or process (a file size limit: ulimit -f)', EDQUOT: 'disk quota exceeded',
  };
  return new UsageError(`${path}: cannot write it (${why[code] ?? code})`);
}
