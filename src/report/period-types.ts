// What a period pack is built from: the history of the period and what the app layer gathered
// around it (timelines, covers of exceptions, samples, the runs' manifests). The report draws;
// it never reads the archive or evaluates anything.
import type { ControlStatus } from '../engine/results.js';
import type { History } from '../history/model.js';
import type { SignerInput } from './sign.js';

export interface PeriodException {
  controlId: string;
  resource: string;
  status: 'FAIL' | 'ERROR';
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  gone: boolean;
  daysOpen: number;
  runs: number;
  waivedRuns: number;
  reason: string;
  /** set when the streak ended because the finding turned into the other of FAIL and ERROR */
  endedBy?: 'FAIL' | 'ERROR';
  /** the runs of the streak: observed live, rebuilt from Config history, or both */
  source?: 'live' | 'config-history' | 'mixed';
  /** the waiver the stored results applied (the last one seen in the streak) */
  waiver?: { reason: string; approver: string; expires: string };
  /** the management response whose control and resource glob match */
  response?: { response: string; owner: string; date: string };
}

export interface PeriodSample {
  controlId: string;
  frequency: string;
  population: number;
  n: number;
  seed: string;
  method: string;
  /** occurrence ids (`<run id>|<resource>`), smallest key first, with the run's asOf */
  drawn: { id: string; key: string; asOf: string; resource: string }[];
}

export interface PeriodRunRef {
  n: number;
  entry: string;
  runId: string;
  asOf: string;
  source: string;
  bundle: string;
  results: string;
}

export interface PeriodPackInput {
  history: History;
  /** per control, its status in each run of history.runs (undefined: not evaluated in that run) */
  timelines: Map<string, (ControlStatus | undefined)[]>;
  exceptions: PeriodException[];
  samples: PeriodSample[];
  runs: PeriodRunRef[];
  archive: { location: string; head: { n: number; sha256: string }; immutable: boolean };
  organisation?: string;
  system?: { scope?: string; accounts?: string[]; services?: string[] };
  preparer?: string;
  reviewer?: string;
  framework?: string;
  toolVersion: string;
  /** attachments: history.json, period.json, population.tsv, bundle-<sha256>.json per run */
  attachments: { name: string; bytes: Buffer; description: string }[];
  /** things the user's own files say that matched nothing (a management response for no exception) */
  warnings?: string[];
  signingTime: Date;
  signer?: SignerInput;
  unsigned?: boolean;
  demoSigner?: boolean;
}

export const HISTORY_ATTACHMENT = 'history.json';
export const PERIOD_ATTACHMENT = 'period.json';
export const POPULATION_ATTACHMENT = 'population.tsv';
export const bundleAttachmentName = (sha256: string) => `bundle-${sha256}.json`;
export const BUNDLE_ATTACHMENT = /^bundle-([0-9a-f]{64})\.json$/;
