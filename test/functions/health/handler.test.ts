import { describe, expect, it } from 'vitest';
import { createHealthHandler } from '#functions/health/handler';
import type { HealthProvider } from '#lib/health/provider';
import { gatewayEvent, lambdaContext } from '#test/support/events';

const ok = (name: string, detail?: string): HealthProvider => ({
  name,
  check: async () => ({ status: 'ok', latencyMs: 1, ...(detail ? { detail } : {}) }),
});
const failing = (name: string, detail: string): HealthProvider => ({
  name,
  check: async () => ({ status: 'failed', latencyMs: 1, detail }),
});

const get = (handler: ReturnType<typeof createHealthHandler>, path: string) =>
  handler(gatewayEvent(`GET ${path}`, path), lambdaContext());

describe('the health function', () => {
  it('answers liveness without building a readiness dependency', async () => {
    let built = 0;
    const handler = createHealthHandler({
      readinessProviders: () => {
        built += 1;
        return [ok('engine')];
      },
    });
    for (const [path, status] of [
      ['/health', 'ok'],
      ['/healthz', 'ok'],
      ['/health/live', 'ok'],
      ['/live', 'alive'],
      ['/livez', 'alive'],
    ] as const) {
      const res = await get(handler, path);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ status });
    }
    expect(built).toBe(0);
    await get(handler, '/ready');
    await get(handler, '/readyz');
    expect(built).toBe(1);
  });

  it.each(['/ready', '/readyz'])('%s answers 200 ready with every check, uncached', async (path) => {
    const handler = createHealthHandler({
      readinessProviders: () => [ok('engine', 'duckdb'), ok('cache'), ok('flags')],
    });
    const res = await get(handler, path);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['cache', 'engine', 'flags']);
    expect(body.checks.engine).toEqual({ status: 'ok', latency_ms: expect.any(Number), detail: 'duckdb' });
    expect(body.checks.cache).toEqual({ status: 'ok', latency_ms: expect.any(Number) });
  });

  it('answers a 503 problem naming the failed check, with Retry-After and no caching', async () => {
    const handler = createHealthHandler({
      readinessProviders: () => [ok('engine'), failing('cache', 'upstash: unreachable'), ok('flags')],
    });
    const res = await get(handler, '/ready');
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/problem\+json/);
    expect(res.headers?.['Retry-After']).toBe('5');
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      type: 'https://api.aurum.dev/problems/service-unavailable',
      status: 503,
      detail: 'Not ready: cache (upstash: unreachable)',
    });
    expect(body.checks.cache).toEqual({
      status: 'failed',
      latency_ms: expect.any(Number),
      detail: 'upstash: unreachable',
    });
    expect(body.checks.engine.status).toBe('ok');
    expect(body.request_id).toEqual(expect.any(String));
  });

  it('counts a disabled check as ready', async () => {
    const disabled: HealthProvider = {
      name: 'cache',
      check: async () => ({ status: 'disabled', latencyMs: 0, detail: 'not configured' }),
    };
    const res = await get(
      createHealthHandler({ readinessProviders: () => [ok('engine'), disabled] }),
      '/ready',
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).checks.cache).toMatchObject({ status: 'disabled', detail: 'not configured' });
  });

  it('answers a generic 500 when the checks cannot be built, and builds them again on the next request', async () => {
    let attempts = 0;
    const handler = createHealthHandler({
      readinessProviders: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('cannot build');
        return [ok('engine')];
      },
    });
    const first = await get(handler, '/ready');
    expect(first.statusCode).toBe(500);
    expect(JSON.parse(first.body).detail).toBe('An unexpected error occurred');
    const second = await get(handler, '/ready');
    expect(second.statusCode).toBe(200);
  });

  it('stays public: a malformed development tenant header does not break readiness', async () => {
    const handler = createHealthHandler({ readinessProviders: () => [ok('engine')] });
    const res = await handler(
      gatewayEvent('GET /ready', '/ready', { headers: { 'x-aurum-tenant': 'bad tenant!' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['X-RateLimit-Limit']).toBeUndefined();
  });

  it('still answers unknown routes with a 404 problem as the $default target', async () => {
    const handler = createHealthHandler({ readinessProviders: () => [ok('engine')] });
    const res = await handler(gatewayEvent('$default', '/nope'), lambdaContext());
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/problem\+json/);
  });
});
