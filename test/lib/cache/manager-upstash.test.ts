import { describe, expect, it } from 'vitest';
import { CacheManager } from '#lib/cache/manager';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import { CACHE_POLICIES } from '#lib/cache/policies';
import { CacheStoreError } from '#lib/cache/store';
import { UpstashStore } from '#lib/cache/upstash-store';
import { type UpstashBridge, useUpstashBridge } from '#test/support/upstash-bridge';

// Redis db 10 belongs to this file; other test files use other dbs, so FLUSHDB here touches nobody else.
let bridge: UpstashBridge;
useUpstashBridge({ db: 10 }, (b) => {
  bridge = b;
});

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const request = { route: 'GET /v1/curves', params: { iso: 'PJM', asof: '2025-01-14' } };

function setup(
  options: {
    l1?: boolean;
    timeoutMs?: number;
    versionTtlMs?: number;
    storeCoolDownMs?: number;
    lockPollMs?: number;
    lockWaitMs?: number;
  } = {},
) {
  const clock = { now: T0 };
  const store = UpstashStore.connect({ url: bridge.url, token: bridge.token });
  const metrics = new CountingCacheMetrics();
  const manager = new CacheManager({ store, metrics, now: () => clock.now, ...options });
  return { clock, store, metrics, manager };
}

async function redisString(key: string): Promise<string | null> {
  const [reply] = await bridge.redis(['GET', key]);
  return reply?.type === 'bulk' && reply.value ? reply.value.toString('utf8') : null;
}

async function redisInteger(...command: string[]): Promise<number> {
  const [reply] = await bridge.redis(command);
  if (reply?.type !== 'integer') throw new Error(`expected an integer from ${command[0]}`);
  return reply.value;
}

