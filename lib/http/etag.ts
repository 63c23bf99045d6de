import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal data always gives equal text whatever the
 * key order it was built in. Follows JSON.stringify otherwise (toJSON, undefined members dropped,
 * non-finite numbers as null); bigints are written as plain integer literals.
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(value, new Set()) ?? 'null';
}

function writeCanonical(input: unknown, ancestors: Set<object>): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const node = value as object;
  if (ancestors.has(node)) throw new TypeError('canonicalJson: value contains a cycle');
  ancestors.add(node);
  try {
    if (Array.isArray(node)) {
      return `[${node.map((item) => writeCanonical(item, ancestors) ?? 'null').join(',')}]`;
    }
    const record = node as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const written = writeCanonical(record[key], ancestors);
      if (written !== undefined) members.push(`${JSON.stringify(key)}:${written}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(node);
  }
}

/** A strong, quoted entity tag over the canonical JSON of the value (162 bits of SHA-256). */
export function computeEtag(value: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(value)).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/** The opaque part of an entity tag: no W/ prefix, no quotes. */
function opaqueTag(tag: string): string {
  let rest = tag.trim();
  if (rest.startsWith('W/')) rest = rest.slice(2);
  if (rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"')) rest = rest.slice(1, -1);
  return rest;
}

/** Entity tags listed in an If-None-Match value; unquoted members are tolerated as bare tags. */
function listedTags(header: string): string[] {
  const tags: string[] = [];
  let i = 0;
  while (i < header.length) {
    const ch = header[i];
    if (ch === ',' || ch === ' ' || ch === '\t') {
      i += 1;
      continue;
    }
    if (header.startsWith('W/', i)) i += 2;
    if (header[i] === '"') {
      const close = header.indexOf('"', i + 1);
      // An unterminated quote is malformed: nothing after it can be trusted as a tag.
      if (close < 0) break;
      tags.push(header.slice(i + 1, close));
      i = close + 1;
    } else {
      const comma = header.indexOf(',', i);
      const end = comma < 0 ? header.length : comma;
      const bare = header.slice(i, end).trim();
      if (bare) tags.push(bare);
      i = end;
    }
  }
  return tags;
}

/**
 * If-None-Match evaluation with the weak comparison of RFC 9110 §8.8.3.2: `*` matches any current
 * representation; otherwise some listed tag must have exactly the same opaque value (W/ ignored).
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const header = ifNoneMatch.trim();
  if (header === '') return false;
  if (header === '*') return true;
  const current = opaqueTag(etag);
  if (current === '') return false;
  return listedTags(header).some((tag) => tag === current);
}
