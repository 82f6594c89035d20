// `iam-policy`: the least-privilege IAM policy for one principal kind, generated from the
// declarations at the call sites: the collectors' registry (member) and src/aws/permissions.ts
// (every other call). Nothing here is a hand-kept list.
import { COLLECTORS } from '../../collectors/registry.js';
import {
  declaredPermissions, iamAction, policyFor, PRINCIPAL_KINDS, type PermissionDeclaration, type PrincipalKind, type ResourceNames,
} from '../aws/permissions.js';
import { UsageError } from './errors.js';

/** Every declaration: each collector's operations (member) and every other call site's. */
export function allPermissionDeclarations(): PermissionDeclaration[] {
  const collectors = COLLECTORS.flatMap((c) => c.operations.map((op): PermissionDeclaration => ({
    // an operation may name another service's call ("s3:ListBuckets" for a trail's bucket)
    action: op.includes(':') ? iamAction(op.split(':')[0]!, op.split(':')[1]!) : iamAction(c.service, op), principal: 'member', site: `collectors/registry.ts (${c.id})`, why: c.description,
  })));
  return [...collectors, ...declaredPermissions()];
}

export function runIamPolicy(o: ResourceNames & { for?: string; explain?: boolean }): { text: string; exitCode: number } {
  const kind = (o.for ?? 'member') as PrincipalKind;
  if (!PRINCIPAL_KINDS.includes(kind)) throw new UsageError(`--for: unknown principal "${o.for}" (one of: ${PRINCIPAL_KINDS.join(', ')})`);
  const declarations = allPermissionDeclarations();
  const policy = policyFor(kind, declarations, o);
  if (policy.Statement.length === 0) throw new UsageError(`no AWS call of this trustpack version is made as the ${kind} principal: it needs no policy`);
  let text = JSON.stringify(policy, null, 2);
  if (o.explain) {
    const lines = declarations.filter((d) => d.principal === kind)
      .map((d) => `  ${d.action.padEnd(48)} ${d.site}: ${d.why}`);
    text += `\n\nwhy (${kind}):\n${[...new Set(lines)].sort().join('\n')}`;
  }
  return { text, exitCode: 0 };
}
