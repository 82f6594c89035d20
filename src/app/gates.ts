// CI gates: which results fail the run. By default any control that FAILED or is in ERROR
// exits 1 (docs/CONTRACTS.md, exit codes). A team adopting trustpack on an estate with known problems narrows that:
//   --fail-on SEVERITY   only controls of that severity and above decide the exit code;
//   --no-fail-on-error   missing evidence (ERROR) is reported, counted, and does not fail;
//   --baseline FILE      only new failures count: a (control, resource, account, region) that is
//                        FAIL or ERROR now and was not in that status in the baseline results.
import { readFile } from 'node:fs/promises';
import type { ControlResult, Results } from '../engine/results.js';
import { UsageError } from './errors.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
type Severity = (typeof SEVERITIES)[number];

export interface GateOptions {
  failOn?: string;
  /** commander's --no-fail-on-error: false when given */
  failOnError?: boolean;
  baseline?: string;
}

/** What failed, at the grain the baseline compares: one control on one resource. */
interface Failure {
  key: string;
  control: string;
  resource: string;
  status: 'FAIL' | 'ERROR';
  severity: string;
}

const keyOf = (control: string, resource: string, account: string, region: string, status: string): string =>
  JSON.stringify([control, resource, account, region, status]);

/** Every FAIL or ERROR of the results, per finding; a failing control without such findings counts once. */
function failuresOf(controls: readonly ControlResult[]): Failure[] {
  const out: Failure[] = [];
  for (const c of controls) {
    const bad = c.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
    for (const f of bad) {
      out.push({ key: keyOf(c.id, f.resource, f.account, f.region, f.status), control: c.id, resource: f.resource, status: f.status as 'FAIL' | 'ERROR', severity: c.severity });
    }
    // a manual control without a current attestation, or a control in ERROR as a whole
    if (bad.length === 0 && (c.status === 'FAIL' || c.status === 'ERROR')) {
      out.push({ key: keyOf(c.id, '', '', '', c.status), control: c.id, resource: '(the control)', status: c.status, severity: c.severity });
    }
  }
  return out;
}

function parseSeverity(v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(v)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}; got '${v}'`);
  return v as Severity;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The baseline's failures, after checking that the file is a results JSON (else exit 2 naming it). */
async function readBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--baseline ${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(e)})`}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--baseline ${file}: not JSON (${(e as Error).message}); expected the results of \`trustpack evaluate --format json\``);
  }
  const bad = (why: string) => new UsageError(`--baseline ${file}: not a trustpack results JSON: ${why}; expected the output of \`trustpack evaluate --format json\``);
  if (!isObj(doc) || !Array.isArray(doc['controls'])) throw bad('no "controls" list');
  const controls = doc['controls'] as unknown[];
  controls.forEach((c, i) => {
    if (!isObj(c) || typeof c['id'] !== 'string' || typeof c['status'] !== 'string' || !Array.isArray(c['findings'])) {
      throw bad(`controls[${i}] needs id, status and findings`);
    }
    (c['findings'] as unknown[]).forEach((f, j) => {
      if (!isObj(f) || !['resource', 'account', 'region', 'status'].every((k) => typeof f[k] === 'string')) {
        throw bad(`controls[${i}].findings[${j}] needs resource, account, region and status`);
      }
    });
  });
  return new Set(failuresOf(controls as unknown as ControlResult[]).map((f) => f.key));
}

export interface Gate {
  /** the exit code these results earn, and lines for stderr explaining it */
  judge(results: Results): { exitCode: 0 | 1; notes: string[] };
}

/** Checks the options and reads the baseline now: before a long collection, not after. */
export async function loadGate(o: GateOptions): Promise<Gate> {
  const failOn = parseSeverity(o.failOn);
  const errorsFail = o.failOnError !== false;
  const baseline = o.baseline !== undefined ? await readBaseline(o.baseline) : undefined;
  const rank = (s: string): number => {
    const i = (SEVERITIES as readonly string[]).indexOf(s);
    return i < 0 ? SEVERITIES.length : i; // an unknown severity ranks below info
  };
  return {
    judge(results) {
      const all = failuresOf(results.controls);
      const notes: string[] = [];
      const errors = results.summary.ERROR ?? 0;
      if (!errorsFail && errors > 0) {
        notes.push(`${errors} control${errors === 1 ? '' : 's'} in ERROR (evidence missing): reported, but not failing the run (--no-fail-on-error)`);
      }
      const eligible = all.filter((f) => errorsFail || f.status !== 'ERROR');
      const counted = eligible.filter((f) => failOn === undefined || rank(f.severity) <= rank(failOn));
      const fresh = baseline ? counted.filter((f) => !baseline.has(f.key)) : counted;
      if (counted.length < eligible.length) {
        notes.push(`--fail-on ${failOn}: ${eligible.length - counted.length} failing finding(s) of controls below ${failOn} severity do not fail the run`);
      }
      if (baseline) {
        notes.push(`--baseline ${o.baseline}: ${counted.length - fresh.length} failing finding(s) already in the baseline, ${fresh.length} new`);
        for (const f of fresh.slice(0, 20)) notes.push(`  new ${f.status}: ${f.control} ${f.resource}`);
        if (fresh.length > 20) notes.push(`  ...and ${fresh.length - 20} more`);
      }
      return { exitCode: fresh.length > 0 ? 1 : 0, notes };
    },
  };
}
