// Issue 19: a standing fuzz suite over the parsers that read hostile input. fast-check with
// FIXED seeds and case counts (the same cases every run; about 20 s in all here): random
// mutations of a valid signed pack, of its CMS signature, of an archive entry, of a shard
// manifest and of a project file, and random bytes into the JSON attachment scanner. Each must
// end in a verdict or one of our typed errors (exit 0, 1 or 2 as documented), never anything
// else (exit 70). Input sizes are bounded by the generators, so nothing can hang.
// A longer run of the same properties (other cases, same seeds): npm run fuzz:long (FUZZ_RUNS=5000)
import 'reflect-metadata';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../src/archive/index.js';
import { entryKey, parseEntry } from '../src/archive/entry.js';
import { loadCatalog, loadProject } from '../src/controls/load.js';
import { accountsDigest } from '../src/aws/estate.js';
import { BundleError, writeBundle } from '../src/evidence/bundle.js';
import { canonicalJsonOfData, sha256Hex } from '../src/evidence/canonical.js';
import { mergeShardDirs } from '../src/evidence/merge.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { makeDemoSigner, signPdf } from '../src/signing/sign.js';
import { checkCms } from '../src/verify/cms.js';
import { JsonBudget, jsonShapeProblem } from '../src/verify/json-bounds.js';
import { validatePath } from '../src/verify/x509-path.js';
import { UnreadablePackError, verifyPackBytes } from '../src/verify/verify.js';
import { COLLECTORS } from '../collectors/registry.js';
import { appendInput } from './helpers/archive-bundles.js';
import { flate, hostilePdf } from './helpers/hostile-pdf.js';
import { EKU, issue, KU } from './helpers/pki.js';
import { ROOT } from './helpers/cli.js';

const runs = (n: number): number => Number(process.env['FUZZ_RUNS'] ?? n);
const settings = (seed: number, n: number) => ({ seed, numRuns: runs(n), endOnFailure: true });

/** One edit of a byte string: flip bits, overwrite, insert, delete or truncate, at a position. */
type Edit = { kind: 'xor' | 'set' | 'insert' | 'delete' | 'truncate'; at: number; byte: number; len: number };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('xor', 'set', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 16 }),
});

function mutate(src: Buffer, edits: readonly Edit[], window?: [number, number]): Buffer {
  let b = Buffer.from(src);
  for (const e of edits) {
    const [lo, hi] = window ?? [0, b.length];
    const at = lo + (e.at % Math.max(1, Math.min(hi, b.length) - lo));
    if (e.kind === 'xor') b[at] = (b[at] ?? 0) ^ (e.byte || 1);
    else if (e.kind === 'set') b.fill(e.byte, at, Math.min(b.length, at + e.len));
    else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.alloc(e.len, e.byte), b.subarray(at)]);
    else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
    else b = b.subarray(0, at);
  }
  return b;
}

