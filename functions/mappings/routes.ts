import * as z from 'zod/mini';
import { cursorParam, intParam, tenantParam, textParam } from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { once } from '#lib/lazy';
import { withMeta } from '#lib/schema';

/** Free text without control characters (providers, series ids, curve keys, search terms). */
const TEXT = /^[^\p{Cc}]+$/u;
const text = (max: number, description: string) => textParam({ max, pattern: TEXT, description });

export const MAPPING_LIMITS = {
  provider: 128,
  seriesId: 256,
  curveKey: 512,
  method: 64,
  notes: 2000,
} as const;

/** A mapping as every route answers it (the original's SeriesCurveMappingOut). */
export const mappingSchema = once(() =>
  z.object({
    id: z.uuid(),
    external_provider: z.string(),
    external_series_id: z.string(),
    curve_key: z.string(),
    mapping_confidence: z.number().check(z.gte(0), z.lte(1)),
    mapping_method: z.string(),
    mapping_notes: z.nullable(z.string()),
    is_active: z.boolean(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_by: z.string(),
    updated_at: z.iso.datetime(),
  }),
);
export type Mapping = z.infer<ReturnType<typeof mappingSchema>>;

const bodyText = (max: number) =>
  z.string().check(z.trim(), z.minLength(1, { message: 'must not be empty' }), z.maxLength(max));

/** What a create or a full replacement (PUT) sends; members it does not know are a 422 naming them. */
export const mappingBody = once(() =>
  z.strictObject({
    external_provider: withMeta(bodyText(MAPPING_LIMITS.provider), {
      description: 'Provider, e.g. EIA or FRED',
    }),
    external_series_id: withMeta(bodyText(MAPPING_LIMITS.seriesId), {
      description: 'The provider’s series id',
    }),
    curve_key: withMeta(bodyText(MAPPING_LIMITS.curveKey), {
      description: 'A curve_key the curves routes serve',
    }),
    mapping_confidence: z._default(z.number().check(z.gte(0), z.lte(1)), 1.0),
    mapping_method: z._default(bodyText(MAPPING_LIMITS.method), 'manual'),
    mapping_notes: z.optional(z.nullable(z.string().check(z.maxLength(MAPPING_LIMITS.notes)))),
    is_active: z._default(z.boolean(), true),
  }),
);
export type MappingInput = z.output<ReturnType<typeof mappingBody>>;

/** A JSON Merge Patch (RFC 7396) of a mapping: members to set, `null` to clear the notes. */
export const mappingPatch = once(() =>
  withMeta(
    z.partial(
      z.strictObject({
        external_provider: bodyText(MAPPING_LIMITS.provider),
        external_series_id: bodyText(MAPPING_LIMITS.seriesId),
        curve_key: bodyText(MAPPING_LIMITS.curveKey),
        mapping_confidence: z.number().check(z.gte(0), z.lte(1)),
        mapping_method: bodyText(MAPPING_LIMITS.method),
        mapping_notes: z.nullable(z.string().check(z.maxLength(MAPPING_LIMITS.notes))),
        is_active: z.boolean(),
      }),
    ),
    { description: 'JSON Merge Patch (RFC 7396); send as application/merge-patch+json' },
  ),
);

const mappingPath = once(() =>
  z.object({ mapping_id: z.uuid({ message: 'must be a mapping id (a UUID)' }) }),
);

const listFilters = once(() => ({
  provider: z.optional(text(MAPPING_LIMITS.provider, 'Only this provider (exact)')),
  series_id: z.optional(text(MAPPING_LIMITS.seriesId, 'Only this external series id (exact)')),
  curve_key: z.optional(text(MAPPING_LIMITS.curveKey, 'Only mappings to this curve (exact)')),
  is_active: documentedOptionalBool('Only active (true) or inactive (false) mappings'),
}));

function documentedOptionalBool(description: string) {
  return withMeta(
    z.pipe(
      z.optional(z.enum(['true', 'false'], { message: 'must be true or false' })),
      z.transform((v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true')),
    ),
    { description },
  );
}

/** Mapping records change under writes: clients keep them but revalidate with the ETag every time. */
const recordCache = { scope: 'mappings', visibility: 'private', store: false } as const;

const domain = 'mappings';

/* ---------------------------------------------------------------- v2 */

export const createMappingV2 = defineRoute({
  id: 'createSeriesCurveMapping',
  method: 'POST',
  path: '/v2/series-curve-mappings',
  domain,
  version: 'v2',
  summary: 'Map an external series to a curve',
  description:
    'Creates the mapping and answers 201 with Location and ETag. Send an Idempotency-Key to make retries safe: ' +
    'the first answer is replayed for 24 hours with Idempotent-Replayed: true. A curve_key no curve has is a 422; ' +
    'the same (external_provider, external_series_id) mapped twice is a 409.',
  auth: 'tenant',
  permission: 'mappings:write',
  get request() {
    return { body: mappingBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return mappingSchema();
    },
  },
  write: { idempotent: true },
  problems: [409, 422],
});

export const listMappingsV2 = defineRoute({
  id: 'listSeriesCurveMappings',
  method: 'GET',
  path: '/v2/series-curve-mappings',
  domain,
  version: 'v2',
  summary: 'The tenant’s series–curve mappings',
  description: 'Ordered by external_provider, then external_series_id; keyset cursors.',
  auth: 'tenant',
  permission: 'mappings:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        ...listFilters(),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 1000, default: 100 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return mappingSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()), total: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const getMappingV2 = defineRoute({
  id: 'getSeriesCurveMapping',
  method: 'GET',
  path: '/v2/series-curve-mappings/{mapping_id}',
  domain,
  version: 'v2',
  summary: 'One series–curve mapping',
  description: 'The ETag is the record’s version: send it as If-Match to update or delete safely.',
  auth: 'tenant',
  permission: 'mappings:read',
  get request() {
    return { path: mappingPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return mappingSchema();
    },
  },
  cache: recordCache,
});

export const replaceMappingV2 = defineRoute({
  id: 'replaceSeriesCurveMapping',
  method: 'PUT',
  path: '/v2/series-curve-mappings/{mapping_id}',
  domain,
  version: 'v2',
  summary: 'Replace a series–curve mapping',
  description:
    'Replaces every member (omitted ones take their defaults). With If-Match, a stale ETag is a 412 and nothing changes.',
  auth: 'tenant',
  permission: 'mappings:write',
  get request() {
    return { path: mappingPath(), body: mappingBody() };
  },
  response: {
    kind: 'object',
    get schema() {
      return mappingSchema();
    },
  },
  write: { conditional: true },
  problems: [409, 412, 422],
});

export const patchMappingV2 = defineRoute({
  id: 'patchSeriesCurveMapping',
  method: 'PATCH',
  path: '/v2/series-curve-mappings/{mapping_id}',
  domain,
  version: 'v2',
  summary: 'Change members of a series–curve mapping',
  description:
    'JSON Merge Patch (RFC 7396, application/merge-patch+json): members given are set, null clears mapping_notes. ' +
    'With If-Match, a stale ETag is a 412 and nothing changes.',
  auth: 'tenant',
  permission: 'mappings:write',
  get request() {
    return { path: mappingPath(), body: mappingPatch() };
  },
  response: {
    kind: 'object',
    get schema() {
      return mappingSchema();
    },
  },
  write: { conditional: true },
  problems: [409, 412, 422],
});

export const deleteMappingV2 = defineRoute({
  id: 'deleteSeriesCurveMapping',
  method: 'DELETE',
  path: '/v2/series-curve-mappings/{mapping_id}',
  domain,
  version: 'v2',
  summary: 'Delete a series–curve mapping',
  description: 'Answers 204. With If-Match, a stale ETag is a 412 and nothing is deleted.',
  auth: 'tenant',
  permission: 'mappings:write',
  get request() {
    return { path: mappingPath() };
  },
  response: { kind: 'empty', status: 204 },
  write: { conditional: true },
  problems: [412],
});

export const suggestionSchema = once(() =>
  z.object({
    curve_key: z.string(),
    similarity_score: z.number().check(z.gte(0), z.lte(1)),
    confidence_score: z.number().check(z.gte(0), z.lte(1)),
    reasoning: z.string(),
  }),
);

export const suggestMappingsV2 = defineRoute({
  id: 'suggestSeriesCurveMappings',
  method: 'GET',
  path: '/v2/series-mapping-suggestions',
  domain,
  version: 'v2',
  summary: 'Curves an external series probably is',
  description:
    'Curves ranked by trigram similarity (pg_trgm) of the series id, name, description and units to each curve’s ' +
    'key and dimensions; confidence adds agreement of units and ISO, and each row says why in one line. ' +
    'Curves the series is already mapped to are left out.',
  auth: 'tenant',
  permission: 'mappings:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        provider: text(MAPPING_LIMITS.provider, 'The series’ provider'),
        series_id: text(MAPPING_LIMITS.seriesId, 'The provider’s series id'),
        series_name: z.optional(text(512, 'The series’ name, e.g. "PJM Western Hub day-ahead on-peak"')),
        description: z.optional(text(2000, 'The series’ description')),
        units: z.optional(text(64, 'The series’ units, e.g. USD/MWh')),
        limit: intParam({ min: 1, max: 50, default: 10 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return suggestionSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

/* ---------------------------------------------------------------- v1 admin and v2 admin */

const adminList = once(() => ({
  ...listFilters(),
  cursor: cursorParam(),
  prev_cursor: cursorParam(),
  limit: intParam({ min: 1, max: 1000, default: 100 }),
}));

export const listMappingsAdminV1 = defineRoute({
  id: 'listMappingsAdminV1',
  method: 'GET',
  path: '/v1/admin/mappings',
  domain,
  version: 'v1',
  summary: 'Series–curve mappings (admin)',
  description: 'The admin’s tenant’s mappings, ordered by external_provider, then external_series_id.',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { query: z.object(adminList()) };
  },
  response: {
    kind: 'list',
    get schema() {
      return mappingSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()), total: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const createMappingAdminV1 = defineRoute({
  id: 'createMappingAdminV1',
  method: 'POST',
  path: '/v1/admin/mappings',
  domain,
  version: 'v1',
  summary: 'Create a series–curve mapping (admin)',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { body: mappingBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return mappingSchema();
    },
  },
  write: { idempotent: true },
  problems: [409, 422],
});

export const searchMappingsAdminV1 = defineRoute({
  id: 'searchMappingsAdminV1',
  method: 'GET',
  path: '/v1/admin/mappings/search',
  domain,
  version: 'v1',
  summary: 'Find mappings by a fuzzy curve key or series id (admin)',
  description:
    'Mappings whose curve_key or external_series_id resembles `q` (trigram similarity, or containing it), most similar first.',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return {
      query: z.object({
        q: text(256, 'What to look for'),
        provider: z.optional(text(MAPPING_LIMITS.provider, 'Only this provider (exact)')),
        limit: intParam({ min: 1, max: 100, default: 20 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return mappingSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const getMappingAdminV1 = defineRoute({
  id: 'getMappingAdminV1',
  method: 'GET',
  path: '/v1/admin/mappings/{mapping_id}',
  domain,
  version: 'v1',
  summary: 'One series–curve mapping (admin)',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { path: mappingPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return mappingSchema();
    },
  },
  cache: recordCache,
});

export const updateMappingAdminV1 = defineRoute({
  id: 'updateMappingAdminV1',
  method: 'PUT',
  path: '/v1/admin/mappings/{mapping_id}',
  domain,
  version: 'v1',
  summary: 'Replace a series–curve mapping (admin)',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { path: mappingPath(), body: mappingBody() };
  },
  response: {
    kind: 'object',
    get schema() {
      return mappingSchema();
    },
  },
  write: { conditional: true },
  problems: [409, 412, 422],
});

export const deleteMappingAdminV1 = defineRoute({
  id: 'deleteMappingAdminV1',
  method: 'DELETE',
  path: '/v1/admin/mappings/{mapping_id}',
  domain,
  version: 'v1',
  summary: 'Delete a series–curve mapping (admin)',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { path: mappingPath() };
  },
  response: { kind: 'empty', status: 204 },
  write: { conditional: true },
  problems: [412],
});

export const adminMappingRowSchema = once(() =>
  z.object({
    provider: z.string(),
    series_id: z.string(),
    curve_key: z.string(),
    mapping_type: z.string(),
    meta: z.object({
      id: z.uuid(),
      mapping_confidence: z.number(),
      is_active: z.boolean(),
      updated_by: z.string(),
      updated_at: z.iso.datetime(),
    }),
  }),
);

export const listMappingsAdminV2 = defineRoute({
  id: 'listMappingsAdminV2',
  method: 'GET',
  path: '/v2/admin/mappings',
  domain,
  version: 'v2',
  summary: 'Series–curve mappings, the admin view',
  description:
    '`provider_filter` matches the provider exactly (any case); `series_filter` finds series ids containing it. ' +
    'Ordered by provider, then series id.',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        provider_filter: z.optional(text(MAPPING_LIMITS.provider, 'Only this provider (any case)')),
        series_filter: z.optional(
          text(MAPPING_LIMITS.seriesId, 'Only series ids containing this (any case)'),
        ),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return adminMappingRowSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()), filters: z.record(z.string(), z.string()) });
    },
  },
  cache: recordCache,
});

export const mappingsDomain = defineDomain({
  name: domain,
  description: 'Series–curve mappings: which curve an external provider’s series is, with suggestions',
  routes: [
    createMappingV2,
    listMappingsV2,
    getMappingV2,
    replaceMappingV2,
    patchMappingV2,
    deleteMappingV2,
    suggestMappingsV2,
    listMappingsAdminV1,
    createMappingAdminV1,
    searchMappingsAdminV1,
    getMappingAdminV1,
    updateMappingAdminV1,
    deleteMappingAdminV1,
    listMappingsAdminV2,
  ],
});
