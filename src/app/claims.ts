// `controls list --by-claim`: every promise of controls/claims.yaml with the controls that back
// it and the kind of proof each gives. The README's catalog table is this view as markdown
// (test/claims.test.ts keeps it current), so the two never disagree.
import type { Claim, Control } from '../controls/model.js';
import { textTable } from '../output/text-table.js';

type Proof = 'API' | 'Config rule' | 'attestation' | 'inherited';

interface ClaimRow {
  id: string;
  promise: string;
  numbers: string | null;
  controls: { id: string; proof: Proof }[];
  /** no control reads it from AWS: only a document (attestation or provider report) proves it */
  noToolProves: boolean;
}

function proofOf(c: Control): Proof {
  if (c.kind === 'manual') return 'attestation';
  if (c.kind === 'inherited') return 'inherited';
  return c.config_rule ? 'Config rule' : 'API';
}

function claimRows(claims: readonly Claim[], controls: readonly Control[]): ClaimRow[] {
  return claims.map((cl) => {
    const backing = controls.filter((c) => c.claims?.includes(cl.id)).map((c) => ({ id: c.id, proof: proofOf(c) }));
    return {
      id: cl.id, promise: cl.promise, numbers: cl.numbers ?? null, controls: backing,
      noToolProves: !backing.some((b) => b.proof === 'API' || b.proof === 'Config rule'),
    };
  });
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function listByClaim(claims: readonly Claim[], controls: readonly Control[], format: string): string {
  const rows = claimRows(claims, controls);
  if (format === 'json') return JSON.stringify({ claims: rows }, null, 2);
  const proofs = (r: ClaimRow): string => [...new Set(r.controls.map((c) => c.proof))].join(', ') || 'none';
  if (format === 'markdown') {
    const md = ['| claim | promise (our words) | numbers, cadence | controls | proof |', '| --- | --- | --- | --- | --- |'];
    for (const r of rows) {
      const names = r.controls.length ? r.controls.map((c) => `\`${c.id}\``).join(', ') : '**none**';
      const proof = r.controls.length === 0 ? 'no control yet' : r.noToolProves ? `${proofs(r)} (no tool can prove it)` : proofs(r);
      md.push(`| ${r.id} | ${cell(r.promise)} | ${cell(r.numbers ?? '')} | ${names} | ${proof} |`);
    }
    return md.join('\n');
  }
  const table = rows.map((r) => [r.id, r.controls.map((c) => c.id).join(' ') || '-', r.noToolProves ? `${proofs(r)} (no tool)` : proofs(r), r.promise]);
  const without = rows.filter((r) => r.controls.length === 0).length;
  return textTable(['CLAIM', 'CONTROLS', 'PROOF', 'PROMISE'], table) + `\n${rows.length} claims, ${without} without a control`;
}
