import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '#lib/cache/memory-store';
import { UpstashStore } from '#lib/cache/upstash-store';
import { cacheCheck } from '#lib/health/cache-check';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import { startUpstashBridge, type UpstashBridge } from '#test/support/upstash-bridge';

let bridge: UpstashBridge;
beforeAll(async () => {
  bridge = await startUpstashBridge({ db: 14 });
});
afterAll(async () => {
  await bridge.close();
});

const upstash = () => UpstashStore.connect({ url: bridge.url, token: bridge.token, requestTimeoutMs: 300 });

describe('cacheCheck', () => {
  it('is ok for the in-process memory store', async () => {
    const result = await cacheCheck(async () => new MemoryStore()).check(Date.now() + 1_000);
    expect(result).toMatchObject({ status: 'ok', detail: 'memory (in-process store)' });
  });

  it('sends PING to Redis through Upstash and is ok on PONG', async () => {
    const before = bridge.commands.length;
    const result = await cacheCheck(async () => upstash()).check(Date.now() + 1_000);
    expect(result).toMatchObject({ status: 'ok', detail: 'upstash' });
    expect(bridge.commands.slice(before)).toContain('PING');
  });

  it('fails, naming no host or port, while Upstash is down', async () => {
    await bridge.stop();
    try {
      const result = await cacheCheck(async () => upstash()).check(Date.now() + 1_000);
      expect(result.status).toBe('failed');
      expect(result.detail).toBe('upstash: unreachable');
      expect(result.detail).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b/);
    } finally {
      await bridge.start();
    }
  });

  it('fails with a wrong token', async () => {
    const result = await cacheCheck(async () =>
      UpstashStore.connect({ url: bridge.url, token: 'not-the-token', requestTimeoutMs: 300 }),
    ).check(Date.now() + 1_000);
    expect(result).toMatchObject({ status: 'failed', detail: 'upstash: failed' });
  });

  it("says only `failed`, never the store's own words, when PING throws a vendor message", async () => {
    const vendor = {
      name: 'upstash' as const,
      get: async () => null,
      set: async () => {},
      incr: async () => 1,
      ping: async () => {
        throw new Error('bridge: unable to connect to redis, command was: AUTH s3cret PING');
      },
    };
    const result = await cacheCheck(async () => vendor).check(Date.now() + 1_000);
    expect(result).toMatchObject({ status: 'failed', detail: 'upstash: failed' });
  });

  it('fails as not configured when Upstash has a URL but no token (or a token but no URL)', async () => {
    for (const env of [{ UPSTASH_REDIS_REST_URL: bridge.url }, { UPSTASH_REDIS_REST_TOKEN: bridge.token }]) {
      const check = readinessProvidersFromEnv(env).find((p) => p.name === 'cache')!;
      expect(await check.check(Date.now() + 1_000)).toMatchObject({
        status: 'failed',
        detail: 'upstash: not configured',
      });
    }
  });
});
