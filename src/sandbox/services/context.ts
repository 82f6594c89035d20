// What a service handler gets for one call: the caller's account and region data and the parameters.
import type { Account, Fixture, Region, WireValue } from '../model.js';

export interface Session { account: string; arn: string; userId: string }

export interface CallContext {
  fixture: Fixture;
  account: Account;
  /** the region's data (an empty region when the fixture has none) */
  region: Region;
  /** query protocol: the form fields; JSON protocol: the parsed body */
  query: URLSearchParams;
  json: Record<string, unknown>;
  now: Date;
  /** temporary credentials issued by AssumeRole, by access key id */
  sessions: Map<string, Session>;
  session?: Session;
  /** BatchGetResourceConfig: keys past this many in one call come back unprocessed (SandboxOptions) */
  configBatchProcessed?: number;
}

export type Handler = (ctx: CallContext) => Record<string, WireValue>;
