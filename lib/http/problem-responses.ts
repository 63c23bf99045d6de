import { V1_DEPRECATION_HEADERS } from '#lib/http/deprecation';
import type { JsonSchema } from '#lib/http/json-schema';
import type { RouteSpec } from '#lib/http/route';
import { rateLimitHeaders } from '#lib/http/runtime';

/** The problem answers of the OpenAPI document: which statuses a route can answer, and their shared responses. */

/** Whether the route's answer reaches a dependency (data store, cache, flags) that can fail or be slow. */
const reachesDependency = (route: RouteSpec) =>
  route.auth !== 'public' ||
  (route.cache !== undefined && route.cache.store !== false) ||
  route.flag !== undefined;

/**
 * The problem statuses a route can answer, from its auth rule and features: validation (400), tokens
 * (401/403), bodies (415/422), the rate limit (429), and dependency faults (503/504). Every route can
 * answer 404 (a path one segment off, a missing item, a switched-off flag) and 405 (another method on its
 * path, with Allow), and 500.
 */
export function problemStatuses(route: RouteSpec): number[] {
  const statuses = new Set<number>([404, 405, 500]);
  const { request } = route;
  if (request?.path || request?.query || request?.body || route.auth !== 'public') statuses.add(400);
  if (route.auth !== 'public') {
    statuses.add(401);
    statuses.add(403);
    statuses.add(429);
  }
  if (request?.body) {
    statuses.add(413);
    statuses.add(415);
    statuses.add(422);
  }
  if (route.write?.idempotent) {
    statuses.add(409);
    statuses.add(422);
  }
  if (route.write?.conditional) statuses.add(412);
  if (reachesDependency(route)) {
    statuses.add(503);
    statuses.add(504);
  }
  if (route.flag?.whenOff === 'unavailable') statuses.add(503);
  for (const status of route.problems ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

const header = (description: string, schema: JsonSchema = { type: 'string' }, example?: string) => ({
  description,
  schema: example === undefined ? schema : { ...schema, example },
});

export const RATE_LIMIT_HEADER_NAMES = Object.keys(
  rateLimitHeaders({ allowed: true, limit: 0, remaining: 0, resetSeconds: 0 }),
);

export function sharedHeaders(): Record<string, unknown> {
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
    Allow: header('The methods the path answers', { type: 'string' }, 'GET'),
    'Content-Disposition': header('attachment; filename="…" for CSV answers'),
    Location: header('Where the created resource lives'),
    'Idempotent-Replayed': header('true when this is the stored first answer to the Idempotency-Key', {
      type: 'string',
      enum: ['true'],
    }),
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

export const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
export const headerRefs = (names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, headerRef(n)]));

export const PROBLEMS: Record<number, { name: string; description: string; headers?: string[] }> = {
  400: { name: 'BadRequest', description: 'Invalid path or query parameters; `errors[]` names each field' },
  401: { name: 'Unauthorized', description: 'A bearer token is required', headers: ['WWW-Authenticate'] },
  403: {
    name: 'Forbidden',
    description:
      'The token carries no valid tenant, the wrong tenant_id, or not the route’s permission (named by X-Required-Permission)',
    headers: ['X-Required-Permission'],
  },
  404: {
    name: 'NotFound',
    description: 'No such route or item, or the route’s feature flag is off for the caller',
  },
  405: {
    name: 'MethodNotAllowed',
    description: 'The path does not answer this method; Allow lists the methods it does',
    headers: ['Allow'],
  },
  409: {
    name: 'Conflict',
    description:
      'The write collides with a record that exists, or its Idempotency-Key is still being answered (Retry-After)',
    headers: ['Retry-After'],
  },
  412: {
    name: 'PreconditionFailed',
    description: 'If-Match names a version the record no longer has; nothing was written',
  },
  413: { name: 'ContentTooLarge', description: 'The request body is over 256 KB' },
  415: { name: 'UnsupportedMediaType', description: 'Request bodies must be application/json' },
  422: {
    name: 'UnprocessableContent',
    description:
      'Invalid request body (`errors[]` names each field, unknown members included), or an Idempotency-Key reused with another request',
  },
  429: {
    name: 'TooManyRequests',
    description: 'The tenant’s rate limit is exhausted',
    headers: ['Retry-After', ...RATE_LIMIT_HEADER_NAMES],
  },
  500: { name: 'InternalServerError', description: 'Unexpected error; the detail never carries internals' },
  502: {
    name: 'BadGateway',
    description: 'An upstream service the route proxies failed or answered garbage',
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'A dependency is unavailable; retry after Retry-After',
    headers: ['Retry-After'],
  },
  504: { name: 'GatewayTimeout', description: 'The answer did not come within the request deadline' },
};

/** The shared problem responses; with `statuses`, only theirs, so the document has no unused component. */
export function problemResponses(statuses?: Iterable<number>): Record<string, unknown> {
  const wanted = statuses === undefined ? undefined : new Set(statuses);
  return Object.fromEntries(
    Object.entries(PROBLEMS)
      .filter(([status]) => wanted === undefined || wanted.has(Number(status)))
      .map(([, p]) => [
        p.name,
        {
          description: p.description,
          headers: headerRefs(['X-Request-Id', ...(p.headers ?? [])]),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      ]),
  );
}
