import { normaliseTenant } from '#lib/auth/tenant';
import { badRequest, HttpProblem } from '#lib/http/problem';

/** What the admin routes need from the cache manager (lib/cache). */
export interface CacheAdministration {
  invalidate(scope: string): Promise<{ scope: string; version: number }>;
  warm(scopes: string[]): Promise<Array<{ scope: string; ok: boolean; durationMs: number; error?: string }>>;
}

/** The cache scopes behind each admin invalidation route. */
export const CURVE_SCOPES = ['curves', 'curves-diff', 'curves-strips', 'curves-v2'] as const;
export const SCENARIO_SCOPES = ['scenario-outputs', 'scenario-metrics'] as const;
export const EIA_SCOPES = ['eia-series', 'eia-series-dimensions'] as const;
// A Map, not an object literal: `constructor` or `__proto__` must not resolve to a scope.
const METADATA_SCOPES = new Map([
  ['locations', 'metadata'],
  ['units', 'metadata'],
  ['dimensions', 'dimensions'],
]);
const ISO_CODES = new Set(['PJM', 'CAISO', 'ERCOT', 'MISO', 'SPP', 'NYISO', 'ISONE']);

export interface InvalidatedScope {
  scope: string;
  redis_keys_removed: number;
  local_entries_removed: number;
  version: number | null;
}

export function createAdminService(cache: CacheAdministration | undefined) {
  async function invalidate(scopes: readonly string[]): Promise<InvalidatedScope[]> {
    if (!cache)
      return scopes.map((scope) => ({
        scope,
        redis_keys_removed: 0,
        local_entries_removed: 0,
        version: null,
      }));
    const results = await Promise.all(scopes.map((scope) => cache.invalidate(scope)));
    return results.map((r) => ({
      scope: r.scope,
      redis_keys_removed: 0,
      local_entries_removed: 0,
      version: r.version,
    }));
  }

  /** Metadata invalidation keeps the original's errors: unknown scope 404, `iso` only for locations. */
  function metadataScope(scope: string, iso: string | undefined): string {
    const target = METADATA_SCOPES.get(scope.toLowerCase());
    if (!target) {
      throw new HttpProblem(404, 'not-found', 'Not Found Error', {
        detail: 'unknown_metadata_scope: use locations, units or dimensions',
      });
    }
    if (iso !== undefined) {
      if (scope.toLowerCase() !== 'locations') {
        throw badRequest('iso_not_applicable: iso applies to the locations scope only', [
          { field: 'query.iso', message: 'only with scope locations', code: 'iso_not_applicable' },
        ]);
      }
      if (!ISO_CODES.has(iso.toUpperCase())) {
        throw badRequest('invalid_iso: not one of the seven US ISOs', [
          { field: 'query.iso', message: `one of ${[...ISO_CODES].join(', ')}`, code: 'invalid_iso' },
        ]);
      }
    }
    return target;
  }

  async function warm(scopes: string[]) {
    if (!cache)
      return scopes.map((scope) => ({ scope, ok: false, duration_ms: 0, error: 'no cache configured' }));
    const reports = await cache.warm(scopes);
    return reports.map((r) => ({
      scope: r.scope,
      ok: r.ok,
      duration_ms: r.durationMs,
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  return {
    invalidate,
    metadataScope,
    warm,
    tenantOf: (t: string | undefined, fallback: string | null) => normaliseTenant(t) ?? fallback,
  };
}
