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
