import * as z from 'zod';
import { V1_DEPRECATION_HEADERS } from './deprecation.ts';
import type { RouteRegistry } from './registry.ts';
import type { RouteSpec } from './route.ts';
import { rateLimitHeaders } from './runtime.ts';

/**
 * The OpenAPI 3.1 document, derived from the route registry and its zod schemas and nothing else, so
 * the published contract cannot drift from what the handlers validate and render. Pure: no I/O.
 *
 * The envelope schemas below are the ones the fuzzer (test/contract) validates answers with, so the
 * document and the check share one definition.
 */

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  openapi: '3.1.0';
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>> & { schemas: Record<string, JsonSchema> };
};
export type OpenApiOperation = Record<string, unknown> & {
  operationId: string;
  parameters?: OpenApiParameter[];
  responses: Record<string, unknown>;
};
export interface OpenApiParameter {
  name?: string;
  in?: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonSchema;
  $ref?: string;
  [extension: string]: unknown;
}

export interface OpenApiOptions {
  title?: string;
  /** The API's version (info.version), not the OpenAPI version. */
  version?: string;
  description?: string;
  /** Base URL for the servers; relative by default, since the API serves its own document. */
  serverUrl?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared shapes: the problem body and the response envelopes of lib/http/render.ts.

export const FieldErrorSchema = z.strictObject({
  field: z.string().meta({ example: 'query.limit' }),
  message: z.string(),
  code: z.string().optional(),
  value: z.unknown().optional(),
});

/** RFC 9457 problem details as every error leaves the API; extension members (e.g. `checks`) are allowed. */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ format: 'uri', example: 'https://api.aurum.dev/problems/validation-error' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().meta({ example: '/v1/curves?limit=abc' }),
    request_id: z.string(),
    timestamp: z.string().meta({ format: 'date-time' }),
    errors: z.array(FieldErrorSchema).min(1).optional(),
  })
  .loose()
  .meta({ description: 'RFC 9457 problem details (application/problem+json)' });

const page = {
  count: z.number().int().min(0),
  has_more: z.boolean(),
  next_cursor: z
    .string()
    .nullable()
    .meta({ description: 'Opaque, signed; pass as `cursor` for the next page' }),
  prev_cursor: z.string().nullable(),
};
const requestId = z.string().meta({ description: 'Also sent as X-Request-Id' });
// Meta stays open: routes add their own members (e.g. `limit`) without the envelope changing.
export const V1ObjectMetaSchema = z
  .object({ request_id: requestId, query_time_ms: z.number().min(0) })
  .loose();
export const V2ObjectMetaSchema = z
  .object({ request_id: requestId, processing_time_ms: z.number().min(0) })
  .loose();
export const V1ListMetaSchema = V1ObjectMetaSchema.extend(page).loose();
export const V2ListMetaSchema = V2ObjectMetaSchema.extend(page).loose();
export const V2LinksSchema = z.strictObject({
  self: z.string(),
  next: z.string().nullable(),
  prev: z.string().nullable(),
});

const ENVELOPE_NAMES = new Map<z.ZodType, string>([
  [ProblemSchema, 'Problem'],
  [FieldErrorSchema, 'FieldError'],
  [V1ObjectMetaSchema, 'V1ObjectMeta'],
  [V2ObjectMetaSchema, 'V2ObjectMeta'],
  [V1ListMetaSchema, 'V1ListMeta'],
  [V2ListMetaSchema, 'V2ListMeta'],
  [V2LinksSchema, 'V2Links'],
]);

const withRouteMeta = <M extends z.ZodObject>(base: M, route: RouteSpec) =>
  route.response.meta ? base.extend(route.response.meta.shape).loose() : base;

/** Whether a document route answers text (CSV, HTML, JS …) rather than JSON: its schema is a string. */
export function isTextDocument(route: RouteSpec): boolean {
  const schema = route.response.schema;
  return route.response.kind === 'document' && schema !== undefined && schemaType(schema) === 'string';
}

/** The media type of a text document: the schema's `contentMediaType`, else text/plain. */
export function documentMediaType(route: RouteSpec): string {
  const schema = route.response.schema;
  const declared = schema ? z.globalRegistry.get(schema)?.contentMediaType : undefined;
  return typeof declared === 'string' ? declared : 'text/plain';
}

/**
 * The zod schema of a route's JSON success body: the v1/v2 envelope around the route's own schema, or
 * the document schema. Undefined for empty answers and text documents.
 */
