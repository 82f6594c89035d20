// Checks a schema-valid control against things a schema cannot express: that collectors,
// requirements and parameters exist, that JMESPath paths compile and regexes parse.
import { compile } from '@jmespath-community/jmespath';
import type { Document, LineCounter } from 'yaml';
import type { Control, Framework, FrameworkId, LoadProblem } from './model.js';
import { walkComparisons } from './assertion-walk.js';
import { CONFIG_RULE_COLLECTOR } from './expand.js';
import { checkParameterValue } from './parameter-types.js';
import { patternOrError, PatternError } from '../util/pattern.js';
import { unknownFields, type FieldTree } from './record-paths.js';
import { dotted } from './schema-problems.js';
import { locate, positionOf } from './yaml-locate.js';

export interface CheckContext {
  file: string;
  doc: Document;
  lc: LineCounter;
  knownCollectors: ReadonlySet<string>;
  frameworks: ReadonlyMap<FrameworkId, Framework>;
  /** collector id -> the fields its records can have (from the AWS SDK's output shapes) */
  recordFields?: Readonly<Record<string, FieldTree>>;
  /** the source text of a number at segs (to quote an account id YAML read as a number) */
  numberSource?: (segs: readonly (string | number)[]) => string | undefined;
}

// The same paths recur across controls: compile each distinct one once per process
// (undefined: it compiled; else the compile error's message).
const jmespathChecked = new Map<string, string | undefined>();

function jmespathError(path: string): string | undefined {
  if (jmespathChecked.has(path)) return jmespathChecked.get(path);
  let message: string | undefined;
  try {
    compile(path);
  } catch (err) {
    message = (err as Error).message;
  }
  jmespathChecked.set(path, message);
  return message;
}

// requirement ids of each framework catalog, built once rather than once per control
const requirementIds = new WeakMap<Framework, Set<string>>();

function idsOf(catalog: Framework): Set<string> {
  let ids = requirementIds.get(catalog);
  if (!ids) requirementIds.set(catalog, (ids = new Set(catalog.requirements.map((r) => r.id))));
  return ids;
}

