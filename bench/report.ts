// Benchmark of the pack and of verify. `node --import tsx bench/report.ts`
// Each measurement runs in its own child process so that peak RSS (getrusage maxRSS) belongs
// to that measurement alone. Prints a table only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const SIZES = [1_000, 10_000, 50_000];

interface Sample {
  seconds: number;
  peakMB: number;
  bytes: number;
}

async function child(kind: string, n: number, out?: string): Promise<Sample> {
  const { makeFixture } = await import('../test/report-fixture.js');
  const { makeDemoSigner } = await import('../src/signing/sign.js');
  if (kind === 'pack' || kind === 'big') {
    const fx = kind === 'pack' ? makeFixture({ extra: n }) : makeFixture({ extra: 1000, bulk: n, bulkBytes: 4096 });
    const signer = makeDemoSigner({ commonName: 'Bench Signer', notBefore: new Date('2026-01-01T00:00:00Z') });
    const { buildPack } = await import('../src/report/pack.js');
    const t = process.hrtime.bigint();
    const pdf = await buildPack({ ...fx.input, signer });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (out) writeFileSync(out, pdf);
    return { seconds, peakMB: process.resourceUsage().maxRSS / 1024, bytes: pdf.length };
  }
  if (kind === 'bare') {
    // the same strings through plain pdfkit: default flow text, no tables, attachments or signature
    const fx = makeFixture({ extra: n });
    const { default: PDFDocument } = await import('pdfkit');
    const { fontBytes } = await import('../src/report/layout.js');
    const t = process.hrtime.bigint();
    const doc = new PDFDocument({ size: 'A4', margin: 48 });
    doc.registerFont('sans', fontBytes().sans);
    doc.font('sans').fontSize(7.5);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((r) => doc.on('end', () => r()));
    for (const c of fx.input.results.controls) {
      doc.text(`${c.id} — ${c.title} ${c.status}`);
      for (const f of c.findings) {
        const values = Object.entries(f.values ?? {}).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
        doc.text(`${f.resource} ${f.account} ${f.region} ${f.status} ${f.reason} ${values.join(' ')} ${f.evidence.map((e) => e.slice(0, 12)).join(' ')} evidence: ${f.evidence.join(' ')}`);
      }
    }
    doc.end();
    await done;
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    return { seconds, peakMB: process.resourceUsage().maxRSS / 1024, bytes: Buffer.concat(chunks).length };
  }
  if (kind === 'doctable') {
    // pdfkit's own doc.table() with the findings table's columns: why layout.ts has its own
    const fx = makeFixture({ extra: n });
    const { default: PDFDocument } = await import('pdfkit');
    const { fontBytes } = await import('../src/report/layout.js');
    const t = process.hrtime.bigint();
    const doc = new PDFDocument({ size: 'A4', margin: 48 });
    doc.registerFont('sans', fontBytes().sans);
    doc.font('sans').fontSize(7.5);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((r) => doc.on('end', () => r()));
    const rows = fx.input.results.controls.flatMap((c) => c.findings.map((f) => [f.resource, `${f.account}\n${f.region}`, f.status, f.reason, f.evidence.map((e) => e.slice(0, 12)).join('\n')]));
    (doc as unknown as { table(o: object): void }).table({ columnStyles: [150, 72, 46, 170, 61], data: [['Resource', 'Account / region', 'Status', 'Reason', 'Evidence'], ...rows] });
    doc.end();
    await done;
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    return { seconds, peakMB: process.resourceUsage().maxRSS / 1024, bytes: Buffer.concat(chunks).length };
  }
  if (kind === 'verify' || kind === 'sha') {
    const file = out!;
    const { verifyPack } = await import('../src/verify/verify.js');
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      if (kind === 'verify') {
        const r = await verifyPack(file);
        if (!r.valid) throw new Error(`bench pack does not verify: ${r.problems.join('; ')}`);
      } else {
        createHash('sha256').update(readFileSync(file)).digest();
      }
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    return { seconds: best, peakMB: process.resourceUsage().maxRSS / 1024, bytes: readFileSync(file).length };
  }
  throw new Error(`unknown bench child ${kind}`);
}

function run(kind: string, n: number, out?: string): Sample {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', kind, String(n), out ?? ''], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${kind} ${n} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Sample;
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const s = await child(args[1]!, Number(args[2]), args[3] || undefined);
  process.stdout.write(JSON.stringify(s) + '\n');
} else {
  const rows: string[][] = [['measurement', 'seconds', 'peak RSS MB', 'output MB', 'vs bare pdfkit / raw sha256']];
  const f = (x: number, d = 2): string => x.toFixed(d);
  for (const n of SIZES) {
    const p = run('pack', n);
    const b = run('bare', n);
    rows.push([`pack, ${n.toLocaleString('en')} findings`, f(p.seconds), f(p.peakMB, 0), f(p.bytes / 1e6, 1), `${f(p.seconds / b.seconds, 1)}x time (bare ${f(b.seconds)} s, ${f(b.peakMB, 0)} MB)`]);
  }
  const dt = run('doctable', 1_000);
  rows.push(['pdfkit doc.table(), 1,000 findings (no pack)', f(dt.seconds), f(dt.peakMB, 0), f(dt.bytes / 1e6, 1), 'for comparison with the first row']);
  const dir = mkdtempSync(join(tmpdir(), 'trustpack-bench-'));
  const big = join(dir, 'big.pdf');
  const g = run('big', 20_000, big);
  rows.push(['pack, 1,000 findings + 20,000 records (4 KB)', f(g.seconds), f(g.peakMB, 0), f(g.bytes / 1e6, 1), '']);
  const v = run('verify', 0, big);
  const h = run('sha', 0, big);
  const mb = v.bytes / 1e6;
  rows.push([`verify, ${f(mb, 1)} MB pack (best of 3)`, f(v.seconds), f(v.peakMB, 0), '', `${f(mb / v.seconds, 0)} MB/s vs ${f(mb / h.seconds, 0)} MB/s read+sha256 (${f(v.seconds / h.seconds, 1)}x)`]);
  rmSync(dir, { recursive: true, force: true });
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (j === 0 || j === 4 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
