// The counts a period pack states on its cover, its summary and its exceptions page, and the
// words that say what each counts. One function, so the three pages cannot disagree.
import type { ControlStatus } from '../engine/results.js';
import type { ExceptionCause } from './model.js';
import { isOpenStreak } from './streaks.js';

interface Countable {
  cause: ExceptionCause;
  resolvedAt: string | null;
  gone: boolean;
  endedBy?: 'FAIL' | 'ERROR';
  runs: number;
  waivedRuns: number;
}

export interface ExceptionCounts {
  total: number;
  resources: number;
  attestations: number;
  missingEvidence: number;
  open: number;
  /** waived in every run of the streak */
  waived: number;
  /** "N exceptions (streaks of FAIL or ERROR findings): ...; M still open at the end of the period" */
  sentence: string;
}

const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

export function exceptionCounts(exceptions: readonly Countable[]): ExceptionCounts {
  const resources = exceptions.filter((e) => e.cause === 'resource').length;
  const attestations = exceptions.filter((e) => e.cause === 'attestation').length;
  const missingEvidence = exceptions.filter((e) => e.cause === 'missing-evidence').length;
  const open = exceptions.filter(isOpenStreak).length;
  const waived = exceptions.filter((e) => e.waivedRuns > 0 && e.waivedRuns === e.runs).length;
  const sentence = `Exceptions: ${n(exceptions.length, 'exception')} (streaks of FAIL or ERROR findings): ${resources} on resources, `
    + `${attestations} on attestations of manual or inherited controls, ${missingEvidence} for missing evidence; `
    + `${open} still open at the end of the period; ${waived} waived in every run.`;
  return { total: exceptions.length, resources, attestations, missingEvidence, open, waived, sentence };
}

/** "Controls: N evaluated; M with at least one FAIL run, K with at least one ERROR run" */
export function controlRunsSentence(controls: readonly { runs: Record<ControlStatus, number> }[]): string {
  const failed = controls.filter((c) => c.runs.FAIL > 0).length;
  const errored = controls.filter((c) => c.runs.ERROR > 0).length;
  const waived = controls.filter((c) => c.runs.WAIVED > 0).length;
  return `Controls: ${n(controls.length, 'control')} evaluated in the period; ${failed} FAIL in at least one run, `
    + `${errored} ERROR (no evidence) in at least one run, ${waived} WAIVED in at least one run.`;
}
