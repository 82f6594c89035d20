// The promises as data: controls/claims.yaml, every control naming the ids it backs, the
// `controls list --by-claim` view and the README's catalog table generated from it.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/controls/load.js';
import { listByClaim } from '../src/app/claims.js';
import { judgeAttestations } from '../src/engine/attestation.js';
import { COLLECTORS } from '../collectors/registry.js';
import { ROOT, runCli } from './helpers/cli.js';

const known = { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) };
const catalog = loadCatalog(join(ROOT, 'controls'), known);
const tmp = mkdtempSync(join(tmpdir(), 'trustpack-claims-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('controls/claims.yaml', () => {
  it('holds the 36 promises C1..C36 and loads without problems', () => {
    expect(catalog.problems).toEqual([]);
    expect(catalog.claims.map((c) => c.id)).toEqual(Array.from({ length: 36 }, (_, i) => `C${i + 1}`));
  });

  it('every control names the promises it backs, and every promise has a control', () => {
    for (const c of catalog.controls) expect(c.claims?.length ?? 0, c.id).toBeGreaterThan(0);
    const backed = new Set(catalog.controls.flatMap((c) => c.claims ?? []));
    expect(catalog.claims.filter((c) => !backed.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it("a control's claim adds no number its promises do not state", () => {
    const byId = new Map(catalog.claims.map((c) => [c.id, c]));
    for (const c of catalog.controls) {
      const stated = (c.claims ?? []).map((id) => `${byId.get(id)!.promise} ${byId.get(id)!.numbers ?? ''}`).join(' ');
      for (const n of (c.claim ?? '').match(/\d+(?:\.\d+)?/g) ?? []) expect(stated, `${c.id}: "${n}" in "${c.claim ?? ''}"`).toContain(n);
    }
  });

  it('the three contradictions of the review are gone', () => {
    const claim = (id: string) => catalog.controls.find((c) => c.id === id)!.claim!;
    expect(claim('manual-bug-bounty')).toMatch(/private/);
    expect(claim('manual-bug-bounty')).not.toMatch(/public/);
    expect(claim('manual-incident-response-plan')).not.toMatch(/72/);
    expect(claim('manual-pci-aoc')).not.toMatch(/Level/);
  });

  it('a control naming an unknown claim id is a problem at its line', () => {
    const dir = join(tmp, 'unknown');
    mkdirSync(dir, { recursive: true });
    for (const f of ['claims.yaml', 'manual-bug-bounty.yaml']) copyFileSync(join(ROOT, 'controls', f), join(dir, f));
    const file = join(dir, 'manual-bug-bounty.yaml');
    const text = readFileSync(file, 'utf8').replace('claims: [C1]', 'claims: [C1, C99]');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('claims:')) + 1;
    // (the copy has no frameworks folder: that problem is not the one tested here)
    const problems = loadCatalog(dir, known).problems.filter((p) => p.rule !== 'missing-file' && p.rule !== 'unknown-framework');
    expect(problems, JSON.stringify(problems)).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, line, rule: 'unknown-claim' });
    expect(problems[0]!.message).toContain('claim "C99" is not in claims.yaml');
  });
});

describe('the catalog table', () => {
  it("the README's table is the catalog's --by-claim view (regenerate: node scripts/gen-readme-catalog.mjs)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = /<!-- catalog:begin -->\n([\s\S]*?)\n<!-- catalog:end -->/.exec(readme)?.[1];
    expect(section).toBe(listByClaim(catalog.claims, catalog.controls, 'markdown'));
    // every promise is a row, with the kind of proof named
    for (const c of catalog.claims) expect(section).toMatch(new RegExp(`^\\| ${c.id} \\|.*\\| (API|Config rule|attestation|inherited)`, 'm'));
    expect(section).toContain('no tool can prove it');
  });

  it('trustpack controls list --by-claim --format json lists every promise with its controls and proof', async () => {
    const r = await runCli(['controls', 'list', '--by-claim', '--format', 'json', '--controls', join(ROOT, 'controls')]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { claims: { id: string; controls: { id: string; proof: string }[]; noToolProves: boolean }[] };
    expect(out.claims).toHaveLength(36);
    expect(out.claims.find((c) => c.id === 'C17')).toMatchObject({ controls: [{ id: 'inherited-aws-physical-security', proof: 'inherited' }], noToolProves: true });
    // residency: the databases, and every other kind of copy (issue 23), all read from AWS's answers
    const c18 = out.claims.find((c) => c.id === 'C18')!;
    expect(c18.noToolProves).toBe(false);
    expect(c18.controls).toContainEqual({ id: 'rds-data-residency', proof: 'API' });
    expect(c18.controls.map((c) => c.id)).toEqual(expect.arrayContaining(['backup-recovery-point-residency', 's3-data-bucket-residency']));
    expect(c18.controls.every((c) => c.proof === 'API')).toBe(true);
  });
});

describe('attestations whose document is a URL', () => {
  const soc2 = catalog.controls.find((c) => c.id === 'manual-soc2-report')!;
  const physical = catalog.controls.find((c) => c.id === 'inherited-aws-physical-security')!;
  const now = new Date('2026-11-28T12:00:00Z');
  const bytes = 'AWS SOC 2 report, 2025-10-01 to 2026-09-30\n';
  const sha = createHash('sha256').update(bytes).digest('hex');
  const base = { attested_by: 'Dana Smith', attested_at: '2026-10-01', document: 'https://trust.example.com/soc2.pdf', sha256: sha, expires: '2027-09-30' };
  const dir = join(tmp, 'url-docs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soc2.pdf'), bytes);

  it('FAIL without the attested copy: a URL is never hash-checked', () => {
    const v = judgeAttestations(soc2, [{ ...base, control: soc2.id }], now, dir);
    expect(v.current).toBe(false);
    expect(v.reason).toMatch(/is a URL, whose content can change: name the attested copy/);
  });

  it('current with a copy whose sha256 matches; FAIL when the copy differs or is missing', () => {
    expect(judgeAttestations(soc2, [{ ...base, control: soc2.id, copy: 'soc2.pdf', attach: true }], now, dir)).toMatchObject({ current: true, reason: expect.stringContaining('document hash verified') });
    writeFileSync(join(dir, 'other.pdf'), bytes + 'changed\n');
    expect(judgeAttestations(soc2, [{ ...base, control: soc2.id, copy: 'other.pdf' }], now, dir).reason).toMatch(/other\.pdf has sha256 .* the document changed/);
    expect(judgeAttestations(soc2, [{ ...base, control: soc2.id, copy: 'gone.pdf' }], now, dir).reason).toMatch(/copy gone\.pdf .* is not found/);
  });

  it("a provider's report under an inherited control is never attached", () => {
    const v = judgeAttestations(physical, [{ ...base, control: physical.id, copy: 'soc2.pdf', attach: true }], now, dir);
    expect(v.current).toBe(false);
    expect(v.reason).toMatch(/never attached/);
    expect(judgeAttestations(physical, [{ ...base, control: physical.id, copy: 'soc2.pdf' }], now, dir).current).toBe(true);
  });
});
