import { createHash } from 'node:crypto';
import { canonicalJson } from '#lib/canonical-json';

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

/** SHA-256 of the canonical JSON, base64url: what a representation's ETag is derived from. */
export function contentDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}
