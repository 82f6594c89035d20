// The logo named by trustpack.yaml (`logo:`, relative to the project file): read and checked by
// its signature bytes before any long work, so a wrong path or a file that is not a PNG or JPEG
// is a usage error naming the file, not a failure half-way through the pack.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ProjectContext } from './project.js';
import { UsageError } from './errors.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

export function projectLogo(ctx: ProjectContext): Buffer | undefined {
  const logo = ctx.project.logo;
  if (!logo) return undefined;
  const path = isAbsolute(logo) || !ctx.projectFile ? logo : join(dirname(ctx.projectFile), logo);
  const where = `${ctx.projectFile ?? 'trustpack.yaml'}: logo ${path}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UsageError(`${where}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!bytes.subarray(0, PNG.length).equals(PNG) && !bytes.subarray(0, JPEG.length).equals(JPEG)) {
    throw new UsageError(`${where}: not a PNG or JPEG image`);
  }
  return bytes;
}