let dir: string;
let pack: Buffer;
let certPem: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-fuzz-'));
  const signer = makeDemoSigner({ commonName: 'Fuzz Signer', notBefore: new Date('2026-01-01T00:00:00Z') });
  certPem = signer.certPem;
  const draft = { source: { service: 'rds' }, data: { ok: true } };
  const id = sha256Hex(canonicalJsonOfData(draft));
  const records = Buffer.from(JSON.stringify({ id, ...draft }) + '\n');
  const manifest = JSON.stringify({ runId: 'r', files: [{ path: 'records.jsonl', sha256: createHash('sha256').update(records).digest('hex') }] });
  const results = JSON.stringify({ run: { id: 'r' }, controls: [{ id: 'c', findings: [{ evidence: [id] }] }] });
  pack = await signPdf(hostilePdf({ attachments: [
    { name: 'manifest.json', stream: flate(manifest), flate: true },
    { name: 'results.json', stream: flate(results), flate: true },
    { name: 'records.jsonl', stream: flate(records), flate: true },
  ] }), signer, new Date('2026-03-01T00:00:00Z'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A verdict, or the one error verify documents for input that is not a PDF (exit 2). */
async function verdictOf(bytes: Buffer, opts: Parameters<typeof verifyPackBytes>[1]) {
  try {
    const r = await verifyPackBytes(bytes, opts);
    expect(typeof r.valid).toBe('boolean');
    if (!r.valid) expect(r.problems.length).toBeGreaterThan(0);
    // a crash inside the checks is caught and shown as "verification stopped": still a bug
    expect(r.problems.filter((p) => p.startsWith('verification stopped'))).toEqual([]);
    return r.valid ? 'valid' : 'invalid';
  } catch (e) {
    if (e instanceof UnreadablePackError) return 'unreadable';
    throw e;
  }
}

describe('the signed pack (PDF reader, CMS, X.509 path, attachments)', () => {
  it('the unmutated pack is VALID, trusted', async () => {
    expect(await verdictOf(pack, { trustPem: certPem, now: new Date('2026-06-01T00:00:00Z') })).toBe('valid');
  });

  it('random edits anywhere: a verdict, never a crash; the edited pack is never VALID', async () => {
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
      const bytes = mutate(pack, edits);
      const v = await verdictOf(bytes, { trustPem: certPem, now: new Date('2026-06-01T00:00:00Z') });
      if (!bytes.equals(pack)) expect(v).not.toBe('valid');
    }), settings(1901, 250));
  });

  it('random edits inside the attachments\' streams and the object dictionaries: a verdict', async () => {
    const start = pack.indexOf('obj');
    const end = pack.indexOf('/ByteRange');
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
      await verdictOf(mutate(pack, edits, [start, end]), {});
    }), settings(1902, 150));
  });
});

describe('the CMS signature', () => {
  it('random edits of the DER: a list of problems, never an exception', async () => {
    const at = pack.indexOf('/Contents <') + '/Contents <'.length;
    const hex = pack.toString('latin1', at, pack.indexOf('>', at)).replace(/(00)+$/, '');
    const der = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
    const anchor = new X509Certificate(certPem);
    const digest = (): Buffer => Buffer.alloc(32);
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
      const r = checkCms(mutate(der, edits), digest, [anchor]);
      expect(Array.isArray(r.problems)).toBe(true);
      expect(r.digestMatches && r.signatureValid).toBe(false);
    }), settings(1903, 300));
  });
});

describe('X.509 paths', () => {
  it('an edited end, intermediate or anchor certificate: a judged path, never an exception', async () => {
    const root = await issue({ name: 'Fuzz Root', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z'), nameConstraints: { permitted: ['O=Example'], critical: false } });
    const mid = await issue({ name: 'Fuzz CA', subject: 'O=Example, CN=Fuzz CA', ca: true, pathLen: 0, keyUsage: KU.keyCertSign | KU.cRLSign, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }, root);
    const leaf = await issue({ name: 'Fuzz Leaf', subject: 'O=Example, CN=Fuzz Leaf', keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [EKU.documentSigning], notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') }, mid);
    const at = new Date('2026-06-01T00:00:00Z');
    const genuine = { leaf: leaf.der, pool: [mid.der], anchors: [root.der], at, purpose: 'document-signing' as const };
    expect((await validatePath(genuine)).problems).toEqual([]);
    const which = fc.constantFrom('leaf', 'pool', 'anchors');
    await fc.assert(fc.asyncProperty(which, fc.array(edit, { minLength: 1, maxLength: 4 }), async (w, edits) => {
      const input = w === 'leaf' ? { ...genuine, leaf: mutate(leaf.der, edits) }
        : w === 'pool' ? { ...genuine, pool: [mutate(mid.der, edits)] } : { ...genuine, anchors: [mutate(root.der, edits)] };
      const r = await validatePath(input);
      expect(Array.isArray(r.problems)).toBe(true);
      if (!r.ok) expect(r.problems.length).toBeGreaterThan(0);
    }), settings(1911, 150));
  });
});

describe('the JSON attachment scanner', () => {
  it('random bytes: counts or refuses, never throws; what it lets through parses or is a syntax error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      const problem = jsonShapeProblem('x.json', bytes, new JsonBudget(10_000, 8));
      if (problem === undefined) {
        try {
          JSON.parse(Buffer.from(bytes).toString('utf8'));
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
        }
      }
    }), settings(1904, 2000));
  });

  it('valid JSON: refused exactly when deeper than the cap (strings full of brackets and escapes included)', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 1, max: 6 }), (v, cap) => {
      const text = JSON.stringify(v);
      const problem = jsonShapeProblem('x.json', Buffer.from(text), new JsonBudget(1_000_000, cap));
      expect(problem === undefined).toBe(depthOf(v) <= cap);
    }), settings(1905, 1000));
  });
});

