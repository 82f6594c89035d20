// `trustpack init`: writes ./trustpack.yaml for the user's own organisation. On a terminal it
// asks for what the flags did not give; off one (CI, scripts) it takes the flags alone. The
// text is checked against the project schema and the catalog before it is written, and an
// existing file is never replaced (exit 2).
import { existsSync } from 'node:fs';
import { link, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadProject } from '../controls/load.js';
import type { Control, ParameterDef } from '../controls/model.js';
import { checkParameterValue, PARAMETER_TYPES, type ParameterType } from '../controls/parameter-types.js';
import { tempSibling } from '../util/atomic.js';
import { ProblemsError, UsageError } from './errors.js';
import { loadProjectContext } from './project.js';
import { regionNameProblem } from '../aws/regions.js';

const PROJECT_FILE_NAME = 'trustpack.yaml';

/** Asks one question; resolves to the answer ('' for none). */
export type Ask = (question: string) => Promise<string>;

interface InitArgs {
  organisation?: string;
  regions?: string[];
  systemScope?: string;
  accounts?: string[];
  services?: string[];
  preparer?: string;
  reviewer?: string;
  /** name=value, repeatable */
  param?: string[];
  controls?: string;
  /** `--data-regions`: the regions are the only ones where customer data lives (-> allowed_regions) */
  dataRegions?: boolean;
  /** given when stdin is a terminal: questions for what the flags left out */
  ask?: Ask;
  /** the folder to write trustpack.yaml in (default: the current one) */
  cwd?: string;
}

interface Answers {
  organisation: string;
  regions: string[];
  system: { scope?: string; accounts?: string[]; services?: string[] };
  preparer?: string;
  reviewer?: string;
  parameters: Record<string, unknown>;
}

const LIST_TYPES: ReadonlySet<ParameterType> = new Set(['account-ids', 'regions', 'arns', 'strings']);
const splitList = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** A parameter's text (from a flag or an answer) as a value of its type, or a usage error. */
function parseParameterText(name: string, def: ParameterDef, text: string): unknown {
  let value: unknown = text;
  if (def.type === 'days' || def.type === 'count') value = /^\s*\d+\s*$/.test(text) ? Number(text) : text;
  else if (LIST_TYPES.has(def.type)) value = splitList(text);
  const problems = checkParameterValue(def.type, value);
  if (problems.length > 0) {
    throw new UsageError(`parameter ${name} (${def.type}: ${PARAMETER_TYPES[def.type].describe}): ${problems.map((p) => p.message).join('; ')}`);
  }
  return value;
}

