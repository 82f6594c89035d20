// Reliability on bad input: seeded broken control files, trustpack.yaml files, sandbox fixtures,
// fault plans and evidence bundles. In-process for the many cases (the loaders must report a
// problem naming the file, never throw anything else), the CLI for a sample (exit 2, the file named
// on stderr, never a stack trace, never a new file in the output folder).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadCatalog, loadProject } from '../src/controls/load.js';
import { readYaml } from '../src/controls/read-yaml.js';
import { parseDocument } from 'yaml';
import { inspect, isDeepStrictEqual } from 'node:util';
import { COLLECTORS } from '../collectors/registry.js';
import { collectEvidence } from '../collectors/run.js';
import { BundleError, readBundle, writeBundle } from '../src/evidence/bundle.js';
import { FixtureError, parseFaultPlan, parseFixture } from '../src/sandbox/index.js';
import { loadProjectContext } from '../src/app/project.js';
import { evaluate } from '../src/engine/evaluate.js';
import type { EvidenceBundle } from '../src/evidence/model.js';
import { UsageError } from '../src/util/errors.js';
import { formatProblem, type LoadProblem } from '../src/controls/model.js';
import { BIN, runCli } from './helpers/cli.js';
import {
  NOW, PROJECT_FILE, REGIONS, ROOT, SAMPLE_ACCOUNT, STACK_LINE, TOOL_VERSION, evaluateSample, listFiles, projectContext,
  sampleSandbox, useSandboxEnv,
} from './helpers/reliability-env.js';
import { applyMutation, describeMutation, mutationArb, type Mutation } from './helpers/reliability-mutate.js';

const SEED = 6_2026_11;
const N = { fastYaml: 400, controls: 150, jmespath: 40, project: 60, fixtures: 80, faultPlans: 60, bundles: 160 };
const KNOWN = new Set(COLLECTORS.map((c) => c.id));
const CONTROL_FILES = readdirSync(join(ROOT, 'controls')).filter((f) => f.endsWith('.yaml') && f !== 'claims.yaml').sort();

let tmp: string;
let bundleDir: string;
let sampleBundle: EvidenceBundle;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tp-rel-bad-'));
  const sb = await sampleSandbox();
  try {
    useSandboxEnv(sb.url);
    sampleBundle = await collectEvidence({ regions: REGIONS, toolVersion: TOOL_VERSION, now: () => NOW });
    bundleDir = join(tmp, 'bundle');
    await writeBundle(sampleBundle, bundleDir);
  } finally {
    await sb.close();
  }
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let seq = 0;
const fresh = (name: string): string => {
  const d = join(tmp, `${name}-${seq++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A controls folder holding the framework catalogs and one control file with these bytes. */
function controlsDir(file: string, bytes: Buffer | string): string {
  const dir = fresh('controls');
  cpSync(join(ROOT, 'controls/frameworks'), join(dir, 'frameworks'), { recursive: true });
  writeFileSync(join(dir, file), bytes);
  return dir;
}

let shared: string | undefined;
/** One reused controls folder for the in-process cases: its only control file is replaced each time. */
function sharedControlsDir(file: string, bytes: Buffer): string {
  if (!shared) {
    shared = fresh('controls-shared');
    cpSync(join(ROOT, 'controls/frameworks'), join(shared, 'frameworks'), { recursive: true });
  }
  for (const f of readdirSync(shared)) if (f !== 'frameworks') rmSync(join(shared, f), { force: true });
  writeFileSync(join(shared, file), bytes);
  return shared;
}

/** A load problem is well formed: the file named, a position, a one-line message without a stack. */
function problemIssues(p: LoadProblem, file: string): string[] {
  const out: string[] = [];
  if (p.file !== file) out.push(`names ${p.file}, not ${file}`);
  if (!Number.isInteger(p.line) || p.line < 1 || !Number.isInteger(p.col) || p.col < 1) out.push(`bad position ${p.line}:${p.col}`);
  if (typeof p.message !== 'string' || p.message.trim() === '') out.push('empty message');
  if (STACK_LINE.test(formatProblem(p))) out.push('a stack trace in the message');
  return out;
}

/** Checks one broken control file in-process; returns what is wrong (nothing when all is well). */
function checkControlFile(name: string, bytes: Buffer, mustFail: boolean): string[] {
  const dir = sharedControlsDir(name, bytes);
  const file = join(dir, name);
  let catalog: ReturnType<typeof loadCatalog>;
  try {
    catalog = loadCatalog(dir, { knownCollectors: KNOWN });
  } catch (e) {
    return [`loadCatalog threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`];
  }
  const out = catalog.problems.flatMap((p) => problemIssues(p, file).map((s) => `problem ${formatProblem(p).slice(0, 200)}: ${s}`));
  if (catalog.frameworks.length !== 5) out.push(`${catalog.frameworks.length} frameworks loaded, expected 5`);
  if (catalog.problems.length === 0) {
    if (mustFail) out.push('accepted although it is invalid');
    if (catalog.controls.length !== 1) out.push(`no problem, yet ${catalog.controls.length} controls`);
    // whatever loads must evaluate, and render as a sentence
    try {
      const r = evaluate(catalog.controls, sampleBundle, { toolVersion: TOOL_VERSION, now: NOW });
      if (r.controls.length !== 1) out.push(`${r.controls.length} results for one control`);
    } catch (e) {
      out.push(`evaluate threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
    }
  } else if (catalog.controls.length !== 0) {
    out.push('a control was loaded from a file with problems');
  }
  return out;
}

