import type { CacheMetrics } from './metrics.ts';
import type { RateLimitClass, RateLimitDecision, RateLimiter, RateLimitSettings } from './rate-limit.ts';
import type { CacheStore } from './store.ts';
import type { UpstashConnection } from './upstash-store.ts';

/**
 * Upstash behind a dynamic import: the REST client (and the rate limiter's) is about 115 KB that a function
 * would otherwise parse at every cold start, configured or not. With Upstash configured, the first store
 * call or rate-limit check loads both modules once; without it, they are never loaded at all. The store and
 * the limiter share one pair of clients, as they did when built eagerly.
 */
export function lazyUpstash(
  connection: UpstashConnection,
  limiter: { settings: RateLimitSettings; timeoutMs: number; metrics: CacheMetrics; prefix: string },
): { store: CacheStore; limiter: RateLimiter } {
  let clients: Promise<import('./upstash-store.ts').UpstashStore> | undefined;
  const store = () => {
    clients ??= import('./upstash-store.ts').then((m) => m.UpstashStore.connect(connection));
    return clients;
  };
  let rateLimiter: Promise<RateLimiter> | undefined;
  const limiterOnce = () => {
    rateLimiter ??= Promise.all([store(), import('./upstash-rate-limit.ts')]).then(
      ([upstash, m]) => new m.UpstashRateLimiter({ ...limiter, redis: upstash.writer }),
    );
    return rateLimiter;
  };
  return { store: new LazyUpstashStore(store), limiter: new LazyRateLimiter(limiterOnce) };
}

/** An `UpstashStore` loaded on first use; every call waits for it, then delegates. */
class LazyUpstashStore implements CacheStore {
  readonly name = 'upstash' as const;
  readonly #load: () => Promise<CacheStore>;

  constructor(load: () => Promise<CacheStore>) {
    this.#load = load;
  }

  async get(key: string): Promise<string | null> {
    return (await this.#load()).get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return (await this.#load()).set(key, value, ttlSeconds);
  }

  async incr(key: string): Promise<number> {
    return (await this.#load()).incr(key);
  }

  async ping(): Promise<void> {
    return (await this.#load()).ping();
  }

  async setIfAbsent(key: string, value: string, leaseMs: number): Promise<boolean> {
    return (await this.#load()).setIfAbsent!(key, value, leaseMs);
  }

  async deleteIfEquals(key: string, value: string): Promise<void> {
    return (await this.#load()).deleteIfEquals!(key, value);
  }
}

/** An `UpstashRateLimiter` loaded on first check. */
class LazyRateLimiter implements RateLimiter {
  readonly #load: () => Promise<RateLimiter>;

  constructor(load: () => Promise<RateLimiter>) {
    this.#load = load;
  }

  async check(
    identity: string,
    path: string,
    tenant?: string,
    routeClass?: RateLimitClass,
  ): Promise<RateLimitDecision> {
    return (await this.#load()).check(identity, path, tenant, routeClass);
  }
}
