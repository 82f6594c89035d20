// One SDK client per service class, region, account and configuration for all the collections
// of an account, instead of one per collection: a client's construction (config resolution,
// middleware stack) and its first calls (endpoint rules, cold caches) cost as much as several
// calls, and an account's collections make ~55 clients for ~4 calls each. Which collection a
// call belongs to travels with the call (collectors/common.ts `createClient`), not the client.
import type { ClientPool } from './types.js';

interface Destroyable { destroy(): void }

export class AccountClientPool implements ClientPool {
  private readonly clients = new Map<string, Destroyable>();

  get<C extends object>(key: string, make: () => C): C {
    let c = this.clients.get(key) as (C & Destroyable) | undefined;
    if (!c) {
      c = make() as C & Destroyable;
      this.clients.set(key, c);
    }
    return c;
  }

  /** Destroys every client (the run's shared connection pool outlives them: see sharedAgents). */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
