import * as z from 'zod/mini';
import { CACHE_SCOPES } from '#lib/cache/policies';
import { tenantParam, textParam } from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute, type RuleInput } from '#lib/http/route';
import { withMeta } from '#lib/schema';

const SCENARIO_ID = z.uuid({ message: 'must be a UUID' });
const V1_ADMIN = { key: 'v1-admin', whenOff: 'not-found' } as const;

const InvalidatedScope = z.object({
  scope: z.string(),
  /** Keys are never scanned or deleted: bumping the scope version makes them unreachable and they expire. */
  redis_keys_removed: z.number().check(z.int()),
  local_entries_removed: z.number().check(z.int()),
  version: z.nullable(z.number().check(z.int())),
});

export const explainFlags = defineRoute({
  id: 'explainFlagsV2',
  method: 'GET',
  path: '/v2/admin/flags',
  domain: 'admin',
  version: 'v2',
  summary: 'Every feature flag with its answer for one subject, and why',
  description:
    'Never behind a flag itself. Reasons: kill-switch, denied, allowed, rollout, default. Also the version and age of the flags document in force.',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return {
      query: z.object({
        tenant: z.optional(
          textParam({
            max: 64,
            description: 'Tenant to evaluate for (default: the caller’s)',
          }),
        ),
        user: z.optional(textParam({ max: 256, description: 'User to evaluate for (default: the caller)' })),
      }),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.object({
        version: z.string(),
        age_seconds: z.nullable(z.number()),
        source: z.string(),
        last_error: z.optional(z.string()),
        subject: z.object({ tenant: z.nullable(z.string()), user: z.nullable(z.string()) }),
        flags: z.array(
          z.object({ key: z.string(), enabled: z.boolean(), reason: z.string(), value: z.unknown() }),
        ),
      });
    },
  },
});

/** An invalidation route of v1 that answers the scopes it bumped. */
const invalidateScopesV1 = <const Id extends string>(id: Id, path: string, summary: string) =>
  defineRoute({
    id,
    method: 'POST',
    path,
    domain: 'admin',
    version: 'v1',
    summary,
    auth: 'admin',
    permission: 'admin',
    flag: V1_ADMIN,
    response: { kind: 'list', schema: InvalidatedScope },
  });

/** The scenario invalidation of either version: 204, as the original answered. */
const invalidateScenario = <const Id extends string, const V extends 'v1' | 'v2'>(id: Id, version: V) =>
  defineRoute({
    id,
    method: 'POST',
    path: `/${version}/admin/cache/scenario/{scenario_id}/invalidate`,
    domain: 'admin',
    version,
    summary: 'Invalidate cached scenario outputs and metrics',
    auth: 'admin',
    permission: 'admin',
    ...(version === 'v1' ? { flag: V1_ADMIN } : {}),
    get request() {
      return { path: z.object({ scenario_id: SCENARIO_ID }), query: z.object({ tenant_id: tenantParam() }) };
    },
    response: { kind: 'empty', status: 204 },
  });

export const invalidateCurvesV1 = invalidateScopesV1(
  'invalidateCurveCacheV1',
  '/v1/admin/cache/curves/invalidate',
  'Invalidate every cached curve answer',
);
export const invalidateScenarioV1 = invalidateScenario('invalidateScenarioCacheV1', 'v1');
export const invalidateEiaV1 = invalidateScopesV1(
  'invalidateEiaSeriesCacheV1',
  '/v1/admin/cache/eia/series/invalidate',
  'Invalidate cached EIA series and their dimensions',
);

/** The seven US ISOs the locations scope knows. */
export const ISO_CODES = ['PJM', 'CAISO', 'ERCOT', 'MISO', 'SPP', 'NYISO', 'ISONE'] as const;

export const invalidateMetadataV1 = defineRoute({
  id: 'invalidateMetadataCacheV1',
  method: 'POST',
  path: '/v1/admin/cache/metadata/{scope}/invalidate',
  domain: 'admin',
  version: 'v1',
  summary: 'Invalidate cached metadata: locations, units or dimensions',
  auth: 'admin',
  permission: 'admin',
  flag: V1_ADMIN,
  get request() {
    return {
      path: z.object({ scope: textParam({ max: 64 }) }),
      query: z.object({
        iso: z.optional(
          textParam({ max: 16, description: 'Only with scope=locations' }).check(
            z.refine((iso) => (ISO_CODES as readonly string[]).includes(iso.toUpperCase()), {
              message: `one of ${ISO_CODES.join(', ')}`,
              params: { code: 'invalid_iso' },
            }),
          ),
        ),
      }),
      // The original's order: an unknown scope is a 404 (from the service); iso fits locations only.
      rules: ({ path, query }: RuleInput) =>
        query.iso !== undefined && ['units', 'dimensions'].includes(String(path.scope).toLowerCase())
          ? [{ field: 'query.iso', message: 'only with scope locations', code: 'iso_not_applicable' }]
          : [],
    };
  },
  response: { kind: 'list', schema: InvalidatedScope },
});

export const warmCacheV1 = defineRoute({
  id: 'warmCacheV1',
  method: 'POST',
  path: '/v1/admin/cache/warm',
  domain: 'admin',
  version: 'v1',
  summary: 'Run the warm-up functions of the named cache scopes',
  auth: 'admin',
  permission: 'admin',
  flag: V1_ADMIN,
  get request() {
    return {
      body: z.strictObject({
        // Each scope once, and no more than there are scopes: every entry costs replayed requests.
        scopes: withMeta(
          z.array(textParam({ max: 64 })).check(
            z.minLength(1),
            z.maxLength(CACHE_SCOPES.length),
            z.refine((scopes) => new Set(scopes).size === scopes.length, {
              message: 'each scope may be named only once',
              params: { code: 'duplicate_scope' },
            }),
          ),
          { uniqueItems: true },
        ),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return z.object({
        scope: z.string(),
        ok: z.boolean(),
        duration_ms: z.number(),
        error: z.optional(z.string()),
      });
    },
  },
});

export const invalidateCurvesV2 = defineRoute({
  id: 'invalidateCurveCacheV2',
  method: 'POST',
  path: '/v2/admin/cache/curves/invalidate',
  domain: 'admin',
  version: 'v2',
  summary: 'Invalidate every cached curve answer',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { query: z.object({ tenant_id: tenantParam() }) };
  },
  response: {
    kind: 'document',
    get schema() {
      return z.object({
        cache_type: z.literal('curves'),
        keys_purged: z.number().check(z.int()),
        meta: z.object({
          request_id: z.string(),
          tenant_id: z.nullable(z.string()),
          processing_time_ms: z.number(),
          version: z.literal('v2'),
        }),
      });
    },
  },
});

export const invalidateScenarioV2 = invalidateScenario('invalidateScenarioCacheV2', 'v2');

export const adminDomain = defineDomain({
  name: 'admin',
  description: 'Administration (admin group only)',
  routes: [
    explainFlags,
    invalidateCurvesV1,
    invalidateScenarioV1,
    invalidateEiaV1,
    invalidateMetadataV1,
    warmCacheV1,
    invalidateCurvesV2,
    invalidateScenarioV2,
  ],
});
