import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so that two
 * requests that mean the same thing (parameters in any order) serialise to the same text.
 */
export function canonicalJson(value: unknown): string {
  const text = serialise(value);
  return text === undefined ? 'null' : text;
}

function serialise(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value !== 'object') return JSON.stringify(value);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return serialise(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item) ?? 'null').join(',')}]`;
  if (value instanceof Map) return serialise(Object.fromEntries(value));
  if (value instanceof Set) return serialise([...value]);
  const members: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const text = serialise((value as Record<string, unknown>)[name]);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/** Hex SHA-256 of the canonical JSON: the last part of a cache key. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
