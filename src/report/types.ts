// What the pack is built from. The report knows results, controls and evidence files; it
// never collects or evaluates anything itself.
import type { Control, Framework, FrameworkId } from '../controls/model.js';
import type { Manifest } from '../evidence/model.js';
import type { Results } from '../engine/results.js';
import type { SignerInput } from '../signing/sign.js';

/** The Coverage JSON of docs/CONTRACTS.md (what src/engine/coverage.ts computes). */
export interface PackCoverage {
  frameworks: {
    id: string;
    title: string;
    total: number;
    covered: number;
    automated: number;
    leaves?: { total: number; covered: number; automated: number };
    requirements: { id: string; title: string; controls: string[]; automated: boolean }[];
  }[];
}

export interface PackAttachment {
  /** the name readers list; for bundle files the manifest path, e.g. records/kms.keys.jsonl */
  name: string;
  bytes: Buffer;
  description?: string;
}

export interface PackInput {
  results: Results;
  controls: Control[];
  frameworks: Framework[];
  coverage: PackCoverage;
  /** OSCAL assessment-results document, already computed */
  oscal: object;
  /** the bundle files (manifest.json, records/*.jsonl) + results.json + the OSCAL json */
  attachments: PackAttachment[];
  /** the manifest; read from the manifest.json attachment when absent */
  manifest?: Manifest;
  organisation?: string;
  /** from trustpack.yaml: the system the pack is about, who prepared and who reviewed it */
  system?: { scope?: string; accounts?: string[]; services?: string[] };
  preparer?: string;
  reviewer?: string;
  /** a PNG or JPEG image (checked by its signature bytes before the pack is built) */
  logo?: Buffer;
  framework?: FrameworkId | 'all';
  /** per control id, its evidence source in words (API calls, Config rule, document); from the catalog when absent */
  evidenceSources?: Record<string, string>;
  signingTime: Date;
  signer?: SignerInput;
  unsigned?: boolean;
  /** the signer is a throw-away demo key: the cover says so in plain sight */
  demoSigner?: boolean;
}
