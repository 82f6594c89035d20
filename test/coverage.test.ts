import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCoverage, UnknownFrameworkError } from '../src/engine/coverage.js';
import type { Control, Framework } from '../src/controls/model.js';
import { loadCatalog } from '../src/controls/load.js';
import { COLLECTORS } from '../collectors/registry.js';
import { coverageReport } from '../src/app/list.js';
import type { ProjectContext } from '../src/app/project.js';
import { ROOT } from './helpers/cli.js';

function control(id: string, kind: 'automated' | 'manual', frameworks: Control['frameworks']): Control {
  return { id, title: id, description: id, severity: 'high', kind, frameworks, remediation: 'fix it' };
}

const soc2: Framework = {
  id: 'soc2', title: 'SOC 2', version: '2017 (rev. 2022)',
  requirements: [
    { id: 'CC6.1', title: 'Logical access' },
    { id: 'CC6.6', title: 'Boundary protection' },
    { id: 'CC7.2', title: 'Monitoring' },
    { id: 'A1.2', title: 'Backups' },
  ],
};
const gdpr: Framework = {
  id: 'gdpr', title: 'GDPR', version: '2016/679',
  requirements: [
    { id: 'Art.32', title: 'Security of processing' },
    { id: 'Art.32(1)(a)', title: 'Pseudonymisation and encryption' },
    { id: 'Art.33', title: 'Breach notification', group: 'Chapter IV' } as Framework['requirements'][number],
  ],
};

const controls = [
  control('rds-encrypted', 'automated', { soc2: ['CC6.1'], gdpr: ['Art.32(1)(a)'] }),
  control('access-policy', 'manual', { soc2: ['CC6.1', 'CC6.6'], gdpr: ['Art.32'] }),
  control('backup-policy', 'manual', { soc2: ['A1.2', 'A1.2'] }),
  control('ir-plan', 'manual', { gdpr: ['Art.33'] }),
  // a mapping to an id the catalog does not have counts for nothing
  control('stray', 'automated', { soc2: ['CC9.9'] }),
];

