// The five framework catalogs in controls/frameworks/: they parse, their ids are unique
// strings, their titles are short, and each holds the requirements it promises to hold.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FRAMEWORK_IDS, type FrameworkId } from '../src/controls/model.js';

interface RawRequirement { id: unknown; title: unknown; group?: unknown }
interface RawFramework { id: unknown; title: unknown; version: unknown; url?: unknown; requirements: RawRequirement[] }

const DIR = fileURLToPath(new URL('../controls/frameworks/', import.meta.url));

function load(id: FrameworkId): RawFramework {
  const doc = parse(readFileSync(`${DIR}${id}.yaml`, 'utf8')) as RawFramework;
  return doc;
}

function ids(id: FrameworkId): string[] {
  return load(id).requirements.map((r) => String(r.id));
}

describe('every framework catalog', () => {
  for (const fw of FRAMEWORK_IDS) {
    describe(fw, () => {
      const doc = load(fw);

      it('parses, with id, title, version and a list of requirements', () => {
        expect(doc.id).toBe(fw);
        expect(typeof doc.title).toBe('string');
        expect((doc.title as string).length).toBeGreaterThan(0);
        expect(typeof doc.version).toBe('string');
        if (doc.url !== undefined) expect(String(doc.url)).toMatch(/^https:\/\//);
        expect(Array.isArray(doc.requirements)).toBe(true);
        expect(doc.requirements.length).toBeGreaterThan(0);
      });

      it('has requirement ids that are strings (never YAML numbers) and unique', () => {
        const seen = new Set<string>();
        const dupes: string[] = [];
        for (const r of doc.requirements) {
          expect(typeof r.id, `id ${String(r.id)}`).toBe('string');
          const id = r.id as string;
          expect(id.trim()).toBe(id);
          expect(id.length).toBeGreaterThan(0);
          if (seen.has(id)) dupes.push(id);
          seen.add(id);
        }
        expect(dupes).toEqual([]);
      });

      it('has a non-empty title under 160 characters for every requirement', () => {
        for (const r of doc.requirements) {
          expect(typeof r.title, `title of ${String(r.id)}`).toBe('string');
          const t = (r.title as string).trim();
          expect(t.length, `title of ${String(r.id)}`).toBeGreaterThan(0);
          expect(t.length, `title of ${String(r.id)}`).toBeLessThan(160);
        }
      });

      it('has only id, title and group keys, and a non-empty group where given', () => {
        for (const r of doc.requirements) {
          expect(Object.keys(r).every((k) => ['id', 'title', 'group'].includes(k)), String(r.id)).toBe(true);
          if (r.group !== undefined) {
            expect(typeof r.group).toBe('string');
            expect((r.group as string).length).toBeGreaterThan(0);
          }
        }
      });
    });
  }
});

describe('soc2', () => {
  const expected = [
    ...['CC1.1', 'CC1.2', 'CC1.3', 'CC1.4', 'CC1.5'],
    ...['CC2.1', 'CC2.2', 'CC2.3'],
    ...['CC3.1', 'CC3.2', 'CC3.3', 'CC3.4'],
    ...['CC4.1', 'CC4.2'],
    ...['CC5.1', 'CC5.2', 'CC5.3'],
    ...['CC6.1', 'CC6.2', 'CC6.3', 'CC6.4', 'CC6.5', 'CC6.6', 'CC6.7', 'CC6.8'],
    ...['CC7.1', 'CC7.2', 'CC7.3', 'CC7.4', 'CC7.5'],
    'CC8.1',
    ...['CC9.1', 'CC9.2'],
    ...['A1.1', 'A1.2', 'A1.3'],
    ...['C1.1', 'C1.2'],
    ...['PI1.1', 'PI1.2', 'PI1.3', 'PI1.4', 'PI1.5'],
    'P1.1', 'P2.1',
    ...['P3.1', 'P3.2'],
    ...['P4.1', 'P4.2', 'P4.3'],
    ...['P5.1', 'P5.2'],
    ...['P6.1', 'P6.2', 'P6.3', 'P6.4', 'P6.5', 'P6.6', 'P6.7'],
    'P7.1', 'P8.1',
  ];

  it('lists exactly the 61 criteria of the 2017 Trust Services Criteria, in order', () => {
    expect(expected).toHaveLength(61);
    expect(ids('soc2')).toEqual(expected);
  });
});

describe('csa-ccm-4', () => {
  const counts: Record<string, number> = {
    'A&A': 6, AIS: 7, BCR: 11, CCC: 9, CEK: 21, DCS: 15, DSP: 19, GRC: 8, HRS: 13,
    IAM: 16, IPY: 4, IVS: 9, LOG: 13, SEF: 8, STA: 14, TVM: 10, UEM: 14,
  };

  it('has 197 controls', () => {
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(197);
    expect(ids('csa-ccm-4')).toHaveLength(197);
  });

  it('numbers each domain 01..n with the v4.0 count, and nothing else', () => {
    const expected: string[] = [];
    for (const [domain, n] of Object.entries(counts)) {
      for (let i = 1; i <= n; i++) expected.push(`${domain}-${String(i).padStart(2, '0')}`);
    }
    expect([...ids('csa-ccm-4')].sort()).toEqual([...expected].sort());
  });

  it('groups every control under one domain name per prefix', () => {
    const groups = new Map<string, Set<string>>();
    for (const r of load('csa-ccm-4').requirements) {
      const prefix = String(r.id).split('-')[0] ?? '';
      expect(typeof r.group).toBe('string');
      if (!groups.has(prefix)) groups.set(prefix, new Set());
      groups.get(prefix)?.add(r.group as string);
    }
    expect(groups.size).toBe(17);
    for (const [prefix, names] of groups) expect(names.size, prefix).toBe(1);
  });

  it('keeps the ids the controls use', () => {
    expect(ids('csa-ccm-4')).toEqual(expect.arrayContaining(['CEK-03', 'BCR-08', 'DSP-16', 'LOG-09', 'SEF-02', 'A&A-01']));
  });
});

describe('gdpr', () => {
  it('has one requirement per article, Art.5 to Art.50 (Chapters II to V), and no other articles', () => {
    const all = ids('gdpr');
    const articles = all.filter((id) => /^Art\.\d+$/.test(id));
    const expected = Array.from({ length: 46 }, (_, i) => `Art.${i + 5}`);
    expect(articles).toEqual(expected);
  });

  it('has the paragraph- and point-level ids that controls map to', () => {
    expect(ids('gdpr')).toEqual(expect.arrayContaining([
      'Art.5(1)(a)', 'Art.5(1)(b)', 'Art.5(1)(c)', 'Art.5(1)(d)', 'Art.5(1)(e)', 'Art.5(1)(f)', 'Art.5(2)',
      'Art.17(1)', 'Art.17(2)', 'Art.25(1)', 'Art.25(2)', 'Art.28(1)', 'Art.28(2)', 'Art.28(3)', 'Art.28(4)', 'Art.30(1)',
      'Art.32(1)(a)', 'Art.32(1)(b)', 'Art.32(1)(c)', 'Art.32(1)(d)', 'Art.32(2)',
      'Art.33(1)', 'Art.33(2)', 'Art.33(5)', 'Art.34(1)', 'Art.35(1)', 'Art.44',
    ]));
  });

  it('writes every id as Art.N, Art.N(p) or Art.N(p)(x), with its article present', () => {
    const all = new Set(ids('gdpr'));
    for (const id of all) {
      const m = /^Art\.(\d+)(\(\d+\))?(\([a-z]\))?$/.exec(id);
      expect(m, id).not.toBeNull();
      expect(all.has(`Art.${m?.[1]}`), id).toBe(true);
    }
  });
});

describe('ccpa', () => {
  const sections = [
    '1798.100', '1798.105', '1798.106', '1798.110', '1798.115', '1798.120', '1798.121', '1798.125',
    '1798.130', '1798.135', '1798.140', '1798.145', '1798.146', '1798.147', '1798.148', '1798.150', '1798.155',
    '1798.160', '1798.175', '1798.180', '1798.185', '1798.190', '1798.192', '1798.194', '1798.196',
    '1798.198', '1798.199',
    ...Array.from({ length: 19 }, (_, i) => `1798.199.${(i + 2) * 5}`), // 1798.199.10 … 1798.199.100
  ];

  it('has the sections controls map to most often', () => {
    expect(ids('ccpa')).toEqual(expect.arrayContaining(['1798.100', '1798.105', '1798.150']));
  });

  it('has every section of 1798.100 to 1798.199.100, and only those', () => {
    expect(sections.at(-1)).toBe('1798.199.100');
    expect(ids('ccpa')).toEqual(sections);
  });

  it('uses the version the design names', () => {
    expect(load('ccpa').version).toBe('CCPA as amended by CPRA (2020), in force 2023');
  });
});

describe('pci-dss-4.0.1', () => {
  // The x.y requirements of PCI DSS v4.0.1, per principal requirement.
  const xyCount: Record<number, number> = { 1: 5, 2: 3, 3: 7, 4: 2, 5: 4, 6: 5, 7: 3, 8: 6, 9: 5, 10: 7, 11: 6, 12: 10 };
  const detailed = new Set([3, 4, 7, 8, 10, 11, 12]);

  it('has every x.y requirement for Requirements 1 to 12', () => {
    const xy = ids('pci-dss-4.0.1').filter((id) => /^\d+\.\d+$/.test(id));
    const expected: string[] = [];
    for (let x = 1; x <= 12; x++) for (let y = 1; y <= (xyCount[x] ?? 0); y++) expected.push(`${x}.${y}`);
    expect(xy).toEqual(expected);
  });

  it('includes the requirements controls map to', () => {
    expect(ids('pci-dss-4.0.1')).toEqual(expect.arrayContaining([
      '3.5.1', '4.2.1', '10.3.3', '10.5.1', '11.3', '11.4', '12.10.1',
      '3.5.1.1', '3.5.1.2', '8.3.6', '10.4.1.1', '11.3.1.1', '12.5.2.1',
    ]));
  });

  it('has x.y.z detail for Requirements 3, 4, 7, 8, 10, 11 and 12 and for 1.4 and 6.3 only, every x.y of those with at least one', () => {
    const all = ids('pci-dss-4.0.1').filter((id) => !id.startsWith('A'));
    for (const id of all.filter((i) => i.split('.').length >= 3)) {
      // 1.4's and 6.3's points: controls test one of them each (issue 18), and a parent is never covered by its points
      expect(detailed.has(Number(id.split('.')[0])) || id.startsWith('1.4.') || id.startsWith('6.3.'), id).toBe(true);
    }
    expect(all.filter((id) => id.startsWith('6.3.'))).toEqual(['6.3.1', '6.3.2', '6.3.3']);
    expect(all.filter((id) => id.startsWith('1.4.'))).toEqual(['1.4.1', '1.4.2', '1.4.3', '1.4.4', '1.4.5']);
    for (const x of detailed) {
      for (let y = 1; y <= (xyCount[x] ?? 0); y++) {
        expect(all.some((id) => id.startsWith(`${x}.${y}.`)), `${x}.${y} has sub-requirements`).toBe(true);
      }
    }
  });

  it('has Appendix A1 (multi-tenant service providers) in full', () => {
    expect(ids('pci-dss-4.0.1').filter((id) => id.startsWith('A'))).toEqual(
      ['A1.1', 'A1.1.1', 'A1.1.2', 'A1.1.3', 'A1.1.4', 'A1.2', 'A1.2.1', 'A1.2.2', 'A1.2.3']);
  });

  it('numbers sub-requirements without gaps, and every one has its parent', () => {
    const all = new Set(ids('pci-dss-4.0.1'));
    for (const id of all) {
      expect(id, id).toMatch(/^(A1|\d+)(\.\d+){1,3}$/);
      const parts = id.split('.');
      if (parts.length < 3) continue;
      const parent = parts.slice(0, -1).join('.');
      expect(all.has(parent), `${id} needs ${parent}`).toBe(true);
      const last = Number(parts.at(-1));
      if (last > 1) {
        const previous = [...parts.slice(0, -1), String(last - 1)].join('.');
        expect(all.has(previous), `${id} needs ${previous}`).toBe(true);
      }
    }
  });
});
