// A collector is declared once (collectors/declarations.ts); every other place that lists
// collectors is derived from the declarations or must agree with them. This test is the drift
// check: it fails when a declared collector is missing from one of those places, or a place
// names a collector no declaration has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECLARATIONS } from '../collectors/declarations.js';
import { SERVICE_PACKAGES } from '../collectors/record-shape.js';
import { RECORD_FIELDS } from '../collectors/record-fields.generated.js';
import { COLLECTORS, iamActionsOf } from '../collectors/registry.js';
import { OVERRIDES } from '../collectors/history/registry.js';
import { allPermissionDeclarations } from '../src/app/iam-policy.js';
import { ROOT } from './helpers/cli.js';

const ids = DECLARATIONS.map((d) => d.id);
const declared = new Set<string>(ids);
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
/** collectors/<id with "-" for ".">.ts: the convention the module map and the docs follow */
const moduleOf = (id: string): string => `collectors/${id.replace('.', '-')}.ts`;

/** The quoted strings of the TypeScript sources that look like a collector id (`service.thing`). */
function idLikeStrings(dirs: readonly string[]): Map<string, string[]> {
  const services = [...new Set([...Object.keys(SERVICE_PACKAGES), ...ids.map((id) => id.split('.')[0]!)])];
  const pattern = new RegExp(`['"\`](?:${services.join('|')})\\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*['"\`]`, 'g');
  const found = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(e.name)) {
        for (const m of read(path).matchAll(pattern)) {
          const id = m[0].slice(1, -1);
          found.set(id, [...(found.get(id) ?? []), path]);
        }
      }
    }
  };
  for (const d of dirs) walk(d);
  return found;
}