describe('computeCoverage', () => {
  it('counts total, covered and automated per framework', () => {
    const cov = computeCoverage(controls, [soc2, gdpr]);
    expect(cov.frameworks.map((f) => [f.id, f.total, f.covered, f.automated])).toEqual([
      ['soc2', 4, 3, 1],
      ['gdpr', 3, 3, 1],
    ]);
    expect(cov.frameworks[0]).toMatchObject({ title: 'SOC 2', version: '2017 (rev. 2022)' });
  });

  it('lists uncovered requirements in catalog order', () => {
    const [s] = computeCoverage(controls, [soc2]).frameworks;
    expect(s!.uncovered).toEqual(['CC7.2']);
    expect(s!.requirements.find((r) => r.id === 'CC7.2')).toEqual({ id: 'CC7.2', title: 'Monitoring', controls: [], automated: false });
  });

  it('is automated only when an automated control maps to the requirement', () => {
    const reqs = computeCoverage(controls, [soc2]).frameworks[0]!.requirements;
    const byId = Object.fromEntries(reqs.map((r) => [r.id, r]));
    expect(byId['CC6.1']).toMatchObject({ controls: ['access-policy', 'rds-encrypted'], automated: true });
    expect(byId['CC6.6']).toMatchObject({ controls: ['access-policy'], automated: false });
    // a control listing an id twice is one control
    expect(byId['A1.2']).toMatchObject({ controls: ['backup-policy'], automated: false });
  });

  it('treats an article and its points as distinct requirements', () => {
    const reqs = computeCoverage(controls, [gdpr]).frameworks[0]!.requirements;
    expect(reqs.find((r) => r.id === 'Art.32')).toMatchObject({ controls: ['access-policy'], automated: false });
    expect(reqs.find((r) => r.id === 'Art.32(1)(a)')).toMatchObject({ controls: ['rds-encrypted'], automated: true });
    // a mapping to the point alone does not cover the article
    const onlyPoint = computeCoverage([control('x', 'automated', { gdpr: ['Art.32(1)(a)'] })], [gdpr]).frameworks[0]!;
    expect(onlyPoint.uncovered).toEqual(['Art.32', 'Art.33']);
  });

  it('carries the optional group and keeps the contract key order', () => {
    const reqs = computeCoverage(controls, [gdpr]).frameworks[0]!.requirements;
    const art33 = reqs.find((r) => r.id === 'Art.33')!;
    expect(art33.group).toBe('Chapter IV');
    expect(Object.keys(art33)).toEqual(['id', 'title', 'group', 'controls', 'automated']);
    // Art.32 has the point Art.32(1)(a): a parent adds `points` last
    expect(Object.keys(reqs[0]!)).toEqual(['id', 'title', 'controls', 'automated', 'points']);
    expect(Object.keys(computeCoverage(controls, [gdpr]).frameworks[0]!)).toEqual(
      ['id', 'title', 'version', 'total', 'covered', 'automated', 'leaves', 'requirements', 'uncovered'],
    );
  });

  it('counts leaves: a parent with a narrower id in the catalog is not a leaf', () => {
    const pci: Framework = {
      id: 'pci-dss-4.0.1', title: 'PCI DSS', version: '4.0.1',
      requirements: [
        { id: '3.5', title: 'PAN secured' }, { id: '3.5.1', title: 'PAN unreadable' },
        { id: '3.5.1.1', title: 'Keyed hashes' }, { id: '3.6', title: 'Keys secured' }, { id: '3.50', title: 'not a child of 3.5' },
      ],
    };
    // only the parent 3.5 and the sibling 3.6 are mapped: parents never make leaves look covered
    const f = computeCoverage([control('a', 'automated', { 'pci-dss-4.0.1': ['3.5', '3.6'] }), control('m', 'manual', { 'pci-dss-4.0.1': ['3.5.1.1'] })], [pci]).frameworks[0]!;
    expect([f.total, f.covered, f.automated]).toEqual([5, 3, 2]);
    // leaves: 3.5.1.1, 3.6, 3.50 (3.5 has 3.5.1, 3.5.1 has 3.5.1.1)
    expect(f.leaves).toEqual({ total: 3, covered: 2, automated: 1 });
    const g = computeCoverage(controls, [gdpr]).frameworks[0]!;
    // Art.32 has the point Art.32(1)(a): leaves are the point and Art.33
    expect(g.leaves).toEqual({ total: 2, covered: 2, automated: 1 });
  });

  it('selects one framework by id, and rejects an unknown one', () => {
    expect(computeCoverage(controls, [soc2, gdpr], 'gdpr').frameworks.map((f) => f.id)).toEqual(['gdpr']);
    expect(() => computeCoverage(controls, [soc2, gdpr], 'hipaa')).toThrow(UnknownFrameworkError);
  });

  it('handles no controls and a catalog with a duplicated entry', () => {
    const dup: Framework = { ...soc2, requirements: [...soc2.requirements, { id: 'CC6.1', title: 'again' }] };
    const f = computeCoverage([], [dup]).frameworks[0]!;
    expect([f.total, f.covered, f.automated]).toEqual([4, 0, 0]);
    expect(f.uncovered).toEqual(['CC6.1', 'CC6.6', 'CC7.2', 'A1.2']);
  });

  it('never counts a parent from one of its points: 6.3 stays uncovered when only 6.3.3 is mapped, and says how many points have controls', () => {
    const pci: Framework = {
      id: 'pci-dss-4.0.1', title: 'PCI DSS', version: '4.0.1',
      requirements: [{ id: '6.3', title: 'Vulnerabilities' }, { id: '6.3.1', title: 'Identified' }, { id: '6.3.2', title: 'Inventory' }, { id: '6.3.3', title: 'Patched' }],
    };
    const f = computeCoverage([control('auto-minor-upgrade', 'automated', { 'pci-dss-4.0.1': ['6.3.3'] })], [pci]).frameworks[0]!;
    expect(f.uncovered).toEqual(['6.3', '6.3.1', '6.3.2']);
    expect(f.requirements[0]).toEqual({ id: '6.3', title: 'Vulnerabilities', controls: [], automated: false, points: { total: 3, covered: 1 } });
    expect([f.covered, f.automated]).toEqual([1, 1]);
    // a leaf carries no points member
    expect(Object.keys(f.requirements[3]!)).toEqual(['id', 'title', 'controls', 'automated']);
  });
});

