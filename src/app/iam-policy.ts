// `iam-policy`: the least-privilege IAM policy for one principal kind, generated from the
// declarations at the call sites: the collectors' declarations (member) and src/aws/permissions.ts
// (every other call). Nothing here is a hand-kept list.
import { COLLECTORS, iamActionsOf } from '../../collectors/registry.js';
import {
  declaredPermissions, policyFor, PRINCIPAL_KINDS, type PermissionDeclaration, type PrincipalKind, type ResourceNames,
} from '../aws/permissions.js';
import { UsageError } from './errors.js';

/** Every declaration: each collector's operations (member) and every other call site's. */
export function allPermissionDeclarations(): PermissionDeclaration[] {
  const collectors = COLLECTORS.flatMap((c) => iamActionsOf(c).map((action): PermissionDeclaration => ({
    action, principal: 'member', site: `collectors/declarations.ts (${c.id})`, why: c.description,
  })));
  return [...collectors, ...declaredPermissions()];
}

/** What the organization principal must know beyond its own statements. */
const ORGANIZATION_NOTE =
  "note: --org-role reads the management account (or the delegated administrator it runs in) through the member role NAME " +
  "when that account has one, else with this identity's own credentials: give the management account the member role " +
  "too, or attach the member policy (trustpack iam-policy) to this identity, or its evidence is ERROR.";

/**
 * The policy JSON is `text` (stdout, so `> policy.json` is JSON); `explain` is for stderr: each
 * action with the code that calls it and why, and the notes a policy document cannot carry.
 */
export function runIamPolicy(o: ResourceNames & { for?: string; explain?: boolean }): { text: string; explain?: string; exitCode: number } {
  const kind = (o.for ?? 'member') as PrincipalKind;
  if (!PRINCIPAL_KINDS.includes(kind)) throw new UsageError(`--for: unknown principal "${o.for}" (one of: ${PRINCIPAL_KINDS.join(', ')})`);
  const declarations = allPermissionDeclarations();
  const policy = policyFor(kind, declarations, o);
  if (policy.Statement.length === 0) throw new UsageError(`no AWS call of this trustpack version is made as the ${kind} principal: it needs no policy`);
  const text = JSON.stringify(policy, null, 2);
  const notes = kind === 'organization' ? [ORGANIZATION_NOTE] : [];
  const explained: string[] = [];
  if (o.explain) {
    const lines = declarations.filter((d) => d.principal === kind || d.alsoFor?.includes(kind))
      .map((d) => `  ${d.action.padEnd(48)} ${d.site}: ${d.why}`);
    explained.push(`why (${kind}):`, ...[...new Set(lines)].sort());
  }
  const explain = [...explained, ...notes].join('\n');
  return { text, ...(explain ? { explain } : {}), exitCode: 0 };
}
