import { lazyUpstash } from './lazy-upstash.ts';
import { CacheManager, DEFAULT_LOCK_WAIT_MS, DEFAULT_STALE_AFTER_MS } from './manager.ts';
import { MemoryStore } from './memory-store.ts';
import { type CacheMetrics, PowertoolsCacheMetrics } from './metrics.ts';
import { cachePoliciesFromEnv } from './policies.ts';
import { MemoryRateLimiter, type RateLimiter, rateLimitSettingsFromEnv } from './rate-limit.ts';
import type { CacheStore } from './store.ts';
import { UnconfiguredUpstashStore } from './unconfigured-store.ts';

export interface CacheRuntime {
  manager: CacheManager;
  limiter: RateLimiter;
  store: CacheStore;
  metrics: CacheMetrics;
}

function positiveMs(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${variable} must be a positive whole number of ms`);
  return value;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * First segment of every cache key and rate-limit bucket: `aurum`, or `aurum-{AURUM_CACHE_NAMESPACE}`
 * (the stack sets its name there), so two stacks sharing one Upstash database share nothing.
 */
export function cacheNamespace(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.AURUM_CACHE_NAMESPACE?.trim();
  if (!raw) return 'aurum';
  if (!NAMESPACE.test(raw))
    throw new RangeError('AURUM_CACHE_NAMESPACE must be 1-128 letters, digits, _ or -');
  return `aurum-${raw.toLowerCase()}`;
}

/**
 * The cache and rate limiter for this process, from the environment:
 * - `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN`: Upstash store (with an in-process L1)
 *   and Upstash token buckets; neither set: the memory store and limiter (the `npm start` default);
 *   only one of them set: served from memory, but the store's PING fails, so readiness says so;
 * - `AURUM_CACHE_NAMESPACE`: keys and buckets under `aurum-{namespace}` (see cacheNamespace);
 * - `AURUM_API_CACHE_TIMEOUT_MS` (150): store reads/writes slower than this are misses, and
 *   rate-limit checks slower than this fail open;
 * - `AURUM_API_STALE_AFTER_MS` (1500): with an entry within stale-if-error, a load slower than this is
 *   answered from that entry at once and finishes in the background;
 * - `AURUM_API_CACHE_LOCK_WAIT_MS` (2000): with Upstash, how long a miss waits for another container's
 *   load of the same key (it holds the key's lock) before it loads itself;
 * - the TTL variables of `cachePoliciesFromEnv` and the limits of `rateLimitSettingsFromEnv`.
 * Builds nothing that connects: the Upstash clients are loaded, and connect, on the first request.
 */
export function createCacheFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { metrics?: CacheMetrics; now?: () => number } = {},
): CacheRuntime {
  const metrics = options.metrics ?? new PowertoolsCacheMetrics();
  const timeoutMs = positiveMs(env, 'AURUM_API_CACHE_TIMEOUT_MS', 150);
  const staleAfterMs = positiveMs(env, 'AURUM_API_STALE_AFTER_MS', DEFAULT_STALE_AFTER_MS);
  const lockWaitMs = positiveMs(env, 'AURUM_API_CACHE_LOCK_WAIT_MS', DEFAULT_LOCK_WAIT_MS);
  const policies = cachePoliciesFromEnv(env);
  const settings = rateLimitSettingsFromEnv(env);
  const namespace = cacheNamespace(env);
  const url = env.UPSTASH_REDIS_REST_URL?.trim();
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim();
  if (url && token) {
    const { store, limiter } = lazyUpstash(
      { url, token },
      { settings, timeoutMs, metrics, prefix: `${namespace}:ratelimit` },
    );
    return {
      store,
      metrics,
      manager: new CacheManager({
        store,
        policies,
        metrics,
        timeoutMs,
        l1: true,
        now: options.now,
        namespace,
        staleAfterMs,
        lockWaitMs,
      }),
      limiter,
    };
  }
  const store = url || token ? new UnconfiguredUpstashStore() : new MemoryStore();
  return {
    store,
    metrics,
    manager: new CacheManager({
      store,
      policies,
      metrics,
      timeoutMs,
      now: options.now,
      namespace,
      staleAfterMs,
    }),
    limiter: new MemoryRateLimiter(settings, { metrics, now: options.now }),
  };
}
