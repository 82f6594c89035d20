// Scope and assert paths are checked against the fields a collector's records can have: the
// AWS SDK's output shapes (read from the installed clients by scripts/gen-record-fields.mjs)
// plus each collector's documented added fields; and an automated control needs examples.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTORS } from '../collectors/registry.js';
import { RECORD_FIELDS } from '../collectors/record-fields.generated.js';
import { loadCatalog } from '../src/controls/load.js';
import type { LoadProblem } from '../src/controls/model.js';
import { unknownFields } from '../src/controls/record-paths.js';
import { ROOT, runCli } from './helpers/cli.js';
// @ts-expect-error: a plain ESM script without types
import { RECORDS } from '../scripts/gen-record-fields.mjs';

const FIX = join(import.meta.dirname, 'fixtures', 'record-paths');
const known = new Set(COLLECTORS.map((c) => c.id));
const brief = (p: LoadProblem): [string, number, number, string] => [p.file.split('/').pop()!, p.line, p.col, p.rule];

describe('the generated field table', () => {
  it('is up to date with the installed AWS SDK clients and the declared added fields', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-record-fields.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr + r.stdout, 'run: node scripts/gen-record-fields.mjs').toBe('');
    expect(r.status).toBe(0);
  });

  it('covers every registered collector, and nothing else', () => {
    expect(Object.keys(RECORD_FIELDS).sort()).toEqual([...known].sort());
  });

  it("documents every field a collector adds in that collector's row of collectors/README.md", () => {
    const readme = readFileSync(join(ROOT, 'collectors', 'README.md'), 'utf8');
    for (const [id, spec] of Object.entries(RECORDS as Record<string, { fields: Record<string, unknown> }>)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
      expect(row, id).toBeDefined();
      for (const field of Object.keys(spec.fields)) expect(row, `${id}: ${field}`).toContain(field);
    }
  });

  it('holds the SDK shapes as AWS defines them, nested', () => {
    const cluster = RECORD_FIELDS['rds.db-clusters'] as { s: string; f: Record<string, unknown> };
    expect(cluster.s).toBe('DBCluster');
    expect(cluster.f['DBClusterMembers']).toEqual({ l: { s: 'DBClusterMember', f: expect.objectContaining({ IsClusterWriter: 0, DBInstanceIdentifier: 0 }) } });
    expect(Object.keys((RECORD_FIELDS['config.recorders'] as { f: Record<string, { f: object }> }).f['Status']!.f)).toContain('lastStatus');
  });
});

describe('unknownFields', () => {
  const clusters = RECORD_FIELDS['rds.db-clusters'];
  const keys = RECORD_FIELDS['kms.keys'];

  it.each([
    'Engine', 'StorageEncrypted', 'length(AvailabilityZones)', 'DBClusterMembers[?IsClusterWriter].DBInstanceIdentifier',
    "TagList[?Key=='env'].Value | [0]", 'sort_by(DBClusterMembers, &DBInstanceIdentifier)[0].IsClusterWriter', 'DBClusterMembers[].DBInstanceIdentifier',
    '@', '`true`', '!DeletionProtection',
  ])('accepts %s', (p) => {
    expect(unknownFields(p, clusters)).toEqual([]);
  });

  it('names the field, where it was looked for, and the nearest real one', () => {
    expect(unknownFields('Engin', clusters)).toEqual([{ field: 'Engin', within: 'DBCluster', suggestion: 'Engine' }]);
    expect(unknownFields('DBClusterMembers[?IsClusterWritr].DBInstanceIdentifier', clusters)).toEqual([{ field: 'IsClusterWritr', within: 'DBClusterMember', suggestion: 'IsClusterWriter' }]);
    expect(unknownFields('KeyMetadata.KeyStat', keys)).toEqual([{ field: 'KeyStat', within: 'KeyMetadata', suggestion: 'KeyState' }]);
    expect(unknownFields('length(Nonsense) > `1` && StorageEncrypted', clusters)).toEqual([{ field: 'Nonsense', within: 'DBCluster' }]);
  });
});

describe('the catalog', () => {
  const cat = loadCatalog(FIX, { knownCollectors: known, recordFields: RECORD_FIELDS });
  const found = cat.problems.map(brief);

  it('reports scope and assert paths no record of the collector could have, at their line', () => {
    expect(found).toContainEqual(['scope-typo.yaml', 7, 16, 'unknown-field']);
    expect(found).toContainEqual(['scope-typo.yaml', 11, 15, 'unknown-field']);
    expect(found).toContainEqual(['nested-typo.yaml', 7, 17, 'unknown-field']);
    const text = cat.problems.map((p) => p.message).join('\n');
    expect(text).toContain('scope.path "Engin": no rds.db-clusters record has a field "Engin" (not in DBCluster; did you mean "Engine"?)');
    expect(text).toContain('"KeyStat" (not in KeyMetadata; did you mean "KeyState"?)');
  });

  it('accepts a field of the SDK shape that no fixture serves', () => {
    expect(found.filter((f) => f[0] === 'sdk-only-field.yaml')).toEqual([]);
    expect(cat.controls.map((c) => c.id)).toEqual(['sdk-only-field']);
  });

  it('requires examples of an automated control', () => {
    expect(found).toContainEqual(['no-examples.yaml', 5, 7, 'missing-examples']);
  });

  it('the shipped catalog reads only real fields, and every automated control has a passing and a failing example', () => {
    expect(loadCatalog(join(ROOT, 'controls'), { knownCollectors: known, recordFields: RECORD_FIELDS }).problems).toEqual([]);
  });
});

describe('controls validate', () => {
  it('exits 2 naming FILE:LINE:COL and the rule for a path typo and for missing examples', async () => {
    const r = await runCli(['controls', 'validate', '--controls', FIX]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(FIX, 'scope-typo.yaml')}:7:16: scope.path "Engin"`);
    expect(r.stderr).toMatch(/scope-typo\.yaml:7:16: .*\[unknown-field\]/);
    expect(r.stderr).toMatch(/no-examples\.yaml:5:7: automated control "no-examples" needs examples .*\[missing-examples\]/);
  });
});
