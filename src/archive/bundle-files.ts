// A bundle read back out of an archive: its manifest names every file's sha256, and the
// archive stores each file under that sha256. The files are laid out in a temporary folder and
// read by the evidence layer's own readBundle, so an archived bundle gets the same checks
// (every file's hash, every record's id) as one on disk.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE, readBundle } from '../evidence/bundle.js';
import type { EvidenceBundle, Manifest } from '../evidence/model.js';
import { ArchiveAccessError } from './store.js';

export { MANIFEST_FILE };

export async function readBundleFiles(
  manifestBytes: Buffer, file: (f: { path: string; sha256: string }) => Promise<Buffer>, where: string,
): Promise<EvidenceBundle> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch {
    throw new ArchiveAccessError(`${where}: the manifest is not valid JSON`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'trustpack-archived-'));
  try {
    await writeFile(join(dir, MANIFEST_FILE), manifestBytes);
    for (const f of manifest.files ?? []) {
      if (!/^records\/[a-z0-9][a-z0-9.-]*\.jsonl$/.test(f.path)) throw new ArchiveAccessError(`${where}: bad file path ${f.path} in the manifest`);
      const target = join(dir, f.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await file(f));
    }
    return await readBundle(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
