// Results of evaluating controls against evidence: the shape of `--format json` (docs/CONTRACTS.md, results JSON).
import type { ControlKind, FrameworkId } from '../controls/model.js';

export type ControlStatus = 'PASS' | 'FAIL' | 'ERROR' | 'NOT_APPLICABLE' | 'MANUAL' | 'WAIVED';
type FindingStatus = 'PASS' | 'FAIL' | 'ERROR' | 'WAIVED' | 'MANUAL';
/** The order of the Results JSON `summary` keys (docs/CONTRACTS.md, results). */
export const CONTROL_STATUSES: readonly ControlStatus[] = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE', 'MANUAL', 'WAIVED'];

/** The order the packs (run and period) show statuses in: the pass, the problems, the rest. */
export const SHOWN_STATUS_ORDER: readonly ControlStatus[] = ['PASS', 'FAIL', 'ERROR', 'WAIVED', 'MANUAL', 'NOT_APPLICABLE'];

export interface Finding {
  /** resource ARN; for an ERROR on a whole scope: `arn:aws:<service>:<region>:<account>:*` */
  resource: string;
  account: string;
  region: string;
  status: FindingStatus;
  /** plain English; for a FAIL, names the value that decided it */
  reason: string;
  /** sha256 ids of the evidence records that decided it */
  evidence: string[];
  /** JMESPath path -> value, the values the assertion looked at */
  values?: Record<string, unknown>;
  /** set when status is WAIVED: the waiver in force at the run's asOf (approvedOn null: not stated) */
  waiver?: FindingWaiver;
  /** the account that owns the resource, when it is not `account` (a key shared from another account) */
  owner?: string;
}

export interface FindingWaiver {
  /** absent in results stored before waivers had ids and approval dates */
  id?: string;
  reason: string;
  approver: string;
  /** the waiver's approved_on; null when the waivers file did not state it */
  approvedOn?: string | null;
  expires: string;
}

export interface ControlResult {
  id: string;
  title: string;
  status: ControlStatus;
  severity: string;
  kind: ControlKind;
  claim?: string;
  /** the assertion in plain words */
  asserts?: string;
  /** parameter values used for this run */
  parameters?: Record<string, unknown>;
  frameworks: Partial<Record<FrameworkId, string[]>>;
  findings: Finding[];
  /** for MANUAL/FAIL manual controls: the attestation considered */
  attestation?: {
    attested_by: string; attested_at: string; document: string; sha256: string; expires: string; current: boolean;
    /** the attester's notes, as written in the attestations file */
    notes?: string;
    /** for a document that is a URL: the held copy whose sha256 is `sha256` */
    copy?: string;
    /** `attach: true`: the document (or its copy) is embedded in the pack under attestations/ */
    attach?: true;
  };
  /** one line on why the control has its status */
  reason: string;
  /** a config_rule control kept as corroboration: the read-API control it corroborates */
  corroborates?: string;
  /** on a read-API control: the verdicts of the Config rules that corroborate it, and whether each agrees */
  corroboration?: { control: string; status: ControlStatus; agrees: boolean | null }[];
}

interface RunWarning {
  kind: 'unmatched-waiver' | 'corroboration-disagrees';
  /** the control the entry names */
  control: string;
  /** the entry's resource pattern */
  resource: string;
  /** the whole warning in plain words */
  message: string;
}

export interface Results {
  tool: { name: 'trustpack'; version: string };
  run: {
    id: string;
    startedAt: string;
    endedAt?: string;
    evaluatedAt: string;
    accounts: string[];
    regions: string[];
    framework?: string;
    /** the time the evidence describes: startedAt for a live run, the as-of time of a backfilled one */
    asOf?: string;
    /** where the evidence came from: live calls, or AWS Config's configuration history */
    source?: 'live' | 'config-history';
    /** accounts of the organization not collected because of their State (SUSPENDED, CLOSED...) */
    skippedAccounts?: { account: string; state: string }[];
  };
  summary: Record<ControlStatus, number>;
  controls: ControlResult[];
  /**
   * Things in the user's own files that decided nothing and probably should have: a current
   * waiver whose resource pattern matches no resource of its control. Every output shows them.
   */
  warnings?: RunWarning[];
  /** waivers that have expired and so cover nothing, reported so they get renewed or removed */
  expiredWaivers?: { control: string; resource: string; expires: string; approver: string }[];
}
