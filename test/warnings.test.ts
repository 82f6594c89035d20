// A waiver that matches nothing waives nothing: the engine says so in results.warnings, and every
// output shows it (table, json, junit, csv, markdown, oscal, the pack).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Control, Waiver } from '../src/controls/model.js';
import { evaluate } from '../src/engine/evaluate.js';
import type { Results } from '../src/engine/results.js';
import { render, type OutputFormat } from '../src/output/index.js';
import { buildPack } from '../src/report/pack.js';
import { bundle, complete, record } from './engine-helpers.js';
import { makeFixture } from './report-fixture.js';

const A = '111122223333';
const arn = (name: string) => `arn:aws:rds:us-east-1:${A}:cluster:${name}`;
const encrypted: Control = {
  id: 'cluster-encrypted', title: 'Clusters are encrypted', description: 'd', severity: 'high', kind: 'automated',
  collector: 'rds.db-clusters', assert: { path: 'StorageEncrypted', op: 'equals', value: true },
  frameworks: { soc2: ['CC6.1'] }, remediation: 'r',
};
const protectedCl: Control = { ...encrypted, id: 'cluster-protected', assert: { path: 'DeletionProtection', op: 'equals', value: true }, frameworks: { gdpr: ['Art.32'] } };
const evidence = bundle([A], ['us-east-1'], complete('rds.db-clusters', [A], ['us-east-1']), [
  record('rds.db-clusters', A, 'us-east-1', arn('orders'), { StorageEncrypted: false, DeletionProtection: true }),
  record('rds.db-clusters', A, 'us-east-1', arn('billing'), { StorageEncrypted: true, DeletionProtection: true }),
]);
const waiver = (control: string, resource: string, expires = '2099-01-01'): Waiver => ({ control, resource, reason: 'why', approver: 'Dana', expires });
const NOW = new Date('2026-11-28T12:00:00Z');

describe('the engine', () => {
  it('warns of a current waiver whose pattern matches no resource of its control', () => {
    const r = evaluate([encrypted, protectedCl], evidence, {
      toolVersion: 't', now: NOW,
      waivers: [
        waiver('cluster-encrypted', arn('order')), // a typo: matches nothing
        waiver('cluster-encrypted', arn('orders')), // matches and waives
        waiver('cluster-protected', arn('bill*')), // matches a passing resource: it matched something
        waiver('cluster-encrypted', arn('gone'), '2020-01-01'), // expired: reported as expired, not here
      ],
    });
    expect(r.controls.find((c) => c.id === 'cluster-encrypted')!.status).toBe('WAIVED');
    expect(r.warnings).toEqual([{
      kind: 'unmatched-waiver', control: 'cluster-encrypted', resource: arn('order'),
      message: `the waiver for cluster-encrypted on "${arn('order')}" (approved by Dana, expires 2099-01-01) matches no resource of that control in this run; fix its resource pattern or remove it`,
    }]);
    expect(r.expiredWaivers?.map((w) => w.resource)).toEqual([arn('gone')]);
  });

  it('says nothing of waivers of controls this run did not evaluate (another framework)', () => {
    const r = evaluate([encrypted, protectedCl], evidence, { toolVersion: 't', now: NOW, framework: 'soc2', waivers: [waiver('cluster-protected', arn('nope'))] });
    expect(r.warnings).toBeUndefined();
  });
});

describe('every output', () => {
  const results: Results = evaluate([encrypted], evidence, { toolVersion: 't', now: NOW, waivers: [waiver('cluster-encrypted', arn('order'))] });
  const message = results.warnings![0]!.message;

  it.each(['table', 'markdown', 'junit'] as OutputFormat[])('%s shows the warning', (format) => {
    expect(render(format, results, { color: false })).toContain(message.replace(/"/g, format === 'junit' ? '&quot;' : '"'));
  });

  it('json carries a warnings array', () => {
    const doc = JSON.parse(render('json', results, { color: false })) as Results;
    expect(doc.warnings).toEqual(results.warnings);
  });

  it('csv has a WARNING row naming the control and the pattern', () => {
    const rows = render('csv', results, { color: false }).split('\r\n');
    expect(rows.find((r) => r.includes('WARNING'))).toBe(`cluster-encrypted,,WARNING,,${arn('order')},,,WARNING,"${message.replace(/"/g, '""')}",,`);
  });

  it('oscal notes it in the result remarks', () => {
    const doc = JSON.parse(render('oscal', results, { color: false })) as { 'assessment-results': { results: { remarks?: string }[] } };
    expect(doc['assessment-results'].results[0]!.remarks).toBe(`WARNING: ${message}`);
  });

  it('the table counts it in its last line', () => {
    expect(render('table', results, { color: false })).toMatch(/1 warning\n$/);
  });

  it('the pack lists it', async () => {
    const fx = makeFixture();
    const pdf = await buildPack({ ...fx.input, results: { ...fx.input.results, warnings: results.warnings! }, unsigned: true });
    const dir = mkdtempSync(join(tmpdir(), 'tp-warn-'));
    writeFileSync(join(dir, 'p.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'p.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Waivers that match nothing');
    expect(text).toContain(arn('order'));
  });
});
