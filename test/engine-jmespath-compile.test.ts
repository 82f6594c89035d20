// The engine's compiled JMESPath getters (src/engine/jmespath-compile.ts) must give exactly what
// the library's tree interpreter gives, for every path of the catalog and for hand-made paths
// over hostile shapes: a verdict must never depend on which of the two read the value.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { compileJmesPath } from '../src/engine/jmespath-compile.js';
import { loadCatalog } from '../src/controls/load.js';
import { walkComparisons } from '../src/controls/assertion-walk.js';
import { COLLECTORS } from '../collectors/registry.js';
import { ROOT } from './helpers/cli.js';

const catalog = loadCatalog(join(ROOT, 'controls'), { knownCollectors: new Set(COLLECTORS.map((c) => c.id)) });
const catalogPaths = new Set<string>();
for (const c of catalog.controls) {
  for (const a of [c.assert, c.scope, c.error_when, c.manual_when]) if (a) walkComparisons(a, [], (cmp) => catalogPaths.add(cmp.path));
}

const HAND = [
  'TagList[].Key', 'DBClusterMembers[?IsClusterWriter].DBInstanceIdentifier', 'a[?b==`false`].c', "a[?b=='x'].c[]",
  'a[?@.x]', 'x[0].y', 'a[-1]', '!a && b || c', 'a[*].b', 'a[].b[].c', 'a[?b > `1`].c', 'a[?b <= `1`]', 'a[?b != `{"k": [1]}`].c',
  'constructor', 'a.constructor', 'a[?!b].c', 'a[?b && c].d', 'a[?b || c].d', '`"*"`', 'a.b.c', 'a[0][0]', 'a[].b[?c]',
];

const SAMPLES: unknown[] = [
  null, true, 0, 'text', [], {}, [1, [2, [3]]],
  { TagList: [{ Key: 'env', Value: 'prod' }, { Value: 'x' }, null, 3], DBClusterMembers: [{ DBInstanceIdentifier: 'w', IsClusterWriter: true }, { DBInstanceIdentifier: 'r', IsClusterWriter: false }, { IsClusterWriter: 'yes' }] },
  { a: [{ b: false, c: 1 }, { b: 'x', c: [1, 2] }, { b: 2, c: null }, { b: { k: [1] }, c: 'o' }, { x: {} }, { x: [0] }, 'str', [1]], x: [{ y: 'first' }], c: 'see' },
  { a: { b: { c: [] } }, b: '', c: {} },
  { a: [[1, 2], [[3]]], constructor: 'own' },
  { a: [{ b: [{ c: 1 }, { c: [2] }] }, { b: 'no' }], d: 0 },
];

describe('compiled JMESPath getters agree with the tree interpreter', () => {
  const paths = [...catalogPaths, ...HAND];
  it('covers the catalog and the hand-made paths', () => {
    expect(catalogPaths.size).toBeGreaterThan(50);
  });
  for (const p of paths) {
    it(p, () => {
      const ast = compile(p);
      const fast = compileJmesPath(ast);
      for (const s of SAMPLES) {
        let want: unknown;
        let wantErr: string | undefined;
        try {
          want = TreeInterpreter.search(ast, s as JSONValue);
        } catch (e) {
          wantErr = (e as Error).message;
        }
        if (wantErr !== undefined) {
          expect(() => fast(s)).toThrow();
          continue;
        }
        expect({ path: p, sample: s, got: fast(s) }).toEqual({ path: p, sample: s, got: want });
      }
    });
  }
});
