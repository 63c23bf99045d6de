import { CACHE_POLICIES, type CacheScope } from '#lib/cache/policies';
import { V1_DEPRECATION_HEADERS } from '#lib/http/deprecation';
import { successStatus } from '#lib/http/envelope';
import {
  documentMediaType,
  ENVELOPE_NAMES,
  isTextDocument,
  responseBodySchema,
} from '#lib/http/envelope-schemas';
import { type JsonSchema, SchemaComponents } from '#lib/http/json-schema';
import {
  headerRefs,
  PROBLEMS,
  problemResponses,
  problemStatuses,
  RATE_LIMIT_HEADER_NAMES,
  sharedHeaders,
} from '#lib/http/problem-responses';
import type { RouteRegistry } from '#lib/http/registry';
import { csvColumns, type RouteSpec } from '#lib/http/route';

/**
 * The OpenAPI 3.1 document, derived from the route registry and its zod schemas and nothing else, so
 * the published contract cannot drift from what the handlers validate and render. Pure: no I/O.
 */

export type { JsonSchema };
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
  /** The API's contact (info.contact). */
  contact?: { name?: string; url?: string; email?: string };
  /** The API's license (info.license): an SPDX identifier or a URL. */
  license?: { name: string; identifier?: string; url?: string };
  title?: string;
  /** The API's version (info.version), not the OpenAPI version. */
  version?: string;
  description?: string;
  /** Base URL for the servers; relative by default, since the API serves its own document. */
  serverUrl?: string;
}

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/**
 * A parameter's description with its schema's default and bounds spelled out: generated clients copy the
 * parameter's description into their comments, but not the keywords of its schema.
 */
function describeParameter(description: string | undefined, schema: JsonSchema): string | undefined {
  const facts: string[] = [];
  if (schema.default !== undefined) facts.push(`Default: ${JSON.stringify(schema.default)}.`);
  const bounds = [
    ['minimum', 'Minimum'],
    ['maximum', 'Maximum'],
    ['exclusiveMinimum', 'Greater than'],
    ['exclusiveMaximum', 'Less than'],
  ] as const;
  for (const [keyword, label] of bounds)
    if (typeof schema[keyword] === 'number') facts.push(`${label}: ${schema[keyword]}.`);
  if (facts.length === 0) return description;
  const lead = description ? `${description.trim().replace(/\.?$/, '.')} ` : '';
  return `${lead}${facts.join(' ')}`;
}

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
      const described = describeParameter(typeof description === 'string' ? description : undefined, rest);
      if (described) param.description = described;
      if (deprecated === true) param.deprecated = true;
      if (example !== undefined) param.example = example;
      params.push(param);
    }
  }
  params.push({ $ref: '#/components/parameters/XRequestId' });
  if (route.method === 'GET' && route.response.kind !== 'empty')
    params.push({ $ref: '#/components/parameters/IfNoneMatch' });
  if (route.write?.idempotent) params.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (route.write?.conditional) params.push({ $ref: '#/components/parameters/IfMatch' });
  return params;
}

function successHeaders(route: RouteSpec): string[] {
  const names = ['X-Request-Id', 'X-Correlation-Id'];
  if (route.response.kind !== 'empty') names.push('Cache-Control');
  const resource = route.response.kind === 'object' && route.write !== undefined;
  if ((route.method === 'GET' || resource) && route.response.kind !== 'empty') names.push('ETag');
  if (resource && successStatus(route) === 201) names.push('Location');
  if (route.write?.idempotent) names.push('Idempotent-Replayed');
  if (route.cache && route.cache.store !== false) names.push('X-Cache');
  if (route.csv && route.response.kind !== 'empty') names.push('Content-Disposition');
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
  if (route.csv && kind === 'list') {
    content['text/csv'] = {
      schema: { type: 'string', description: `Columns: ${csvColumns(route).join(', ')} (RFC 4180, CRLF)` },
    };
  }
  return content;
}

function operation(
  route: RouteSpec,
  components: SchemaComponents,
  maxAgeOf: (scope: string) => number,
): OpenApiOperation {
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
    const shared = PROBLEMS[problem];
    if (!shared) throw new Error(`${route.id}: no shared problem response for status ${problem}`);
    responses[String(problem)] = { $ref: `#/components/responses/${shared.name}` };
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
  if (route.csv && route.response.kind === 'list') notes.push('`format=csv` answers text/csv.');
  if (route.version === 'v1') notes.push('Deprecated: use the v2 API (see the Sunset header).');
  if (notes.length > 0) op.description = notes.join('\n\n');
  if (route.version === 'v1') op.deprecated = true;
  if (route.request?.body) {
    op.requestBody = {
      required: !route.request.body.safeParse(undefined).success,
      content: {
        [route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json']: {
          schema: components.convert(route.request.body, 'input'),
        },
      },
    };
  }
  op['x-aurum-auth'] = route.auth;
  if (route.permission) op['x-required-permission'] = route.permission;
  if (route.cache)
    op['x-aurum-cache'] = { scope: route.cache.scope, max_age_seconds: maxAgeOf(route.cache.scope) };
  if (route.flag) op['x-aurum-flag'] = { key: route.flag.key, when_off: route.flag.whenOff };
  return op;
}

/**
 * A route's path as an OpenAPI path: OpenAPI has no greedy parameter, so API Gateway's `{name+}` is written
 * `{name}` (the route's description says it spans slashes).
 */
export const openApiPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

/** Builds the OpenAPI 3.1 document of every route in the registry. */
export function buildOpenApiDocument(
  registry: Pick<RouteRegistry, 'routes' | 'describe'>,
  options: OpenApiOptions = {},
): OpenApiDocument {
  const maxAgeOf = (scope: string) => CACHE_POLICIES[scope as CacheScope]?.ttlSeconds ?? 0;
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
    const path = openApiPath(route.path);
    paths[path] ??= {};
    const item = paths[path]!;
    if (route.version !== 'unversioned') (item as Record<string, unknown>).servers = [servers[route.version]];
    item[route.method.toLowerCase()] = operation(route, components, maxAgeOf);
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
        `${domains.map((name) => `**${name}**: ${registry.describe(name) ?? name}`).join('. ')}. ` +
          'Errors are application/problem+json (RFC 9457). v1 is deprecated: every v1 answer carries Deprecation and Sunset headers.',
      contact: options.contact ?? {
        name: 'Aurum API team',
        url: 'https://api.aurum.dev',
        email: 'api@aurum.dev',
      },
      license: options.license ?? { name: 'Proprietary', url: 'https://api.aurum.dev/terms' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [servers.v2, servers.v1],
    security: [{ bearerAuth: [] }],
    tags: domains.map((name) => {
      const description = registry.describe(name);
      return { name, ...(description ? { description } : {}) };
    }),
    paths,
    components: {
      schemas: { ...shared, ...components.schemas },
      responses: problemResponses(routes.flatMap(problemStatuses)),
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
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a retry safe: the first answer is kept 24 hours per tenant and route and replayed with ' +
            'Idempotent-Replayed: true; the key with another request is a 422, while still in flight a 409',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        },
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'The ETag the change is based on: a stale one is a 412 and nothing is written',
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
