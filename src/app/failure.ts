// What the CLI prints and exits with when a command throws. Whatever an input can cause is the
// user's to fix: a UsageError (its own exit code), one of the named input errors below, or a
// file-system error on a path the user gave (exit 2, the message alone). Anything else is a bug
// in trustpack: exit 70 with a short stack and a request to report it, never disguised as bad
// input. `verify` answers every input with 0, 1 or 2, so there an unexpected error is 2.
// A new kind of input error: extend UsageError (or add its name below).
import { UsageError } from '../util/errors.js';

/** errors the layers below raise for bad input: a bad fixture, key, pack, framework or collector */
const INPUT_ERRORS = new Set(['UsageError', 'ProblemsError', 'BundleError', 'FixtureError', 'SigningError', 'UnreadablePackError', 'UnknownFrameworkError', 'UnknownCollectorError']);

const INTERNAL_ERROR_EXIT = 70;
const STACK_LINES = 6;

export interface Failure {
  exitCode: number;
  text: string;
}

function isInputError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // any subclass of UsageError, whatever its name, is input the user can fix
  if (e instanceof UsageError || INPUT_ERRORS.has(e.name)) return true;
  // a system error on a path (ENOENT, EACCES, EISDIR...): the path came from the user
  const sys = e as NodeJS.ErrnoException;
  return typeof sys.code === 'string' && typeof sys.syscall === 'string' && typeof sys.path === 'string';
}

export function describeFailure(e: unknown, command: string | undefined, debug = false): Failure {
  const message = e instanceof Error ? e.message : String(e);
  if (isInputError(e)) {
    const code = (e as { exitCode?: unknown }).exitCode;
    const exitCode = code === 1 || code === 2 ? code : 2;
    const stack = debug && e instanceof Error && e.stack ? `\n${e.stack}` : '';
    return { exitCode, text: `trustpack: ${message}${stack}` };
  }
  const stack = e instanceof Error && e.stack
    ? e.stack.split('\n').slice(1, debug ? undefined : 1 + STACK_LINES).map((l) => l.trimEnd()).join('\n')
    : '';
  const text = [
    `trustpack: internal error (a bug in trustpack, not in your input): ${e instanceof Error ? `${e.name}: ` : ''}${message}`,
    ...(stack ? [stack] : []),
    'Please report it to the trustpack maintainers with this text and the command you ran (set TRUSTPACK_DEBUG=1 for the full stack).',
  ].join('\n');
  return { exitCode: command === 'verify' ? 2 : INTERNAL_ERROR_EXIT, text };
}
