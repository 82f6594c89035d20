// `trustpack merge`: the shard bundles of one estate (collect --shard K/N) -> one bundle that
// evaluates exactly as an unsharded run. Refuses (BundleError, exit 2) anything that would not:
// a missing or repeated shard, shards of different account lists, catalogs or regions.
// The shards' records files are concatenated as they are, in one streamed pass that checks each
// file's sha256 against its manifest while copying it (a mismatch discards the output): accounts
// never overlap between shards, and nothing is parsed per record, so a merge costs about what
// reading and writing the bytes once costs.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { accountsDigest } from '../aws/estate.js';
import { tempSibling } from '../util/atomic.js';
import { BundleError, fileChanged, manifestBytes, readManifestOf, recordsPath, MANIFEST_FILE } from './bundle.js';
import type { Collection, Manifest, ManifestFile } from './model.js';

interface ShardManifest {
  /** where it was read from, for messages */
  dir: string;
  manifest: Manifest;
  /** sha256 of its manifest.json */
  manifestSha256: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * A shard speaks only for its own accounts: every account-keyed field names only accounts the
 * shard lists, and every account is in exactly one shard. Without this a shard could overwrite
 * another shard's `accountRegions` (one region instead of five) and hide that account's evidence.
 */
function checkShardsOwnTheirAccounts(shards: readonly ShardManifest[]): void {
  const owner = new Map<string, ShardManifest>();
  for (const s of shards) {
    const k = `shard ${s.manifest.shard!.k}/${s.manifest.shard!.n} (${s.dir})`;
    const own = new Set(s.manifest.accounts);
    if (own.size !== s.manifest.accounts.length) throw new BundleError(`merge: ${k}: field accounts lists an account twice`);
    for (const a of own) {
      const other = owner.get(a);
      if (other) throw new BundleError(`merge: ${k}: field accounts: account ${a} is also in ${other.dir}; each account must be in exactly one shard`);
      owner.set(a, s);
    }
    const foreign = (field: string, names: Iterable<string>): void => {
      for (const a of names) if (!own.has(a)) throw new BundleError(`merge: ${k}: field ${field} names account ${a}, which is not one of the shard's own accounts`);
    };
    foreign('accountRegions', Object.keys(s.manifest.accountRegions ?? {}));
    foreign('regionsNotEnabled', Object.keys(s.manifest.regionsNotEnabled ?? {}));
    foreign('collections', s.manifest.collections.map((c) => c.account));
  }
}

/** What a shard's records must agree with: its ok collections and their record counts. */
class RecordCheck {
  private readonly expected = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  /** collectors that ran once per account (region `global`): their records may name the resource's own region */
  private readonly global = new Set<string>();
  constructor(private readonly shard: ShardManifest) {
    for (const c of shard.manifest.collections) {
      if (c.region === 'global') this.global.add(c.collector);
      if (c.status !== 'ok' && c.records === 0) continue;
      const key = `${c.collector}\u0000${c.account}\u0000${c.region}`;
      this.expected.set(key, (this.expected.get(key) ?? 0) + c.records);
    }
  }
  private where(): string {
    return `merge: shard ${this.shard.manifest.shard!.k}/${this.shard.manifest.shard!.n} (${this.shard.dir})`;
  }
  /** One line of records/<collector>.jsonl. */
  line(collector: string, text: string, lineNo: number): void {
    let r: { collector?: unknown; source?: { account?: unknown; region?: unknown } };
    try {
      r = JSON.parse(text) as typeof r;
    } catch {
      throw new BundleError(`${this.where()}: field records: records/${collector}.jsonl:${lineNo} is not JSON`);
    }
    const account = r?.source?.account;
    const region = r?.source?.region;
    if (r?.collector !== collector || typeof account !== 'string' || typeof region !== 'string') {
      throw new BundleError(`${this.where()}: field records: records/${collector}.jsonl:${lineNo} is not a ${collector} record with a source account and region`);
    }
    // an S3 bucket's record names the bucket's region; it belongs to the account's global collection
    const key = `${collector}\u0000${account}\u0000${this.global.has(collector) ? 'global' : region}`;
    if (!this.expected.has(key)) {
      throw new BundleError(`${this.where()}: field records: records/${collector}.jsonl:${lineNo} is from account ${account} region ${region}, which the shard's collections do not list for ${collector}`);
    }
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }
  /** After every file: each collection holds as many records as it says. */
  finish(): void {
    for (const [key, n] of this.expected) {
      const got = this.seen.get(key) ?? 0;
      if (got !== n) {
        const [collector, account, region] = key.split('\u0000');
        throw new BundleError(`${this.where()}: field collections: ${collector} in account ${account} region ${region} lists ${n} records, its records file holds ${got}`);
      }
    }
  }
}

/** Checks the shards belong together and are complete; returns them in K order and the merged manifest (files empty). */
function mergeManifests(shards: readonly ShardManifest[]): { ordered: ShardManifest[]; manifest: Manifest } {
  if (shards.length === 0) throw new BundleError('merge: no bundles given');
  for (const s of shards) {
    if (!s.manifest.shard) throw new BundleError(`${s.dir}: not a shard bundle (collected without --shard K/N)`);
  }
  const first = shards[0]!;
  const f = first.manifest.shard!;
  const same = (what: string, get: (m: Manifest) => unknown): void => {
    const want = JSON.stringify(get(first.manifest) ?? null);
    for (const s of shards) {
      if (JSON.stringify(get(s.manifest) ?? null) !== want) {
        throw new BundleError(`merge: ${s.dir} has a different ${what} than ${first.dir}; shards of one estate must agree`);
      }
    }
  };
  same('shard count N', (m) => m.shard!.n);
  same('account list (sha256)', (m) => m.shard!.accountsSha256);
  same('catalog digest', (m) => m.catalogDigest);
  same('organization (role, skipped accounts)', (m) => m.organization);
  // with `--regions all` each account has its own regions; else every shard asked for the same ones
  if (!shards.some((s) => s.manifest.accountRegions)) same('region list', (m) => m.regions);

  const byK = new Map<number, ShardManifest>();
  for (const s of shards) {
    const k = s.manifest.shard!.k;
    const dup = byK.get(k);
    if (dup) throw new BundleError(`merge: shard ${k}/${f.n} given twice (${dup.dir} and ${s.dir})`);
    byK.set(k, s);
  }
  const missing = Array.from({ length: f.n }, (_, i) => i + 1).filter((k) => !byK.has(k));
  if (missing.length > 0) throw new BundleError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${f.n}`).join(', ')} missing`);

