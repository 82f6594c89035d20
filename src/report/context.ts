// What every section of the pack reads: the input, indexed once.
import type { Control, Framework } from '../controls/model.js';
import type { Manifest } from '../evidence/model.js';
import type { ControlResult } from '../engine/results.js';
import type { Writer } from './layout.js';
import type { SignerIdentity } from '../pack/contract.js';
import type { PackAttachment, PackCoverage, PackInput } from './types.js';
import type { RunCriteria } from './run-criteria.js';

export interface PackContext {
  w: Writer;
  input: PackInput;
  manifest?: Manifest;
  /** the frameworks this pack is about (one, or all five) */
  frameworks: Framework[];
  coverage: PackCoverage['frameworks'];
  controls: Map<string, Control>;
  results: Map<string, ControlResult>;
  signer?: SignerIdentity;
  attachments: (PackAttachment & { sha256: string })[];
  /** the exceptions numbered, per control its detail and conclusion, per framework its requirements */
  criteria: RunCriteria;
}

export function fmtValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '(absent)';
  return JSON.stringify(v);
}

export function fmtTime(iso: string | Date | undefined): string {
  if (!iso) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}
