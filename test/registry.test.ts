// Framework ids, operators and output formats are kept in one registry each
// (src/controls/registry/); the schemas, the CLI help and the renderers follow them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAMEWORKS, FRAMEWORK_IDS } from '../src/controls/registry/frameworks.js';
import { OPERATORS, OPERATORS_WITHOUT_OPERAND } from '../src/controls/registry/operators.js';
import { OUTPUT_FORMATS } from '../src/controls/registry/output-formats.js';
import { render } from '../src/output/index.js';
import { runCli } from './helpers/cli.js';
import { results } from './output-fixture.js';

const root = join(import.meta.dirname, '..');
const schema = (n: string) => JSON.parse(readFileSync(join(root, 'controls', 'schema', `${n}.schema.json`), 'utf8'));

describe('registries and the schemas generated from them', () => {
  it('the framework schema accepts exactly the registry ids, the control schema maps exactly them', () => {
    expect(schema('framework').properties.id.enum).toEqual([...FRAMEWORK_IDS]);
    expect(Object.keys(schema('control').properties.frameworks.properties)).toEqual([...FRAMEWORK_IDS]);
  });

  it('every registered framework has a catalog, and every catalog is registered', () => {
    const files = readdirSync(join(root, 'controls', 'frameworks')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(files.sort()).toEqual([...FRAMEWORK_IDS].sort());
    expect(new Set(FRAMEWORKS.map((f) => f.name)).size).toBe(FRAMEWORKS.length);
  });

  it('the control schema accepts exactly the registry operators, and the operand-less ones take no value', () => {
    const cmp = schema('control').$defs.comparison;
    expect(cmp.properties.op.enum).toEqual(OPERATORS.map((o) => o.op));
    expect(cmp.allOf[0].if.properties.op.enum).toEqual([...OPERATORS_WITHOUT_OPERAND]);
  });

  it('every registered output format renders', () => {
    for (const f of OUTPUT_FORMATS) expect(render(f, results, { color: false }).length, f).toBeGreaterThan(0);
  });

  it('help and messages list what the registries hold', async () => {
    const help = await runCli(['evaluate', '--help']);
    for (const f of OUTPUT_FORMATS) expect(help.stdout).toContain(f);
    const cov = await runCli(['coverage', '--help']);
    for (const id of FRAMEWORK_IDS) expect(cov.stdout).toContain(id);
  });
});
