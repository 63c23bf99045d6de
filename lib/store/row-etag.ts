import { createHash } from 'node:crypto';

/**
 * Strong ETags from a row's version (every update moves it on: the touch trigger of migration 0002).
 * `"<version>-<id digest>"`: the version lets a conditional write go straight to `where version = $n`, and
 * the digest keeps one resource's tag from matching another's.
 */
export interface VersionedRow {
  id: string;
  version: number;
}

const idDigest = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 12);

export function rowEtag(row: VersionedRow): string {
  return `"${row.version}-${idDigest(row.id)}"`;
}

/** The entity tags of an `If-Match` (or `If-None-Match`) header; `*` as itself. Weak tags keep their `W/`. */
export function parseEntityTags(header: string): string[] {
  return [...header.matchAll(/\s*(\*|(?:W\/)?"[^"]*")\s*(?:,|$)/g)].map((m) => m[1]!);
}

/**
 * Whether `If-Match` lets a write go ahead on this row (RFC 9110 §13.1.1, strong comparison): `*` matches
 * any existing row, a weak tag never matches. With no header there is no condition.
 */
export function ifMatchSatisfied(header: string | undefined, row: VersionedRow): boolean {
  if (header === undefined) return true;
  const tags = parseEntityTags(header);
  const current = rowEtag(row);
  return tags.some((tag) => tag === '*' || tag === current);
}

/**
 * The row version an `If-Match` names for this row id, for a conditional update in one statement
 * (`… where id = $1 and version = $2`); `undefined` when no tag in it belongs to this row (a 412).
 */
export function versionFromIfMatch(header: string, id: string): number | undefined {
  const digest = idDigest(id);
  for (const tag of parseEntityTags(header)) {
    const m = /^"(\d{1,15})-([A-Za-z0-9_-]{12})"$/.exec(tag);
    if (m && m[2] === digest) return Number(m[1]);
  }
  return undefined;
}
