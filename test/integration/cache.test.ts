import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCurvesHandler } from '#functions/curves/handler';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import type { GatewayResult } from '#lib/http/event';
import { runtimeFromEnv } from '#lib/http/runtime';
import { CountingEngine } from '#test/support/counting-engine';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { startUpstashBridge, type UpstashBridge } from '#test/support/upstash-bridge';

let bridge: UpstashBridge;
let duckdb: SqlEngine;

beforeAll(async () => {
  bridge = await startUpstashBridge({ db: 14 });
  duckdb = await createEngine({});
});
afterAll(async () => {
  await bridge.close();
  await duckdb.close();
});
beforeEach(async () => {
  bridge.delayMs = 0;
  await bridge.start();
  await bridge.flushDb();
});

/** The curves Lambda over Upstash (through the bridge to the real Redis) and DuckDB, with a controllable clock. */
function curvesLambda(env: Record<string, string> = {}) {
  const engine = new CountingEngine(duckdb);
  const metrics = new CountingCacheMetrics();
  const clock = { offsetMs: 0 };
  const runtimeEnv = {
    AURUM_AUTH_MODE: 'dev',
    AURUM_API_ADMIN_GROUP: 'aurum-admins',
    AURUM_CURSOR_SECRET: 'test-secret',
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    AURUM_API_RATE_LIMIT_RPS: '1000',
    ...env,
  };
  const runtime = runtimeFromEnv(runtimeEnv, {
    cacheMetrics: metrics,
    now: () => Date.now() + clock.offsetMs,
  });
  const handler = createCurvesHandler({ engine, runtime: () => runtime });
  const get = (query: Record<string, string>, tenant = 'acme'): Promise<GatewayResult> =>
    handler(
      gatewayEvent('GET /v1/curves', '/v1/curves', { query, headers: { 'x-aurum-tenant': tenant } }),
      lambdaContext(5_000),
    );
  return { get, engine, metrics, clock, runtime };
}

describe('cached curves over Upstash', () => {
  it('misses, then hits without touching the engine', async () => {
    const api = curvesLambda();
    const first = await api.get({ iso: 'PJM', limit: '5' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['X-Cache']).toBe('miss');
    const second = await api.get({ iso: 'PJM', limit: '5' });
    expect(second.headers['X-Cache']).toBe('hit');
    expect(JSON.parse(second.body).data).toEqual(JSON.parse(first.body).data);
    expect(second.headers.ETag).toBe(first.headers.ETag);
    expect(api.engine.queries).toBe(1);
  });

  it('makes the next request a miss after invalidation', async () => {
    const api = curvesLambda();
    await api.get({ iso: 'MISO', limit: '5' });
    expect((await api.get({ iso: 'MISO', limit: '5' })).headers['X-Cache']).toBe('hit');
    await api.runtime.cache!.invalidate('curves');
    expect((await api.get({ iso: 'MISO', limit: '5' })).headers['X-Cache']).toBe('miss');
    expect(api.engine.queries).toBe(2);
  });

  it('serves a stale entry while one background refresh reloads it', async () => {
    const api = curvesLambda();
    await api.get({ iso: 'SPP', limit: '5' });
    api.clock.offsetMs = 301_000; // past the 300 s TTL, inside the 150 s stale-while-revalidate window
    const stale = await api.get({ iso: 'SPP', limit: '5' });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['X-Cache']).toBe('stale');
    await api.runtime.cache!.idle?.();
    expect(api.engine.queries).toBe(2);
    expect((await api.get({ iso: 'SPP', limit: '5' })).headers['X-Cache']).toBe('hit');
  });

  it('sends 50 concurrent requests for one cold key to the engine once', async () => {
    const api = curvesLambda();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.get({ iso: 'CAISO', block: 'ATC', limit: '7' })),
    );
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.headers.ETag)).size).toBe(1);
    expect(api.engine.queries).toBe(1);
  });
});

describe('cache faults are absorbed', () => {
  it('serves from the engine within the deadline when the bridge is down, and counts the errors', async () => {
    const api = curvesLambda();
    await bridge.stop();
    const started = Date.now();
    const res = await api.get({ iso: 'NYISO', limit: '5' });
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(JSON.parse(res.body).data).toHaveLength(5);
    expect(api.metrics.count('error')).toBeGreaterThan(0);
  });

  it('serves from the engine within the deadline when the bridge answers slowly', async () => {
    const api = curvesLambda();
    bridge.delayMs = 2_000;
    const started = Date.now();
    const res = await api.get({ iso: 'ISONE', limit: '5' });
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(api.metrics.count('error')).toBeGreaterThan(0);
  });
});

describe('rate limits per tenant on Upstash', () => {
  it('refuses the second request in a second with RPS 1 and burst 0, per tenant', async () => {
    const api = curvesLambda({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '0' });
    const first = await api.get({ limit: '1' }, 'acme');
    expect(first.statusCode).toBe(200);
    expect(first.headers['X-RateLimit-Limit']).toBe('1');
    const second = await api.get({ limit: '1' }, 'acme');
    expect(second.statusCode).toBe(429);
    expect(second.headers['Content-Type']).toBe('application/problem+json');
    expect(Number(second.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(second.headers['X-RateLimit-Remaining']).toBe('0');
    expect(Number(second.headers['X-RateLimit-Reset'])).toBeGreaterThanOrEqual(1);
    const other = await api.get({ limit: '1' }, 'globex');
    expect(other.statusCode).toBe(200);
  });

  it('fails open when the limiter cannot reach Redis', async () => {
    const api = curvesLambda({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '0' });
    await bridge.stop();
    expect((await api.get({ limit: '1' })).statusCode).toBe(200);
    expect((await api.get({ limit: '1' })).statusCode).toBe(200);
  });
});
