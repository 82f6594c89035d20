// Child process for test/archive-*.test.ts: waits for a shared start time, then appends
// `count` runs to the archive as fast as it can, racing the other child for every entry.
import { openArchive } from '../../src/archive/index.js';
import { appendInput } from './archive-bundles.js';

const [location, tag, count, startAt] = process.argv.slice(2) as [string, string, string, string];
const archive = await openArchive(location, { forWriting: true });
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
let lost = 0;
for (let i = 0; i < Number(count); i++) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const o = await archive.append(appendInput(`${tag}-${i}`, `2026-03-${day}T02:00:00.000Z`, i));
  lost += o.lostRaces;
}
archive.close();
process.stdout.write(JSON.stringify({ tag, lost }) + '\n');
