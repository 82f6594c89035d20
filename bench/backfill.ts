// Backfilling the sample account from AWS Config history through the sandbox: the Config calls
// made next to the minimum (BatchGetResourceConfig for unchanged resources, the seven-day span of
// GetResourceConfigHistory for the others), and the time.
//   node --import tsx bench/backfill.ts [--days 90] [--every 1d] [--latency 0]
// Prints only; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadFixture, startSandbox } from '../src/sandbox/index.js';
import { runBackfill } from '../src/app/backfill.js';
import { CONFIG_SCHEMA_TYPES } from '../src/util/config-schema.js';
import { parseStep, periodTimes, stepTimes } from '../src/app/as-of.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const DAY = 86_400_000;
const SEVEN_DAYS = 7 * DAY;

const { values } = parseArgs({ options: { days: { type: 'string', default: '90' }, every: { type: 'string', default: '1d' }, latency: { type: 'string', default: '0' } } });
const days = Number(values.days);
const now = new Date();
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const period = `${iso(now.getTime() - days * DAY)}..${iso(now.getTime() - DAY)}`;
const regions = ['us-east-1', 'eu-central-1'];

const fixture = loadFixture(join(ROOT, 'examples/sample/account.yaml'), now);
const sb = await startSandbox({ fixture, port: 0, latencyMs: Number(values.latency) });
Object.assign(process.env, {
  AWS_ENDPOINT_URL: sb.url, AWS_ACCESS_KEY_ID: 'AKIDBENCHBACKFILL', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
});
delete process.env['AWS_PROFILE'];

// The minimum: per region, one BatchGetResourceConfig per 100 live resources of each type read
// (current items); a live resource whose current item was captured by the range start has not
// changed since and needs no history call (one for its tags when its type's normaliser reads
// them: the batch returns none); any other resource alive in the range walks back to the item
// in force at its start (newest first without earlierTime, each page spanning seven days back
// from the last: one call per seven days back to the newest item captured by then, one empty
// page when there is none), then one call per seven days until its end or its deletion; one
// listing page per 100 resources of each type read, per region.
const steps = stepTimes(await periodTimes(period), parseStep(values.every), now);
const from = steps[0]!.getTime();
const to = steps.at(-1)!.getTime();
const TAGGED = new Set(['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBClusterSnapshot', 'AWS::RDS::DBSnapshot']);
let minHistory = 0;
let minBatch = 0;
let resources = 0;
let unchanged = 0;
let walkBacks = 0;
let walkBacksUnchanged = 0;
// every vendored type is read by an as-of collector (issues 22/23 added trails, buckets, ...)
const typesRead: readonly string[] = CONFIG_SCHEMA_TYPES;
let minList = 0;
for (const r of regions) {
  const timelines = fixture.accounts[0]!.regions[r]?.history?.timelines ?? [];
  const live = new Map<string, number>();
  // a type the region's recorder does not record is never listed (the collection fails first);
  // the recorder itself always is (which types were recorded is read from its history)
  const groups = (fixture.accounts[0]!.regions[r]?.config.recorders ?? []).map((x) => (x['recordingGroup'] ?? {}) as { allSupported?: boolean; resourceTypes?: string[] });
  const records = (type: string) => type === 'AWS::Config::ConfigurationRecorder' || groups.some((g) => g.allSupported === true || (g.resourceTypes ?? []).includes(type));
  for (const type of typesRead.filter(records)) minList += Math.max(1, Math.ceil(timelines.filter((t) => t.resourceType === type).length / 100));
  for (const t of timelines) {
    const gone = t.deletedAt?.getTime() ?? Infinity;
    if ((t.items[0]?.captureTime.getTime() ?? Infinity) > now.getTime()) continue;
    const current = t.items.filter((i) => i.captureTime.getTime() <= now.getTime()).at(-1)!;
    const alive = gone > now.getTime() && !/^ResourceDeleted/.test(current.status);
    if (alive) live.set(t.resourceType, (live.get(t.resourceType) ?? 0) + 1);
    if (gone <= from) continue;
    resources++;
    const before = t.items.filter((i) => i.captureTime.getTime() <= from).at(-1);
    const walkBack = before ? Math.floor((from - before.captureTime.getTime()) / SEVEN_DAYS) + 1 : 1;
    walkBacks += walkBack;
    if (alive && current.captureTime.getTime() <= from) {
      unchanged++;
      walkBacksUnchanged += walkBack + Math.ceil((Math.min(to, gone) - from) / SEVEN_DAYS);
      minHistory += TAGGED.has(t.resourceType) ? 1 : 0;
      continue;
    }
    minHistory += walkBack + Math.ceil((Math.min(to, gone) - from) / SEVEN_DAYS);
  }
  for (const n of live.values()) minBatch += Math.ceil(n / 100);
}

const dir = mkdtempSync(join(tmpdir(), 'trustpack-bench-backfill-'));
const t0 = performance.now();
const out = await runBackfill({
  archive: join(dir, 'archive'), period, every: values.every, regions, project: join(ROOT, 'examples', 'sample', 'trustpack.yaml'), log: () => {}, tty: false,
}, now);
const ms = performance.now() - t0;
const server = sb.stats().byOperation;
await sb.close();
rmSync(dir, { recursive: true, force: true });

const made = out.configCalls;
console.log(`backfill of the sample account: ${period} every ${values.every} = ${out.appended} runs, ${regions.length} regions, ${resources} resources with history`);
console.log(`${unchanged} of them unchanged since the range start (current item from BatchGetResourceConfig; the walk back would have cost them ${walkBacksUnchanged} calls)`);
console.log(`BatchGetResourceConfig:   ${made['BatchGetResourceConfig'] ?? 0} calls; minimum (100 keys a call, per type per region): ${minBatch}`);
console.log(`GetResourceConfigHistory: ${made['GetResourceConfigHistory'] ?? 0} calls; minimum (walk back + seven-day windows for changed resources, one tag read per unchanged RDS resource): ${minHistory}`);
console.log(`ListDiscoveredResources:  ${made['ListDiscoveredResources'] ?? 0} calls; minimum (one page per type per region): ${minList}`);
console.log(`looking up the item in force at every step instead would cost at least ${out.appended * walkBacks} GetResourceConfigHistory calls (${walkBacks} walk-back calls per step)`);
console.log(`sandbox saw: ${Object.entries(server).filter(([k]) => k.startsWith('config:')).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`time: ${(ms / 1000).toFixed(2)} s total, ${(ms / Math.max(1, out.appended)).toFixed(1)} ms per run (collect + evaluate + archive)`);
