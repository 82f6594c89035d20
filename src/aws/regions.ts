// Region names, checked in one place for the command line and trustpack.yaml, against the
// regions the SDK's own partition data knows (vendored in partitions.generated.ts). A name two
// edits or fewer from a known region is a typo (usage error, with a suggestion); a well-formed
// name the data does not know yet is accepted with a warning, because AWS opens new regions
// every year and an older SDK must not refuse them. `--regions all` asks each account which
// regions it has enabled (account:ListRegions).
import { UsageError } from '../util/errors.js';
import { PARTITIONS } from './partitions.generated.js';

const KNOWN_REGIONS: ReadonlySet<string> = new Set(PARTITIONS.flatMap((p) => p.regions));
/** The shape of every region name so far: letters-words-digits (us-east-1, us-gov-west-1). */
const WELL_FORMED = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

export interface CheckedRegions {
  regions: string[];
  /** names accepted that the SDK's partition data does not know */
  warnings: string[];
}

/**
 * Edit distance counting an insertion, deletion, substitution or swap of two neighbours as one
 * edit (optimal string alignment), so "us-esat-1" is one edit from "us-east-1".
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known regions nearest to `name`, when some are within two edits (all at that distance). */
function nearRegions(name: string): string[] {
  let best = 3;
  let near: string[] = [];
  for (const r of [...KNOWN_REGIONS].sort()) {
    const d = editDistance(name, r);
    if (d < best) {
      best = d;
      near = [r];
    } else if (d === best) near.push(r);
  }
  return best <= 2 ? near : [];
}

/**
 * What is wrong with one region name, if anything: a typo of a known region or not a region
 * name at all (`problem`), or a well-formed name the SDK's data does not know (`unknown`).
 */
export function regionNameProblem(name: string): { problem?: string; unknown?: true } {
  if (KNOWN_REGIONS.has(name)) return {};
  const near = nearRegions(name.toLowerCase());
  if (near.length > 0) return { problem: `unknown region "${name}"; did you mean ${near.slice(0, 3).map((r) => `"${r}"`).join(' or ')}?` };
  if (!WELL_FORMED.test(name)) return { problem: `"${name}" is not an AWS region name (e.g. us-east-1, eu-central-1)` };
  return { unknown: true };
}

/**
 * Checks region names as written (`where` names their origin for the message: "--regions",
 * "trustpack.yaml: regions"). Trimmed, deduplicated, in the given order.
 */
export function checkRegionNames(names: readonly string[], where: string): CheckedRegions {
  const regions: string[] = [];
  const warnings: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (regions.includes(name)) continue;
    const found = regionNameProblem(name);
    if (found.problem) throw new UsageError(`${where}: ${found.problem}`);
    if (found.unknown) warnings.push(`${where}: region "${name}" is not in the AWS SDK's partition data (newer than this SDK?); collecting from it anyway`);
    regions.push(name);
  }
  return { regions, warnings };
}

/** `--regions all` (alone): every enabled region of each account. */
export function isAllRegions(names: readonly string[] | undefined): boolean {
  return names !== undefined && names.length === 1 && names[0]!.trim().toLowerCase() === 'all';
}

export interface AccountRegions {
  enabled: string[];
  /** opt-in regions not enabled in the account, with their RegionOptStatus: listed, not errors */
  notEnabled: { region: string; status: string }[];
}

const ENABLED = new Set(['ENABLED', 'ENABLED_BY_DEFAULT']);

/** account:ListRegions for the account the client config's credentials belong to. */
export async function listAccountRegions(config: Record<string, unknown>, signal?: AbortSignal): Promise<AccountRegions> {
  const { AccountClient, paginateListRegions } = await import('@aws-sdk/client-account');
  const client = new AccountClient(config);
  try {
    const enabled: string[] = [];
    const notEnabled: { region: string; status: string }[] = [];
    for await (const page of paginateListRegions({ client, pageSize: 50 }, {}, signal ? { abortSignal: signal } : {})) {
      for (const r of page.Regions ?? []) {
        if (!r.RegionName) continue;
        if (ENABLED.has(r.RegionOptStatus ?? '')) enabled.push(r.RegionName);
        else notEnabled.push({ region: r.RegionName, status: r.RegionOptStatus ?? 'UNKNOWN' });
      }
    }
    return { enabled: enabled.sort(), notEnabled: notEnabled.sort((a, b) => (a.region < b.region ? -1 : 1)) };
  } finally {
    client.destroy();
  }
}
