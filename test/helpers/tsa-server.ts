// A local RFC 3161 time-stamping authority for tests: `openssl ts -reply` answers each request
// (with a TSA certificate whose extended key usage is critical timeStamping), wrapped in a
// small HTTP server on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EKU, issue, KU, privatePem, type Issued } from './pki.js';

export interface LocalTsa {
  url: string;
  root: Issued;
  tsa: Issued;
  requests: number;
  close(): Promise<void>;
}

const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };

export async function startTsa(): Promise<LocalTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'trustpack-tsa-'));
  const root = await issue({ name: 'Test TSA Root', ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, ...LONG });
  const tsa = await issue({ name: 'Test TSA', ca: false, keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [EKU.timeStamping], ekuCritical: true, ...LONG }, root);
  writeFileSync(join(dir, 'tsa.pem'), tsa.pem);
  writeFileSync(join(dir, 'tsa.key'), await privatePem(tsa.keys));
  writeFileSync(join(dir, 'chain.pem'), tsa.pem + root.pem);
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'tsa.cnf'), `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`);
  let n = 0;
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q = join(dir, `q${++n}.tsq`);
      const r = join(dir, `r${n}.tsr`);
      writeFileSync(q, Buffer.concat(chunks));
      const out = spawnSync('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', q, '-out', r], { encoding: 'utf8' });
      state.requests++;
      if (out.status !== 0) {
        res.writeHead(500).end(out.stderr);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(r));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    root,
    tsa,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
