/** Cache scopes: one per family of read routes, each with its own TTL and version counter. */
export const CACHE_SCOPES = [
  'curves',
  'curves-diff',
  'curves-strips',
  'curves-v2',
  'metadata',
  'dimensions',
  'eia-series',
  'eia-series-dimensions',
  'scenario-outputs',
  'scenario-metrics',
  'iso-lmp',
  'ppa',
  'docs',
  'docs-assets',
  'mappings',
  'scenarios',
  'drought',
  'drought-tiles',
  'drought-tiles-today',
] as const;

export type CacheScope = (typeof CACHE_SCOPES)[number];

export interface CachePolicy {
  scope: string;
  ttlSeconds: number;
  staleWhileRevalidateSeconds: number;
  staleIfErrorSeconds: number;
  warmUp?: () => Promise<void>;
}

/** The original's Cache-Control windows: half the TTL (1 s..10 min) while revalidating, 3× (≤ 1 day) on errors. */
export function staleWindows(ttlSeconds: number): {
  staleWhileRevalidateSeconds: number;
  staleIfErrorSeconds: number;
} {
  const ttl = Math.max(0, Math.floor(ttlSeconds));
  return {
    staleWhileRevalidateSeconds: Math.min(Math.max(Math.floor(ttl / 2), 1), 600),
    staleIfErrorSeconds: Math.min(3 * ttl, 86_400),
  };
}

export function cachePolicy(scope: string, ttlSeconds: number): CachePolicy {
  return { scope, ttlSeconds, ...staleWindows(ttlSeconds) };
}

const DEFAULT_TTL_SECONDS: Record<CacheScope, number> = {
  curves: 300,
  'curves-diff': 300,
  'curves-strips': 300,
  'curves-v2': 60,
  metadata: 7200,
  dimensions: 7200,
  'eia-series': 300,
  'eia-series-dimensions': 3600,
  'scenario-outputs': 60,
  'scenario-metrics': 60,
  'iso-lmp': 300,
  ppa: 60,
  docs: 300,
  'docs-assets': 3600,
  // Records that change under writes: 0 s means clients revalidate every time (the ETag makes that cheap).
  mappings: 0,
  scenarios: 0,
  // Indices are published daily and the USDM weekly: an hour is fresh enough for either.
  drought: 3600,
  // A past day's tile or TileJSON never changes; today's may still be re-rendered.
  'drought-tiles': 86_400,
  'drought-tiles-today': 300,
};

/** The domain whose answers each scope holds: admin invalidation routes derive their scopes from it. */
const SCOPE_DOMAIN: Record<CacheScope, string> = {
  curves: 'curves',
  'curves-diff': 'curves',
  'curves-strips': 'curves',
  'curves-v2': 'curves',
  metadata: 'metadata',
  dimensions: 'metadata',
  'eia-series': 'eia',
  'eia-series-dimensions': 'eia',
  'scenario-outputs': 'scenarios',
  'scenario-metrics': 'scenarios',
  'iso-lmp': 'iso',
  ppa: 'ppa',
  docs: 'docs',
  'docs-assets': 'docs',
  mappings: 'mappings',
  scenarios: 'scenarios',
  drought: 'drought',
  'drought-tiles': 'drought',
  'drought-tiles-today': 'drought',
};

/** The cache scopes holding one domain's answers, in declaration order. */
export const scopesOfDomain = (domain: string): CacheScope[] =>
  CACHE_SCOPES.filter((scope) => SCOPE_DOMAIN[scope] === domain);

function policiesFromTtls(ttls: Record<CacheScope, number>): Record<CacheScope, CachePolicy> {
  return Object.fromEntries(CACHE_SCOPES.map((scope) => [scope, cachePolicy(scope, ttls[scope])])) as Record<
    CacheScope,
    CachePolicy
  >;
}

/** The defaults of reference §4, without environment overrides. */
export const CACHE_POLICIES: Record<CacheScope, CachePolicy> = policiesFromTtls(DEFAULT_TTL_SECONDS);

/**
 * The TTL overrides the original honoured, kept to this documented set (first variable set wins):
 *
 * | variable | scopes |
 * |---|---|
 * | `AURUM_API_CACHE_TTL_CURVE_DATA` | curves, curves-diff, curves-strips |
 * | `AURUM_API_CACHE_TTL_CURVE_DIFF` | curves-diff (beats CURVE_DATA) |
 * | `AURUM_API_CACHE_TTL_CURVE_STRIPS` | curves-strips (beats CURVE_DATA) |
 * | `AURUM_API_CACHE_TTL_METADATA` | metadata, dimensions |
 * | `AURUM_API_CACHE_TTL_EIA_SERIES` | eia-series |
 * | `AURUM_API_CACHE_TTL_EIA_SERIES_DIM` | eia-series-dimensions |
 */
export const CACHE_TTL_ENV: Record<string, readonly CacheScope[]> = {
  AURUM_API_CACHE_TTL_CURVE_DATA: ['curves', 'curves-diff', 'curves-strips'],
  AURUM_API_CACHE_TTL_CURVE_DIFF: ['curves-diff'],
  AURUM_API_CACHE_TTL_CURVE_STRIPS: ['curves-strips'],
  AURUM_API_CACHE_TTL_METADATA: ['metadata', 'dimensions'],
  AURUM_API_CACHE_TTL_EIA_SERIES: ['eia-series'],
  AURUM_API_CACHE_TTL_EIA_SERIES_DIM: ['eia-series-dimensions'],
};

/** Policies with the TTL overrides applied (later, more specific variables win). Bad values throw. */
export function cachePoliciesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<CacheScope, CachePolicy> {
  const ttls = { ...DEFAULT_TTL_SECONDS };
  for (const [variable, scopes] of Object.entries(CACHE_TTL_ENV)) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const seconds = Number(raw);
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new RangeError(`${variable} must be a whole number of seconds, got "${raw}"`);
    }
    for (const scope of scopes) ttls[scope] = seconds;
  }
  return policiesFromTtls(ttls);
}
