// The history JSON (`trustpack history --format json`), as DESIGN.md fixes it.
import type { ControlStatus } from '../engine/results.js';

export type RunSource = 'live' | 'config-history';

export interface HistoryRun {
  id: string;
  startedAt: string;
  asOf: string;
  source: RunSource;
  accounts: string[];
  regions: string[];
}

/**
 * What an exception is about: a resource that failed or could not be judged; a manual or
 * inherited control's attestation (`attestation:<control id>`, account and region null); or
 * evidence that could not be collected at all (`arn:...:*`, never part of a population).
 */
export type ExceptionCause = 'resource' | 'attestation' | 'missing-evidence';

export interface HistoryException {
  resource: string;
  /** null for an attestation */
  account: string | null;
  region: string | null;
  cause: ExceptionCause;
  status: 'FAIL' | 'ERROR';
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  gone: boolean;
  waivedRuns: number;
  source: RunSource | 'mixed';
  runs: number;
  reason: string;
  /** set when the streak ended because the finding turned into the other of FAIL and ERROR */
  endedBy?: 'FAIL' | 'ERROR';
  /** asOf of the runs during the streak that did not cover its account or region */
  gaps: string[];
}

export interface HistoryControl {
  id: string;
  title: string;
  frameworks: Record<string, string[]>;
  runs: Record<ControlStatus, number>;
  exceptions: HistoryException[];
}

export interface History {
  period: { start: string; end: string };
  /** present with --reevaluate: old evidence evaluated with today's catalog, not the stored results */
  reevaluated?: { catalog: string; note: string };
  runs: HistoryRun[];
  days: { total: number; withEvidence: number; missing: string[] };
  controls: HistoryControl[];
}