describe('collector declarations', () => {
  it('declare each id once, and joins only declared collectors', () => {
    expect(new Set(ids).size).toBe(ids.length);
    COLLECTORS.forEach((d) => {
      expect(d.id, 'ids are service.thing, lower-case').toMatch(/^[a-z0-9]+\.[a-z0-9-]+$/);
      for (const dep of d.dependsOn ?? []) expect(declared.has(dep), `${d.id} depends on ${dep}`).toBe(true);
    });
    expect(COLLECTORS.map((c) => c.id)).toEqual(ids);
  });

  it('have exactly one collector module each, and every collector module a declaration', () => {
    // modules shared by collectors, not collectors
    const helpers = new Set(['client-pool.ts', 'cluster-parameter-values.ts', 'common.ts', 'declarations.ts', 'rds-tls-defaults.ts', 'errors.ts', 'record-fields.generated.ts', 'record-shape.ts', 'registry.ts', 'run.ts', 'scope-runner.ts', 'types.ts']);
    const modules = readdirSync(join(ROOT, 'collectors')).filter((f) => f.endsWith('.ts') && !helpers.has(f)).map((f) => `collectors/${f}`);
    expect(modules.sort()).toEqual(ids.map(moduleOf).sort());
    // the registry's module map (typed, so the compiler already holds it to the ids) imports each by that name
    const registry = read('collectors/registry.ts');
    for (const id of ids) expect(registry, id).toContain(`'${id}': () => import('./${id.replace('.', '-')}.js')`);
  });

  it('are the field table: one row per declared collector, no other', () => {
    expect(Object.keys(RECORD_FIELDS).sort()).toEqual([...ids].sort());
  });

  it('are the IAM policy: every operation of every collector is a member permission naming it', () => {
    const member = allPermissionDeclarations().filter((p) => p.principal === 'member' && p.site.startsWith('collectors/declarations.ts'));
    const expected = DECLARATIONS.flatMap((d) => iamActionsOf(COLLECTORS.find((c) => c.id === d.id)!).map((a) => `${a} ${d.id}`));
    expect(member.map((p) => `${p.action} ${/\((.+)\)$/.exec(p.site)![1]}`).sort()).toEqual(expected.sort());
  });

  it('are the history registry: rebuilt ones have an override, live ones none, the others a reason', () => {
    const rebuilt = DECLARATIONS.filter((d) => d.history === 'rebuilt').map((d) => d.id);
    expect(Object.keys(OVERRIDES).sort()).toEqual([...rebuilt].sort());
    for (const d of DECLARATIONS) {
      if (typeof d.history === 'object') expect(d.history.none.length, d.id).toBeGreaterThan(20);
    }
  });

  it('call the SDK client of their declared service (the IAM prefix and the pacing key)', () => {
    for (const d of DECLARATIONS) {
      const src = read(moduleOf(d.id));
      const clients = [...src.matchAll(/from '(@aws-sdk\/client-[a-z0-9-]+)'/g)].map((m) => m[1]);
      // a join reads only prior records: no client at all
      if (d.operations.length === 0) continue;
      expect(clients, d.id).toContain(SERVICE_PACKAGES[d.service]);
      for (const op of d.operations.filter((o) => o.includes(':'))) {
        expect(clients, `${d.id}: ${op}`).toContain(SERVICE_PACKAGES[op.split(':')[0] as keyof typeof SERVICE_PACKAGES]);
      }
    }
  });

  it('are served by the sandbox: every operation a collector declares has a handler', () => {
    const sandbox = readdirSync(join(ROOT, 'src/sandbox/services')).map((f) => read(`src/sandbox/services/${f}`)).join('\n');
    for (const d of DECLARATIONS) {
      for (const op of d.operations) {
        const name = op.includes(':') ? op.split(':')[1]! : op;
        expect(sandbox, `${d.id}: ${op}`).toMatch(new RegExp(`\\b${name}\\b`));
      }
    }
  });

  it('are documented: a row in each of collectors/README.md\'s tables', () => {
    const readme = read('collectors/README.md');
    const [live, history] = readme.split('## From history');
    for (const id of ids) {
      expect(live, `${id} in the collectors table`).toContain(`| \`${id}\` |`);
      // a row's first cell names one id or several ("a, b, c")
      const firstCells = history!.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.split(' | ')[0]!.slice(2).split(', ').map((c) => c.replaceAll('`', '')));
      expect(firstCells.some((c) => c.includes(id)), `${id} in the "From history" table`).toBe(true);
    }
  });

  it('are the only collector ids the code names: no quoted id without a declaration', () => {
    const found = idLikeStrings(['src', 'collectors', 'scripts', 'bench']);
    const unknown = [...found].filter(([id]) => !declared.has(id)).map(([id, files]) => `${id} in ${[...new Set(files)].join(', ')}`);
    expect(unknown).toEqual([]);
    // the scan does find ids: a broken pattern must not pass for a clean tree
    expect(found.get('rds.db-clusters')?.length).toBeGreaterThan(0);
  });

  it("are the sample's stated services: its cover names every service the sample's collectors read", () => {
    // the sample's catalog is every control, so every collector runs; the caller identity is no service in scope
    const NAMES: Readonly<Record<string, string>> = {
      rds: 'Amazon RDS', kms: 'AWS KMS', config: 'AWS Config', cloudtrail: 'AWS CloudTrail', s3: 'Amazon S3', backup: 'AWS Backup',
      elasticloadbalancing: 'Elastic Load Balancing', cloudfront: 'Amazon CloudFront', guardduty: 'Amazon GuardDuty', logs: 'Amazon CloudWatch Logs',
    };
    const line = read('examples/sample/trustpack.yaml').split('\n').find((l) => l.trimStart().startsWith('services:'))!;
    for (const service of new Set(DECLARATIONS.map((d) => d.service).filter((s) => s !== 'sts'))) {
      expect(NAMES[service], `a display name for ${service}`).toBeDefined();
      expect(line, service).toContain(NAMES[service]);
    }
  });

  it("are what docs/ARCHITECTURE.md's \"how to add a collector\" says to edit", () => {
    const doc = read('docs/ARCHITECTURE.md');
    const section = doc.slice(doc.indexOf('### a collector'), doc.indexOf('### ', doc.indexOf('### a collector') + 5));
    for (const place of ['collectors/declarations.ts', 'collectors/registry.ts', 'collectors/README.md', 'src/sandbox/services/', 'node scripts/gen-record-fields.mjs']) {
      expect(section, place).toContain(place);
    }
    // the derived places are not edited by hand
    expect(section).not.toMatch(/NOT_IN_HISTORY|in `scripts\/gen-record-fields\.mjs`|`load`/);
  });
});