export function responseBodySchema(route: RouteSpec): z.ZodType | undefined {
  const { kind, schema } = route.response;
  const data = schema ?? z.unknown();
  if (kind === 'list') {
    return route.version === 'v1'
      ? z.strictObject({ meta: withRouteMeta(V1ListMetaSchema, route), data: z.array(data) })
      : z.strictObject({
          data: z.array(data),
          meta: withRouteMeta(V2ListMetaSchema, route),
          links: V2LinksSchema,
        });
  }
  if (kind === 'object') {
    return route.version === 'v1'
      ? z.strictObject({ meta: withRouteMeta(V1ObjectMetaSchema, route), data })
      : z.strictObject({ data, meta: withRouteMeta(V2ObjectMetaSchema, route) });
  }
  if (kind === 'document' && !isTextDocument(route)) return data;
  return undefined;
}

export function successStatus(route: RouteSpec): number {
  return route.response.status ?? (route.response.kind === 'empty' ? 204 : 200);
}

/** Whether the route's answer reaches a dependency (data store, cache, flags) that can fail or be slow. */
const reachesDependency = (route: RouteSpec) =>
  route.auth !== 'public' ||
  (route.cache !== undefined && route.cache.store !== false) ||
  route.flag !== undefined;

/**
 * The problem statuses a route can answer, from its auth rule and features: validation (400), tokens
 * (401/403), a missing item or switched-off flag (404), bodies (415/422), the rate limit (429), and
 * dependency faults (503/504). 500 is always possible.
 */
