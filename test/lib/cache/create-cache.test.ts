import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheFromEnv } from '#lib/cache/create-cache';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import { MemoryRateLimiter } from '#lib/cache/rate-limit';
import { CacheNotConfiguredError } from '#lib/cache/unconfigured-store';
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
    // The Upstash limiter, loaded on its first check (EVALSHA below): not the in-process one.
    expect(limiter).not.toBeInstanceOf(MemoryRateLimiter);
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

  it('serves half an Upstash configuration from memory, with a store whose PING fails', async () => {
    for (const env of [
      { UPSTASH_REDIS_REST_URL: 'https://example.upstash.io' },
      { UPSTASH_REDIS_REST_TOKEN: 'token-only' },
    ]) {
      const { store, limiter, manager } = createCacheFromEnv(env, { metrics: new CountingCacheMetrics() });
      expect(store.name).toBe('upstash');
      expect(limiter).toBeInstanceOf(MemoryRateLimiter);
      await expect(store.ping()).rejects.toBeInstanceOf(CacheNotConfiguredError);
      expect(await manager.through('curves', { iso: 'PJM' }, async () => 1)).toEqual({
        value: 1,
        status: 'miss',
      });
      expect(await manager.through('curves', { iso: 'PJM' }, async () => 2)).toEqual({
        value: 1,
        status: 'hit',
      });
    }
  });

  it('refuses bad numbers and a bad namespace', () => {
    expect(() => createCacheFromEnv({ AURUM_API_CACHE_TIMEOUT_MS: 'fast' })).toThrow(
      /AURUM_API_CACHE_TIMEOUT_MS/,
    );
    expect(() => createCacheFromEnv({ AURUM_CACHE_NAMESPACE: 'a b' })).toThrow(/AURUM_CACHE_NAMESPACE/);
  });

  it('keeps two stacks that share one Upstash database apart: versions and rate-limit buckets', async () => {
    const shared = {
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      AURUM_API_RATE_LIMIT_RPS: '1',
      AURUM_API_RATE_LIMIT_BURST: '0',
    };
    const blue = createCacheFromEnv(
      { ...shared, AURUM_CACHE_NAMESPACE: 'Blue' },
      { metrics: new CountingCacheMetrics() },
    );
    const green = createCacheFromEnv(
      { ...shared, AURUM_CACHE_NAMESPACE: 'Green' },
      { metrics: new CountingCacheMetrics() },
    );
    const greenBefore = (await green.manager.invalidate('curves-v2')).version;
    await blue.manager.invalidate('curves-v2');
    await blue.manager.invalidate('curves-v2');
    expect((await green.manager.invalidate('curves-v2')).version).toBe(greenBefore + 1);
    expect(await blue.manager.key('curves-v2', { a: 1 })).toMatch(/^aurum-blue:curves-v2:v\d+:/);
    expect(await green.manager.key('curves-v2', { a: 1 })).toMatch(/^aurum-green:curves-v2:v\d+:/);

    expect((await blue.limiter.check('tenant:ns-test', '/v1/curves', 'ns-test')).allowed).toBe(true);
    expect((await blue.limiter.check('tenant:ns-test', '/v1/curves', 'ns-test')).allowed).toBe(false);
    // Green's bucket for the same tenant is untouched by blue's traffic.
    expect((await green.limiter.check('tenant:ns-test', '/v1/curves', 'ns-test')).allowed).toBe(true);
  });
});