describe('coverage of the shipped catalog (issue 18, mappings)', () => {
  const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
  it('PCI DSS 6.3 is covered by no control that tests one of its points; its points carry those controls', () => {
    const pci = computeCoverage(catalog.controls, catalog.frameworks, 'pci-dss-4.0.1').frameworks[0]!;
    const byId = Object.fromEntries(pci.requirements.map((r) => [r.id, r]));
    expect(byId['6.3']).toMatchObject({ controls: [], automated: false, points: { total: 3, covered: 3 } });
    expect(byId['6.3.3']!.controls).toEqual(expect.arrayContaining(['manual-runtime-currency', 'rds-cluster-auto-minor-version-upgrade', 'rds-instance-auto-minor-version-upgrade']));
    expect(byId['6.3.3']!.automated).toBe(true);
    expect(byId['6.3.1']!.controls).toEqual(expect.arrayContaining(['manual-bug-bounty', 'manual-release-dependency-scanning', 'manual-vulnerability-scanning']));
    expect(byId['6.3.2']!.controls).toEqual(['manual-release-dependency-scanning']);
  });

  it('`coverage --uncovered` lists 6.3 with how many of its points have controls', () => {
    const ctx = { controls: catalog.controls, frameworks: catalog.frameworks } as unknown as ProjectContext;
    const text = coverageReport(ctx, 'pci-dss-4.0.1', 'table', true);
    expect(text).toContain('6.3  Vulnerabilities found, ranked and fixed, patches included (no control of its own; 3 of its 3 points have one)');
    const json = JSON.parse(coverageReport(ctx, 'pci-dss-4.0.1', 'json', false)) as { frameworks: { requirements: { id: string; points?: unknown }[] }[] };
    expect(json.frameworks[0]!.requirements.find((r) => r.id === '6.3')!.points).toEqual({ total: 3, covered: 3 });
  });

  // the review's mapping pairs this session settled (issue 18): each gone, with the reason in the rationale
  const dropped: [string, string, string][] = [
    ['cloudtrail-multi-region-all-events', 'pci-dss-4.0.1', '3.6.1'],
    ['cloudtrail-trail-records-management-events', 'pci-dss-4.0.1', '3.6.1'],
    ['cloudtrail-trail-records-management-events', 'csa-ccm-4', 'CEK-20'],
    ['kms-key-enabled', 'pci-dss-4.0.1', '3.6.1'],
    ['kms-customer-keys-rotate-yearly', 'pci-dss-4.0.1', '3.6.1'],
    ['rds-instance-not-public', 'pci-dss-4.0.1', '1.3'],
    ['rds-instance-not-public', 'pci-dss-4.0.1', '1.4'],
    ['config-recorder-continuous-needed-types', 'pci-dss-4.0.1', '10.2.1'],
    ['manual-pci-aoc', 'pci-dss-4.0.1', '12.5.1'],
    ['manual-pci-aoc', 'pci-dss-4.0.1', 'A1.1'],
    ['manual-incident-response-plan', 'pci-dss-4.0.1', '10.5.1'],
    ['manual-incident-response-plan', 'csa-ccm-4', 'LOG-02'],
    ['cloudtrail-trail-bucket-vaulted', 'soc2', 'PI1.5'],
    ['s3-log-buckets-object-lock-compliance', 'soc2', 'PI1.5'],
    ['rds-cluster-audit-logs-exported', 'pci-dss-4.0.1', '10.2.1.4'],
    ['rds-cluster-audit-logs-exported', 'pci-dss-4.0.1', '10.2.1.7'],
    ['manual-runtime-currency', 'pci-dss-4.0.1', '6.3'],
    ['manual-bug-bounty', 'pci-dss-4.0.1', '6.3'],
  ];
  it.each(dropped)('%s no longer maps %s %s, and its rationale says why', (id, fw, req) => {
    const c = catalog.controls.find((x) => x.id === id)!;
    expect((c.frameworks as Record<string, string[] | undefined>)[fw] ?? []).not.toContain(req);
    expect(c.rationale).toMatch(/the review/);
  });
});
