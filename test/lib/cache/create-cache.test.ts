import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheFromEnv } from '#lib/cache/create-cache';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import { MemoryRateLimiter, UpstashRateLimiter } from '#lib/cache/rate-limit';
import { startUpstashBridge, type UpstashBridge } from '#test/support/upstash-bridge';

// Redis db 13 belongs to this file.
let bridge: UpstashBridge;

beforeAll(async () => {
  bridge = await startUpstashBridge({ db: 13 });
  await bridge.flushDb();
});

afterAll(async () => {
  await bridge.idle();
  await bridge.flushDb();
  await bridge.close();
});

describe('createCacheFromEnv', () => {
  it('builds the memory store and limiter when Upstash is not configured', async () => {
    const { store, limiter, manager } = createCacheFromEnv({}, { metrics: new CountingCacheMetrics() });

    expect(store.name).toBe('memory');
    expect(limiter).toBeInstanceOf(MemoryRateLimiter);
    expect(await manager.through('curves', { iso: 'PJM' }, async () => 1)).toEqual({
      value: 1,
      status: 'miss',
    });
    expect(await manager.through('curves', { iso: 'PJM' }, async () => 2)).toEqual({
      value: 1,
      status: 'hit',
    });
  });

  it('builds Upstash clients without contacting Redis until the first request', async () => {
    const env = {
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      AURUM_API_RATE_LIMIT_RPS: '1',
      AURUM_API_RATE_LIMIT_BURST: '0',
      AURUM_API_CACHE_TTL_CURVE_DATA: '120',
    };
    const { store, limiter, manager } = createCacheFromEnv(env, { metrics: new CountingCacheMetrics() });

    expect(store.name).toBe('upstash');
    expect(limiter).toBeInstanceOf(UpstashRateLimiter);
    expect(manager.policy('curves').ttlSeconds).toBe(120);
    expect(bridge.commands).toEqual([]);

    expect(await manager.through('curves', { iso: 'PJM' }, async () => 'loaded')).toEqual({
      value: 'loaded',
      status: 'miss',
    });
    expect((await limiter.check('ip:10.0.0.1', '/v1/curves')).allowed).toBe(true);
    expect((await limiter.check('ip:10.0.0.1', '/v1/curves')).allowed).toBe(false);
    expect(bridge.commands).toEqual(expect.arrayContaining(['GET', 'SET', 'EVALSHA']));
  });

  it('refuses half an Upstash configuration and bad numbers', () => {
    expect(() => createCacheFromEnv({ UPSTASH_REDIS_REST_URL: 'https://example.upstash.io' })).toThrow(
      /both/,
    );
    expect(() => createCacheFromEnv({ AURUM_API_CACHE_TIMEOUT_MS: 'fast' })).toThrow(
      /AURUM_API_CACHE_TIMEOUT_MS/,
    );
  });
});
