// Questions on a terminal (node:readline): the prompts go to stderr so that stdout stays the
// command's own output. Used by `trustpack init` only when stdin is a terminal.
import { createInterface } from 'node:readline/promises';
import type { Ask } from './init.js';

export function terminalAsker(): { ask: Ask; close: () => void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return { ask: (question) => rl.question(question), close: () => rl.close() };
}
