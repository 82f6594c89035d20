// Loads and validates the control catalog, framework catalogs, trustpack.yaml, waivers and
// attestations. Every problem is collected and returned with FILE:LINE:COL; nothing throws
// for a mistake in a user's file.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Attestation, Claim, Control, ManagementResponse, Framework, FrameworkId, LoadProblem, ProjectConfig, Waiver } from './model.js';
import { checkControl } from './check-control.js';
import { checkParameterValue, PARAMETER_TYPES, type ParameterType } from './parameter-types.js';
import type { FieldTree } from './record-paths.js';
import { expandConfigRule } from './expand.js';
import { readYaml, type YamlFile } from './read-yaml.js';
import { schemaProblems } from './schema-problems.js';
import { validator, type SchemaName } from './schemas.js';
import { locate, positionOf } from './yaml-locate.js';
import { regionNameProblem } from '../aws/regions.js';

export interface CatalogOptions {
  /** collector ids from the collector registry */
  knownCollectors: ReadonlySet<string>;
  /** collector id -> the fields its records can have; scope and assert paths are checked against it */
  recordFields?: Readonly<Record<string, FieldTree>>;
}

export interface Catalog {
  controls: Control[];
  frameworks: Framework[];
  /** the promises of controls/claims.yaml (empty when the folder has none) */
  claims: Claim[];
  problems: LoadProblem[];
}

const isYaml = (name: string): boolean => /\.ya?ml$/i.test(name);

function listYaml(dir: string, problems: LoadProblem[], what: string): string[] | undefined {
  try {
    if (!statSync(dir).isDirectory()) {
      problems.push({ file: dir, line: 1, col: 1, rule: 'missing-file', message: `is not a directory; expected the folder of ${what}` });
      return undefined;
    }
    return readdirSync(dir).filter(isYaml).sort();
  } catch {
    problems.push({ file: dir, line: 1, col: 1, rule: 'missing-file', message: `directory not found; expected the folder of ${what}` });
    return undefined;
  }
}

function at(y: YamlFile, segs: (string | number)[], rule: string, message: string, key = false): LoadProblem {
  const loc = y.doc ? locate(y.doc, segs) : {};
  const node = key ? loc.key ?? loc.node ?? loc.nearest : loc.node ?? loc.nearest;
  const pos = positionOf(node, y.lc);
  return { file: y.file, line: pos.line, col: pos.col, rule, message };
}

const MAX_NESTING = 200;

