import type { Principal } from '#lib/auth/principal';
import { normaliseTenant } from '#lib/auth/tenant';
import { scopesOfDomain } from '#lib/cache/policies';
import { NotFoundError } from '#lib/errors';
import type { RouteSpec } from '#lib/http/route';
import type { ResponseCache, RuntimeFlags } from '#lib/http/runtime';
import { scopeWarmer } from './warm-up.ts';

/** The cache scopes behind each admin invalidation route: those holding the domain's answers. */
export const CURVE_SCOPES = scopesOfDomain('curves');
export const SCENARIO_SCOPES = scopesOfDomain('scenarios');
export const EIA_SCOPES = scopesOfDomain('eia');
// A Map, not an object literal: `constructor` or `__proto__` must not resolve to a scope.
const METADATA_SCOPES = new Map([
  ['locations', 'metadata'],
  ['units', 'metadata'],
  ['dimensions', 'dimensions'],
]);

export interface InvalidatedScope {
  scope: string;
  /** Keys are never scanned or deleted: bumping the scope version makes them unreachable and they expire. */
  redis_keys_removed: number;
  local_entries_removed: number;
  version: number | null;
}

/** What the admin routes need: the cache manager and the flags of this container. */
export interface AdminPorts {
  cache?: ResponseCache;
  flags?: RuntimeFlags;
}

export function createAdminService(ports: AdminPorts, routes: readonly RouteSpec[]) {
  const { cache, flags } = ports;

  async function invalidate(scopes: readonly string[]): Promise<InvalidatedScope[]> {
    const versions = cache
      ? await Promise.all(scopes.map((scope) => cache.invalidate(scope)))
      : scopes.map((scope) => ({ scope, version: null }));
    return versions.map((r) => ({
      scope: r.scope,
      redis_keys_removed: 0,
      local_entries_removed: 0,
      version: r.version,
    }));
  }

  /** The scope behind a metadata name (locations, units, dimensions); any other name is not found. */
  function metadataScope(scope: string): string {
    const target = METADATA_SCOPES.get(scope.toLowerCase());
    if (!target) throw new NotFoundError('unknown_metadata_scope: use locations, units or dimensions');
    return target;
  }

  /** Replays each scope's declared warm-up queries through the API with the caller's credentials. */
  async function warm(
    scopes: string[],
    caller: { headers: Readonly<Record<string, string | undefined>>; deadline: number },
  ) {
    if (!cache)
      return scopes.map((scope) => ({ scope, ok: false, duration_ms: 0, error: 'no cache configured' }));
    for (const scope of new Set(scopes)) {
      if (!cache.scopes.includes(scope)) continue;
      cache.registerWarmUp(
        scope,
        scopeWarmer(routes, scope, { baseUrl: process.env.AURUM_API_BASE_URL, ...caller }),
      );
    }
    const reports = await cache.warm(scopes);
    return reports.map((r) => ({
      scope: r.scope,
      ok: r.ok,
      duration_ms: r.durationMs,
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  /** Every flag's answer for one subject (default: the caller), and why. */
  async function explainFlags(subject: { tenant?: string; user?: string }, caller: Principal) {
    const tenant = subject.tenant?.trim().toLowerCase() ?? caller.tenant ?? undefined;
    const user = subject.user ?? caller.subject;
    if (!flags) throw new Error('flags are not configured');
    const explained = await flags.explain({ tenant, user });
    return {
      version: explained.version,
      age_seconds: explained.ageSeconds,
      source: explained.source,
      ...(explained.lastError ? { last_error: explained.lastError } : {}),
      subject: { tenant: tenant ?? null, user: user ?? null },
      flags: explained.flags,
    };
  }

  /** The v2 curves invalidation, in the original's own shape. */
  async function invalidateCurvesV2(tenant: string | null, requestId: string) {
    const started = Date.now();
    await invalidate(CURVE_SCOPES);
    return {
      cache_type: 'curves' as const,
      keys_purged: 0,
      meta: {
        request_id: requestId,
        tenant_id: tenant,
        processing_time_ms: Date.now() - started,
        version: 'v2' as const,
      },
    };
  }

  /** The v2 scenario invalidation: a 204 whose headers say for whom, how long, and that nothing was scanned. */
  async function invalidateScenariosV2(tenant: string | null) {
    const started = Date.now();
    await invalidate(SCENARIO_SCOPES);
    return {
      headers: {
        'X-Tenant-Id': tenant ?? '',
        'X-Processing-Time-Ms': String(Date.now() - started),
        'X-Keys-Purged': '0',
      },
    };
  }

  return {
    invalidate,
    metadataScope,
    warm,
    explainFlags,
    invalidateCurvesV2,
    invalidateScenariosV2,
    tenantOf: (t: string | undefined, fallback: string | null) => normaliseTenant(t) ?? fallback,
  };
}
