import { createHash } from 'node:crypto';
import { canonicalJson } from '#lib/canonical-json';

/** The digests of the canonical requests seen lately: a hit's key is hashed once, not on every request. */
const digests = new Map<string, string>();
const MAX_DIGESTS = 1024;

/** Hex SHA-256 of the request's canonical JSON: the last part of a cache key. */
export function requestHash(request: unknown): string {
  const text = canonicalJson(request);
  let digest = digests.get(text);
  if (digest === undefined) {
    digest = createHash('sha256').update(text).digest('hex');
    if (digests.size >= MAX_DIGESTS) digests.delete(digests.keys().next().value!);
    digests.set(text, digest);
  }
  return digest;
}