  const ordered = [...byK.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
  checkShardsOwnTheirAccounts(ordered);
  const manifests = ordered.map((s) => s.manifest);
  const accounts = [...new Set(manifests.flatMap((m) => m.accounts))].sort();
  if (accounts.length !== f.accounts || accountsDigest(accounts) !== f.accountsSha256) {
    throw new BundleError(`merge: the shards cover ${accounts.length} accounts whose list does not match the estate's (${f.accounts} accounts, sha256 ${f.accountsSha256})`);
  }
  const collections: Collection[] = manifests.flatMap((m) => m.collections);
  // stable: within one account the shard's own collector order is kept
  collections.sort((a, b) => cmp(a.account, b.account) || cmp(a.region, b.region));
  const startedAt = manifests.map((m) => m.startedAt).sort()[0]!;
  const endedAt = manifests.map((m) => m.endedAt).sort().at(-1)!;
  const mergedFrom = ordered.map((s) => ({ k: s.manifest.shard!.k, runId: s.manifest.runId, manifestSha256: s.manifestSha256 }));
  const m0 = manifests[0]!;
  const manifest: Manifest = {
    formatVersion: 1,
    runId: `${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-m${sha256(mergedFrom.map((x) => x.manifestSha256).join('')).slice(0, 4)}`,
    tool: m0.tool,
    ...(m0.caller ? { caller: m0.caller } : {}),
    accounts,
    regions: m0.accountRegions ? [...new Set(manifests.flatMap((m) => m.regions))].sort() : m0.regions,
    startedAt,
    endedAt,
    collections,
    files: [],
  };
  if (m0.accountRegions) manifest.accountRegions = Object.fromEntries(manifests.flatMap((m) => Object.entries(m.accountRegions ?? {})).sort(([a], [b]) => cmp(a, b)));
  const notEnabled = manifests.flatMap((m) => Object.entries(m.regionsNotEnabled ?? {}));
  if (notEnabled.length > 0) manifest.regionsNotEnabled = Object.fromEntries(notEnabled.sort(([a], [b]) => cmp(a, b)));
  if (m0.organization) manifest.organization = m0.organization;
  if (m0.catalogDigest) manifest.catalogDigest = m0.catalogDigest;
  const pacing: NonNullable<Manifest['pacing']> = {};
  for (const m of manifests) {
    for (const [k, v] of Object.entries(m.pacing ?? {})) {
      const p = (pacing[k] ??= { throttles: 0, retries: 0, backoffMs: 0, pacedMs: 0 });
      p.throttles += v.throttles;
      p.retries += v.retries;
      p.backoffMs += v.backoffMs;
      p.pacedMs += v.pacedMs;
    }
  }
  if (Object.keys(pacing).length > 0) manifest.pacing = Object.fromEntries(Object.entries(pacing).sort(([a], [b]) => cmp(a, b)));
  const notices = [...new Set(manifests.flatMap((m) => m.notices ?? []))];
  if (notices.length > 0) manifest.notices = notices;
  manifest.mergedFrom = mergedFrom;
  return { ordered, manifest };
}

/**
 * On disk: checks every shard's files against its manifest, then writes the merged bundle to a
 * temporary sibling of `out` and renames it (nothing half-written appears at `out`).
 */
/** `replace`: an existing `out` is moved aside and removed once the merged bundle is in place (--force). */
export async function mergeShardDirs(dirs: readonly string[], out: string, opts: { replace?: boolean } = {}): Promise<Manifest> {
  const shards: ShardManifest[] = [];
  for (const dir of dirs) {
    const { manifest, sha256: manifestSha256 } = await readManifestOf(dir);
    shards.push({ dir, manifest, manifestSha256 });
  }
  const { ordered, manifest } = mergeManifests(shards);
  const target = resolve(out);
  const tmp = tempSibling(target);
  try {
    await mkdir(join(tmp, 'records'), { recursive: true });
    // A collector with an ok collection has a (possibly empty) file, as bundleFiles writes it.
    const collectors = new Set<string>();
    for (const c of manifest.collections) if (c.status === 'ok') collectors.add(c.collector);
    for (const s of ordered) for (const f of s.manifest.files) collectors.add(f.path.replace(/^records\/|\.jsonl$/g, ''));
    const files: ManifestFile[] = [];
    const checks = new Map(ordered.map((s) => [s, new RecordCheck(s)]));
    for (const collector of [...collectors].sort()) {
      const path = recordsPath(collector);
      const merged = createHash('sha256');
      let records = 0;
      let size = 0;
      const outFile = await open(join(tmp, path), 'wx');
      try {
        for (const s of ordered) {
          const f = s.manifest.files.find((x) => x.path === path);
          if (!f) continue;
          const src = join(s.dir, path);
          const own = createHash('sha256');
          const check = checks.get(s)!;
          let n = 0;
          const utf8 = new StringDecoder('utf8');
          let rest = '';
          let lineNo = 0;
          try {
            for await (const chunk of createReadStream(src) as AsyncIterable<Buffer>) {
              const lines = (rest + utf8.write(chunk)).split('\n');
              rest = lines.pop()!;
              for (const l of lines) if (l !== '') check.line(collector, l, ++lineNo);
              own.update(chunk);
              merged.update(chunk);
              n += chunk.length;
              await outFile.write(chunk);
            }
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleError(`${src}: listed in the manifest but missing`);
            throw err;
          }
          if (n !== f.bytes || own.digest('hex') !== f.sha256) throw fileChanged(src);
          rest += utf8.end();
          if (rest !== '') check.line(collector, rest, ++lineNo);
          records += f.records ?? 0;
          size += n;
        }
      } finally {
        await outFile.close();
      }
      files.push({ path, sha256: merged.digest('hex'), bytes: size, records });
    }
    for (const c of checks.values()) c.finish();
    manifest.files = files;
    await writeFile(join(tmp, MANIFEST_FILE), manifestBytes(manifest));
    await mkdir(dirname(target), { recursive: true });
    // the final path never holds a mix of the old and the new bundle
    const old = opts.replace && existsSync(target) ? tempSibling(target) : undefined;
    if (old) await rename(target, old);
    await rename(tmp, target);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return manifest;
}
