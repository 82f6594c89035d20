// What every fixture section reader shares: where it is (account, region, clock) and the keys so far.
import type { Cursor } from './reader.js';
import type { Alias, Key, Tag } from './model.js';

export const DAY = 86_400_000;

export interface Ctx { account: string; region: string; now: Date; keys: Key[]; aliases: Alias[] }

export function arn(ctx: Ctx, service: string, rest: string): string {
  return `arn:aws:${service}:${ctx.region}:${ctx.account}:${rest}`;
}

export function tags(c: Cursor): Tag[] {
  return Object.entries(c.scalarMap('tags')).map(([Key, Value]) => ({ Key, Value }));
}

export function az(ctx: Ctx, written: string): string {
  return /^[a-z]$/.test(written) ? `${ctx.region}${written}` : written;
}

