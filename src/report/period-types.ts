// What a period pack is built from: the history of the period and what the app layer gathered
// around it (timelines, covers of exceptions, samples, the runs' manifests). The report draws;
// it never reads the archive or evaluates anything.
import type { ControlStatus, FindingWaiver } from '../engine/results.js';
import type { Conclusion, ControlFacts } from '../history/conclusion.js';
import type { ExceptionCause, History } from '../history/model.js';
import type { SignerInput } from '../signing/sign.js';
import type { PeriodRunRef } from '../pack/contract.js';

export interface PeriodException {
  /** E-1, E-2, ... in the order the pack lists them */
  id: string;
  controlId: string;
  resource: string;
  account: string | null;
  region: string | null;
  cause: ExceptionCause;
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
  /** ids of the waivers the stored results applied during the streak (listed under Waivers) */
  waivers: string[];
  /** the latest management response whose control and glob match and whose date the streak was still open on */
  response?: { response: string; owner: string; date: string };
}

export interface PeriodSample {
  controlId: string;
  frequency: string;
  population: number;
  n: number;
  seed: string;
  method: string;
  /** sha256 of the control's occurrence ids, one per line in population.tsv order (`cut -f2 | sha256sum`) */
  populationSha256: string;
  /** occurrence ids (`<run id>|<resource>`), smallest key first, with what that run said of it */
  drawn: SampledItem[];
}

interface SampledItem {
  id: string;
  key: string;
  runId: string;
  asOf: string;
  resource: string;
  status: string;
  /** sha256 ids of the evidence records that decided the finding */
  records: string[];
}

/** Per control: what it tests, the population, runs per status, exceptions and the conclusion. */
export interface PeriodControlDetail {
  id: string;
  title: string;
  kind: string;
  description?: string;
  claim?: string;
  asserts?: string;
  parameters?: Record<string, unknown>;
  /** the evidence source in words: API calls, a Config rule, an attestation or an inherited document */
  source: string;
  /** the AWS Config managed rule of a config_rule control: its rebuilt runs are listed apart (rule parameters as of today) */
  configRule?: string;
  frameworks: Record<string, string[]>;
  runs: Record<ControlStatus, number>;
  evaluated: number;
  population: { occurrences: number; resources: number; sha256: string };
  facts: ControlFacts;
  conclusion: Conclusion;
}

interface PeriodRequirement {
  id: string;
  title: string;
  controls: string[];
  conclusion: Conclusion;
  /** mapped controls no run of the period evaluated */
  unevaluated: PeriodControlDetail[];
}

export interface PeriodCriterionPart {
  framework: { id: string; title: string; version: string };
  requirements: PeriodRequirement[];
}

/** A waiver as the stored results applied it, and the runs it covered in the period. */
export interface PeriodWaiverUse extends FindingWaiver {
  id: string;
  control: string;
  resources: string[];
  runs: number;
  firstRun: string;
  lastRun: string;
}

/** How the runs were judged: the stored results, or today's catalog over the archived evidence. */
export interface PeriodJudged {
  mode: 'stored' | 'reevaluated';
  /** with reevaluated: the digest of today's catalog (controls and parameters) */
  catalog?: string;
  /** the catalog digests the archive entries record for the stored results, with their runs */
  archivedCatalogs: { digest: string; runs: number }[];
  /** with reevaluated: each run whose control statuses differ from its stored results */
  differences?: { runId: string; asOf: string; controls: { id: string; stored: ControlStatus | null; now: ControlStatus | null }[] }[];
}

export interface PeriodPackInput {
  history: History;
  judged: PeriodJudged;
  /** per control, its status in each run of history.runs (undefined: not evaluated in that run) */
  timelines: Map<string, (ControlStatus | undefined)[]>;
  exceptions: PeriodException[];
  samples: PeriodSample[];
  /** per control of the history, in its order */
  controls: PeriodControlDetail[];
  /** one part per framework: with --framework F one, with all every one; none without --framework */
  parts: PeriodCriterionPart[];
  waivers: PeriodWaiverUse[];
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
