// verify in bounded time and memory, second round: the red team's 80 KB pack, signed by the
// attacker's own self-signed key, whose manifest.json and results.json are 31 MiB of nested
// brackets (26 s and 2.6 GB before); ten million empty arrays; and, with --trust, attachments
// read only once the signer is trusted. Run by the CLI under an address-space cap; the timeout
// only guards against a hang (the time bound is measured by bench/verify-hostile.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { signPdf, makeDemoSigner, type DemoSigner } from '../src/signing/sign.js';
import { hostilePdf, type RawAttachment } from './helpers/hostile-pdf.js';
import { BIN } from './helpers/cli.js';
import { JsonBudget, jsonShapeProblem } from '../src/verify/json-bounds.js';

const ADDRESS_SPACE = 1536 * 1024 * 1024;
const SIGNING_TIME = new Date('2026-03-01T00:00:00Z');
let dir: string;
let attacker: DemoSigner;
let auditorsCa: DemoSigner;

function verify(file: string, extra: string[] = []): Promise<{ code: number | null; json: { valid: boolean; problems: string[]; attachments: unknown[] } | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [`--as=${ADDRESS_SPACE}`, process.execPath, BIN, 'verify', file, '--format', 'json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json;
      try {
        json = JSON.parse(out);
      } catch {
        json = undefined;
      }
      resolve({ code, json, stderr: err });
    });
  });
}

/** 31 MiB of one JSON shape, deflated to a few tens of KB. */
const bomb = (open: string, close: string, n: number): RawAttachment['stream'] => deflateSync(Buffer.from(open.repeat(n) + close.repeat(n)), { level: 9 });

async function signedBy(s: DemoSigner, name: string, attachments: RawAttachment[]): Promise<string> {
  const p = join(dir, name);
  writeFileSync(p, await signPdf(hostilePdf({ attachments }), s, SIGNING_TIME));
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustpack-bounds-'));
  attacker = makeDemoSigner({ commonName: 'Attacker Self-Signed', notBefore: new Date('2026-01-01T00:00:00Z') });
  auditorsCa = makeDemoSigner({ commonName: 'Auditor Trusted CA', notBefore: new Date('2026-01-01T00:00:00Z') });
});

describe('verify refuses JSON attachments over the caps before parsing them', () => {
  const HALF = 31 * 1024 * 1024 / 2;
  it('manifest.json and results.json of 31 MiB nested brackets, self-signed, no --trust: exit 1 naming the depth cap', async () => {
    const nested = bomb('[', ']', HALF);
    const file = await signedBy(attacker, 'nested.pdf', [
      { name: 'manifest.json', stream: nested, flate: true },
      { name: 'results.json', stream: nested, flate: true },
    ]);
    const r = await verify(file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.valid).toBe(false);
    expect(r.json?.problems.join('\n')).toMatch(/manifest\.json nests arrays and objects more than 64 deep/);
  });

  it('ten million empty arrays (31 MiB, 20 s and 765 MB for JSON.parse alone): exit 1 naming the value cap', async () => {
    const wide = deflateSync(Buffer.from('[' + '[],'.repeat(10_000_000) + '[]]'), { level: 9 });
    const file = await signedBy(attacker, 'wide.pdf', [{ name: 'manifest.json', stream: wide, flate: true }]);
    const r = await verify(file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.problems.join('\n')).toMatch(/the JSON attachments hold more than 4,000,000 values/);
  });

  it('with --trust, a pack signed by an untrusted key has its attachments not read at all', async () => {
    const nested = bomb('[', ']', HALF);
    const file = await signedBy(attacker, 'nested-trust.pdf', [{ name: 'manifest.json', stream: nested, flate: true }]);
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, auditorsCa.certPem);
    const r = await verify(file, ['--trust', ca]);
    expect(r.code, r.stderr).toBe(1);
    const problems = r.json?.problems.join('\n') ?? '';
    expect(problems).toMatch(/the embedded files were not checked: the signer is not trusted/);
    expect(problems).not.toMatch(/nests arrays/);
    expect(r.json?.attachments).toEqual([]);
  });
});

describe('the JSON shape scan', () => {
  it('counts values and depth exactly as JSON.parse would build them', () => {
    const text = JSON.stringify({ a: [1, 'x', true, null, { b: [[-2.5e3]] }], 'q"[': '{[' });
    const budget = new JsonBudget(1000, 5);
    expect(jsonShapeProblem('t', Buffer.from(text), budget)).toBeUndefined();
    // keys are counted with values: {, "a", [, 1, "x", true, null, {, "b", [, [, -2.5e3, "q\"[", "{["
    expect(budget.values).toBe(14);
    expect(jsonShapeProblem('t', Buffer.from(text), new JsonBudget(1000, 4))).toMatch(/more than 4 deep/);
    expect(jsonShapeProblem('t', Buffer.from('"\\\\"[[[[[['), new JsonBudget(1000, 3))).toMatch(/deep/);
    expect(jsonShapeProblem('t', Buffer.from('"\\"[[[[[["'), new JsonBudget(1000, 3))).toBeUndefined();
  });
});