export function problemStatuses(route: RouteSpec): number[] {
  const statuses = new Set<number>([500]);
  const { request } = route;
  if (request?.path || request?.query || request?.body || route.auth !== 'public') statuses.add(400);
  if (route.auth !== 'public') {
    statuses.add(401);
    statuses.add(403);
    statuses.add(429);
  }
  if (request?.path || route.flag?.whenOff === 'not-found') statuses.add(404);
  if (request?.body) {
    statuses.add(415);
    statuses.add(422);
  }
  if (reachesDependency(route)) {
    statuses.add(503);
    statuses.add(504);
  }
  if (route.flag?.whenOff === 'unavailable') statuses.add(503);
  for (const status of route.problems ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------------------
// zod → JSON Schema 2020-12, with named schemas hoisted into components.

function schemaType(schema: z.ZodType): string {
  return defOf(schema).type;
}

interface ZodDef {
  type: string;
  out?: z.ZodType;
  entries?: Record<string, string | number>;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The values of a pipe that ends in an enum (e.g. `enumParam`), which its input schema cannot show. */
function pipedEnumValues(schema: z.ZodType): (string | number)[] | undefined {
  const def = defOf(schema);
  if (def.type !== 'pipe' || !def.out) return undefined;
  const out = defOf(def.out);
  return out.type === 'enum' && out.entries ? Object.values(out.entries) : undefined;
}

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  /** zod schemas without a global `id` that still get a component of their own. */
  readonly #names = new Map<z.ZodType, string>(ENVELOPE_NAMES);
  readonly #defined = new Set<z.ZodType>();

  /** Names `schema` ahead of conversion, so every schema that embeds it refers to it whatever the route order. */
  reserve(schema: z.ZodType, fallbackName: string): void {
    if (typeof z.globalRegistry.get(schema)?.id === 'string' || this.#names.has(schema)) return;
    this.#names.set(schema, this.#unique(fallbackName));
  }

  /** Gives `schema` a component name (its global meta `id` wins) and returns a reference to it. */
  ref(schema: z.ZodType, fallbackName: string): JsonSchema {
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id === 'string') {
      // zod itself moves schemas with an `id` into $defs, which `convert` hoists under that name.
      if (!this.schemas[id]) this.convert(schema, 'output');
      return { $ref: `#/components/schemas/${id}` };
    }
    const name = this.#names.get(schema) ?? this.#unique(fallbackName);
    this.#names.set(schema, name);
    if (!this.#defined.has(schema)) {
      this.#defined.add(schema);
      // Reserve the name first so a schema that reaches itself stops here.
      this.schemas[name] ??= {};
      this.schemas[name] = this.convert(schema, 'output', schema);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The JSON Schema of `schema`, with known sub-schemas as `$ref`s and `$defs` moved into components. */
  convert(schema: z.ZodType, io: 'input' | 'output', root?: z.ZodType): JsonSchema {
    const names = this.#names;
    const converted = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      cycles: 'ref',
      override: (ctx) => {
        const node = ctx.zodSchema as unknown as z.ZodType;
        if (io === 'input') {
          // Case-insensitive enums (string → upper-case → enum) would otherwise show as any string.
          const values = pipedEnumValues(node);
          if (values) (ctx.jsonSchema as JsonSchema).enum = values;
          return;
        }
        if (node === root) return;
        const name = names.get(node);
        if (!name) return;
        const json = ctx.jsonSchema as JsonSchema;
        for (const key of Object.keys(json)) delete json[key];
        json.$ref = `#/components/schemas/${name}`;
      },
    }) as JsonSchema;
    delete converted.$schema;
    const defs = (converted.$defs ?? {}) as Record<string, JsonSchema>;
    delete converted.$defs;
    const renamed = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      let target = name;
      // The input and output forms of one named schema can differ (transforms): keep both.
      if (this.schemas[name] && JSON.stringify(this.schemas[name]) !== JSON.stringify(def)) {
        target = io === 'input' ? `${name}Input` : name;
      }
      renamed.set(name, target);
    }
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (node === null || typeof node !== 'object') return node;
      const out: JsonSchema = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
          const name = value.slice('#/$defs/'.length);
          out.$ref = `#/components/schemas/${renamed.get(name) ?? name}`;
        } else {
          out[key] = rewrite(value);
        }
      }
      return out;
    };
    for (const [name, def] of Object.entries(defs))
      this.schemas[renamed.get(name)!] ??= rewrite(def) as JsonSchema;
    return rewrite(converted) as JsonSchema;
  }

  #unique(name: string): string {
    const taken = new Set([...Object.keys(this.schemas), ...this.#names.values()]);
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    return candidate;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Headers and responses shared by operations.

const header = (description: string, schema: JsonSchema = { type: 'string' }, example?: string) => ({
  description,
  schema: example === undefined ? schema : { ...schema, example },
});

const RATE_LIMIT_HEADER_NAMES = Object.keys(
  rateLimitHeaders({ allowed: true, limit: 0, remaining: 0, resetSeconds: 0 }),
);

function sharedHeaders(): Record<string, unknown> {
  const headers: Record<string, unknown> = {
    'X-Request-Id': header('The request id: the caller’s X-Request-Id when well-formed, else the gateway’s'),
    'X-Correlation-Id': header('The caller’s X-Correlation-Id, else the request id'),
    ETag: header(
      'Strong entity tag of the representation; send it back as If-None-Match',
      { type: 'string' },
      '"q2yq3k0Jx1d3SBuQ"',
    ),
    'Cache-Control': header(
      'public|private, max-age=N, stale-while-revalidate=…, stale-if-error=… (no-store when not cacheable)',
      { type: 'string' },
      'public, max-age=300, stale-while-revalidate=150, stale-if-error=900',
    ),
    'X-Cache': header('Whether the server cache answered', {
      type: 'string',
      enum: ['hit', 'miss', 'stale'],
    }),
    'X-Next-Cursor': header('Cursor of the next page, when there is one'),
    'X-Prev-Cursor': header('Cursor of the previous page, when there is one'),
    'Retry-After': header('Seconds to wait before retrying', { type: 'string', pattern: '^\\d+$' }),
    'WWW-Authenticate': header('Bearer', { type: 'string' }, 'Bearer'),
    'X-Required-Permission': header('The permission the route needs and the token lacks', {
      type: 'string',
    }),
    'Content-Disposition': header('attachment; filename="…" for CSV answers'),
  };
  for (const name of RATE_LIMIT_HEADER_NAMES) {
    headers[name] = header(
      `Rate limit of the caller’s tenant (${name.replace('X-RateLimit-', '').toLowerCase()})`,
      {
        type: 'string',
        pattern: '^\\d+$',
      },
    );
  }
  for (const [name, value] of Object.entries(V1_DEPRECATION_HEADERS)) {
    headers[name] = header('v1 is deprecated in favour of v2', { type: 'string' }, value);
  }
  return headers;
}

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const headerRefs = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, headerRef(n)]));

