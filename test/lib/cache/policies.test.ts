import { describe, expect, it } from 'vitest';
import { cachePoliciesFromEnv, staleWindows } from '#lib/cache/policies';

describe('cache policies', () => {
  it.each([
    [1, 1, 3],
    [60, 30, 180],
    [300, 150, 900],
    [3600, 600, 10800],
    [7200, 600, 21600],
    [40000, 600, 86400],
  ])('derives the stale windows of a %i s TTL from the Cache-Control formula', (ttl, swr, sie) => {
    expect(staleWindows(ttl)).toEqual({ staleWhileRevalidateSeconds: swr, staleIfErrorSeconds: sie });
  });

  it('applies the documented TTL variables, the specific ones over CURVE_DATA', () => {
    const policies = cachePoliciesFromEnv({
      AURUM_API_CACHE_TTL_CURVE_DATA: '120',
      AURUM_API_CACHE_TTL_CURVE_STRIPS: '30',
      AURUM_API_CACHE_TTL_METADATA: '600',
      AURUM_API_CACHE_TTL_EIA_SERIES_DIM: '0',
    });

    expect(policies.curves).toEqual({
      scope: 'curves',
      ttlSeconds: 120,
      staleWhileRevalidateSeconds: 60,
      staleIfErrorSeconds: 360,
    });
    expect(policies['curves-diff'].ttlSeconds).toBe(120);
    expect(policies['curves-strips'].ttlSeconds).toBe(30);
    expect(policies.dimensions.ttlSeconds).toBe(600);
    expect(policies['eia-series-dimensions'].ttlSeconds).toBe(0);
    expect(policies['curves-v2'].ttlSeconds).toBe(60);
  });

  it('rejects a TTL that is not a whole number of seconds', () => {
    expect(() => cachePoliciesFromEnv({ AURUM_API_CACHE_TTL_METADATA: '2h' })).toThrow(
      /AURUM_API_CACHE_TTL_METADATA/,
    );
    expect(() => cachePoliciesFromEnv({ AURUM_API_CACHE_TTL_CURVE_DATA: '-5' })).toThrow(/whole number/);
  });
});
