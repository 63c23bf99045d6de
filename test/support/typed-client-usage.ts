import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from '#lib/http/openapi';
import type { ReadmeExample } from './readme-examples.ts';

/**
 * Writes the usage file of the typed-client test: TypeScript that calls each README example through
 * `openapi-fetch` over the types `openapi-typescript` generated from the served document, as a user of the
 * API would write it (numbers as numbers, booleans as booleans, enums as their literals), and reads the
 * fields the document promises on each answer. `tsc` must accept it, and the test runs it.
 */

type Json = Record<string, unknown>;

export interface PlannedCall {
  /** Index into the usage file's `calls()` array. */
  index: number;
  /** The example as written; with `limit` at its documented minimum (a 2xx); just outside its bounds (a 400). */
  kind: 'example' | 'limit-minimum' | 'limit-out-of-range';
  example: ReadmeExample;
  /** The document's path template and the method, lower case. */
  template: string;
  method: string;
  /** Concrete path and query as sent. */
  path: string;
  query: [string, string][];
}

export interface Usage {
  source: string;
  calls: PlannedCall[];
  /** Examples no documented operation answers. */
  unmatched: ReadmeExample[];
  /** operationId of each list operation with a limit, the usage file types `limit: 5` for. */
  listOperations: string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The document's path template a concrete path belongs to, with its path parameters. */
export function matchTemplate(
  spec: OpenApiDocument,
  method: string,
  path: string,
): { template: string; params: Record<string, string> } | undefined {
  // Literal paths first, then templates with the fewest parameters (`/a/b` before `/a/{x}`).
  const templates = Object.keys(spec.paths)
    .filter((t) => spec.paths[t]![method] !== undefined)
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  for (const template of templates) {
    const names: string[] = [];
    const pattern = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return escapeRegExp(part);
        names.push(name);
        return '([^/]+)';
      })
      .join('');
    const m = new RegExp(`^${pattern}$`).exec(path);
    if (m) return { template, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) };
  }
  return undefined;
}

function resolve(spec: OpenApiDocument, schema: unknown): Json | undefined {
  let current = schema as Json | undefined;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 10; hops++) {
    const [, , section, name] = (current.$ref as string).split('/');
    current = (spec.components as Record<string, Record<string, unknown>>)[section!]?.[name!] as
      | Json
      | undefined;
  }
  return current;
}

const parametersOf = (spec: OpenApiDocument, op: OpenApiOperation) =>
  (op.parameters ?? []).map((p) => resolve(spec, p) as OpenApiParameter);

/** A README value as a client would write it: a number, a boolean, an enum's literal, else a string. */
function literal(value: string, schema: Json | undefined): string {
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return value;
  if (value === 'true' || value === 'false') return value;
  const options = Array.isArray(schema?.enum) ? (schema.enum as unknown[]) : [];
  const canonical = options.find((o) => typeof o === 'string' && o.toLowerCase() === value.toLowerCase());
  return JSON.stringify(canonical ?? value);
}

const object = (entries: [string, string][]) =>
  `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')} }`;

const key = (name: string) => `[${JSON.stringify(name)}]`;

/** The fields of the answer the document says are always there, read as typed properties. */
function fieldReads(spec: OpenApiDocument, body: Json | undefined): string {
  if (!body) return 'data';
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const inner = resolve(spec, props.data);
  if (inner) {
    const required = (s: Json | undefined) => ((s?.required ?? []) as string[]).map(key);
    if (inner.type === 'array') {
      const fields = required(resolve(spec, inner.items));
      return fields.length > 0
        ? `data.data.map((row) => [${fields.map((f) => `row${f}`).join(', ')}])`
        : 'data.data';
    }
    const fields = required(inner);
    return fields.length > 0 ? `[${fields.map((f) => `data.data${f}`).join(', ')}]` : 'data.data';
  }
  const top = ((body.required ?? []) as string[]).map(key);
  return top.length > 0 ? `[${top.map((f) => `data${f}`).join(', ')}]` : 'data';
}

