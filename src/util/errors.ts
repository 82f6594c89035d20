// The error every layer may throw for something a user can fix (exit 2, or 1 where noted).
// It lives at the bottom of the tree so that collectors, the AWS session and the evidence
// bundle can throw it without importing the CLI layer above them.
export class UsageError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 2) {
    super(message);
    this.name = 'UsageError';
  }
}