describe('the archive', () => {
  it('parseEntry on edited entries: an entry or the reason, never an exception', async () => {
    const a = await openArchive(join(dir, 'arch'), { forWriting: true });
    const { stored } = await a.append(appendInput('run-1', '2026-02-01T02:00:00.000Z', 1));
    a.close();
    const bytes = Buffer.from(JSON.stringify(stored.entry, null, 2));
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      const r = parseEntry(mutate(bytes, edits));
      expect(typeof r === 'string' || (typeof r === 'object' && r.formatVersion === 1)).toBe(true);
    }), settings(1906, 1000));
  });

  it('archive verify over an edited entry or a JSON value in its place: a verdict naming the problem', async () => {
    const where = join(dir, 'arch2');
    const a = await openArchive(where, { forWriting: true });
    await a.append(appendInput('run-1', '2026-02-01T02:00:00.000Z', 1));
    const { stored } = await a.append(appendInput('run-2', '2026-02-02T02:00:00.000Z', 2));
    a.close();
    const original = Buffer.from(JSON.stringify(stored.entry, null, 2) + '\n');
    const file = join(where, entryKey(2));
    const hostile = fc.oneof(
      fc.array(edit, { minLength: 1, maxLength: 4 }).map((e) => mutate(original, e)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.record({ key: fc.constantFrom(...Object.keys(stored.entry)), value: fc.jsonValue({ maxDepth: 2 }) })
        .map(({ key, value }) => Buffer.from(JSON.stringify({ ...stored.entry, [key]: value }))),
    );
    await fc.assert(fc.asyncProperty(hostile, async (bytes) => {
      writeFileSync(file, bytes);
      const v = await openArchive(where);
      const r = await v.verify();
      v.close();
      if (!bytes.equals(original)) expect(r.problems.length > 0 || r.intact).toBe(true);
      expect(Array.isArray(r.problems)).toBe(true);
    }), settings(1907, 120));
  });
});

describe('shard manifests (merge)', () => {
  const accounts = ['111100000001', '111100000002'];
  const shard = (k: number): EvidenceBundle => ({
    manifest: {
      formatVersion: 1, runId: `shard-${k}`, tool: { name: 'trustpack', version: '0.1.0' }, accounts: [accounts[k - 1]!], regions: ['us-east-1'],
      startedAt: '2026-03-01T00:00:00.000Z', endedAt: '2026-03-01T00:00:00.000Z',
      collections: [{ collector: 'rds.db-clusters', account: accounts[k - 1]!, region: 'us-east-1', status: 'ok', calls: 1, records: 0, startedAt: '2026-03-01T00:00:00.000Z', endedAt: '2026-03-01T00:00:00.000Z' }],
      files: [], shard: { k, n: 2, accountsSha256: accountsDigest(accounts), accounts: 2 },
    },
    records: [],
  });

  it('a field of shard 2 replaced by any JSON value, or its manifest edited: merged or exit 2 (BundleError), nothing else', async () => {
    const s1 = join(dir, 'shard-1');
    const s2 = join(dir, 'shard-2');
    await writeBundle(shard(1), s1);
    const { manifest } = await writeBundle(shard(2), s2);
    const text = Buffer.from(JSON.stringify(manifest, null, 2));
    // the unmutated pair merges
    await mergeShardDirs([s1, s2], join(dir, 'merged-0'));
    let n = 0;
    const keys = Object.keys(manifest) as (keyof typeof manifest)[];
    const hostile = fc.oneof(
      fc.record({ key: fc.constantFrom(...keys, 'accountRegions', 'regionsNotEnabled'), value: fc.jsonValue({ maxDepth: 3 }) })
        .map(({ key, value }) => Buffer.from(JSON.stringify({ ...manifest, [key]: value }))),
      fc.record({ key: fc.constantFrom('k', 'n', 'accounts', 'accountsSha256'), value: fc.jsonValue({ maxDepth: 1 }) })
        .map(({ key, value }) => Buffer.from(JSON.stringify({ ...manifest, shard: { ...manifest.shard, [key]: value } }))),
      fc.array(edit, { minLength: 1, maxLength: 4 }).map((e) => mutate(text, e)),
    );
    await fc.assert(fc.asyncProperty(hostile, async (bytes) => {
      writeFileSync(join(s2, 'manifest.json'), bytes);
      try {
        await mergeShardDirs([s1, s2], join(dir, `merged-${++n}`));
      } catch (e) {
        if (!(e instanceof BundleError)) throw e;
      }
    }), settings(1908, 200));
  });
});