export function checkControl(c: Control, ctx: CheckContext): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const report = (at: (string | number)[], rule: string, message: string, pointAtKey = false): void => {
    const loc = locate(ctx.doc, at);
    const node = pointAtKey ? loc.key ?? loc.node ?? loc.nearest : loc.node ?? loc.nearest;
    const pos = positionOf(node, ctx.lc);
    problems.push({ file: ctx.file, line: pos.line, col: pos.col, rule, message });
  };

  if (c.collector !== undefined && !ctx.knownCollectors.has(c.collector)) {
    report(['collector'], 'unknown-collector', `unknown collector "${c.collector}"; known: ${[...ctx.knownCollectors].sort().join(', ')}`);
  }
  if (c.config_rule !== undefined && c.collector !== undefined && c.collector !== CONFIG_RULE_COLLECTOR) {
    report(['collector'], 'schema', `config_rule reads collector ${CONFIG_RULE_COLLECTOR}; remove collector "${c.collector}" or config_rule`);
  }

  if (c.config_rule_parameters !== undefined && c.config_rule === undefined) {
    report(['config_rule_parameters'], 'schema', 'config_rule_parameters needs config_rule (the managed rule whose parameters they are)', true);
  }
  const declared = new Set(Object.keys(c.parameters ?? {}));
  for (const [name, spec] of Object.entries(c.config_rule_parameters ?? {})) {
    for (const [kind, v] of Object.entries(spec as Record<string, unknown>)) {
      if (kind.endsWith('_param') && !declared.has(String(v))) {
        report(['config_rule_parameters', name, kind], 'unknown-parameter', `parameter "${String(v)}" is not declared under parameters` + (declared.size ? ` (declared: ${[...declared].join(', ')})` : ''));
      }
    }
  }
  const fields = c.collector !== undefined ? ctx.recordFields?.[c.collector] : undefined;
  for (const which of ['scope', 'assert', 'error_when', 'manual_when'] as const) {
    const a = c[which];
    if (!a) continue;
    walkComparisons(a, [which], (cmp, at) => {
      const bad = jmespathError(cmp.path);
      if (bad !== undefined) {
        report([...at, 'path'], 'invalid-jmespath', `${dotted('/' + [...at, 'path'].join('/'))} "${cmp.path}" is not valid JMESPath: ${bad}`);
      } else if (fields) {
        for (const u of unknownFields(cmp.path, fields)) {
          report([...at, 'path'], 'unknown-field',
            `${dotted('/' + [...at, 'path'].join('/'))} "${cmp.path}": no ${c.collector} record has a field "${u.field}" ` +
            `(not in ${u.within}${u.suggestion ? `; did you mean "${u.suggestion}"?` : ''}); the fields are those of the AWS SDK's output shapes and collectors/README.md`);
        }
      }
      if (cmp.param !== undefined && !declared.has(cmp.param)) {
        report([...at, 'param'], 'unknown-parameter', `parameter "${cmp.param}" is not declared under parameters` + (declared.size ? ` (declared: ${[...declared].join(', ')})` : ''));
      }
      if (cmp.op === 'matches') {
        const def = cmp.param !== undefined ? c.parameters?.[cmp.param] : undefined;
        if (cmp.param !== undefined) {
          // the parameter's type is what checks trustpack.yaml's value for it, where it is written
          if (def && def.type !== 'pattern') report([...at, 'param'], 'parameter-type', `"matches" compares with parameter "${cmp.param}", which must be declared \`type: pattern\` (it is ${def.type}) so that every value given for it is checked as a pattern`);
          // the default is checked as a `pattern` value with the other parameters below
        } else if (typeof cmp.value !== 'string') {
          report([...at, 'value'], 'schema', `"matches" needs a regular expression as text, got ${JSON.stringify(cmp.value)}`);
        } else {
          const p = patternOrError(cmp.value);
          if (p instanceof PatternError) report([...at, 'value'], p.rule, p.message);
        }
      }
    });
  }

  // An automated control is code: without a passing and a failing example nobody has seen it
  // decide anything, and `controls test` has nothing to run.
  if (c.kind === 'automated') {
    const expects = new Set((c.examples ?? []).map((e) => e.expect));
    const missing = (['pass', 'fail'] as const).filter((k) => !expects.has(k));
    if (missing.length > 0) {
      report(c.examples ? ['examples'] : ['kind'], 'missing-examples',
        `automated control "${c.id}" needs examples of a resource that ${missing.map((k) => (k === 'pass' ? 'passes' : 'fails')).join(' and of one that ')} ` +
        '(examples: [{name, resource, expect: pass|fail|not-applicable}]); `trustpack controls test` runs them', c.examples !== undefined);
    }
  }

  // every value a parameter takes in the catalog fits its declared type
  for (const [name, def] of Object.entries(c.parameters ?? {})) {
    for (const p of checkParameterValue(def.type, def.default, ctx.numberSource ? (at) => ctx.numberSource!(['parameters', name, 'default', ...at]) : undefined)) {
      report(['parameters', name, 'default', ...p.at], p.rule ?? 'parameter-type', `parameters.${name}.default (${def.type}) ${p.message}`);
    }
  }

  for (const [name, rp] of Object.entries(c.config_rule_parameters ?? {})) {
    const [kind, ref] = Object.entries(rp)[0] ?? [];
    if (kind?.endsWith('_param') && !declared.has(String(ref))) {
      report(['config_rule_parameters', name, kind], 'unknown-parameter', `parameter "${String(ref)}" is not declared under parameters` + (declared.size ? ` (declared: ${[...declared].join(', ')})` : ''));
    }
  }

  (c.examples ?? []).forEach((ex, i) => {
    for (const [name, value] of Object.entries(ex.parameters ?? {})) {
      const def = c.parameters?.[name];
      if (!def) {
        report(['examples', i, 'parameters', name], 'example-parameter', `example "${ex.name}" sets parameter "${name}", which the control does not declare`, true);
        continue;
      }
      const at = ['examples', i, 'parameters', name];
      for (const p of checkParameterValue(def.type, value, ctx.numberSource ? (rel) => ctx.numberSource!([...at, ...rel]) : undefined)) {
        report([...at, ...p.at], p.rule ?? 'parameter-type', `example "${ex.name}": parameter ${name} (${def.type}) ${p.message}`);
      }
    }
    const attested = c.kind !== 'automated';
    // an automated control with manual_when may give an attestation too, and expect manual
    const mixed = !attested && c.manual_when !== undefined;
    if (attested ? ex.resource !== undefined || ex.attestation === undefined : ex.resource === undefined || (ex.attestation !== undefined && !mixed)) {
      report(['examples', i], 'example-kind', `example "${ex.name}": ${attested ? `a ${c.kind} control's example gives an attestation, not a resource` : mixed ? 'an automated control\'s example gives a resource (and, for manual_when, an attestation)' : 'an automated control\'s example gives a resource, not an attestation'}`);
    }
    if (attested ? ex.expect !== 'manual' && ex.expect !== 'fail' : ex.expect === 'manual' && !mixed) {
      report(['examples', i, 'expect'], 'example-kind', `example "${ex.name}": a${attested ? ` ${c.kind}` : 'n automated'} control's example expects ${attested ? 'manual or fail' : 'pass, fail, not-applicable or error (manual only with manual_when)'}`);
    }
    if (ex.now !== undefined && Number.isNaN(Date.parse(ex.now))) {
      report(['examples', i, 'now'], 'schema', `example "${ex.name}": now "${ex.now}" is not a valid date-time`);
    }
  });

  for (const [fw, reqs] of Object.entries(c.frameworks) as [FrameworkId, string[]][]) {
    const catalog = ctx.frameworks.get(fw);
    if (!catalog) continue; // no catalog for it loaded: nothing to check against
    const known = idsOf(catalog);
    reqs.forEach((r, i) => {
      if (!known.has(r)) report(['frameworks', fw, i], 'unknown-requirement', `requirement "${r}" is not in the ${fw} catalog (${catalog.title})`);
    });
  }
  return problems;
}