/** Every parameter the catalog declares, by name (one name has one type across the catalog). */
function catalogParameters(controls: readonly Control[]): Map<string, ParameterDef> {
  const out = new Map<string, ParameterDef>();
  for (const c of controls) for (const [name, def] of Object.entries(c.parameters ?? {})) if (!out.has(name)) out.set(name, def);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

function parseParamFlags(flags: string[], defs: Map<string, ParameterDef>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param '${flag}': expected NAME=VALUE, e.g. --param deletion_window_days=30`);
    const name = flag.slice(0, eq).trim();
    const def = defs.get(name);
    if (!def) throw new UsageError(`--param ${name}: no control declares this parameter (known: ${[...defs.keys()].join(', ')})`);
    out[name] = parseParameterText(name, def, flag.slice(eq + 1));
  }
  return out;
}

const shownDefault = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/**
 * One value, from its flag or (on a terminal) asked until the answer is right. A bad flag is a
 * usage error naming the flag; a bad answer is asked again with the reason, so nobody loses the
 * answers before it, and no message names a flag the user never typed.
 */
async function obtain<T>(ask: Ask | undefined, q: { question: string; flag: string; given: string | undefined; fallback?: string | undefined },
  parse: (text: string) => T): Promise<T | undefined> {
  if (q.given !== undefined) {
    try {
      return parse(q.given);
    } catch (e) {
      throw new UsageError(`${q.flag}: ${(e as Error).message}`);
    }
  }
  if (!ask) return q.fallback !== undefined && q.fallback !== '' ? parse(q.fallback) : undefined;
  let problem = '';
  for (;;) {
    const a = (await ask(`${problem}${q.question}${q.fallback ? ` [${q.fallback}]` : ''}: `)).trim();
    const text = a === '' ? q.fallback ?? '' : a;
    if (text === '') return undefined;
    try {
      return parse(text);
    } catch (e) {
      problem = `${(e as Error).message}\n`;
    }
  }
}

/** Region names as `check` reads them: the parameter type's form, then the one region-name check. */
function parseRegions(text: string): string[] {
  const regions = splitList(text);
  const problems = checkParameterValue('regions', regions);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  const bad = regions.map((r) => regionNameProblem(r).problem).filter((p): p is string => p !== undefined);
  if (bad.length > 0) throw new Error(bad.join('; '));
  return regions;
}

function parseAccounts(text: string): string[] {
  const accounts = splitList(text);
  const bad = checkParameterValue('account-ids', accounts);
  if (bad.length > 0) throw new Error(bad.map((p) => p.message).join('; '));
  return accounts;
}

function parseYesNo(text: string): boolean {
  if (/^(y|yes)$/i.test(text)) return true;
  if (/^(n|no)$/i.test(text)) return false;
  throw new Error(`answer y or n, got "${text}"`);
}

async function gather(args: InitArgs, defs: Map<string, ParameterDef>): Promise<Answers> {
  const parameters = parseParamFlags(args.param ?? [], defs);
  const ask = args.ask;
  const text = (v: string): string => v;
  const askFor = (question: string, flag: string, given: string | undefined) => obtain(ask, { question, flag, given }, text);
  let organisation = await askFor('Organisation (printed on the cover of the pack)', '--organisation', args.organisation);
  while (ask && !organisation) organisation = await askFor('Organisation (required)', '--organisation', undefined);
  if (!organisation) throw new UsageError('--organisation NAME is required when trustpack init does not run on a terminal');

  const regionQuestion = { question: 'Regions where customer data lives, comma-separated', flag: '--regions', given: args.regions?.join(','), fallback: process.env.AWS_REGION };
  let regions = await obtain(ask, regionQuestion, parseRegions) ?? [];
  while (ask && regions.length === 0) regions = await obtain(ask, { ...regionQuestion, question: 'Regions (required)', fallback: undefined }, parseRegions) ?? [];
  if (regions.length === 0) throw new UsageError('--regions r1,r2 is required when trustpack init does not run on a terminal (every region where customer data lives)');
  // Where data may live is the residency controls' allowed_regions: said once, not typed twice.
  const allowed = defs.get('allowed_regions');
  if (allowed && !('allowed_regions' in parameters)) {
    const only = args.dataRegions ?? (ask
      ? await obtain(ask, { question: `Is customer data kept only in ${regions.join(', ')}? (they become allowed_regions, which the residency controls check), y or n`, flag: '', given: undefined, fallback: 'n' }, parseYesNo)
      : false);
    if (only) parameters['allowed_regions'] = regions;
  }

  const system: Answers['system'] = {};
  const scope = await askFor('System description (what is in scope, one paragraph; empty to skip)', '--system-scope', args.systemScope);
  if (scope) system.scope = scope;
  const accounts = await obtain(ask, { question: 'In-scope AWS account ids, comma-separated (empty to skip)', flag: '--accounts', given: args.accounts?.join(',') }, parseAccounts);
  if (accounts && accounts.length > 0) system.accounts = accounts;
  const services = await obtain(ask, { question: 'In-scope services, comma-separated (empty to skip)', flag: '--services', given: args.services?.join(',') }, splitList);
  if (services && services.length > 0) system.services = services;
  const preparer = await askFor('Preparer of the pack (name, role; empty to skip)', '--preparer', args.preparer);
  const reviewer = await askFor('Reviewer of the pack (name, role; empty to skip)', '--reviewer', args.reviewer);

  if (ask) {
    for (const [name, def] of defs) {
      if (name in parameters) continue;
      // asked again, with the reason, until the answer fits the type (or is empty: the default)
      const value = await obtain(ask, { question: `${name} (${def.description}) [${shownDefault(def.default)}]`, flag: `--param ${name}`, given: undefined },
        (t) => parseParameterText(name, def, t));
      if (value !== undefined) parameters[name] = value;
    }
  }
  return {
    organisation, regions, system, parameters,
    ...(preparer ? { preparer } : {}), ...(reviewer ? { reviewer } : {}),
  };
}

// JSON is YAML 1.2: quoting every text value with JSON.stringify keeps "012345678901",
// "no" and "Acme: Inc." text, whatever they look like.
const q = (v: unknown): string => JSON.stringify(v);
// text put in a comment stays on its line: a newline in a flag must not start a YAML key
const c = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');

/** The file's text: every value given, and the catalog's defaults as comments to edit later. */
function projectText(a: Answers, defs: Map<string, ParameterDef>): string {
  const lines = [
    `# trustpack project file for ${c(a.organisation)}, written by \`trustpack init\`.`,
    '# The one place where the organisation states its own numbers. Paths are relative to this file.',
    '# Schema: controls/schema/project.schema.json in the trustpack package.',
    '',
    '# Printed on the cover of the evidence pack.',
    `organisation: ${q(a.organisation)}`,
    '',
    '# Regions collected and evaluated. A region left out is not evidence of anything: list every',
    '# region where customer data lives.',
    `regions: ${q(a.regions)}`,
  ];
  const sys = Object.entries(a.system);
  if (sys.length > 0) {
    lines.push('', '# The system under audit, on the cover of the pack.', 'system:');
    for (const [k, v] of sys) lines.push(`  ${k}: ${q(v)}`);
  }
  if (a.preparer || a.reviewer) lines.push('');
  if (a.preparer) lines.push(`preparer: ${q(a.preparer)}`);
  if (a.reviewer) lines.push(`reviewer: ${q(a.reviewer)}`);
  lines.push('', "# Parameter values for every control that declares them; a control's own default applies to the rest.");
  const set = Object.entries(a.parameters);
  if (set.length > 0) {
    lines.push('parameters:');
    for (const [k, v] of set) lines.push(`  ${k}: ${q(v)}   # ${defs.get(k)?.type}: ${c(defs.get(k)?.description ?? '')}`);
  }
  const rest = [...defs].filter(([k]) => !(k in a.parameters));
  if (rest.length > 0) {
    lines.push(set.length > 0 ? '  # the catalog\'s defaults for the others:' : "# The catalog's defaults (uncomment under `parameters:` to change one):");
    if (set.length === 0) lines.push('# parameters:');
    for (const [k, def] of rest) lines.push(`  # ${k}: ${q(def.default)}   # ${def.type}: ${c(def.description)}`);
  }
  lines.push(
    '',
    '# Per control, when one control needs another value:',
    '# control_parameters:',
    '#   rds-cluster-members-multi-az: { min_member_zones: 3 }',
    '',
    '# Accepted exceptions (control, resource glob, reason, approver, approved_on, expires: a waiver',
    '# covers runs from the day it was approved to its expiry) and the signed-off',
    '# evidence of the manual controls (who attested, when, the document and its sha256, expiry).',
    '# Without attestations every manual control FAILS: that is the honest answer.',
    '# waivers: waivers.yaml',
    '# attestations: attestations.yaml',
    '# A logo (PNG or JPEG) for the cover, and the pack\'s preparer and reviewer, if not set above:',
    '# logo: logo.png',
  );
  return lines.join('\n') + '\n';
}

