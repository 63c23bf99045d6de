import * as z from 'zod';
import type { Boundary, CursorCodec } from '#lib/paging/cursor';
import { type GatewayEvent, queryOf } from './event.ts';
import type { RequestState } from './request-state.ts';
import type { RouteSpec } from './route.ts';
import type { RouteResult } from './route-result.ts';

/**
 * The answer envelopes: v1 `{meta, data}`, v2 `{data, meta, links}`. Their schemas and their builder live
 * together, so the OpenAPI document, the contract fuzzer and the responder share one definition.
 */

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

export const ENVELOPE_NAMES = new Map<z.ZodType, string>([
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