export function usageFile(spec: OpenApiDocument, examples: ReadmeExample[]): Usage {
  const calls: PlannedCall[] = [];
  const unmatched: ReadmeExample[] = [];
  const entries: string[] = [];

  const plan = (
    kind: PlannedCall['kind'],
    example: ReadmeExample,
    template: string,
    method: string,
    pathParams: Record<string, string>,
    query: [string, string][],
  ) => {
    const op = spec.paths[template]![method]!;
    const params = parametersOf(spec, op);
    const schemaOf = (where: string, name: string) =>
      params.find((p) => p.in === where && p.name === name)?.schema as Json | undefined;
    const parts: string[] = [];
    const pathEntries = Object.entries(pathParams).map(
      ([k, v]) => [k, literal(decodeURIComponent(v), schemaOf('path', k))] as [string, string],
    );
    if (pathEntries.length > 0) parts.push(`path: ${object(pathEntries)}`);
    if (query.length > 0)
      parts.push(`query: ${object(query.map(([k, v]) => [k, literal(v, schemaOf('query', k))]))}`);
    const init: string[] = [];
    if (parts.length > 0) init.push(`params: { ${parts.join(', ')} }`);
    if (Object.keys(example.headers).length > 0)
      init.push(
        `headers: ${object(Object.entries(example.headers).map(([k, v]) => [k, JSON.stringify(v)]))}`,
      );
    if (example.body !== undefined) init.push(`body: ${example.body}`);

    const ok = (op.responses['200'] ?? op.responses['201']) as Json | undefined;
    const content = (ok?.content ?? {}) as Record<string, { schema?: unknown }>;
    const json = content['application/json'];
    const client = json || !ok?.content ? 'json' : 'text';
    if (client === 'text') init.push(`parseAs: 'text'`);
    const reads =
      kind === 'limit-out-of-range' || !ok?.content
        ? 'undefined'
        : client === 'text'
          ? '[data.length]'
          : fieldReads(spec, resolve(spec, json!.schema));
    const call = `${client}.${method.toUpperCase()}(${JSON.stringify(template)}${init.length > 0 ? `, { ${init.join(', ')} }` : ''})`;
    entries.push(`    // README line ${example.line}${kind === 'example' ? '' : `, ${kind}`}
    async () => {
      const { data, error, response } = await ${call};
      return { status: response.status, error: error as unknown, fields: data === undefined ? undefined : ${reads} };
    },`);
    const sentPath = template.replace(/\{([^}]+)\}/g, (_, n: string) => pathParams[n]!);
    calls.push({ index: calls.length, kind, example, template, method, path: sentPath, query });
    return params;
  };

  for (const example of examples) {
    const method = example.method.toLowerCase();
    const match = matchTemplate(spec, method, example.path);
    if (!match) {
      unmatched.push(example);
      continue;
    }
    const params = plan('example', example, match.template, method, match.params, example.query);
    const limit = params.find((p) => p.in === 'query' && p.name === 'limit')?.schema as Json | undefined;
    const withLimit = (value: number): [string, string][] => [
      ...example.query.filter(([k]) => k !== 'limit'),
      ['limit', String(value)],
    ];
    if (typeof limit?.minimum === 'number') {
      plan('limit-minimum', example, match.template, method, match.params, withLimit(limit.minimum));
      plan('limit-out-of-range', example, match.template, method, match.params, withLimit(limit.minimum - 1));
    }
    if (typeof limit?.maximum === 'number')
      plan('limit-out-of-range', example, match.template, method, match.params, withLimit(limit.maximum + 1));
  }

  // `limit: 5` on every list operation: a route that documents its limit as a string fails to compile.
  const listOperations: string[] = [];
  for (const item of Object.values(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'servers') continue;
      const params = parametersOf(spec, op);
      if (params.some((p) => p.in === 'query' && p.name === 'limit')) listOperations.push(op.operationId);
    }
  }
  const limits = listOperations.map(
    (id) =>
      `  ${id}: 5 satisfies NonNullable<operations[${JSON.stringify(id)}]['parameters']['query']>['limit'],`,
  );

  const source = `// Generated by the typed-client test from the README's examples. Do not edit.
import createClient from 'openapi-fetch';
import type { operations, paths } from './schema.ts';

export const LIMITS = {
${limits.join('\n')}
};

export function calls(baseUrl: string, fetch: typeof globalThis.fetch) {
  const json = createClient<paths, 'application/json'>({ baseUrl, fetch });
  const text = createClient<paths>({ baseUrl, fetch });
  void json;
  void text;
  return [
${entries.join('\n')}
  ];
}
`;
  return { source, calls, unmatched, listOperations };
}
