// The error a collector throws when AWS answers with something it cannot read. Its own module,
// importing nothing, so the history parsers (history/items.ts) need not import common.ts, which
// imports the collect context (types.ts), which names the history store's item type.

/** An answer that does not have the shape AWS documents: the evidence is not usable. */
export class MalformedResponseError extends Error {
  readonly code = 'MalformedResponse';
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}
