import { describe, expect, it } from 'vitest';
import { CacheManager } from '#lib/cache/manager';
import { MemoryStore } from '#lib/cache/memory-store';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import { CACHE_POLICIES, cachePolicy } from '#lib/cache/policies';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const curvesRequest = { route: 'GET /v1/curves', params: { iso: 'PJM', asof: '2025-01-14', limit: 200 } };

function setup(options: { l1?: boolean } = {}) {
  const clock = { now: T0 };
  const store = new MemoryStore();
  const metrics = new CountingCacheMetrics();
  const manager = new CacheManager({ store, metrics, now: () => clock.now, ...options });
  return { clock, store, metrics, manager };
}

/** A load whose answers the test releases one by one, counting calls. */
function controlledLoad<T>() {
  const pending: Array<{ resolve: (value: T) => void; reject: (error: Error) => void }> = [];
  const load = () => new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending, calls: () => pending.length };
}

describe('CacheManager over the memory store', () => {
  it('misses, stores, then hits without calling the backend again', async () => {
    const { manager, metrics } = setup();
    let calls = 0;
    const load = async () => {
      calls += 1;
      return [{ curve_key: 'PJM_WEST', mid: 42.5 }];
    };

    const first = await manager.through('curves', curvesRequest, load);
    const second = await manager.through('curves', curvesRequest, load);

    expect(first).toEqual({ value: [{ curve_key: 'PJM_WEST', mid: 42.5 }], status: 'miss' });
    expect(second).toEqual({ value: [{ curve_key: 'PJM_WEST', mid: 42.5 }], status: 'hit' });
    expect(calls).toBe(1);
    expect(metrics.count('miss', 'curves')).toBe(1);
    expect(metrics.count('hit', 'curves')).toBe(1);
    expect(metrics.latencies.filter((l) => l.scope === 'curves')).toHaveLength(1);
  });

  it('stores {v, t} under aurum:{scope}:v{n}:{sha256} with the TTL plus the longest stale window', async () => {
    const { manager, store } = setup();
    await manager.through('curves', curvesRequest, async () => ({ rows: 3 }));

    const key = await manager.key('curves', curvesRequest);
    expect(key).toMatch(/^aurum:curves:v0:[0-9a-f]{64}$/);
    expect(JSON.parse((await store.get(key))!)).toEqual({ v: { rows: 3 }, t: T0 });
  });

  it('keys the canonical request: parameter order does not matter, parameter values do', async () => {
    const { manager } = setup();
    const reordered = { params: { limit: 200, asof: '2025-01-14', iso: 'PJM' }, route: 'GET /v1/curves' };
    const otherIso = { route: 'GET /v1/curves', params: { iso: 'ERCOT', asof: '2025-01-14', limit: 200 } };

    expect(await manager.key('curves', reordered)).toBe(await manager.key('curves', curvesRequest));
    expect(await manager.key('curves', otherIso)).not.toBe(await manager.key('curves', curvesRequest));
    expect(await manager.key('metadata', curvesRequest)).not.toBe(await manager.key('curves', curvesRequest));
  });

  it('invalidate bumps the scope version so the next request misses; other scopes keep their entries', async () => {
    const { manager, metrics } = setup();
    let version = 1;
    const load = async () => `curves as of load ${version++}`;
    await manager.through('curves', curvesRequest, load);
    await manager.through('metadata', { route: 'GET /v1/metadata/units' }, async () => ['MWh']);

    expect(await manager.invalidate('curves')).toEqual({ scope: 'curves', version: 1 });
    const after = await manager.through('curves', curvesRequest, load);
    const metadata = await manager.through('metadata', { route: 'GET /v1/metadata/units' }, async () => []);

    expect(after).toEqual({ value: 'curves as of load 2', status: 'miss' });
    expect(await manager.key('curves', curvesRequest)).toMatch(/^aurum:curves:v1:/);
    expect(metadata).toEqual({ value: ['MWh'], status: 'hit' });
    expect(metrics.count('invalidation', 'curves')).toBe(1);
  });

  it('serves a stale entry within stale-while-revalidate and refreshes it exactly once in the background', async () => {
    const { manager, clock, metrics } = setup();
    await manager.through('curves', curvesRequest, async () => 'v1');
    const { staleWhileRevalidateSeconds, ttlSeconds } = CACHE_POLICIES.curves;
    clock.now = T0 + (ttlSeconds + staleWhileRevalidateSeconds / 2) * 1000;

    const refresh = controlledLoad<string>();
    const concurrent = await Promise.all([
      manager.through('curves', curvesRequest, refresh.load),
      manager.through('curves', curvesRequest, refresh.load),
    ]);
    const later = await manager.through('curves', curvesRequest, refresh.load);

    expect(concurrent).toEqual([
      { value: 'v1', status: 'stale' },
      { value: 'v1', status: 'stale' },
    ]);
    expect(later).toEqual({ value: 'v1', status: 'stale' });
    expect(refresh.calls()).toBe(1);

    refresh.pending[0]!.resolve('v2');
    await manager.idle();
    expect(await manager.through('curves', curvesRequest, refresh.load)).toEqual({
      value: 'v2',
      status: 'hit',
    });
    expect(refresh.calls()).toBe(1);
    expect(metrics.count('stale', 'curves')).toBe(3);
  });

  it('keeps serving stale when the background refresh fails, and counts the failure', async () => {
    const { manager, clock, metrics } = setup();
    await manager.through('curves', curvesRequest, async () => 'v1');
    clock.now = T0 + (CACHE_POLICIES.curves.ttlSeconds + 1) * 1000;

    const stale = await manager.through('curves', curvesRequest, async () => {
      throw new Error('trino down');
    });
    await manager.idle();

    expect(stale).toEqual({ value: 'v1', status: 'stale' });
    expect(metrics.count('refresh-failed', 'curves')).toBe(1);
    expect(await manager.through('curves', curvesRequest, async () => 'v2')).toEqual({
      value: 'v1',
      status: 'stale',
    });
  });

  it('serves stale within stale-if-error when the load throws, and rethrows past it', async () => {
    const { manager, clock } = setup();
    await manager.through('curves', curvesRequest, async () => 'v1');
    const { ttlSeconds, staleWhileRevalidateSeconds, staleIfErrorSeconds } = CACHE_POLICIES.curves;
    const failing = async (): Promise<string> => {
      throw new Error('trino down');
    };

    clock.now = T0 + (ttlSeconds + staleWhileRevalidateSeconds + 1) * 1000;
    expect(await manager.through('curves', curvesRequest, failing)).toEqual({ value: 'v1', status: 'stale' });

    clock.now = T0 + (ttlSeconds + staleIfErrorSeconds + 1) * 1000;
    await expect(manager.through('curves', curvesRequest, failing)).rejects.toThrow('trino down');
  });

  it('loads past the stale-while-revalidate window instead of serving stale', async () => {
    const { manager, clock } = setup();
    await manager.through('curves', curvesRequest, async () => 'v1');
    clock.now =
      T0 + (CACHE_POLICIES.curves.ttlSeconds + CACHE_POLICIES.curves.staleWhileRevalidateSeconds + 1) * 1000;

    expect(await manager.through('curves', curvesRequest, async () => 'v2')).toEqual({
      value: 'v2',
      status: 'miss',
    });
  });

  it('serves a stale-if-error entry when the load outlasts staleAfterMs, and lets the load land later', async () => {
    const clock = { now: T0 };
    const metrics = new CountingCacheMetrics();
    const manager = new CacheManager({
      store: new MemoryStore(),
      metrics,
      now: () => clock.now,
      staleAfterMs: 20,
    });
    await manager.through('curves', curvesRequest, async () => 'v1');
    const { ttlSeconds, staleWhileRevalidateSeconds } = CACHE_POLICIES.curves;
    clock.now = T0 + (ttlSeconds + staleWhileRevalidateSeconds + 1) * 1000;

    const slow = controlledLoad<string>();
    // Two waiters of one key: both get the stale entry, and the backend is asked once.
    const answers = await Promise.all([
      manager.through('curves', curvesRequest, slow.load),
      manager.through('curves', curvesRequest, slow.load),
    ]);
    expect(answers).toEqual([
      { value: 'v1', status: 'stale' },
      { value: 'v1', status: 'stale' },
    ]);
    expect(slow.calls()).toBe(1);

    slow.pending[0]!.resolve('v2');
    await manager.idle();
    expect(await manager.through('curves', curvesRequest, slow.load)).toEqual({ value: 'v2', status: 'hit' });

    // A slow load that then fails is counted, and the next request loads again.
    clock.now += (ttlSeconds + staleWhileRevalidateSeconds + 1) * 1000;
    const failing = controlledLoad<string>();
    expect(await manager.through('curves', curvesRequest, failing.load)).toEqual({
      value: 'v2',
      status: 'stale',
    });
    failing.pending[0]!.reject(new Error('trino timed out'));
    await manager.idle();
    expect(metrics.count('refresh-failed', 'curves')).toBe(1);
  });

  it('waits for a load that answers within staleAfterMs rather than serving the stale entry', async () => {
    const clock = { now: T0 };
    const manager = new CacheManager({ store: new MemoryStore(), now: () => clock.now, staleAfterMs: 5_000 });
    await manager.through('curves', curvesRequest, async () => 'v1');
    clock.now =
      T0 + (CACHE_POLICIES.curves.ttlSeconds + CACHE_POLICIES.curves.staleWhileRevalidateSeconds + 1) * 1000;
    const load = controlledLoad<string>();
    const answer = manager.through('curves', curvesRequest, load.load);
    await new Promise((done) => setImmediate(done));
    load.pending[0]!.resolve('v2');
    expect(await answer).toEqual({ value: 'v2', status: 'miss' });
  });

  it('rethrows a load error when nothing is cached', async () => {
    const { manager } = setup();
    await expect(
      manager.through('curves', curvesRequest, async () => {
        throw new Error('trino down');
      }),
    ).rejects.toThrow('trino down');
  });

  it('makes one backend call for 50 concurrent misses on one key', async () => {
    const { manager, metrics } = setup();
    const backend = controlledLoad<{ rows: number }>();

    const all = Promise.all(
      Array.from({ length: 50 }, () => manager.through('curves', curvesRequest, backend.load)),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.calls()).toBe(1);
    backend.pending[0]!.resolve({ rows: 7 });
    const results = await all;

    expect(backend.calls()).toBe(1);
    expect(results.every((r) => r.status === 'miss' && r.value.rows === 7)).toBe(true);
    expect(metrics.count('miss', 'curves')).toBe(50);
  });

  it('rejects every waiter of a single flight when its load fails, and loads again afterwards', async () => {
    const { manager } = setup();
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls += 1;
      throw new Error('trino down');
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => manager.through('curves', curvesRequest, failing)),
    );

    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(await manager.through('curves', curvesRequest, async () => 'ok')).toEqual({
      value: 'ok',
      status: 'miss',
    });
  });

  it('validates cached values with parse: an entry it rejects is a miss', async () => {
    const { manager, store, metrics } = setup();
    const key = await manager.key('curves', curvesRequest);
    await store.set(key, JSON.stringify({ v: { legacy: true }, t: T0 }), 60);
    const parse = (raw: unknown) => {
      if (typeof raw !== 'object' || raw === null || !('rows' in raw)) throw new TypeError('not a page');
      return raw as { rows: number };
    };

    const result = await manager.through('curves', curvesRequest, async () => ({ rows: 1 }), parse);

    expect(result).toEqual({ value: { rows: 1 }, status: 'miss' });
    expect(metrics.count('error', 'curves')).toBe(1);
    expect(await manager.through('curves', curvesRequest, async () => ({ rows: 2 }), parse)).toEqual({
      value: { rows: 1 },
      status: 'hit',
    });
  });

  it('decodes a stored entry once: hits on the same stored text reuse it, new text is validated again', async () => {
    const { manager, store } = setup();
    let parses = 0;
    const parse = (raw: unknown) => {
      parses += 1;
      if (typeof raw !== 'string') throw new TypeError('not a string');
      return raw;
    };
    await manager.through('curves', curvesRequest, async () => 'v1', parse);
    for (let i = 0; i < 3; i++)
      expect(await manager.through('curves', curvesRequest, async () => 'never', parse)).toEqual({
        value: 'v1',
        status: 'hit',
      });
    expect(parses).toBe(0);

    // Another container rewrote the entry: its text differs, so it is parsed (and validated) once.
    const key = await manager.key('curves', curvesRequest);
    await store.set(key, JSON.stringify({ v: 'v2', t: T0 }), 60);
    expect((await manager.through('curves', curvesRequest, async () => 'never', parse)).value).toBe('v2');
    expect((await manager.through('curves', curvesRequest, async () => 'never', parse)).value).toBe('v2');
    expect(parses).toBe(1);

    await store.set(key, JSON.stringify({ v: 42, t: T0 }), 60);
    expect(await manager.through('curves', curvesRequest, async () => 'reloaded', parse)).toEqual({
      value: 'reloaded',
      status: 'miss',
    });
  });

  it('treats an unreadable entry as a miss', async () => {
    const { manager, store } = setup();
    await store.set(await manager.key('curves', curvesRequest), 'not json', 60);

    expect(await manager.through('curves', curvesRequest, async () => 'fresh')).toEqual({
      value: 'fresh',
      status: 'miss',
    });
  });

  it('never caches a scope whose TTL is 0', async () => {
    const store = new MemoryStore();
    const manager = new CacheManager({ store, policies: { live: cachePolicy('live', 0) } });
    let calls = 0;
    const load = async () => ++calls;

    await manager.through('live', {}, load);
    const second = await manager.through('live', {}, load);

    expect(second).toEqual({ value: 2, status: 'miss' });
    expect(store.size).toBe(0);
  });

  it('throws on an unknown scope', async () => {
    const { manager } = setup();
    await expect(manager.through('nope', {}, async () => 1)).rejects.toThrow(/Unknown cache scope "nope"/);
    await expect(manager.invalidate('nope')).rejects.toThrow(/Unknown cache scope/);
  });

  it('runs registered and policy warm-up functions concurrently and reports each scope', async () => {
    const warmed: string[] = [];
    const store = new MemoryStore();
    const manager = new CacheManager({
      store,
      policies: {
        ...CACHE_POLICIES,
        metadata: {
          ...CACHE_POLICIES.metadata,
          warmUp: async () => {
            warmed.push('metadata');
          },
        },
      },
    });
    manager.registerWarmUp('curves', async () => {
      await manager.through('curves', curvesRequest, async () => 'warm');
      warmed.push('curves');
    });
    manager.registerWarmUp('ppa', async () => {
      throw new Error('ppa contracts unavailable');
    });

    const reports = await manager.warm(['curves', 'metadata', 'ppa', 'iso-lmp', 'nope']);

    expect(warmed.sort()).toEqual(['curves', 'metadata']);
    expect(reports.map(({ scope, ok, error }) => ({ scope, ok, error }))).toEqual([
      { scope: 'curves', ok: true, error: undefined },
      { scope: 'metadata', ok: true, error: undefined },
      { scope: 'ppa', ok: false, error: 'ppa contracts unavailable' },
      { scope: 'iso-lmp', ok: false, error: 'no warm-up function registered' },
      { scope: 'nope', ok: false, error: 'unknown cache scope' },
    ]);
    expect(reports.every((r) => r.durationMs >= 0)).toBe(true);
    expect(await manager.through('curves', curvesRequest, async () => 'cold')).toEqual({
      value: 'warm',
      status: 'hit',
    });
  });
});
