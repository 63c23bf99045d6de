import { MemoryStore } from './memory-store.ts';
import type { CacheStore } from './store.ts';

/** Upstash was asked for (a URL or a token is set) but cannot be used: the other half is missing. */
export class CacheNotConfiguredError extends Error {
  constructor() {
    super('Upstash needs both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
    this.name = 'CacheNotConfiguredError';
  }
}

/**
 * The store of a half-configured Upstash: requests are served from this container's memory so the API
 * keeps answering, but PING fails, so readiness (and the canary) report the cache as failed instead of
 * the limits quietly becoming per container.
 */
export class UnconfiguredUpstashStore implements CacheStore {
  readonly name = 'upstash' as const;
  readonly #memory = new MemoryStore();

  get(key: string): Promise<string | null> {
    return this.#memory.get(key);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.#memory.set(key, value, ttlSeconds);
  }

  incr(key: string): Promise<number> {
    return this.#memory.incr(key);
  }

  async ping(): Promise<void> {
    throw new CacheNotConfiguredError();
  }
}
