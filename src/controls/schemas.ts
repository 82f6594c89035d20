// Compiles the JSON Schemas in controls/schema once per process.
// The schema files are the published contract (editors and CI can use them directly), so the
// loader reads them from disk rather than embedding a copy that could drift.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type SchemaName = 'control' | 'framework' | 'project' | 'waivers' | 'attestations';

// ajv and ajv-formats are CommonJS; under NodeNext the default import is the exports object.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

/** Walks up from this module to the package root; works from src/ (tsx) and from dist/src/ (build). */
export function schemaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'controls', 'schema');
    if (existsSync(join(candidate, 'control.schema.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('trustpack installation is incomplete: controls/schema/control.schema.json not found');
}

let cache: Map<SchemaName, ValidateFunction> | undefined;

export function validator(name: SchemaName): ValidateFunction {
  if (!cache) {
    // verbose: keeps parentSchema on each error so `x-message` wording can be used.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
    cache = new Map();
    const dir = schemaDir();
    for (const n of ['control', 'framework', 'project', 'waivers', 'attestations'] as const) {
      const schema = JSON.parse(readFileSync(join(dir, `${n}.schema.json`), 'utf8')) as object;
      cache.set(n, ajv.compile(schema));
    }
  }
  const v = cache.get(name);
  if (!v) throw new Error(`no schema ${name}`);
  return v;
}
