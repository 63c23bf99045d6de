import { createHash } from 'node:crypto';
import { canonicalJson } from '#lib/canonical-json';

/** Hex SHA-256 of the request's canonical JSON: the last part of a cache key. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
