import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OUTPUT_FORMATS, render } from '../src/output/index.js';
import { csvCell, CSV_HEADER } from '../src/output/csv.js';
import { MAX_RESOURCES_PER_CONTROL } from '../src/output/markdown.js';
import type { Finding, Results } from '../src/engine/results.js';
import { hostile, NASTY, results } from './output-fixture.js';

const plain = { color: false };
const ANSI_RE = /\u001b\[[0-9;]*m/g;
const stripCtl = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
const oneLine = (s: string) => stripCtl(s).replace(/\s+/g, ' ').trim();

/** A strict RFC 4180 reader: CRLF records, quoted fields with "" escapes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
          i++;
          break;
        }
        cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ',') { i++; continue; }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}`);
    i += 2;
    rows.push(row);
    row = [];
  }
  return rows;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testcase', 'property', 'testsuite'].includes(name),
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

function parseJunit(text: string): any {
  expect(XMLValidator.validate(text)).toBe(true);
  return xml.parse(text);
}

describe('render', () => {
  it('renders every format for every status without throwing', () => {
    for (const f of OUTPUT_FORMATS) {
      expect(render(f, results, plain).length).toBeGreaterThan(0);
      expect(render(f, hostile, plain).length).toBeGreaterThan(0);
    }
  });
});

describe('json', () => {
  it('round-trips to the Results object, in the contract shape', () => {
    const parsed = JSON.parse(render('json', results, plain));
    expect(parsed).toEqual(results);
    expect(Object.keys(parsed)).toEqual(['tool', 'run', 'summary', 'controls']);
    expect(Object.keys(parsed.summary)).toEqual(['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE', 'MANUAL', 'WAIVED']);
    expect(Object.keys(parsed.run).slice(0, 2)).toEqual(['id', 'startedAt']);
    expect(parsed.run).toHaveProperty('accounts');
    expect(parsed.run).toHaveProperty('regions');
    const c = parsed.controls[0];
    expect(Object.keys(c).slice(0, 3)).toEqual(['id', 'title', 'status']);
    expect(c).toHaveProperty('frameworks');
    const f = c.findings[0];
    expect(Object.keys(f).slice(0, 6)).toEqual(['resource', 'account', 'region', 'status', 'reason', 'evidence']);
    expect(f.evidence[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fills all six summary keys and keeps extension keys', () => {
    const partial = { ...results, summary: { FAIL: 2 } as Results['summary'], extra: { z: 1 } };
    const parsed = JSON.parse(render('json', partial, plain));
    expect(parsed.summary).toEqual({ PASS: 0, FAIL: 2, ERROR: 0, NOT_APPLICABLE: 0, MANUAL: 0, WAIVED: 0 });
    expect(parsed.extra).toEqual({ z: 1 });
  });

  it('prints the same bytes whatever the key order of the input', () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys)
        : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]))
          : v;
    const withExtras: Results = {
      ...results,
      controls: results.controls.map((c) => ({
        ...c, parameters: { b: 1, a: [{ y: 1, x: 2 }] },
        findings: c.findings.map((f) => ({ ...f, values: { 'B.c': { q: 1, p: 2 }, A: true } })),
      })),
      expiredWaivers: [{ control: 'c', resource: 'r', expires: '2026-01-01', approver: 'a' }],
    };
    const reordered = reverseKeys(withExtras) as Results;
    expect(Object.keys(reordered)[0]).toBe('expiredWaivers');
    expect(render('json', reordered, plain)).toBe(render('json', withExtras, plain));
    expect(JSON.parse(render('json', reordered, plain))).toEqual(withExtras);
  });
});

describe('junit', () => {
  it('parses as XML with the right testcase, failure, error and skipped counts', () => {
    const doc = parseJunit(render('junit', results, plain));
    const suite = doc.testsuites.testsuite[0];
    expect(suite.name).toBe('trustpack');
    const cases: any[] = suite.testcase;
    // 5 findings + 2 controls without findings (NOT_APPLICABLE, MANUAL)
    expect(cases).toHaveLength(7);
    expect(cases.filter((c) => 'failure' in c)).toHaveLength(1);
    expect(cases.filter((c) => 'error' in c)).toHaveLength(1);
    expect(cases.filter((c) => 'skipped' in c)).toHaveLength(2);
    expect(suite).toMatchObject({ tests: '7', failures: '1', errors: '1', skipped: '2' });
    expect(doc.testsuites).toMatchObject({ tests: '7', failures: '1', errors: '1', skipped: '2' });
    const failing = cases.find((c) => 'failure' in c);
    expect(failing).toMatchObject({ classname: 'rds-encrypted', name: 'arn:aws:rds:eu-west-1:111122223333:cluster:b' });
    expect(failing.failure.message).toBe('StorageEncrypted is false');
    const manual = cases.find((c) => c.classname === 'incident-policy');
    expect(manual['system-out']).toContain('attested by CISO');
    expect(manual['system-out']).toContain('policies/ir.pdf');
    const waived = cases.find((c) => c.classname === 'rds-public');
    expect(waived.skipped.message).toContain('cto@example.com');
  });

  it('keeps hostile strings intact (escaped, control characters stripped)', () => {
    const text = render('junit', hostile, plain);
    expect(text).not.toMatch(/[\u0001\u001f]/);
    expect(text.includes(']]>')).toBe(false);
    const cases: any[] = parseJunit(text).testsuites.testsuite[0].testcase;
    expect(cases).toHaveLength(3);
    expect(cases[0].classname).toBe('9 odd/id');
    expect(cases[0].name).toBe('arn:aws:s3:::bucket-"<&>"');
    expect(cases[0].failure.message).toBe(oneLine(NASTY));
    expect(cases[0].failure.message).toContain('Zürich "q" \'a\' <b> & ]]>');
    expect(cases[0].failure['#text']).toContain(stripCtl(NASTY));
    expect(cases[1].name).toBe('=HYPERLINK("http://evil")');
    expect('error' in cases[2]).toBe(true);
  });

  it('gives a FAIL control whose findings do not carry the failure its own failing testcase', () => {
    const r: Results = { ...results, controls: [{ ...results.controls[1]!, id: 'manual-missing', status: 'FAIL', reason: 'no attestation', findings: [] },
      { ...results.controls[1]!, status: 'ERROR', reason: 'region unreachable' }] };
    const cases: any[] = parseJunit(render('junit', r, plain)).testsuites.testsuite[0].testcase;
    expect(cases.filter((c) => 'failure' in c).map((c) => c.failure.message)).toEqual(['no attestation']);
    expect(cases.filter((c) => 'error' in c).map((c) => c.error.message)).toEqual(['region unreachable']);
  });

  it('is well-formed XML for any strings (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (resource, reason) => {
      const f: Finding = { resource, account: '1', region: 'r', status: 'FAIL', reason, evidence: [] };
      const r: Results = { ...results, controls: [{ ...results.controls[0]!, findings: [f] }] };
      const text = render('junit', r, plain);
      expect(XMLValidator.validate(text)).toBe(true);
      expect(xml.parse(text).testsuites.testsuite[0].testcase).toHaveLength(1);
    }), { numRuns: 300 });
  });
});

describe('csv', () => {
  it('parses back: a header, one row per finding and one per control without findings', () => {
    const rows = parseCsv(render('csv', results, plain));
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows).toHaveLength(1 + 5 + 2);
    for (const row of rows) expect(row).toHaveLength(CSV_HEADER.length);
    const fail = rows.find((r) => r[7] === 'FAIL')!;
    expect(fail).toEqual([
      'rds-encrypted', 'RDS clusters are encrypted at rest', 'FAIL', 'high', 'arn:aws:rds:eu-west-1:111122223333:cluster:b',
      '111122223333', 'eu-west-1', 'FAIL', 'StorageEncrypted is false', `${'a'.repeat(64)} ${'b'.repeat(64)}`,
      'soc2:CC6.1;pci-dss-4.0.1:3.5.1',
    ]);
    const na = rows.find((r) => r[0] === 'dynamo-pitr')!;
    expect(na.slice(2, 9)).toEqual(['NOT_APPLICABLE', 'low', '', '', '', '', 'no table in scope']);
  });

  it('quotes commas, quotes and newlines, and uses CRLF', () => {
    const text = render('csv', hostile, plain);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '').includes('\r')).toBe(false);
    const rows = parseCsv(text);
    expect(rows[1]![8]).toBe(stripCtl(NASTY));
    expect(rows[1]![4]).toBe('arn:aws:s3:::bucket-"<&>"');
    expect(rows[1]![10]).toBe('gdpr:Art.32(1)(a)');
  });

  it('neutralises formula injection', () => {
    const row = parseCsv(render('csv', hostile, plain))[2]!;
    expect(row[4]).toBe(`'=HYPERLINK("http://evil")`);
    expect(row[5]).toBe(`'+1`);
    expect(row[6]).toBe(`'-x`);
    expect(row[8]).toBe(`'@SUM(A1)`);
    for (const s of ['=1+1', '+1', '-1', '@x', '\t=1']) expect(csvCell(s).replace(/^"/, '')[0]).toBe("'");
    expect(csvCell('plain')).toBe('plain');
  });

  it('round-trips any cell (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const [row] = parseCsv(`${csvCell(s)},x\r\n`);
      const clean = stripCtl(s);
      expect(row).toEqual([/^[=+\-@\t\r]/.test(clean) ? `'${clean}` : clean, 'x']);
    }), { numRuns: 300 });
  });
});

describe('markdown', () => {
  const md = render('markdown', results, plain);

  it('has a heading, the status counts table and the failing resources', () => {
    expect(md).toMatch(/^## trustpack results/);
    expect(md).toContain('| Status | Controls |');
    for (const s of ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE', 'MANUAL', 'WAIVED']) expect(md).toMatch(new RegExp(`\\| \\S+ ${s} \\| 1 \\|`));
    expect(md).toContain('| arn:aws:rds:eu-west-1:111122223333:cluster:b | 111122223333 | eu-west-1 | FAIL | StorageEncrypted is false |');
    expect(md).toContain('AccessDenied on ListKeys');
    expect(md).toContain('### Waived');
    expect(md).toContain('cto@example.com');
    expect(md).toContain('### Manual');
    expect(md).toMatch(/<details><summary>Passing controls \(1\)<\/summary>[\s\S]*rds-backup[\s\S]*<\/details>/);
  });

  it('escapes pipes and HTML so hostile text cannot break the table', () => {
    const text = render('markdown', hostile, plain);
    expect(text).toContain('\\|');
    expect(text).not.toContain('<b>');
    expect(text).not.toMatch(/[\u0001\u001f]/);
    const rows = text.split('\n').filter((l) => l.startsWith('| ') && l.includes('arn:aws:s3'));
    expect(rows.length).toBe(2);
    // cells are separated by unescaped pipes only: 5 cells -> 6 separators
    for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
  });
});

describe('markdown size', () => {
  it('caps the resources listed per failing control and says how many were left out', () => {
    const f = results.controls[0]!.findings[1]!;
    const many = Array.from({ length: MAX_RESOURCES_PER_CONTROL + 7 }, (_, i) => ({ ...f, resource: `${f.resource}-${i}` }));
    const r: Results = { ...results, controls: [{ ...results.controls[0]!, findings: many }] };
    const text = render('markdown', r, plain);
    expect(text.split('\n').filter((l) => l.startsWith('| arn:'))).toHaveLength(MAX_RESOURCES_PER_CONTROL);
    expect(text).toContain('and 7 more');
  });
});

describe('table', () => {
  function tableLines(text: string): string[] {
    const lines = text.split('\n');
    return lines.slice(0, lines.indexOf(''));
  }

  it('aligns every column and has no ANSI codes without colour', () => {
    for (const r of [results, hostile]) {
      const text = render('table', r, plain);
      expect(text).not.toMatch(ANSI_RE);
      const lines = tableLines(text).map((l) => [...l]);
      expect(lines).toHaveLength(r.controls.length + 1);
      const header = lines[0]!.join('');
      const starts = ['CONTROL', 'SEVERITY', 'TITLE', 'FAILING'].map((h) => [...header.slice(0, header.indexOf(h))].length);
      for (const line of lines) {
        for (const col of starts) {
          expect(line[col - 1]).toBe(' ');
          expect(line[col]).not.toBe(' ');
        }
      }
    }
  });

  it('lists failing findings and ends with a summary line', () => {
    const text = render('table', results, plain);
    expect(text).toContain('  arn:aws:rds:eu-west-1:111122223333:cluster:b  StorageEncrypted is false');
    expect(text).toContain('(error) AccessDenied on ListKeys');
    expect(text).not.toContain('cluster:a  StorageEncrypted is true');
    expect(text.trimEnd().split('\n').at(-1)).toBe('6 controls: 1 PASS, 1 FAIL, 1 ERROR, 1 NOT_APPLICABLE, 1 MANUAL, 1 WAIVED');
  });

  it('colours only when asked, and colour does not change the text', () => {
    const coloured = render('table', results, { color: true });
    expect(coloured).toMatch(ANSI_RE);
    expect(coloured.replace(ANSI_RE, '')).toBe(render('table', results, plain));
  });

  it('never passes escape sequences from the data to the terminal', () => {
    const r: Results = { ...results, controls: [{ ...results.controls[0]!, title: 'x\u001b[2Jy', reason: 'a\u001b]0;pwned\u0007b' }] };
    expect(render('table', r, plain)).not.toContain('\u001b');
  });

  it('cuts the title column to fit the width', () => {
    const text = render('table', results, { color: false, width: 60 });
    for (const line of tableLines(text)) expect([...line].length).toBeLessThanOrEqual(60);
    expect(text).toContain('…');
  });
});
