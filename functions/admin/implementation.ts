import { registry } from '#functions/registry';
import type { RouteImplementation } from '#lib/http/route';
import type { HttpRuntime } from '#lib/http/runtime';
import type { ImplementationTable } from '#lib/http/stack';
import type {
  explainFlags,
  invalidateCurvesV1,
  invalidateCurvesV2,
  invalidateEiaV1,
  invalidateMetadataV1,
  invalidateScenarioV1,
  invalidateScenarioV2,
  warmCacheV1,
} from './routes.ts';
import { CURVE_SCOPES, createAdminService, EIA_SCOPES, SCENARIO_SCOPES } from './service.ts';
import { scopeWarmer } from './warm-up.ts';

export function implementAdmin(runtime: HttpRuntime): ImplementationTable {
  const service = createAdminService(runtime.cache);

  const flags: RouteImplementation<typeof explainFlags> = async (input) => {
    const tenant = input.query.tenant?.trim().toLowerCase() ?? input.principal.tenant ?? undefined;
    const user = input.query.user ?? input.principal.subject;
    if (!runtime.flags) throw new Error('flags are not configured');
    const explained = await runtime.flags.explain({ tenant, user });
    return {
      kind: 'object',
      data: {
        version: explained.version,
        age_seconds: explained.ageSeconds,
        source: explained.source,
        ...(explained.lastError ? { last_error: explained.lastError } : {}),
        subject: { tenant: tenant ?? null, user: user ?? null },
        flags: explained.flags,
      },
    };
  };

  const curvesV1: RouteImplementation<typeof invalidateCurvesV1> = async () => ({
    kind: 'list',
    data: await service.invalidate(CURVE_SCOPES),
  });
  const eiaV1: RouteImplementation<typeof invalidateEiaV1> = async () => ({
    kind: 'list',
    data: await service.invalidate(EIA_SCOPES),
  });
  const metadataV1: RouteImplementation<typeof invalidateMetadataV1> = async (input) => ({
    kind: 'list',
    data: await service.invalidate([service.metadataScope(input.path.scope, input.query.iso)]),
  });
  const scenarioV1: RouteImplementation<typeof invalidateScenarioV1> = async () => {
    await service.invalidate(SCENARIO_SCOPES);
    return { kind: 'empty' };
  };
  const warm: RouteImplementation<typeof warmCacheV1> = async (input) => {
    for (const scope of new Set(input.body.scopes)) {
      if (!runtime.cache?.scopes.includes(scope)) continue;
      runtime.cache.registerWarmUp(
        scope,
        scopeWarmer(registry.routes, scope, {
          baseUrl: process.env.AURUM_API_BASE_URL,
          headers: input.headers,
          deadline: input.deadline,
        }),
      );
    }
    return { kind: 'list', data: await service.warm(input.body.scopes) };
  };

  const curvesV2: RouteImplementation<typeof invalidateCurvesV2> = async (input) => {
    const started = Date.now();
    await service.invalidate(CURVE_SCOPES);
    return {
      kind: 'document',
      body: {
        cache_type: 'curves',
        keys_purged: 0,
        meta: {
          request_id: input.requestId,
          tenant_id: service.tenantOf(input.query.tenant_id, input.principal.tenant),
          processing_time_ms: Date.now() - started,
          version: 'v2',
        },
      },
    };
  };
  const scenarioV2: RouteImplementation<typeof invalidateScenarioV2> = async (input) => {
    const started = Date.now();
    await service.invalidate(SCENARIO_SCOPES);
    return {
      kind: 'empty',
      headers: {
        'X-Tenant-Id': service.tenantOf(input.query.tenant_id, input.principal.tenant) ?? '',
        'X-Processing-Time-Ms': String(Date.now() - started),
        'X-Keys-Purged': '0',
      },
    };
  };

  return {
    explainFlagsV2: flags,
    invalidateCurveCacheV1: curvesV1,
    invalidateScenarioCacheV1: scenarioV1,
    invalidateEiaSeriesCacheV1: eiaV1,
    invalidateMetadataCacheV1: metadataV1,
    warmCacheV1: warm,
    invalidateCurveCacheV2: curvesV2,
    invalidateScenarioCacheV2: scenarioV2,
  };
}
