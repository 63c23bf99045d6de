import { HttpProblem } from '#lib/http/problem';

/** Every permission a route can require; `admin` also grants all the others. */
export const PERMISSIONS = [
  'curves:read',
  'metadata:read',
  'scenarios:read',
  'scenarios:write',
  'scenarios:run',
  'scenarios:delete',
  'ppa:read',
  'ppa:write',
  'mappings:read',
  'mappings:write',
  'drought:read',
  'eia:read',
  'iso:read',
  'admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (value: string): value is Permission =>
  (PERMISSIONS as readonly string[]).includes(value);

/** Group (lower-cased) → the permissions its members hold. */
export type GroupPermissions = Readonly<Record<string, readonly Permission[]>>;

/**
 * `AURUM_GROUP_PERMISSIONS`: `group=perm perm; other-group=perm`, e.g.
 * `analysts=curves:read metadata:read; modellers=scenarios:read scenarios:write scenarios:run`.
 * An unknown permission name is a configuration error, not a silent no-op.
 */
export function parseGroupPermissions(raw: string | undefined): GroupPermissions {
  const map: Record<string, Permission[]> = {};
  if (!raw?.trim()) return map;
  for (const entry of raw.split(';')) {
    if (!entry.trim()) continue;
    const [group, list, extra] = entry.split('=');
    const name = group?.trim().toLowerCase();
    if (!name || list === undefined || extra !== undefined)
      throw new Error(`AURUM_GROUP_PERMISSIONS: "${entry.trim()}" is not group=permission …`);
    const permissions = list.split(/[\s,]+/).filter(Boolean);
    for (const p of permissions) {
      if (!isPermission(p))
        throw new Error(
          `AURUM_GROUP_PERMISSIONS: unknown permission "${p}" for group ${name} (known: ${PERMISSIONS.join(', ')})`,
        );
    }
    map[name] = [...new Set([...(map[name] ?? []), ...(permissions as Permission[])])];
  }
  return map;
}

/** The permissions of a caller: its scopes that name a permission (after the prefix), and its groups' permissions. */
export function permissionsOf(
  scopes: readonly string[],
  groups: readonly string[],
  options: { scopePrefix?: string; groupPermissions?: GroupPermissions; adminGroups?: readonly string[] },
): Permission[] {
  const prefix = options.scopePrefix ?? '';
  const held = new Set<Permission>();
  for (const scope of scopes) {
    if (!scope.startsWith(prefix)) continue;
    const name = scope.slice(prefix.length);
    if (isPermission(name)) held.add(name);
  }
  for (const group of groups) {
    for (const p of options.groupPermissions?.[group] ?? []) held.add(p);
    if (options.adminGroups?.includes(group)) held.add('admin');
  }
  return held.has('admin') ? [...PERMISSIONS] : PERMISSIONS.filter((p) => held.has(p));
}

export const insufficientPermission = (permission: Permission) =>
  new HttpProblem(403, 'forbidden', 'Forbidden Error', {
    detail: `This route requires the ${permission} permission`,
    headers: {
      'X-Required-Permission': permission,
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${permission}"`,
    },
  });

/** 403 with `X-Required-Permission` unless the caller holds the permission; no permission: nothing to check. */
export function requirePermission(
  principal: { permissions?: readonly Permission[] },
  permission: Permission | undefined,
): void {
  if (permission === undefined) return;
  if (!principal.permissions?.includes(permission)) throw insufficientPermission(permission);
}
