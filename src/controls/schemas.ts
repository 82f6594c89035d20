// The validators of the JSON Schemas in controls/schema, compiled ahead of time.
// The schema files are the published contract (editors and CI can use them directly) and the
// source of truth: scripts/gen-validators.mjs compiles them with ajv's standalone code
// generation into validators.generated.ts (run by `npm run build`; a test fails when that
// module is stale), so no schema is compiled, and ajv itself is not loaded, at run time.
import type { ValidateFunction } from 'ajv';
import * as generated from './validators.generated.js';

export type SchemaName = 'control' | 'framework' | 'project' | 'waivers' | 'attestations' | 'responses' | 'claims';

// Compiled with allErrors and verbose (errors keep parentSchema, so `x-message` wording is used).
const VALIDATORS = generated as unknown as Record<SchemaName, ValidateFunction | undefined>;

export function validator(name: SchemaName): ValidateFunction {
  const v = VALIDATORS[name];
  if (!v) throw new Error(`no schema ${name}`);
  return v;
}
