// Results of evaluating controls against evidence: the shape of `--format json` (DESIGN.md).
import type { FrameworkId } from '../controls/model.js';

export type ControlStatus = 'PASS' | 'FAIL' | 'ERROR' | 'NOT_APPLICABLE' | 'MANUAL' | 'WAIVED';
export type FindingStatus = 'PASS' | 'FAIL' | 'ERROR' | 'WAIVED';
export const CONTROL_STATUSES: readonly ControlStatus[] = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE', 'MANUAL', 'WAIVED'];

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
  /** set when status is WAIVED */
  waiver?: { reason: string; approver: string; expires: string };
}

export interface ControlResult {
  id: string;
  title: string;
  status: ControlStatus;
  severity: string;
  kind: 'automated' | 'manual';
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
    /** the attestation's own notes (what the document covers) */
    notes?: string;
  };
  /** one line on why the control has its status */
  reason: string;
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
  };
  summary: Record<ControlStatus, number>;
  controls: ControlResult[];
  /** waivers that have expired and so cover nothing, reported so they get renewed or removed */
  expiredWaivers?: { control: string; resource: string; expires: string; approver: string }[];
}