/** Depth of nested objects and arrays, counted without recursion. */
function nestingDepth(data: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[data, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_NESTING) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Reads a YAML file and validates it against a schema; data is set only when both succeed. */
// (the YamlFile itself is returned: its document is parsed lazily, only to report a problem)
function readValid(file: string, schema: SchemaName, fixNumbers?: (y: YamlFile) => void): YamlFile & { valid: boolean } {
  const y = readYaml(file) as YamlFile & { valid: boolean };
  y.valid = false;
  if (y.problems.length > 0) return y;
  if (y.data === null || y.data === undefined) {
    y.problems.push({ file, line: 1, col: 1, rule: 'schema', message: 'the file is empty' });
    return y;
  }
  const depth = nestingDepth(y.data);
  if (depth > MAX_NESTING) {
    // far beyond any real file, and deep enough to exhaust the stack of recursive checks
    y.problems.push({ file, line: y.contentLine(), col: 1, rule: 'schema', message: `the file nests ${depth} levels deep; at most ${MAX_NESTING} are allowed (an assertion this deep cannot be read by a person either)` });
    return y;
  }
  fixNumbers?.(y);
  const validate = validator(schema);
  if (!validate(y.data)) {
    y.problems.push(...schemaProblems(validate.errors ?? [], file, y.doc!, y.lc));
    return y;
  }
  y.valid = true;
  return y;
}

function fixFrameworkNumbers(y: YamlFile): void {
  const data = y.data as { version?: unknown; requirements?: { id?: unknown }[] } | undefined;
  if (!data || typeof data !== 'object') return;
  const v = y.numberSource(['version']);
  if (v !== undefined) data.version = v;
  if (Array.isArray(data.requirements)) {
    data.requirements.forEach((r, i) => {
      const t = y.numberSource(['requirements', i, 'id']);
      if (t !== undefined && r && typeof r === 'object') r.id = t;
    });
  }
}

function fixControlNumbers(y: YamlFile): void {
  const data = y.data as { frameworks?: Record<string, unknown> } | undefined;
  if (!data || typeof data !== 'object' || !data.frameworks || typeof data.frameworks !== 'object') return;
  for (const [fw, list] of Object.entries(data.frameworks)) {
    if (!Array.isArray(list)) continue;
    list.forEach((_, i) => {
      const t = y.numberSource(['frameworks', fw, i]);
      if (t !== undefined) list[i] = t;
    });
  }
}

function loadFrameworks(dir: string, problems: LoadProblem[]): Framework[] {
  const names = listYaml(dir, problems, 'framework catalogs (one <framework-id>.yaml each)');
  if (!names) return [];
  const out: Framework[] = [];
  const firstFile = new Map<string, string>();
  for (const name of names) {
    const y = readValid(join(dir, name), 'framework', fixFrameworkNumbers);
    problems.push(...y.problems);
    if (!y.valid) continue;
    const fw = y.data as Framework;
    const stem = name.replace(/\.ya?ml$/i, '');
    if (stem !== fw.id) problems.push(at(y, ['id'], 'schema', `framework id "${fw.id}" does not match the file name ${name}; name the file ${fw.id}.yaml`));
    const prev = firstFile.get(fw.id);
    if (prev) {
      problems.push(at(y, ['id'], 'duplicate-id', `framework "${fw.id}" is already defined in ${prev}`));
      continue;
    }
    firstFile.set(fw.id, y.file);
    const seen = new Set<string>();
    fw.requirements.forEach((r, i) => {
      if (seen.has(r.id)) problems.push(at(y, ['requirements', i, 'id'], 'duplicate-id', `requirement "${r.id}" is listed twice in ${fw.id}`));
      seen.add(r.id);
    });
    out.push(fw);
  }
  return out;
}

/** The catalog's promises file: not a control. */
const CLAIMS_FILE = 'claims.yaml';

function loadClaims(file: string, problems: LoadProblem[]): { claims: Claim[]; y?: YamlFile } {
  const y = readValid(file, 'claims');
  problems.push(...y.problems);
  if (!y.valid) return { claims: [] };
  const claims = (y.data as { claims: Claim[] }).claims;
  const seen = new Set<string>();
  claims.forEach((c, i) => {
    if (seen.has(c.id)) problems.push(at(y, ['claims', i, 'id'], 'duplicate-id', `claim id "${c.id}" appears twice`));
    seen.add(c.id);
  });
  return { claims, y };
}

/** Loads dir/*.yaml (one control each, sorted by file name; claims.yaml: the promises) and dir/frameworks/*.yaml. */
export function loadCatalog(dir: string, opts: CatalogOptions): Catalog {
  const problems: LoadProblem[] = [];
  const all = listYaml(dir, problems, 'control files (one control per .yaml file)');
  if (!all) return { controls: [], frameworks: [], claims: [], problems };
  const names = all.filter((n) => n !== CLAIMS_FILE);
  const { claims } = names.length < all.length ? loadClaims(join(dir, CLAIMS_FILE), problems) : { claims: [] as Claim[] };
  const claimIds = new Set(claims.map((c) => c.id));
  const frameworks = loadFrameworks(join(dir, 'frameworks'), problems);
  const byId = new Map<FrameworkId, Framework>(frameworks.map((f) => [f.id, f]));
  const controls: Control[] = [];
  const firstFile = new Map<string, string>();
  const paramTypes = new Map<string, { type: ParameterType; file: string }>();
  const corroborations: { y: YamlFile; id: string; target: string; rule: boolean }[] = [];
  for (const name of names) {
    const y = readValid(join(dir, name), 'control', fixControlNumbers);
    problems.push(...y.problems);
    if (!y.valid) continue;
    const raw = y.data as Control;
    const prev = firstFile.get(raw.id);
    if (prev) {
      problems.push(at(y, ['id'], 'duplicate-id', `control id "${raw.id}" is already used by ${prev}`));
      continue;
    }
    firstFile.set(raw.id, y.file);
    // doc and lc are read only to report a problem (the document is parsed then)
    const found = checkControl(raw, {
      file: y.file, get doc() { return y.doc!; }, get lc() { return y.lc; }, knownCollectors: opts.knownCollectors, frameworks: byId,
      numberSource: (segs) => y.numberSource(segs),
      ...(opts.recordFields ? { recordFields: opts.recordFields } : {}),
    });
    // trustpack.yaml's `parameters:` sets a name for every control that declares it, so one
    // name means one kind of value across the catalog
    for (const [name, def] of Object.entries(raw.parameters ?? {})) {
      const first = paramTypes.get(name);
      if (!first) paramTypes.set(name, { type: def.type, file: y.file });
      else if (first.type !== def.type) {
        found.push(at(y, ['parameters', name, 'type'], 'parameter-type', `parameter "${name}" is declared as ${def.type} here but as ${first.type} in ${first.file}; one name takes one type`));
      }
    }
    // with a claims file, every id a control names must be one of its promises
    if (names.length < all.length) {
      (raw.claims ?? []).forEach((id, i) => {
        if (!claimIds.has(id)) found.push(at(y, ['claims', i], 'unknown-claim', `claim "${id}" is not in ${CLAIMS_FILE} (${claims.length} promises, ${claims[0]?.id ?? ''}..${claims.at(-1)?.id ?? ''})`));
      });
    }
    problems.push(...found);
    if (found.length > 0) continue;
    if (raw.corroborates !== undefined) corroborations.push({ y, id: raw.id, target: raw.corroborates, rule: raw.config_rule !== undefined });
    controls.push({ ...expandConfigRule(raw), source: { file: y.file, line: y.contentLine() } });
  }
  // a corroborating rule names a control of the catalog that proves the claim without a rule
  const direct = new Map(controls.map((c) => [c.id, c]));
  for (const k of corroborations) {
    const target = direct.get(k.target);
    const problem = !k.rule ? `corroborates is for a config_rule control; ${k.id} has no config_rule`
      : !target ? `corroborates names "${k.target}", which is not a control of this catalog`
        : target.config_rule || target.corroborates ? `corroborates names "${k.target}", which is itself a Config rule control; name the control that reads the API`
          : undefined;
    if (problem) {
      problems.push(at(k.y, ['corroborates'], 'corroborates', problem));
      const i = controls.findIndex((c) => c.id === k.id);
      if (i >= 0) controls.splice(i, 1);
    }
  }
  return { controls, frameworks, claims, problems };
}

export interface ProjectOptions {
  /** when given, control_parameters and parameters are checked against these controls */
  controls?: readonly Control[];
}

/** Loads trustpack.yaml. */
export interface LoadedProject {
  config: ProjectConfig;
  problems: LoadProblem[];
  /**
   * Problems of the project against a catalog (unknown parameters and controls). The catalog's
   * folder may come from the project itself, so this runs once the catalog is loaded.
   */
  checkAgainst(controls: readonly Control[]): LoadProblem[];
}

export function loadProject(file: string, opts: ProjectOptions = {}): LoadedProject {
  const y = readValid(file, 'project');
  // A file the schema refuses is still checked for everything else its shape allows, so that
  // every mistake is reported in one pass, not one kind per run.
  const shaped = isObject(y.data) ? (y.data as ProjectConfig) : undefined;
  const config = y.valid ? (y.data as ProjectConfig) : {};
  const checkAgainst = (controls: readonly Control[]): LoadProblem[] => {
    const problems: LoadProblem[] = [];
    if (!shaped) return problems;
    const byId = new Map(controls.map((c) => [c.id, c]));
    const allParams = new Set(controls.flatMap((c) => Object.keys(c.parameters ?? {})));
    for (const [name, value] of Object.entries(isObject(shaped.parameters) ? shaped.parameters : {})) {
      if (!allParams.has(name)) {
        problems.push(at(y, ['parameters', name], 'unknown-parameter', `no control declares a parameter "${name}"`, true));
        continue;
      }
      const types = new Set(controls.flatMap((c) => { const d = c.parameters?.[name]; return d ? [d.type] : []; }));
      for (const type of types) problems.push(...typeProblems(y, ['parameters', name], `parameters.${name}`, type, value));
    }
    for (const [id, params] of Object.entries(isObject(shaped.control_parameters) ? shaped.control_parameters : {})) {
      if (!isObject(params)) continue;
      const control = byId.get(id);
      if (!control) {
        problems.push(at(y, ['control_parameters', id], 'unknown-parameter', `control_parameters names control "${id}", which is not in the catalog`, true));
        continue;
      }
      const declared = Object.keys(control.parameters ?? {});
      for (const [name, value] of Object.entries(params)) {
        const def = control.parameters?.[name];
        if (!def) {
          problems.push(at(y, ['control_parameters', id, name], 'unknown-parameter',
            `control "${id}" has no parameter "${name}"` + (declared.length ? ` (it declares: ${declared.join(', ')})` : ' (it declares none)'), true));
          continue;
        }
        problems.push(...typeProblems(y, ['control_parameters', id, name], `control_parameters.${id}.${name}`, def.type, value));
      }
    }
    return problems;
  };
  const problems = [...y.problems, ...regionProblems(y, shaped), ...(opts.controls ? checkAgainst(opts.controls) : [])];
  return { config, problems, checkAgainst };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `regions:` checked by the one region-name check the command line uses (src/aws/regions.ts). */
function regionProblems(y: YamlFile, data: ProjectConfig | undefined): LoadProblem[] {
  if (!data || !Array.isArray(data.regions)) return [];
  return data.regions.flatMap((name, i) => {
    if (typeof name !== 'string') return []; // the schema says so
    const found = regionNameProblem(name.trim());
    if (!found.problem) return [];
    const p = at(y, ['regions', i], 'region', `regions: ${found.problem}`);
    // a name the schema's pattern already refused is reported once
    return y.problems.some((s) => s.line === p.line && s.col === p.col) ? [] : [p];
  });
}

/** A project value checked against its parameter's type, each problem at its own line. */
function typeProblems(y: YamlFile, segs: (string | number)[], where: string, type: ParameterType, value: unknown): LoadProblem[] {
  return checkParameterValue(type, value, (rel) => y.numberSource([...segs, ...rel]))
    .map((p) => at(y, [...segs, ...p.at], p.rule ?? 'parameter-type', `${where} (${type}: ${PARAMETER_TYPES[type].describe}) ${p.message}`));
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const looksLikeDate = (v: string): boolean => DATE_PREFIX.test(v);

/** Date.parse accepts 2027-02-30 (as March 2); an expiry must be a day that exists. */
function isRealDate(v: string): boolean {
  const m = DATE_PREFIX.exec(v);
  if (!m || Number.isNaN(Date.parse(v))) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function checkDates(y: YamlFile, list: string, items: Record<string, unknown>[], fields: string[]): LoadProblem[] {
  const out: LoadProblem[] = [];
  items.forEach((item, i) => {
    for (const f of fields) {
      const v = item[f];
      if (typeof v === 'string' && looksLikeDate(v) && !isRealDate(v)) out.push(at(y, [list, i, f], 'schema', `${list}[${i}].${f} "${v}" is not a real date`));
    }
  });
  return out;
}

function checkControlsExist(y: YamlFile, list: string, items: Record<string, unknown>[], controls?: readonly Control[]): LoadProblem[] {
  if (!controls) return [];
  const ids = new Set(controls.map((c) => c.id));
  const out: LoadProblem[] = [];
  items.forEach((item, i) => {
    const id = item['control'];
    if (typeof id === 'string' && !ids.has(id)) out.push(at(y, [list, i, 'control'], 'unknown-control', `control "${id}" is not in the catalog`));
  });
  return out;
}

/** Items of a `key: [...]` file, whether or not the file passed its schema (to report every problem). */
function itemsOf(y: YamlFile, key: string): Record<string, unknown>[] {
  const list = (y.data as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(list) ? list.filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object') : [];
}

/** Loads a waivers file (`waivers: [...]`). */
export function loadWaivers(file: string, opts: ProjectOptions = {}): { waivers: Waiver[]; problems: LoadProblem[]; warnings: LoadProblem[] } {
  const y = readValid(file, 'waivers');
  const items = itemsOf(y, 'waivers');
  const problems = [...y.problems, ...checkDates(y, 'waivers', items, ['approved_on', 'expires']), ...checkControlsExist(y, 'waivers', items, opts.controls)];
  // approved_on came later: files without it still load (no nightly job breaks on upgrade)
  const warnings: LoadProblem[] = [];
  items.forEach((item, i) => {
    if (item['approved_on'] === undefined) {
      warnings.push(at(y, ['waivers', i], 'waiver-approval-date',
        `the waiver for ${String(item['control'])} has no approved_on: it covers live runs only, no run rebuilt from history, and packs list it under "approval date unknown"; add \`approved_on: YYYY-MM-DD\` (the day it was approved)`, true));
    }
  });
  return { waivers: y.valid ? (items as unknown as Waiver[]) : [], problems, warnings };
}

/** Loads an attestations file (`attestations: [...]`). */
export function loadAttestations(file: string, opts: ProjectOptions = {}): { attestations: Attestation[]; problems: LoadProblem[] } {
  const y = readValid(file, 'attestations');
  const items = itemsOf(y, 'attestations');
  const problems = [
    ...y.problems,
    ...checkDates(y, 'attestations', items, ['attested_at', 'expires']),
    ...checkControlsExist(y, 'attestations', items, opts.controls),
  ];
  return { attestations: y.valid ? (items as unknown as Attestation[]) : [], problems };
}

/** Loads a management responses file (`responses: [...]`), for the exceptions of a period pack. */
export function loadResponses(file: string, opts: ProjectOptions = {}): { responses: ManagementResponse[]; problems: LoadProblem[] } {
  const y = readValid(file, 'responses');
  const items = itemsOf(y, 'responses');
  const problems = [...y.problems, ...checkDates(y, 'responses', items, ['date']), ...checkControlsExist(y, 'responses', items, opts.controls)];
  return { responses: y.valid ? (items as unknown as ManagementResponse[]) : [], problems };
}