export async function runInit(args: InitArgs): Promise<{ text: string; exitCode: number }> {
  const target = resolve(args.cwd ?? '.', PROJECT_FILE_NAME);
  // checked before any question: nobody should answer ten questions to be told no
  if (existsSync(target)) throw new UsageError(`${target} already exists; trustpack init never overwrites it (edit it, or move it away first)`);
  const ctx = loadProjectContext({ ...(args.controls ? { controls: args.controls } : {}), project: undefined });
  const defs = catalogParameters(ctx.controls);
  const answers = await gather(args, defs);
  const text = projectText(answers, defs);

  // Written to a temporary sibling, validated there as any project file is, then linked into
  // place: link() fails if the name appeared meanwhile, so nothing is ever replaced.
  const tmp = tempSibling(target);
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    const loaded = loadProject(tmp, { controls: ctx.controls });
    if (loaded.problems.length > 0) throw new ProblemsError(loaded.problems.map((p) => ({ ...p, file: target })));
    try {
      await link(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${target} already exists; trustpack init never overwrites it`);
      throw e;
    }
  } finally {
    await rm(tmp, { force: true });
  }
  const changed = Object.keys(answers.parameters);
  return {
    text: [
      `wrote ${target} for ${answers.organisation} (regions ${answers.regions.join(', ')}` +
        (changed.length ? `; parameters set: ${changed.join(', ')}` : "; every parameter at the catalog's default") + ')',
      'next: trustpack check   (collect and evaluate with your AWS credentials)',
    ].join('\n'),
    exitCode: 0,
  };
}
