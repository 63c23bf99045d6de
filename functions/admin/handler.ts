import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { adminDomain } from './routes.ts';
import { CURVE_SCOPES, createAdminService, EIA_SCOPES, SCENARIO_SCOPES } from './service.ts';

/** The admin function; `runtime` replaces the one the environment gives (tests). */
export function createAdminHandler(ports: { runtime?: () => HttpRuntime } = {}) {
  return createDomainHandler({
    domain: adminDomain,
    runtime: ports.runtime,
    // The whole API's routes (for warm-up and scope names) load with the first request's binding.
    bind: async (runtime) => {
      const { registry } = await import('#functions/registry');
      const admin = createAdminService(runtime, registry.routes);
      const scopes = async (names: readonly string[]) => ({
        rows: await admin.invalidate(names),
        filterHash: '',
      });
      return {
        explainFlagsV2: async ({ query, principal }) => ({
          data: await admin.explainFlags(query, principal),
        }),
        invalidateCurveCacheV1: () => scopes(CURVE_SCOPES),
        invalidateEiaSeriesCacheV1: () => scopes(EIA_SCOPES),
        invalidateMetadataCacheV1: ({ path }) => scopes([admin.metadataScope(path.scope)]),
        invalidateScenarioCacheV1: async () => void (await admin.invalidate(SCENARIO_SCOPES)),
        warmCacheV1: async ({ body, headers, io }) => ({
          rows: await admin.warm(body.scopes, { headers, deadline: io.deadline }),
          filterHash: '',
        }),
        invalidateCurveCacheV2: ({ query, principal, requestId }) =>
          admin.invalidateCurvesV2(admin.tenantOf(query.tenant_id, principal.tenant), requestId),
        invalidateScenarioCacheV2: ({ query, principal }) =>
          admin.invalidateScenariosV2(admin.tenantOf(query.tenant_id, principal.tenant)),
      };
    },
  });
}

export const handler = createAdminHandler();
