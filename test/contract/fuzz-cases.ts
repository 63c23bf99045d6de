import fc from 'fast-check';
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from '#lib/http/openapi';
import { invalidString, type JsonSchema, jsonValue, validString } from './schema-arbitraries.ts';

/** What the fuzzer sends for one operation: parameter values, headers and body, and whether it breaks the schema. */
export interface FuzzCase {
  invalid: boolean;
  params: Record<string, string>;
  headers: Record<string, string>;
  body?: { text: string; contentType: string };
}

export type Param = OpenApiParameter & { name: string; in: 'path' | 'query' | 'header'; schema: JsonSchema };

export interface Operation {
  path: string;
  method: string;
  op: OpenApiOperation;
  params: Param[];
  /** Whether the operation needs a token (so a bad tenant is the caller's fault, a 4xx). */
  authenticated: boolean;
}

export function operationsOf(spec: OpenApiDocument): Operation[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'servers')
      .map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        op,
        params: (op.parameters ?? [])
          .map((p) =>
            p.$ref ? (spec.components.parameters?.[p.$ref.split('/').pop()!] as Param) : (p as Param),
          )
          .filter((p) => p.in === 'path' || p.in === 'query'),
        authenticated: Array.isArray(op.security) && op.security.length > 0,
      })),
  );
}

/** Values seen in answers, by field name: realistic filters (iso=PJM, a real curve key, a real as-of date). */
export class SeenValues {
  readonly #values = new Map<string, Set<string>>();

  add(value: unknown, key = ''): void {
    if (typeof value === 'string' && key) {
      const values = this.#values.get(key) ?? new Set();
      if (values.size < 25 && value.length <= 300) values.add(value);
      this.#values.set(key, values);
    } else if (Array.isArray(value)) {
      for (const item of value.slice(0, 50)) this.add(item, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.add(v, k);
    }
  }

  /** Values for a parameter: from fields of the same name, or those SOURCES links it to. */
  for(name: string): string[] {
    return (SOURCES[name] ?? [name]).flatMap((k) => [...(this.#values.get(k) ?? [])]);
  }
}

/** Which answer fields feed which parameters, like schemathesis links. */
const SOURCES: Record<string, string[]> = {
  asof: ['asof_date'],
  asof_a: ['asof_date'],
  asof_b: ['asof_date'],
  from_timestamp: ['asof_date'],
  to_timestamp: ['asof_date'],
  curve_id: ['curve_key', 'id'],
  name_filter: ['location', 'iso'],
  type: ['tenor_type'],
  cursor: ['next_cursor'],
  since_cursor: ['next_cursor'],
  prev_cursor: ['prev_cursor'],
};

const ASCII_HOSTILE = ["' OR 1=1 --", '/* x */', '"quoted"', 'a'.repeat(200), '%00', '<tag>'];

const headersArb = fc.record(
  {
    'X-Request-Id': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), fc.constantFrom(...ASCII_HOSTILE)),
    'If-None-Match': fc.constantFrom('"not-the-etag"', 'W/"stale"', 'garbage', '"a", "b"', '""'),
    'Accept-Encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'gzip;q=0, br;q=1', '*'),
    'X-Aurum-Tenant': fc.constantFrom('acme', 'demo', 'tenant-1.eu'),
    Accept: fc.constantFrom('application/json', '*/*', 'text/csv', 'application/problem+json'),
  },
  { requiredKeys: [] },
);

/** Valid requests (weight 3) and requests that break exactly one thing, keeping the rest valid (weight 2). */
export function caseArbitrary(operation: Operation, seen: SeenValues): fc.Arbitrary<FuzzCase> {
  const { params, op } = operation;
  const valid: Record<string, fc.Arbitrary<string | undefined>> = {};
  for (const p of params) {
    const value = validString(p.schema, seen.for(p.name));
    // Optional parameters mostly stay out, so a valid case is rarely refused by a rule across parameters.
    valid[p.name] = p.required
      ? value
      : fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: value, weight: 3 });
  }
  const required = params.filter((p) => p.required).map((p) => p.name);
  const validParams = fc
    .record(valid)
    .map(
      (values) =>
        Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
    );
  const body = op.requestBody as { content: Record<string, { schema: JsonSchema }> } | undefined;
  const bodySchema = body?.content['application/json']?.schema;
  const validBody = bodySchema
    ? jsonValue(bodySchema).map((v) => ({ text: JSON.stringify(v), contentType: 'application/json' }))
    : fc.constant(undefined);
  const validCase: fc.Arbitrary<FuzzCase> = fc
    .record({ params: validParams, headers: headersArb, body: validBody })
    .map((c) => ({ ...c, body: c.body, invalid: false }));

  const breakers: fc.Arbitrary<(c: FuzzCase) => FuzzCase>[] = [];
  for (const p of params) {
    const bad = invalidString(p.schema);
    if (bad)
      breakers.push(
        bad.map((value) => (c: FuzzCase) => ({ ...c, params: { ...c.params, [p.name]: value } })),
      );
  }
  for (const name of required) {
    breakers.push(
      fc.constant((c: FuzzCase) => {
        const { [name]: _dropped, ...rest } = c.params;
        return { ...c, params: rest };
      }),
    );
  }
  if (operation.authenticated) {
    breakers.push(
      fc
        .constantFrom('Not A Tenant!', '-leading-dash', 'x'.repeat(65), "acme' --")
        .map((t) => (c: FuzzCase) => ({ ...c, headers: { ...c.headers, 'X-Aurum-Tenant': t } })),
    );
  }
  if (bodySchema) {
    breakers.push(
      fc
        .constantFrom(
          { text: '{"unterminated": ', contentType: 'application/json' },
          { text: 'a=1', contentType: 'application/x-www-form-urlencoded' },
          { text: '"text"', contentType: 'application/json' },
        )
        .map((b) => (c: FuzzCase) => ({ ...c, body: b })),
    );
  }
  if (breakers.length === 0) return validCase;
  const invalidCase = fc
    .tuple(validCase, fc.oneof(...breakers))
    .map(([c, breakIt]) => ({ ...breakIt(c), invalid: true }));
  return fc.oneof({ arbitrary: validCase, weight: 3 }, { arbitrary: invalidCase, weight: 2 });
}

/** The plainest valid request: required parameters only, from answers when there are some, no headers. */
export function baselineCase(operation: Operation, seen: SeenValues): FuzzCase {
  const params: Record<string, string> = {};
  for (const p of operation.params.filter((q) => q.required)) {
    params[p.name] = fc.sample(validString(p.schema, seen.for(p.name)), { numRuns: 1, seed: 1 })[0]!;
  }
  return { invalid: false, params, headers: {} };
}

/** The URL of a case: path parameters encoded into the template, the rest as the query string. */
export function urlOf(base: string, operation: Operation, values: Record<string, string>): string {
  let path = operation.path;
  const query = new URLSearchParams();
  for (const p of operation.params) {
    const v = values[p.name];
    if (v === undefined) continue;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(v));
    else query.append(p.name, v);
  }
  // A path parameter left out is sent as an empty segment, which no route matches.
  path = path.replace(/\{[^}]+\}/g, '');
  const qs = query.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}