describe(`broken control files (seed ${SEED})`, () => {
  it(`${N.controls} mutated catalog controls: a problem naming the file, or a control that loads and evaluates`, () => {
    const cases = fc.sample(fc.record({ file: fc.constantFrom(...CONTROL_FILES), m: mutationArb }), { seed: SEED, numRuns: N.controls });
    const problems: string[] = [];
    for (const [i, c] of cases.entries()) {
      const bytes = applyMutation(readFileSync(join(ROOT, 'controls', c.file)), c.m);
      const mustFail = c.m.kind === 'binary' || (c.m.kind === 'truncate' && bytes.length < 20);
      for (const p of checkControlFile(c.file, bytes, mustFail)) problems.push(`#${i} ${c.file} ${describeMutation(c.m)}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it(`${N.jmespath} invalid JMESPath paths are rejected at the path`, () => {
    const junk = fc.oneof(
      fc.constantFrom('foo[', ']', 'a.', '@@', '`unterminated', 'a[?b ==', '&&', 'length(', '"', 'a[-]', '[*].[', '...', 'a||', '!', 'a[0:1:0:1]', '{a: }', 'a.[b'),
      fc.string({ minLength: 0, maxLength: 20 }).map((s) => `${s}[`),
    );
    const cases = fc.sample(fc.record({ file: fc.constantFrom('rds-cluster-deletion-protection.yaml', 'rds-backup-retention-within-window.yaml', 'kms-key-enabled.yaml'), path: junk }), { seed: SEED + 1, numRuns: N.jmespath });
    const problems: string[] = [];
    for (const [i, c] of cases.entries()) {
      const text = readFileSync(join(ROOT, 'controls', c.file), 'utf8').replace(/^(\s*-?\s*path:)\s*.*$/m, `$1 ${JSON.stringify(c.path)}`);
      for (const p of checkControlFile(c.file, Buffer.from(text), true)) problems.push(`#${i} ${c.file} path ${JSON.stringify(c.path)}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('deeply nested assertions load and evaluate, or are reported against the file', () => {
    const base = readFileSync(join(ROOT, 'controls/rds-cluster-deletion-protection.yaml'), 'utf8').replace(/^examples:[\s\S]*$/m, '');
    const problems: string[] = [];
    for (const depth of [10, 200, 700, 900, 2000, 20000]) {
      for (const kind of ['not', 'all', 'any'] as const) {
        let a = '{ path: DeletionProtection, op: equals, value: true }';
        for (let i = 0; i < depth; i++) a = kind === 'not' ? `{ not: ${a} }` : `{ ${kind}: [${a}] }`;
        const text = base.replace(/^assert:[\s\S]*?(?=^\w)/m, `assert: ${a}\n`);
        for (const p of checkControlFile('rds-cluster-deletion-protection.yaml', Buffer.from(text), false)) problems.push(`${kind} x ${depth}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe(`the YAML reader (js-yaml, else the yaml library) on broken files (seed ${SEED + 10})`, () => {
  it(`${N.fastYaml} mutated control, framework and project files: readYaml gives what the yaml library gives`, () => {
    const sources = [
      ...CONTROL_FILES.map((f) => join(ROOT, 'controls', f)),
      ...readdirSync(join(ROOT, 'controls/frameworks')).map((f) => join(ROOT, 'controls/frameworks', f)),
      PROJECT_FILE,
    ];
    const cases = fc.sample(fc.record({ file: fc.constantFrom(...sources), m: mutationArb.filter((m: Mutation) => m.kind !== 'huge-string') }), { seed: SEED + 10, numRuns: N.fastYaml });
    const problems: string[] = [];
    const file = join(fresh('yaml'), 'input.yaml');
    let valid = 0;
    for (const [i, c] of cases.entries()) {
      const bytes = applyMutation(readFileSync(c.file), c.m);
      writeFileSync(file, bytes);
      const label = `#${i} ${basename(c.file)} ${describeMutation(c.m)}`;
      let got: ReturnType<typeof readYaml>;
      try {
        got = readYaml(file);
      } catch (e) {
        problems.push(`${label}: readYaml threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
        continue;
      }
      const doc = parseDocument(bytes.toString('utf8'), { prettyErrors: false, uniqueKeys: true });
      if (doc.errors.length > 0) {
        if (got.problems.length === 0) problems.push(`${label}: accepted a file the yaml library refuses (${doc.errors[0]!.message.split('\n')[0]})`);
        continue;
      }
      let expected: unknown;
      try {
        expected = doc.toJS({ maxAliasCount: 1000 });
      } catch {
        continue; // e.g. too many aliases: readYaml reports it as a problem of its own
      }
      valid++;
      if (got.problems.length > 0) problems.push(`${label}: refused a file the yaml library reads: ${got.problems.map((p) => p.message).join('; ').slice(0, 200)}`);
      else if (!isDeepStrictEqual(got.data, expected)) {
        problems.push(`${label}: readYaml and the yaml library disagree: ${inspect(got.data, { depth: 3 }).slice(0, 200)} vs ${inspect(expected, { depth: 3 }).slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(valid).toBeGreaterThan(N.fastYaml * 0.2);
  });
});

describe('broken trustpack.yaml', () => {
  it(`${N.project} mutated project files: problems naming the file, never a throw`, () => {
    const original = readFileSync(PROJECT_FILE);
    const controls = projectContext().controls;
    const cases = fc.sample(mutationArb, { seed: SEED + 2, numRuns: N.project });
    const problems: string[] = [];
    for (const [i, m] of cases.entries()) {
      const dir = fresh('project');
      const file = join(dir, 'trustpack.yaml');
      writeFileSync(file, applyMutation(original, m));
      try {
        const r = loadProject(file, { controls });
        for (const p of r.problems) for (const s of problemIssues(p, file)) problems.push(`#${i} ${describeMutation(m)}: ${formatProblem(p).slice(0, 200)}: ${s}`);
        if (m.kind === 'binary' && r.problems.length === 0 && m.bytes.length > 0) problems.push(`#${i} binary accepted`);
      } catch (e) {
        problems.push(`#${i} ${describeMutation(m)}: loadProject threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
      }
      // the whole context (every fourth case: it loads the catalog): a usage error naming the file
      if (i % 4 === 0) try {
        loadProjectContext({ project: file });
      } catch (e) {
        if (!(e instanceof UsageError)) problems.push(`#${i} ${describeMutation(m)}: loadProjectContext threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
        else if (!e.message.includes(dir) && !e.message.includes(ROOT)) problems.push(`#${i} ${describeMutation(m)}: the error names no file: ${e.message.slice(0, 200)}`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  });
});

function fixtureIssues(run: () => unknown, file: string, label: string): string[] {
  try {
    run();
    return [];
  } catch (e) {
    if (!(e instanceof FixtureError)) return [`${label}: threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`];
    const out: string[] = [];
    if (!e.message.startsWith(`${file}:`)) out.push(`${label}: the message does not start with the file: ${e.message.slice(0, 200)}`);
    if (STACK_LINE.test(e.message)) out.push(`${label}: a stack trace in the message`);
    return out;
  }
}

describe('broken sandbox fixtures and fault plans', () => {
  it(`${N.fixtures} mutated sample fixtures: a FixtureError "FILE:LINE:COL: problem" or a fixture`, () => {
    const original = readFileSync(SAMPLE_ACCOUNT);
    const file = '/fixtures/account.yaml';
    const cases = fc.sample(mutationArb, { seed: SEED + 3, numRuns: N.fixtures });
    const problems = cases.flatMap((m, i) => fixtureIssues(() => parseFixture(applyMutation(original, m).toString('utf8'), file, NOW), file, `#${i} ${describeMutation(m)}`));
    expect(problems).toEqual([]);
  });

  it(`${N.faultPlans} mutated fault plans: a FixtureError naming the file or a plan`, () => {
    const original = Buffer.from([
      'seed: 7', 'latencyMs: 5', 'rules:',
      '  - { service: rds, kind: throttle, rate: 0.5 }',
      '  - service: kms', '    region: eu-central-1', '    kind: access-denied',
      '  - operation: DescribeDBClusters', '    account: "111122223333"', '    kind: timeout', '    times: 1', '',
    ].join('\n'));
    const file = '/plans/faults.yaml';
    const cases = fc.sample(mutationArb, { seed: SEED + 4, numRuns: N.faultPlans });
    const problems = cases.flatMap((m, i) => fixtureIssues(() => parseFaultPlan(applyMutation(original, m).toString('utf8'), file), file, `#${i} ${describeMutation(m)}`));
    expect(problems).toEqual([]);
  });
});

// ---- evidence bundles ------------------------------------------------------------------------

type BundleMutation =
  | { kind: 'manifest-truncate'; at: number }
  | { kind: 'manifest-byte'; at: number; byte: number }
  | { kind: 'manifest-wrong-type'; field: number; value: number }
  | { kind: 'manifest-junk'; bytes: number[] }
  | { kind: 'records-truncate'; file: number; at: number }
  | { kind: 'records-byte'; file: number; at: number; byte: number }
  | { kind: 'records-rehashed-edit'; file: number; edit: number }
  | { kind: 'delete'; file: number }
  | { kind: 'extra-file' }
  | { kind: 'path-escape'; path: number };

const FIELDS: ((m: any, v: unknown) => void)[] = [
  (m, v) => (m.formatVersion = v), (m, v) => (m.runId = v), (m, v) => (m.tool = v), (m, v) => (m.tool.name = v),
  (m, v) => (m.accounts = v), (m, v) => (m.regions = v), (m, v) => (m.startedAt = v), (m, v) => (m.collections = v),
  (m, v) => (m.collections[0].status = v), (m, v) => (m.collections[1].calls = v), (m, v) => (m.collections[2].error = v),
  (m, v) => (m.files = v), (m, v) => (m.files[0].path = v), (m, v) => (m.files[0].sha256 = v), (m, v) => (m.files[1].bytes = v),
  (m, v) => (m.caller = v), (m, v) => (m.accounts = [v]),
];
// values wrong for every field above (none is a string where a string is wanted... see isWrong)
const WRONG: unknown[] = [null, 42, -1, 1.5, true, [], {}, [[1]], { code: 1 }, 'ok?'];

const bundleMutationArb: fc.Arbitrary<BundleMutation> = fc.oneof(
  fc.integer({ min: 0, max: 9998 }).map((n) => ({ kind: 'manifest-truncate' as const, at: n / 10_000 })),
  fc.record({ at: fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000), byte: fc.integer({ min: 0, max: 255 }) }).map((r) => ({ kind: 'manifest-byte' as const, ...r })),
  fc.record({ field: fc.nat(FIELDS.length - 1), value: fc.nat(WRONG.length - 1) }).map((r) => ({ kind: 'manifest-wrong-type' as const, ...r })),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 512 }).map((bytes) => ({ kind: 'manifest-junk' as const, bytes })),
  fc.record({ file: fc.nat(99), at: fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000) }).map((r) => ({ kind: 'records-truncate' as const, ...r })),
  fc.record({ file: fc.nat(99), at: fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000), byte: fc.integer({ min: 0, max: 255 }) }).map((r) => ({ kind: 'records-byte' as const, ...r })),
  fc.record({ file: fc.nat(99), edit: fc.nat(5) }).map((r) => ({ kind: 'records-rehashed-edit' as const, ...r })),
  fc.nat(99).map((file) => ({ kind: 'delete' as const, file })),
  fc.constant({ kind: 'extra-file' as const }),
  fc.nat(3).map((path) => ({ kind: 'path-escape' as const, path })),
);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Applies a mutation to a copy of the bundle at `dir`. Returns whether the result must be refused
 * (false only for manifest edits that may leave a readable manifest).
 */
function mutateBundle(dir: string, m: BundleMutation): { mustFail: boolean; names: string } {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const files: string[] = manifest.files.map((f: { path: string }) => f.path);
  const nonEmpty = files.filter((f) => readFileSync(join(dir, f)).length > 0);
  const writeManifest = (v: unknown) => writeFileSync(manifestPath, JSON.stringify(v, null, 2) + '\n');
  switch (m.kind) {
    case 'manifest-truncate': {
      const b = readFileSync(manifestPath);
      writeFileSync(manifestPath, b.subarray(0, Math.min(b.length - 2, Math.floor(m.at * b.length))));
      return { mustFail: true, names: manifestPath };
    }
    case 'manifest-byte': {
      const b = readFileSync(manifestPath);
      const at = Math.floor(m.at * b.length);
      b[at] = m.byte;
      writeFileSync(manifestPath, b);
      return { mustFail: false, names: manifestPath }; // e.g. a digit of a time: still a readable manifest
    }
    case 'manifest-wrong-type': {
      FIELDS[m.field]!(manifest, structuredClone(WRONG[m.value]));
      writeManifest(manifest);
      // 'ok?' is a string: right type for runId/startedAt, wrong for the rest
      const maybeFine = WRONG[m.value] === 'ok?' && [1, 6, 13, 16].includes(m.field);
      return { mustFail: !maybeFine, names: manifestPath };
    }
    case 'manifest-junk':
      writeFileSync(manifestPath, Buffer.from(m.bytes));
      return { mustFail: true, names: manifestPath };
    case 'records-truncate': {
      const f = join(dir, nonEmpty[m.file % nonEmpty.length]!);
      const b = readFileSync(f);
      writeFileSync(f, b.subarray(0, Math.min(b.length - 1, Math.floor(m.at * b.length))));
      return { mustFail: true, names: f };
    }
    case 'records-byte': {
      const f = join(dir, nonEmpty[m.file % nonEmpty.length]!);
      const b = readFileSync(f);
      const at = Math.floor(m.at * b.length);
      b[at] = b[at] === m.byte ? (m.byte + 1) % 256 : m.byte;
      writeFileSync(f, b);
      return { mustFail: true, names: f };
    }
    case 'records-rehashed-edit': {
      // a consistent forgery: the record changed and the manifest's hash and size updated to match
      const rel = nonEmpty[m.file % nonEmpty.length]!;
      const f = join(dir, rel);
      const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');
      const rec = JSON.parse(lines[0]!);
      const edits: (() => string)[] = [
        () => JSON.stringify({ ...rec, data: { forged: true } }),
        () => JSON.stringify({ ...rec, resource: 42 }),
        () => JSON.stringify({ ...rec, source: null }),
        () => '{"not": "a record"',
        () => JSON.stringify({ ...rec, collector: 'other.collector' }),
        () => lines[1] ?? JSON.stringify({ ...rec, id: 'f'.repeat(64) }), // a duplicate (or a wrong id)
      ];
      lines[0] = edits[m.edit % edits.length]!();
      const bytes = Buffer.from(lines.join('\n') + '\n');
      writeFileSync(f, bytes);
      const entry = manifest.files.find((x: { path: string }) => x.path === rel);
      entry.sha256 = sha256(bytes);
      entry.bytes = bytes.length;
      writeManifest(manifest);
      return { mustFail: true, names: f };
    }
    case 'delete': {
      const all = ['manifest.json', ...files];
      const rel = all[m.file % all.length]!;
      unlinkSync(join(dir, rel));
      return { mustFail: true, names: join(dir, rel) };
    }
    case 'extra-file':
      writeFileSync(join(dir, 'records/evil.jsonl'), '{}\n');
      return { mustFail: true, names: join(dir, 'records/evil.jsonl') };
    case 'path-escape': {
      const paths = ['../../../etc/passwd', '/etc/passwd', 'records/../manifest.json', 'records/x.jsonl\u0000'];
      manifest.files[0].path = paths[m.path]!;
      writeManifest(manifest);
      return { mustFail: true, names: manifestPath };
    }
  }
}

describe(`broken evidence bundles (seed ${SEED})`, () => {
  it('the unbroken bundle reads', async () => {
    const b = await readBundle(bundleDir);
    expect(b.records.length).toBeGreaterThan(20);
  });

  it(`${N.bundles} broken bundles: a BundleError naming the file, never a throw of another kind`, async () => {
    const cases = fc.sample(bundleMutationArb, { seed: SEED + 5, numRuns: N.bundles });
    const problems: string[] = [];
    let refused = 0;
    for (const [i, m] of cases.entries()) {
      const dir = fresh('bundle');
      cpSync(bundleDir, dir, { recursive: true });
      const { mustFail, names } = mutateBundle(dir, m);
      const label = `#${i} ${m.kind === 'manifest-junk' ? `manifest-junk(${m.bytes.length} bytes)` : JSON.stringify(m)}`;
      try {
        const b = await readBundle(dir);
        if (mustFail) problems.push(`${label}: accepted`);
        else {
          try {
            evaluateSample(b);
          } catch (e) {
            problems.push(`${label}: read, then evaluate threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
          }
        }
      } catch (e) {
        refused++;
        if (!(e instanceof BundleError)) problems.push(`${label}: threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
        else {
          if (!e.message.includes(dir)) problems.push(`${label}: the message names no file of the bundle: ${e.message.slice(0, 200)}`);
          if (mustFail && !e.message.includes(basename(names)) && !e.message.includes('manifest.json')) problems.push(`${label}: expected ${names} named: ${e.message.slice(0, 200)}`);
          if (!e.message.startsWith(dir)) problems.push(`${label}: the message does not start with the file: ${e.message.slice(0, 200)}`);
          if (e.message.includes('\n')) problems.push(`${label}: not one line: ${e.message.slice(0, 200)}`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
    expect(refused).toBeGreaterThan(N.bundles * 0.8);
  });
});

// ---- the CLI on a sample -----------------------------------------------------------------------

interface CliCase {
  name: string;
  args: string[];
  /** a path the error must name */
  names: string;
  /** folders that must not gain files */
  quiet: string[];
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/** `trustpack sandbox` with a fixture: exit 2 quickly when broken; a valid one serves forever (killed). */
function runSandboxCli(args: string[]): Promise<{ code: number | null; stderr: string; served: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sandbox', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let served = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('listening on')) {
        served = true;
        child.kill('SIGKILL');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, served });
    });
  });
}

describe('the CLI on bad input (a sample)', () => {
  it('controls validate, evaluate --evidence, report --unsigned: exit 2, the file named, no stack, no output written', async () => {
    const cases: CliCase[] = [];
    const ctlMutations = fc.sample(fc.record({ file: fc.constantFrom(...CONTROL_FILES), m: mutationArb.filter((m: Mutation) => m.kind === 'binary' || m.kind === 'wrong-type' || m.kind === 'truncate') }), { seed: SEED + 6, numRuns: 12 });
    for (const [i, c] of ctlMutations.entries()) {
      const bytes = applyMutation(readFileSync(join(ROOT, 'controls', c.file)), c.m);
      const dir = controlsDir(c.file, bytes);
      // only files the loader refuses (checked in-process above): the CLI must refuse them too
      if (loadCatalog(dir, { knownCollectors: KNOWN }).problems.length === 0) continue;
      if (cases.filter((x) => x.args[0] === 'controls').length >= 6) break;
      cases.push({ name: `controls validate #${i} ${c.file} ${describeMutation(c.m)}`, args: ['controls', 'validate', '--controls', dir], names: join(dir, c.file), quiet: [] });
    }
    const bundleMutations = fc.sample(bundleMutationArb.filter((m) => m.kind !== 'manifest-byte' && m.kind !== 'manifest-wrong-type'), { seed: SEED + 7, numRuns: 10 });
    for (const [i, m] of bundleMutations.entries()) {
      const dir = fresh('cli-bundle');
      cpSync(bundleDir, dir, { recursive: true });
      const { names } = mutateBundle(dir, m);
      const out = fresh('cli-out');
      const label = m.kind === 'manifest-junk' ? 'manifest-junk' : JSON.stringify(m);
      if (i % 2 === 0) cases.push({ name: `evaluate #${i} ${label}`, args: ['evaluate', '--evidence', dir, '--format', 'json', '--output', join(out, 'results.json')], names, quiet: [out, dir] });
      else cases.push({ name: `report #${i} ${label}`, args: ['report', '--evidence', dir, '--unsigned', '--out', join(out, 'pack.pdf')], names, quiet: [out, dir] });
    }
    // a broken project file reaches evaluate too
    for (const [i, m] of fc.sample(mutationArb.filter((x: Mutation) => x.kind === 'binary' || x.kind === 'wrong-type'), { seed: SEED + 8, numRuns: 3 }).entries()) {
      const dir = fresh('cli-project');
      const file = join(dir, 'trustpack.yaml');
      writeFileSync(file, applyMutation(readFileSync(PROJECT_FILE), m));
      if (loadProject(file).problems.length === 0) continue;
      const out = fresh('cli-out');
      cases.push({ name: `evaluate --project #${i} ${describeMutation(m)}`, args: ['evaluate', '--evidence', bundleDir, '--project', file, '--output', join(out, 'r.json')], names: file, quiet: [out] });
    }

    const results = await pool(cases, 4, async (c) => {
      const before = c.quiet.map((d) => listFiles(d));
      const r = await runCli(c.args, { env: { TRUSTPACK_DEBUG: undefined } });
      const after = c.quiet.map((d) => listFiles(d));
      const issues: string[] = [];
      if (r.code !== 2) issues.push(`exit ${r.code}, expected 2`);
      if (!r.stderr.includes(c.names) && !r.stderr.includes(basename(c.names))) issues.push(`stderr does not name ${c.names}`);
      if (STACK_LINE.test(r.stderr)) issues.push('a stack trace on stderr');
      if (JSON.stringify(before) !== JSON.stringify(after)) issues.push(`new files: ${JSON.stringify(after)}`);
      return issues.map((s) => `${c.name}: ${s} (stderr: ${r.stderr.slice(0, 300)})`);
    });
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(results.flat()).toEqual([]);
    console.log(`reliability-bad-input: ${cases.length} CLI cases`);
  }, 120_000);

  it('sandbox --fixture / --faults: a broken file exits 2 without serving, naming the file', async () => {
    const cases: { name: string; args: string[]; file: string }[] = [];
    for (const [i, m] of fc.sample(mutationArb, { seed: SEED + 9, numRuns: 12 }).entries()) {
      const dir = fresh('cli-fixture');
      const file = join(dir, 'account.yaml');
      const bytes = applyMutation(readFileSync(SAMPLE_ACCOUNT), m);
      writeFileSync(file, bytes);
      let valid = true;
      try {
        parseFixture(bytes.toString('utf8'), file);
      } catch {
        valid = false;
      }
      if (!valid && cases.length < 5) cases.push({ name: `fixture #${i} ${describeMutation(m)}`, args: ['--fixture', file, '--port', '0'], file });
    }
    const planFile = join(fresh('cli-plan'), 'faults.yaml');
    writeFileSync(planFile, 'seed: 7\nrules:\n  - { service: rds, kind: explode, rate: 2 }\n');
    cases.push({ name: 'fault plan with an unknown kind', args: ['--faults', planFile, '--port', '0'], file: planFile });
    const results = await pool(cases, 3, async (c) => {
      const r = await runSandboxCli(c.args);
      const issues: string[] = [];
      if (r.served) issues.push('served a broken file');
      if (r.code !== 2) issues.push(`exit ${r.code}, expected 2`);
      if (!r.stderr.includes(c.file)) issues.push('stderr does not name the file');
      if (STACK_LINE.test(r.stderr)) issues.push('a stack trace on stderr');
      return issues.map((s) => `${c.name}: ${s} (stderr: ${r.stderr.slice(0, 300)})`);
    });
    expect(cases.length).toBeGreaterThanOrEqual(4);
    expect(results.flat()).toEqual([]);
  }, 120_000);

  it('a valid fixture makes the sandbox serve (and it is killed)', async () => {
    const r = await runSandboxCli(['--fixture', SAMPLE_ACCOUNT, '--port', '0']);
    expect(r.served).toBe(true);
  }, 60_000);
});