describe('UpstashStore through the bridge', () => {
  it('gets, sets with a TTL, increments and pings with the real client', async () => {
    const { store } = setup();

    expect(await store.get('aurum:test:missing')).toBeNull();
    await store.set('aurum:test:entry', '{"v":"Zürich ⚡","t":1}', 90);
    expect(await store.get('aurum:test:entry')).toBe('{"v":"Zürich ⚡","t":1}');
    expect(await redisInteger('TTL', 'aurum:test:entry')).toBeGreaterThan(80);
    expect(await store.incr('aurum:test:counter')).toBe(1);
    expect(await store.incr('aurum:test:counter')).toBe(2);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('returns JSON-looking strings as strings (automatic deserialisation is off)', async () => {
    const { store } = setup();
    await store.set('aurum:test:number', '12345', 60);
    await store.set('aurum:test:object', '{"a":1}', 60);

    expect(await store.get('aurum:test:number')).toBe('12345');
    expect(await store.get('aurum:test:object')).toBe('{"a":1}');
  });
});

describe('CacheManager on Upstash through the bridge', () => {
  it('misses then hits, with the entry and its retention TTL in Redis', async () => {
    const { manager, metrics } = setup();
    let calls = 0;
    const load = async () => {
      calls += 1;
      return { data: [{ curve_key: 'PJM_WEST', mid: 41.25 }] };
    };

    expect(await manager.through('curves', request, load)).toEqual({
      value: { data: [{ curve_key: 'PJM_WEST', mid: 41.25 }] },
      status: 'miss',
    });
    expect(await manager.through('curves', request, load)).toEqual({
      value: { data: [{ curve_key: 'PJM_WEST', mid: 41.25 }] },
      status: 'hit',
    });

    const key = await manager.key('curves', request);
    const { ttlSeconds, staleIfErrorSeconds } = CACHE_POLICIES.curves;
    expect(JSON.parse((await redisString(key))!)).toEqual({
      v: { data: [{ curve_key: 'PJM_WEST', mid: 41.25 }] },
      t: T0,
    });
    const redisTtl = await redisInteger('TTL', key);
    expect(redisTtl).toBeGreaterThan(ttlSeconds + staleIfErrorSeconds - 10);
    expect(redisTtl).toBeLessThanOrEqual(ttlSeconds + staleIfErrorSeconds);
    expect(calls).toBe(1);
    expect(metrics.count('error')).toBe(0);
  });

  it('invalidates with one INCR of aurum:{scope}:version, visible to the next request here and elsewhere', async () => {
    const here = setup();
    const elsewhere = setup({ versionTtlMs: 0 });
    await here.manager.through('curves', request, async () => 'before');
    expect(await elsewhere.manager.through('curves', request, async () => 'unused')).toEqual({
      value: 'before',
      status: 'hit',
    });
    bridge.commands.length = 0;

    expect(await here.manager.invalidate('curves')).toEqual({ scope: 'curves', version: 1 });

    expect(bridge.commands).toEqual(['INCR']);
    expect(await redisString('aurum:curves:version')).toBe('1');
    expect(await here.manager.through('curves', request, async () => 'after')).toEqual({
      value: 'after',
      status: 'miss',
    });
    expect(await elsewhere.manager.through('curves', request, async () => 'unused')).toEqual({
      value: 'after',
      status: 'hit',
    });
    expect(await here.manager.key('curves', request)).toMatch(/^aurum:curves:v1:[0-9a-f]{64}$/);
  });

  it('serves a stale entry while one background refresh replaces it', async () => {
    const { manager, clock } = setup();
    await manager.through('curves', request, async () => 'v1');
    clock.now = T0 + (CACHE_POLICIES.curves.ttlSeconds + 10) * 1000;
    let refreshes = 0;
    const refresh = async () => {
      refreshes += 1;
      return 'v2';
    };

    const stale = await Promise.all([1, 2, 3].map(() => manager.through('curves', request, refresh)));
    await manager.idle();

    expect(stale.map((r) => r.status)).toEqual(['stale', 'stale', 'stale']);
    expect(stale.map((r) => r.value)).toEqual(['v1', 'v1', 'v1']);
    expect(refreshes).toBe(1);
    expect(JSON.parse((await redisString(await manager.key('curves', request)))!)).toEqual({
      v: 'v2',
      t: clock.now,
    });
    expect(await manager.through('curves', request, refresh)).toEqual({ value: 'v2', status: 'hit' });
  });

  it('makes one backend call for 50 concurrent requests on one cold key', async () => {
    const { manager } = setup();
    let calls = 0;
    const load = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { rows: 50 };
    };

    const results = await Promise.all(
      Array.from({ length: 50 }, () => manager.through('curves', request, load)),
    );

    expect(calls).toBe(1);
    expect(results.every((r) => r.value.rows === 50 && r.status === 'miss')).toBe(true);
    // One SET NX of the key's cross-container lock, one SET of the entry.
    expect(bridge.commands.filter((c) => c === 'SET')).toHaveLength(2);
    const key = await manager.key('curves', request);
    expect(JSON.parse((await redisString(key))!)).toMatchObject({ v: { rows: 50 } });
    const lease = await redisInteger('PTTL', `${key}:lock`);
    expect(lease).toBeGreaterThan(0);
    expect(lease).toBeLessThanOrEqual(5_000);
  });

  it('makes one backend call across managers sharing the store, and a failed holder lets a waiter load', async () => {
    const a = setup({ lockPollMs: 10 });
    // b would wait a minute for an entry that never comes, unless it takes the released lock.
    const b = setup({ lockPollMs: 10, lockWaitMs: 60_000 });
    let calls = 0;
    const load = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 40));
      return { rows: 7 };
    };
    const both = await Promise.all([
      a.manager.through('curves', request, load),
      b.manager.through('curves', request, load),
    ]);
    expect(both.map((r) => r.value)).toEqual([{ rows: 7 }, { rows: 7 }]);
    expect(calls).toBe(1);

    // The holder's load fails: it releases the lock, and the waiting manager takes it and loads itself.
    const other = { route: 'GET /v1/curves', params: { iso: 'ERCOT' } };
    let release: () => void = () => {};
    const failing = () =>
      new Promise<never>((_, reject) => {
        release = () => reject(new Error('trino down'));
      });
    const held = a.manager.through('curves', other, failing);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = b.manager.through('curves', other, async () => 'loaded by b');
    await new Promise((resolve) => setTimeout(resolve, 30));
    release();
    await expect(held).rejects.toThrow('trino down');
    expect(await waiting).toEqual({ value: 'loaded by b', status: 'miss' });
  });

  it('serves from the backend within the bound when the bridge is down, counting the errors', async () => {
    const { manager, metrics, clock } = setup({ timeoutMs: 150 });
    await bridge.stop();

    const started = performance.now();
    const result = await manager.through('curves', request, async () => 'from trino');
    const elapsed = performance.now() - started;

    expect(result).toEqual({ value: 'from trino', status: 'miss' });
    expect(elapsed).toBeLessThan(3_000);
    expect(metrics.count('error', 'curves')).toBeGreaterThanOrEqual(1);

    await bridge.start();
    clock.now += 1_000; // past the store cool-down
    expect(await manager.through('curves', request, async () => 'again')).toEqual({
      value: 'again',
      status: 'miss',
    });
    expect(await manager.through('curves', request, async () => 'unused')).toEqual({
      value: 'again',
      status: 'hit',
    });
  });

  it('serves from the backend within the bound when the bridge answers slower than the timeout', async () => {
    const { manager, metrics } = setup({ timeoutMs: 150 });
    await manager.through('metadata', { route: 'GET /v1/metadata/units' }, async () => ['MWh']);
    bridge.delayMs = 600;

    const started = performance.now();
    const curves = await manager.through('curves', request, async () => 'from trino');
    const elapsed = performance.now() - started;

    expect(curves).toEqual({ value: 'from trino', status: 'miss' });
    expect(elapsed).toBeLessThan(3_000);
    expect(metrics.count('error', 'curves')).toBeGreaterThanOrEqual(1);
  });

  it('leaves a failing store alone for the cool-down, then tries it again', async () => {
    const { manager, metrics, clock } = setup({ timeoutMs: 150, storeCoolDownMs: 1_000 });
    await manager.through('curves', request, async () => 'cached');
    bridge.delayMs = 600;
    clock.now += 1_000; // the version is due to be re-read

    expect(await manager.through('metadata', {}, async () => 'slow redis')).toEqual({
      value: 'slow redis',
      status: 'miss',
    });
    const commandsAfterFailure = bridge.commands.length;
    expect(await manager.through('curves', request, async () => 'from trino')).toEqual({
      value: 'from trino',
      status: 'miss',
    });
    expect(bridge.commands.length).toBe(commandsAfterFailure);
    expect(metrics.count('error')).toBe(1);

    await bridge.idle();
    bridge.delayMs = 0;
    clock.now += 1_000;
    expect(await manager.through('curves', request, async () => 'unused')).toEqual({
      value: 'cached',
      status: 'hit',
    });
  });

  it('answers hits from the in-process L1 while Redis is unreachable', async () => {
    const { manager, metrics } = setup({ l1: true });
    await manager.through('curves', request, async () => 'cached');
    await bridge.stop();

    expect(await manager.through('curves', request, async () => 'unused')).toEqual({
      value: 'cached',
      status: 'hit',
    });
    expect(metrics.count('error')).toBe(0);
  });

  it('does not serve L1 entries of an invalidated version', async () => {
    const { manager } = setup({ l1: true });
    await manager.through('curves', request, async () => 'old');
    await manager.invalidate('curves');

    expect(await manager.through('curves', request, async () => 'new')).toEqual({
      value: 'new',
      status: 'miss',
    });
  });

  it('picks up an invalidation made by another container once its version is re-read', async () => {
    const other = setup();
    const { manager, clock } = setup({ l1: true, versionTtlMs: 1_000 });
    await manager.through('curves', request, async () => 'old');

    await other.manager.invalidate('curves');
    clock.now += 1_001;

    expect(await manager.through('curves', request, async () => 'new')).toEqual({
      value: 'new',
      status: 'miss',
    });
  });

  it('fails an invalidation loudly when Redis is unreachable', async () => {
    const { manager } = setup();
    await bridge.stop();

    await expect(manager.invalidate('curves')).rejects.toBeInstanceOf(CacheStoreError);
  });
});
