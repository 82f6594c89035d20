import type { Readable } from 'node:stream';
import { UsageError } from '../util/errors.js';

// Where an archive's bytes live. Two backends (a folder, an S3 prefix) behind one small
// interface whose only write is create-only: nothing already stored is ever replaced or deleted.

/** Retention an object is written with when the bucket has S3 Object Lock. */
export interface Retention {
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  retainUntil: Date;
}

export interface ArchiveStore {
  /** the location as the user wrote it: a folder path or s3://bucket/prefix */
  readonly location: string;
  /** true when the objects cannot be changed by anyone for their retention (S3 Object Lock) */
  readonly immutable: boolean;
  /**
   * Creates `key` with `bytes` unless it exists. 'exists' when another writer (or an earlier
   * append) created it first; the stored bytes are never replaced.
   */
  create(key: string, bytes: Uint8Array): Promise<'created' | 'exists'>;
  /** the bytes at `key`, or undefined when there is no such object */
  get(key: string): Promise<Buffer | undefined>;
  /** the bytes at `key` as a stream (verification hashes without holding an object), or undefined when absent */
  read(key: string): Promise<Readable | undefined>;
  /** every key under `prefix` (e.g. 'entries/'), in lexicographic order */
  list(prefix: string): Promise<string[]>;
}

/** The store could not be read or written at all (exit 2: unreadable or refused). */
export class ArchiveAccessError extends UsageError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ArchiveAccessError';
  }
}
