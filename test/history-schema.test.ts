// The normalisers read only what AWS Config records, as the vendored
// awslabs/aws-config-resource-schema lists it, and the sandbox serves nothing else.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA_TYPES, configSchemaPaths, flattenPaths } from '../src/util/config-schema.js';
import { CLUSTER_FIELDS, INSTANCE_FIELDS, KEY_FIELDS, OTHER_PATHS, SNAPSHOT_FIELDS, normaliseKey, type FieldMap } from '../collectors/history/normalise.js';
import { prop, SchemaViolation, type HistoryItem } from '../collectors/history/items.js';
import { DB_SNAPSHOT_FIELDS, TRAIL_FIELDS } from '../collectors/history/evidence-normalise.js';
import { loadFixture } from '../src/sandbox/index.js';
import { ROOT } from './helpers/cli.js';

const TABLES: [string, FieldMap][] = [
  ['AWS::RDS::DBCluster', CLUSTER_FIELDS], ['AWS::RDS::DBInstance', INSTANCE_FIELDS],
  ['AWS::RDS::DBClusterSnapshot', SNAPSHOT_FIELDS], ['AWS::KMS::Key', KEY_FIELDS],
  ['AWS::CloudTrail::Trail', TRAIL_FIELDS], ['AWS::RDS::DBSnapshot', DB_SNAPSHOT_FIELDS],
];

describe('the vendored AWS Config schema', () => {
  it('is byte for byte what vendor/aws-config-resource-schema/README.md says (sha256)', () => {
    const dir = join(ROOT, 'vendor/aws-config-resource-schema');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` \| `[^`]+` \| `([0-9a-f]{64})` \|$/gm)];
    expect(rows.length).toBe(CONFIG_SCHEMA_TYPES.length + 2);
    for (const [, file, sha] of rows) {
      expect(createHash('sha256').update(readFileSync(join(dir, file!))).digest('hex'), file).toBe(sha);
    }
  });
});

describe('history normalisers read only properties Config records', () => {
  it('every property a normaliser maps is listed for its type', () => {
    for (const [type, table] of TABLES) {
      const paths = configSchemaPaths(type)!;
      for (const [describe, path] of table) expect(paths.has(path), `${type} ${describe} <- ${path}`).toBe(true);
      for (const path of OTHER_PATHS[type] ?? []) expect(paths.has(path), `${type} ${path}`).toBe(true);
    }
  });

  it('reading a property the schema does not list fails (a key\'s rotation period is not kept)', () => {
    const key: HistoryItem = {
      resourceType: 'AWS::KMS::Key', resourceId: 'k', captureTime: new Date(), status: 'OK', stateId: '1',
      configuration: { keyId: 'k', rotationPeriodInDays: 365 }, supplementary: { KeyRotationStatus: true }, tags: {},
    };
    expect(() => prop(key, 'configuration.rotationPeriodInDays')).toThrow(SchemaViolation);
    expect(() => prop(key, 'supplementaryConfiguration.RotationPeriodInDays')).toThrow(/does not record/);
    // Describe casing is not Config casing: the normaliser must not read it either
    expect(() => prop({ ...key, resourceType: 'AWS::RDS::DBCluster' }, 'configuration.DBClusterIdentifier')).toThrow(SchemaViolation);
    expect(normaliseKey(key)).toEqual({ metadata: { KeyId: 'k' }, rotation: true });
  });
});

describe('the sandbox serves only what the schema lists', () => {
  it('every configuration item of the sample account, every path, is in its type\'s schema', () => {
    const fixture = loadFixture(join(ROOT, 'examples/sample/account.yaml'));
    let checked = 0;
    for (const region of Object.values(fixture.accounts[0]!.regions)) {
      for (const t of region.history?.timelines ?? []) {
        const allowed = configSchemaPaths(t.resourceType)!;
        expect(allowed, t.resourceType).toBeDefined();
        for (const i of t.items) {
          if (!i.body) continue;
          const paths = [...flattenPaths(i.body.configuration, 'configuration'), ...flattenPaths(i.body.supplementaryConfiguration, 'supplementaryConfiguration')];
          for (const p of paths) expect(allowed.has(p), `${t.resourceType} ${p}`).toBe(true);
          checked += paths.length;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
