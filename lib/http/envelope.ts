import * as z from 'zod/mini';
import type { Boundary, CursorCodec } from '#lib/paging/cursor';
import { withMeta } from '#lib/schema';
import { type GatewayEvent, queryOf } from './event.ts';
import type { RequestState } from './request-state.ts';
import type { RouteSpec } from './route.ts';
import type { RouteResult } from './route-result.ts';

/**
 * The answer envelopes: v1 `{meta, data}`, v2 `{data, meta, links}`. Their schemas and their builder live
 * together, so the OpenAPI document, the contract fuzzer and the responder share one definition.
 */

export const FieldErrorSchema = z.strictObject({
  field: withMeta(z.string(), { example: 'query.limit' }),
  message: z.string(),
  code: z.optional(z.string()),
  value: z.optional(z.unknown()),
});

/** RFC 9457 problem details as every error leaves the API; extension members (e.g. `checks`) are allowed. */
export const ProblemSchema = withMeta(
  z.looseObject({
    type: withMeta(z.string(), { format: 'uri', example: 'https://api.aurum.dev/problems/validation-error' }),
    title: z.string(),
    status: z.number().check(z.int(), z.gte(400), z.lte(599)),
    detail: z.string(),
    instance: withMeta(z.string(), { example: '/v1/curves?limit=abc' }),
    request_id: z.string(),
    timestamp: withMeta(z.string(), { format: 'date-time' }),
    errors: z.optional(z.array(FieldErrorSchema).check(z.minLength(1))),
  }),
  { description: 'RFC 9457 problem details (application/problem+json)' },
);

const page = {
  count: z.number().check(z.int(), z.gte(0)),
  has_more: z.boolean(),
  next_cursor: withMeta(z.nullable(z.string()), {
    description: 'Opaque, signed; pass as `cursor` for the next page',
  }),
  prev_cursor: z.nullable(z.string()),
};
const requestId = withMeta(z.string(), { description: 'Also sent as X-Request-Id' });
// Meta stays open: routes add their own members (e.g. `limit`) without the envelope changing.
export const V1ObjectMetaSchema = z.looseObject({
  request_id: requestId,
  query_time_ms: z.number().check(z.gte(0)),
});
export const V2ObjectMetaSchema = z.looseObject({
  request_id: requestId,
  processing_time_ms: z.number().check(z.gte(0)),
});
const loose = <M extends z.ZodMiniObject>(schema: M) => z.catchall(schema, z.unknown());
export const V1ListMetaSchema = loose(z.extend(V1ObjectMetaSchema, page));
export const V2ListMetaSchema = loose(z.extend(V2ObjectMetaSchema, page));
export const V2LinksSchema = z.strictObject({
  self: z.string(),
  next: z.nullable(z.string()),
  prev: z.nullable(z.string()),
});

export const ENVELOPE_NAMES = new Map<z.core.$ZodType, string>([
  [ProblemSchema, 'Problem'],
  [FieldErrorSchema, 'FieldError'],
  [V1ObjectMetaSchema, 'V1ObjectMeta'],
  [V2ObjectMetaSchema, 'V2ObjectMeta'],
  [V1ListMetaSchema, 'V1ListMeta'],
  [V2ListMetaSchema, 'V2ListMeta'],
  [V2LinksSchema, 'V2Links'],
]);

const withRouteMeta = <M extends z.ZodMiniObject>(base: M, route: RouteSpec) =>
  route.response.meta ? loose(z.extend(base, route.response.meta.shape)) : base;

/** Whether a document route answers text (CSV, HTML, JS …) rather than JSON: its schema is a string. */
export function isTextDocument(route: RouteSpec): boolean {
  const schema = route.response.schema;
  const kind = route.response.kind;
  return (
    kind === 'file' ||
    (kind === 'document' &&
      schema !== undefined &&
      (schema as unknown as { type?: string }).type === 'string')
  );
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
export function responseBodySchema(route: RouteSpec): z.ZodMiniType | undefined {
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

/** Cursor tokens are minted per response from the page's boundaries, so cached pages never expire them. */
export function tokens(
  result: { next?: Boundary; prev?: Boundary; filterHash?: string },
  cursors: CursorCodec,
) {
  const mint = (b: Boundary | undefined, d: 'next' | 'prev') =>
    b === undefined ? null : cursors.encode(b, d, result.filterHash ?? '');
  return { next: mint(result.next, 'next'), prev: mint(result.prev, 'prev') };
}

/** `self`, `next` and `prev` links that keep every other query parameter and replace only the cursor. */
function links(event: GatewayEvent, next: string | null, prev: string | null) {
  const query = queryOf(event);
  const build = (cursor: string | null | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k !== 'cursor' && k !== 'since_cursor' && k !== 'prev_cursor') params.set(k, v);
    }
    if (cursor) params.set('cursor', cursor);
    const qs = params.toString();
    return `${event.rawPath}${qs ? `?${qs}` : ''}`;
  };
  const self = event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
  return { self, next: next ? build(next) : null, prev: prev ? build(prev) : null };
}

/** The body of a list or object answer, and the cursor tokens minted for it. */
export function envelope(
  event: GatewayEvent,
  s: RequestState,
  route: RouteSpec,
  result: RouteResult,
  cursors: CursorCodec,
) {
  const elapsed = Date.now() - s.startedAt;
  if (result.kind === 'list') {
    const t = tokens(result, cursors);
    const page = {
      count: result.data.length,
      has_more: result.next !== undefined,
      next_cursor: t.next,
      prev_cursor: t.prev,
    };
    if (route.version === 'v1') {
      return {
        t,
        body: {
          meta: { request_id: s.requestId, query_time_ms: elapsed, ...page, ...result.meta },
          data: result.data,
        },
      };
    }
    return {
      t,
      body: {
        data: result.data,
        meta: { request_id: s.requestId, processing_time_ms: elapsed, ...page, ...result.meta },
        links: links(event, t.next, t.prev),
      },
    };
  }
  if (result.kind === 'object') {
    const meta =
      route.version === 'v1'
        ? { request_id: s.requestId, query_time_ms: elapsed, ...result.meta }
        : { request_id: s.requestId, processing_time_ms: elapsed, ...result.meta };
    return {
      t: { next: null, prev: null },
      body: route.version === 'v1' ? { meta, data: result.data } : { data: result.data, meta },
    };
  }
  return { t: { next: null, prev: null }, body: result.kind === 'document' ? result.body : undefined };
}
