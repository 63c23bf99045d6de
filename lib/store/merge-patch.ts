/**
 * JSON Merge Patch (RFC 7396): `patch` applied to `target`. An object patch merges member by member, `null`
 * removes a member, and anything that is not an object replaces the target whole. Neither input is changed.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [member: string]: JsonValue };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [member, value] of Object.entries(patch)) {
    if (value === null) delete result[member];
    else result[member] = applyMergePatch(result[member], value);
  }
  return result;
}

/** The members a merge patch sets or removes, as dotted paths (`a.b`): what a domain checks against its schema. */
export function mergePatchPaths(patch: unknown, prefix = ''): string[] {
  if (!isObject(patch)) return prefix ? [prefix] : [];
  return Object.entries(patch).flatMap(([member, value]) => {
    const path = prefix ? `${prefix}.${member}` : member;
    return isObject(value) ? mergePatchPaths(value, path) : [path];
  });
}
