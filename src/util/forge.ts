// node-forge, loaded on first use (it costs start-up time every command would pay otherwise):
// the one loader that signing (src/signing) and verification (src/verify) share. forge is
// CommonJS, so it is required rather than imported.
import { createRequire } from 'node:module';
import type forgeNs from 'node-forge';

const require = createRequire(import.meta.url);

export function forge(): typeof forgeNs {
  return require('node-forge') as typeof forgeNs;
}