const PROBLEMS: Record<number, { name: string; description: string; headers?: string[] }> = {
  400: { name: 'BadRequest', description: 'Invalid path or query parameters; `errors[]` names each field' },
  401: { name: 'Unauthorized', description: 'A bearer token is required', headers: ['WWW-Authenticate'] },
  403: {
    name: 'Forbidden',
    description:
      'The token carries no valid tenant, the wrong tenant_id, or not the route’s permission (named by X-Required-Permission)',
    headers: ['X-Required-Permission'],
  },
  404: { name: 'NotFound', description: 'No such item, or the route’s feature flag is off for the caller' },
  415: { name: 'UnsupportedMediaType', description: 'Request bodies must be application/json' },
  422: { name: 'UnprocessableContent', description: 'Invalid request body; `errors[]` names each field' },
  429: {
    name: 'TooManyRequests',
    description: 'The tenant’s rate limit is exhausted',
    headers: ['Retry-After', ...RATE_LIMIT_HEADER_NAMES],
  },
  500: { name: 'InternalServerError', description: 'Unexpected error; the detail never carries internals' },
  503: {
    name: 'ServiceUnavailable',
    description: 'A dependency is unavailable; retry after Retry-After',
    headers: ['Retry-After'],
  },
  504: { name: 'GatewayTimeout', description: 'The answer did not come within the request deadline' },
};

function problemResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(PROBLEMS).map((p) => [
      p.name,
      {
        description: p.description,
        headers: headerRefs(['X-Request-Id', ...(p.headers ?? [])]),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Operations.

function parameters(route: RouteSpec, components: SchemaComponents): OpenApiParameter[] {
  const params: OpenApiParameter[] = [];
  for (const where of ['path', 'query'] as const) {
    const schema = route.request?.[where];
    if (!schema) continue;
    const object = components.convert(schema, 'input');
    const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, deprecated, example, ...rest } = property;
      const param: OpenApiParameter = {
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: rest,
      };
      if (typeof description === 'string') param.description = description;
      if (deprecated === true) param.deprecated = true;
      if (example !== undefined) param.example = example;
      params.push(param);
    }
  }
  params.push({ $ref: '#/components/parameters/XRequestId' });
  if (route.method === 'GET' && route.response.kind !== 'empty')
    params.push({ $ref: '#/components/parameters/IfNoneMatch' });
  return params;
}

function successHeaders(route: RouteSpec): string[] {
  const names = ['X-Request-Id', 'X-Correlation-Id'];
  if (route.response.kind !== 'empty') names.push('Cache-Control');
  if (route.method === 'GET' && route.response.kind !== 'empty') names.push('ETag');
  if (route.cache && route.cache.store !== false) names.push('X-Cache');
  const paged = route.response.kind === 'list' || route.request?.query?.shape.cursor !== undefined;
  if (paged) names.push('X-Next-Cursor');
  if (route.response.kind === 'list') names.push('X-Prev-Cursor');
  if (route.auth !== 'public') names.push(...RATE_LIMIT_HEADER_NAMES);
  if (route.version === 'v1') names.push(...Object.keys(V1_DEPRECATION_HEADERS));
  return names;
}

const componentName = (route: RouteSpec) =>
  `${pascal(route.id)}${route.response.kind === 'list' ? 'Item' : route.response.kind === 'object' ? 'Data' : ''}`;

function successContent(route: RouteSpec, components: SchemaComponents): Record<string, unknown> | undefined {
  const { kind, schema } = route.response;
  if (kind === 'empty') return undefined;
  if (isTextDocument(route)) {
    return { [documentMediaType(route)]: { schema: components.convert(schema!, 'output') } };
  }
  const data = schema ? components.ref(schema, componentName(route)) : {};
  const body = responseBodySchema(route)!;
  const content: Record<string, unknown> = {
    'application/json': { schema: kind === 'document' ? data : components.convert(body, 'output') },
  };
  if (route.csv) {
    content['text/csv'] = {
      schema: { type: 'string', description: `Columns: ${route.csv.columns.join(', ')} (RFC 4180, CRLF)` },
    };
  }
  return content;
}

function operation(route: RouteSpec, components: SchemaComponents): OpenApiOperation {
  const status = successStatus(route);
  const headers = successHeaders(route);
  const content = successContent(route, components);
  const responses: Record<string, unknown> = {
    [String(status)]: {
      description: route.summary,
      headers: headerRefs(headers),
      ...(content ? { content } : {}),
    },
  };
  if (route.method === 'GET' && route.response.kind !== 'empty') {
    responses['304'] = {
      description: 'Not Modified: If-None-Match matched the current ETag',
      headers: headerRefs(headers.filter((h) => !h.startsWith('X-RateLimit') && h !== 'Content-Disposition')),
    };
  }
  for (const problem of problemStatuses(route)) {
    responses[String(problem)] = { $ref: `#/components/responses/${PROBLEMS[problem]!.name}` };
  }
  const op: OpenApiOperation = {
    operationId: route.id,
    summary: route.summary,
    tags: [route.domain],
    parameters: parameters(route, components),
    responses,
    security: route.auth === 'public' ? [] : [{ bearerAuth: route.permission ? [route.permission] : [] }],
  };
  const notes: string[] = [];
  if (route.description) notes.push(route.description);
  if (route.auth === 'admin') notes.push('Requires the admin group.');
  if (route.permission) notes.push(`Requires the \`${route.permission}\` permission.`);
  if (route.csv) notes.push('`format=csv` answers text/csv.');
  if (route.version === 'v1') notes.push('Deprecated: use the v2 API (see the Sunset header).');
  if (notes.length > 0) op.description = notes.join('\n\n');
  if (route.version === 'v1') op.deprecated = true;
  if (route.request?.body) {
    op.requestBody = {
      required: !route.request.body.safeParse(undefined).success,
      content: { 'application/json': { schema: components.convert(route.request.body, 'input') } },
    };
  }
  op['x-aurum-auth'] = route.auth;
  if (route.permission) op['x-required-permission'] = route.permission;
  if (route.cache)
    op['x-aurum-cache'] = { scope: route.cache.scope, max_age_seconds: route.cache.maxAgeSeconds };
  if (route.flag) op['x-aurum-flag'] = { key: route.flag.key, when_off: route.flag.whenOff };
  return op;
}

const DOMAIN_DESCRIPTIONS: Record<string, string> = {
  curves: 'Forward curves: points, diffs, strips and exports',
  metadata: 'Curve dimensions and reference data',
  scenarios: 'Scenarios, their runs and outputs',
  ppa: 'PPA contracts and valuations',
  iso: 'ISO locational marginal prices',
  eia: 'EIA series',
  drought: 'Drought indices',
  admin: 'Administration (admin group only)',
  health: 'Liveness and readiness',
  docs: 'This document and its viewer',
};

/** Builds the OpenAPI 3.1 document of every route in the registry. */
export function buildOpenApiDocument(
  registry: Pick<RouteRegistry, 'routes'>,
  options: OpenApiOptions = {},
): OpenApiDocument {
  const components = new SchemaComponents();
  const server = options.serverUrl ?? '/';
  const servers = {
    v1: { url: server, description: 'v1 (deprecated; sunset 2025-12-31): paths under /v1' },
    v2: { url: server, description: 'v2 (current): paths under /v2' },
  };
  const paths: OpenApiDocument['paths'] = {};
  const routes = [...registry.routes].sort((a, b) =>
    a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path),
  );
  for (const route of routes) {
    if (route.response.schema && !isTextDocument(route))
      components.reserve(route.response.schema, componentName(route));
  }
  for (const route of routes) {
    paths[route.path] ??= {};
    const item = paths[route.path]!;
    if (route.version !== 'unversioned') (item as Record<string, unknown>).servers = [servers[route.version]];
    item[route.method.toLowerCase()] = operation(route, components);
  }
  // Shared schemas first in the listing, then each route's own.
  const shared: Record<string, JsonSchema> = {};
  for (const [schema, name] of ENVELOPE_NAMES)
    shared[name] = components.schemas[name] ?? components.convert(schema, 'output', schema);
  const domains = [...new Set(routes.map((r) => r.domain))].sort();
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Aurum Energy Market Data API',
      version: options.version ?? '2.0.0',
      description:
        options.description ??
        'Forward curves, market metadata, scenarios, PPA valuations, ISO LMPs, EIA series and drought indices. ' +
          'Errors are application/problem+json (RFC 9457). v1 is deprecated: every v1 answer carries Deprecation and Sunset headers.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [servers.v2, servers.v1],
    security: [{ bearerAuth: [] }],
    tags: domains.map((name) => ({
      name,
      ...(DOMAIN_DESCRIPTIONS[name] ? { description: DOMAIN_DESCRIPTIONS[name] } : {}),
    })),
    paths,
    components: {
      schemas: { ...shared, ...components.schemas },
      responses: problemResponses(),
      parameters: {
        XRequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'Echoed back when it matches ^[A-Za-z0-9._:-]{1,128}$',
          schema: { type: 'string', maxLength: 128 },
        },
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'An ETag from an earlier answer: 304 with no body when it still matches',
          schema: { type: 'string' },
        },
      },
      headers: sharedHeaders(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT from the Aurum identity provider; its tenant claim scopes every request',
        },
      },
    },
  };
}
