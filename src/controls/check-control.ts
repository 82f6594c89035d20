// Checks a schema-valid control against things a schema cannot express: that collectors,
// requirements and parameters exist, that JMESPath paths compile and regexes parse.
import { compile } from '@jmespath-community/jmespath';
import type { Document, LineCounter } from 'yaml';
import type { Control, Framework, FrameworkId, LoadProblem } from './model.js';
import { walkComparisons } from './assertion-walk.js';
import { CONFIG_RULE_COLLECTOR } from './expand.js';
import { dotted } from './schema-problems.js';
import { locate, positionOf } from './yaml-locate.js';

export interface CheckContext {
  file: string;
  doc: Document;
  lc: LineCounter;
  knownCollectors: ReadonlySet<string>;
  frameworks: ReadonlyMap<FrameworkId, Framework>;
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
  for (const which of ['scope', 'assert'] as const) {
    const a = c[which];
    if (!a) continue;
    walkComparisons(a, [which], (cmp, at) => {
      const bad = jmespathError(cmp.path);
      if (bad !== undefined) {
        report([...at, 'path'], 'invalid-jmespath', `${dotted('/' + [...at, 'path'].join('/'))} "${cmp.path}" is not valid JMESPath: ${bad}`);
      }
      if (cmp.param !== undefined && !declared.has(cmp.param)) {
        report([...at, 'param'], 'unknown-parameter', `parameter "${cmp.param}" is not declared under parameters` + (declared.size ? ` (declared: ${[...declared].join(', ')})` : ''));
      }
      if (cmp.op === 'matches') {
        const pattern = cmp.param !== undefined ? c.parameters?.[cmp.param]?.default : cmp.value;
        if (typeof pattern !== 'string') {
          report([...at, cmp.param !== undefined ? 'param' : 'value'], 'schema', `"matches" needs a regular expression as text, got ${JSON.stringify(pattern)}`);
        } else {
          try {
            new RegExp(pattern);
          } catch (err) {
            report([...at, cmp.param !== undefined ? 'param' : 'value'], 'invalid-regex', `invalid regular expression: ${(err as Error).message}`);
          }
        }
      }
    });
  }

  (c.examples ?? []).forEach((ex, i) => {
    for (const name of Object.keys(ex.parameters ?? {})) {
      if (!declared.has(name)) {
        report(['examples', i, 'parameters', name], 'example-parameter', `example "${ex.name}" sets parameter "${name}", which the control does not declare`, true);
      }
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
