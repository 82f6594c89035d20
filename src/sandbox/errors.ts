// Errors the sandbox raises: fixture problems (user input) and AWS API errors (wire answers).

/** A problem in a fixture or fault plan file; the message is "FILE:LINE:COL: problem". */
export class FixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

/** An AWS error answer: code as AWS spells it, HTTP status, message. */
export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}
