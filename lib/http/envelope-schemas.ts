import type { ZodMiniObject, ZodMiniType } from 'zod/mini';
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import type { RouteSpec } from '#lib/http/route';
import { withMeta } from '#lib/schema';

// Types by name, not as `z.…`: in layer mode the docs function bundles this module, and the layer serves
// zod/mini with just the names function code reads (its `core` namespace would bring all of zod's core).

/**
 * The schemas of the answer envelopes (v1 `{meta, data}`, v2 `{data, meta, links}`, problem details) that
 * `envelope.ts` builds, for the OpenAPI document and the contract tests. Only the docs function loads them
 * (with the OpenAPI builder, on its first request for the document); a function answering requests never
 * builds them.
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
const loose = <M extends ZodMiniObject>(schema: M) => z.catchall(schema, z.unknown());
export const V1ListMetaSchema = loose(z.extend(V1ObjectMetaSchema, page));
export const V2ListMetaSchema = loose(z.extend(V2ObjectMetaSchema, page));
export const V2LinksSchema = z.strictObject({
  self: z.string(),
  next: z.nullable(z.string()),
  prev: z.nullable(z.string()),
});

export const ENVELOPE_NAMES = new Map<$ZodType, string>([
  [ProblemSchema, 'Problem'],
  [FieldErrorSchema, 'FieldError'],
  [V1ObjectMetaSchema, 'V1ObjectMeta'],
  [V2ObjectMetaSchema, 'V2ObjectMeta'],
  [V1ListMetaSchema, 'V1ListMeta'],
  [V2ListMetaSchema, 'V2ListMeta'],
  [V2LinksSchema, 'V2Links'],
]);

const withRouteMeta = <M extends ZodMiniObject>(base: M, route: RouteSpec) =>
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
export function responseBodySchema(route: RouteSpec): ZodMiniType | undefined {
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
