#!/usr/bin/env node
// Generates collectors/record-fields.generated.ts: for each collector, every field path its
// records' `data` can have. The fields come from the output shapes of the installed AWS SDK
// clients (the Smithy schemas each @aws-sdk/client-* package ships and exports), plus the
// fields a collector adds itself, declared with the collector (collectors/declarations.ts) and
// documented in collectors/README.md
// (test/record-fields.test.ts checks both). Never from a fixture: a path the sandbox happens not
// to serve is still a real field, and a typo is not one whatever a fixture holds.
//
// The control loader checks every scope and assert path against this table, so a control that
// reads `Engin` is an error at load time, not a silent NOT_APPLICABLE.
//
//   node scripts/gen-record-fields.mjs           write the module (after an SDK upgrade)
//   node scripts/gen-record-fields.mjs --check   exit 1 when the committed module differs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
export const OUTPUT = join(root, 'collectors', 'record-fields.generated.ts');

// The record shapes are declared with each collector in collectors/declarations.ts (TypeScript,
// read through tsx, a dev dependency, so this script needs no build).
const { tsImport } = await import('tsx/esm/api');
const { DECLARATIONS } = await tsImport('../collectors/declarations.ts', import.meta.url);
const { SERVICE_PACKAGES, S, ANY } = await tsImport('../collectors/record-shape.ts', import.meta.url);

/** collector id -> the shape of its records' data (as collectors/README.md documents it) */
export const RECORDS = Object.fromEntries(DECLARATIONS.map((d) => [d.id, d.records]));

// ---- reading the SDK's Smithy schemas ----------------------------------------------------
// A client exports each structure as `<Name>$`: [3, namespace, name, traits, memberNames,
// memberSchemas]; lists are [1, ns, name, traits, member], maps [2, ns, name, traits, key,
// value], aliases [0, ns, name, traits, target]; members are a number (a simple type; bit 64 a
// list of it, bit 128 a map of it), a lazy reference `() => schema`, or `[reference, traits]`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const clients = new Map();
function client(pkg) {
  if (!clients.has(pkg)) clients.set(pkg, require(pkg));
  return clients.get(pkg);
}

const DOCUMENT = 15;

function deref(s) {
  for (;;) {
    if (typeof s === 'function') s = s();
    else if (Array.isArray(s) && s.length === 2) s = s[0];
    else if (Array.isArray(s) && s[0] === 0) s = s[4];
    else return s;
  }
}

/** The field tree of a schema: 0 scalar, 1 anything, {s, f} structure, {l} list, {m} map. */
function tree(schema, stack) {
  const s = deref(schema);
  if (typeof s === 'number') {
    if (s & 128) return { m: (s & 127) === DOCUMENT ? 1 : 0 };
    if (s & 64) return { l: (s & 63) === DOCUMENT ? 1 : 0 };
    return s === DOCUMENT ? 1 : 0;
  }
  if (!Array.isArray(s)) throw new Error(`unexpected schema ${String(s)}`);
  const kind = s[0];
  if (kind === 1) return { l: tree(s[4], stack) };
  if (kind === 2) return { m: tree(s[5], stack) };
  if (kind === 3 || kind === -3) {
    const name = s[2];
    if (stack.includes(name)) return 1; // a recursive shape: below this, anything
    const f = {};
    s[4].forEach((member, i) => { f[member] = tree(s[5][i], [...stack, name]); });
    return { s: name, f };
  }
  throw new Error(`unexpected schema kind ${kind} in ${JSON.stringify(s).slice(0, 80)}`);
}

function sdkTree([service, shape]) {
  const pkg = SERVICE_PACKAGES[service];
  if (!pkg) throw new Error(`no SDK client package declared for service ${service}`);
  const schema = client(pkg)[`${shape}$`];
  if (!schema) throw new Error(`${pkg} exports no shape ${shape}`);
  return tree(schema, []);
}

function declared(x) {
  if (x === S) return 0;
  if (x === ANY) return 1;
  if (x.sdk) return sdkTree(x.sdk);
  if (x.list) return { l: declared(x.list) };
  if (x.fields) return { f: Object.fromEntries(Object.entries(x.fields).map(([k, v]) => [k, declared(v)])) };
  throw new Error(`bad declaration ${JSON.stringify(x)}`);
}

/** A record shape (see RECORDS) as the field tree the control loader checks paths against. */
export function recordTree(spec) {
  const base = spec.spread ? sdkTree(spec.spread.sdk) : { f: {} };
  const added = declared({ fields: spec.fields });
  return { ...(base.s ? { s: base.s } : {}), f: { ...base.f, ...added.f } };
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

export function generate() {
  const table = Object.fromEntries(Object.entries(RECORDS).map(([id, spec]) => [id, recordTree(spec)]));
  const versions = [...new Set(Object.values(SERVICE_PACKAGES))].map((p) => `${p}@${versionOf(p)}`).join(', ');
  return '// GENERATED by scripts/gen-record-fields.mjs: do not edit.\n'
    + `// From the output shapes of ${versions},\n`
    + "// plus the fields each collector adds (collectors/declarations.ts). Run the script after an SDK upgrade or a declaration change.\n"
    + '// A field tree: 0 a scalar, 1 anything, {s: shape name, f: fields} a structure, {l: item} a list, {m: value} a map.\n'
    + "import type { FieldTree } from '../src/controls/record-paths.js';\n"
    + "import type { CollectorId } from './declarations.js';\n\n"
    + '// keyed by every declared id: a collector without its row does not compile\n'
    + 'export const RECORD_FIELDS: Readonly<Record<CollectorId, FieldTree>> = {\n'
    + Object.entries(table).map(([id, t]) => `  ${JSON.stringify(id)}: ${JSON.stringify(t)},\n`).join('')
    + '};\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  let current = '';
  try { current = readFileSync(OUTPUT, 'utf8'); } catch { /* missing: stale, or the first run */ }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(`${OUTPUT} is stale: run node scripts/gen-record-fields.mjs`);
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(OUTPUT, text);
  }
}
