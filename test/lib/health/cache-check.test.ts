import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '#lib/cache/memory-store';
import { UpstashStore } from '#lib/cache/upstash-store';
import { cacheCheck } from '#lib/health/cache-check';
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
      expect(result.detail).toMatch(/^upstash: ping failed/);
      expect(result.detail).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b/);
    } finally {
      await bridge.start();
    }
  });

  it('fails with a wrong token', async () => {
    const result = await cacheCheck(async () =>
      UpstashStore.connect({ url: bridge.url, token: 'not-the-token', requestTimeoutMs: 300 }),
    ).check(Date.now() + 1_000);
    expect(result.status).toBe('failed');
    expect(result.detail).not.toContain('not-the-token');
  });
});