describe('YAML: project files and controls', () => {
  const known = new Set(COLLECTORS.map((c) => c.id));
  const controls = loadCatalog(join(ROOT, 'controls'), { knownCollectors: known }).controls;
  const project = [
    'organisation: Example SaaS Inc.', 'parameters:', '  deletion_window_days: 30', '  customer_data_bucket_pattern: "^example-"',
    'control_parameters:', '  rds-cluster-members-multi-az: { min_member_zones: 3 }', 'regions: [us-east-1]', '',
  ].join('\n');
  // YAML's own syntax, so edits build anchors, aliases, tags, flow collections and merge keys
  const yamlish = fc.constantFrom(...'&*!|>:-[]{},#"\'\n <<%@`?'.split('').map((c) => c.charCodeAt(0)));
  const yamlEdit = fc.tuple(edit, yamlish).map(([e, b]) => ({ ...e, byte: b }));

  it('trustpack.yaml edited: problems at FILE:LINE, never an exception', () => {
    const file = join(dir, 'trustpack.yaml');
    expect(loadProject((writeFileSync(file, project), file), { controls }).problems).toEqual([]);
    fc.assert(fc.property(fc.array(yamlEdit, { minLength: 1, maxLength: 6 }), (edits) => {
      writeFileSync(file, mutate(Buffer.from(project), edits));
      const r = loadProject(file, { controls });
      for (const p of r.problems) expect(p.line).toBeGreaterThanOrEqual(1);
      r.checkAgainst(controls);
    }), settings(1909, 400));
  });

  it('a control file edited: problems at FILE:LINE, never an exception', () => {
    const cat = join(dir, 'catalog');
    mkdirSync(join(cat, 'frameworks'), { recursive: true });
    writeFileSync(join(cat, 'frameworks', 'soc2.yaml'), 'id: soc2\nname: SOC 2\nversion: "2017"\nrequirements:\n  CC6.1: { title: Logical access }\n');
    const control = [
      'id: fuzzed', 'title: t', 'description: d', 'severity: high', 'kind: automated', 'collector: rds.db-clusters',
      'scope: { path: Engine, op: matches, value: "^aurora" }',
      'assert:', '  all:', '    - { path: StorageEncrypted, op: equals, value: true }', '    - { path: BackupRetentionPeriod, op: less-or-equal, param: window_days }',
      'parameters:', '  window_days: { type: days, default: 15, description: the window }', 'frameworks: { soc2: [CC6.1] }', 'remediation: r', '',
    ].join('\n');
    fc.assert(fc.property(fc.array(yamlEdit, { minLength: 1, maxLength: 6 }), (edits) => {
      writeFileSync(join(cat, 'fuzzed.yaml'), mutate(Buffer.from(control), edits));
      const r = loadCatalog(cat, { knownCollectors: known });
      for (const p of r.problems) expect(p.line).toBeGreaterThanOrEqual(1);
    }), settings(1910, 300));
  });
});
