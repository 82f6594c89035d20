// The built CLI run once under /usr/bin/time: wall and CPU seconds, peak RSS, exit code and
// output, for the benches that time a command as a user runs it (never part of `npm test`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(fileURLToPath(import.meta.url), '..', '..', 'bin', 'trustpack.js');

export interface TimedRun { wallS: number; userS: number; systemS: number; rssMB: number; code: number; stdout: string; stderr: string }

export function timedCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): TimedRun {
  // `-f` puts its line last on stderr, after whatever the command wrote there
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const lines = r.stderr.trimEnd().split('\n');
  const [wall, user, sys, rss] = lines.at(-1)!.split(' ').map(Number);
  return { wallS: wall!, userS: user!, systemS: sys!, rssMB: rss! / 1024, code: r.status ?? -1, stdout: r.stdout, stderr: lines.slice(0, -1).join('\n') };
}
