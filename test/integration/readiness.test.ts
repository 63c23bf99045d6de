import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthHandler } from '#functions/health/handler';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import type { GatewayResult } from '#lib/http/event';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { startUpstashBridge, type UpstashBridge } from '#test/support/upstash-bridge';

/** Small budgets so a hanging dependency shows quickly; assertions allow 3× for a slow machine. */
const READINESS = { deadlineMs: 1_000, perCheckTimeoutMs: 800, retryAfterSeconds: 5 };
const SELECT_1 = { columns: [{ name: 'ok', type: 'integer' }], steps: [{ rows: [[1]] }] };

interface CheckAnswer {
  status: string;
  latency_ms: number;
  detail?: string;
}
interface ReadinessBody {
  status: string | number;
  detail?: string;
  checks: Record<string, CheckAnswer>;
}

let bridge: UpstashBridge;
const trinos: FakeTrino[] = [];

beforeAll(async () => {
  bridge = await startUpstashBridge({ db: 15 });
});
afterAll(async () => {
  await bridge.close();
  await Promise.all(trinos.map((t) => t.close()));
});

async function fakeTrino(): Promise<FakeTrino> {
  const trino = await startFakeTrino();
  trinos.push(trino);
  return trino;
}

/** The health function wired exactly as in Lambda, with this scenario's environment. */
function healthFunction(env: Record<string, string>) {
  const handler = createHealthHandler({
    readinessProviders: () =>
      readinessProvidersFromEnv({
        ...env,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridge.token,
      }),
    readiness: READINESS,
  });
  return async (): Promise<{ res: GatewayResult; body: ReadinessBody; elapsedMs: number }> => {
    const started = Date.now();
    const res = await handler(gatewayEvent('GET /ready', '/ready'), lambdaContext(10_000));
    return { res, body: JSON.parse(res.body) as ReadinessBody, elapsedMs: Date.now() - started };
  };
}

describe('GET /ready on the local gateway (DuckDB, memory cache, flags file)', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(['/ready', '/readyz'])('%s answers 200 ready with every check ok', async (path) => {
    const res = await fetch(`${api.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as ReadinessBody;
    expect(body.status).toBe('ready');
    expect(body.checks).toEqual({
      engine: { status: 'ok', latency_ms: expect.any(Number), detail: 'duckdb' },
      cache: { status: 'ok', latency_ms: expect.any(Number), detail: 'memory (in-process store)' },
      flags: {
        status: 'ok',
        latency_ms: expect.any(Number),
        detail: expect.stringMatching(/^file version /),
      },
    });
  });
});

describe('GET /ready over Trino and Upstash Redis', () => {
  it('answers 200 when Trino, Redis and the flags answer', async () => {
    const trino = await fakeTrino();
    trino.script('SELECT 1', SELECT_1);
    const { res, body } = await healthFunction({ AURUM_TRINO_URL: trino.url })();
    expect(res.statusCode).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.engine).toMatchObject({ status: 'ok', detail: 'trino' });
    expect(body.checks.cache).toMatchObject({ status: 'ok', detail: 'upstash' });
    expect(body.checks.flags!.status).toBe('ok');
    expect(bridge.commands).toContain('PING');
  });

  it('answers a 503 problem naming the cache while Redis is down, and 200 again once it is back', async () => {
    const trino = await fakeTrino();
    trino.script('SELECT 1', SELECT_1);
    const ready = healthFunction({ AURUM_TRINO_URL: trino.url });
    await bridge.stop();
    try {
      const { res, body, elapsedMs } = await ready();
      expect(res.statusCode).toBe(503);
      expect(res.headers?.['Content-Type']).toMatch(/^application\/problem\+json/);
      expect(body.detail).toBe('Not ready: cache (upstash: unreachable)');
      expect(body.checks.cache!.status).toBe('failed');
      expect(body.checks.engine!.status).toBe('ok');
      expect(res.body).not.toContain(String(bridge.port));
      expect(elapsedMs).toBeLessThan(3 * READINESS.deadlineMs);
    } finally {
      await bridge.start();
    }
    expect((await ready()).res.statusCode).toBe(200);
  });

  it('answers a 503 problem naming the engine when Trino answers 503 to every request', async () => {
    const trino = await fakeTrino();
    trino.script('SELECT 1', {
      columns: SELECT_1.columns,
      steps: Array.from({ length: 20 }, () => ({ status: 503 })),
    });
    const { res, body, elapsedMs } = await healthFunction({ AURUM_TRINO_URL: trino.url })();
    expect(res.statusCode).toBe(503);
    expect(body.checks.engine).toMatchObject({
      status: 'failed',
      detail: 'trino: unreachable',
    });
    expect(body.checks.cache!.status).toBe('ok');
    expect(res.body).not.toMatch(/127\.0\.0\.1|SELECT/);
    expect(elapsedMs).toBeLessThan(3 * READINESS.deadlineMs);
  });

  it('answers a 503 problem naming the engine when nothing listens at the Trino address', async () => {
    const trino = await fakeTrino();
    const url = trino.url;
    await trino.close();
    const { res, body } = await healthFunction({ AURUM_TRINO_URL: url })();
    expect(res.statusCode).toBe(503);
    expect(body.checks.engine).toMatchObject({
      status: 'failed',
      detail: 'trino: unreachable',
    });
    expect(res.body).not.toContain(new URL(url).port);
  });

  it('answers a 503 problem within the deadline when Trino hangs', async () => {
    const trino = await fakeTrino();
    trino.script('SELECT 1', { columns: SELECT_1.columns, steps: [{ delayMs: 20_000 }] });
    const { res, body, elapsedMs } = await healthFunction({ AURUM_TRINO_URL: trino.url })();
    expect(res.statusCode).toBe(503);
    expect(body.checks.engine!.status).toBe('failed');
    expect(body.checks.engine!.detail).toMatch(/^(timed out after \d+ ms|trino: timed out)$/);
    expect(body.checks.cache!.status).toBe('ok');
    expect(elapsedMs).toBeLessThan(3 * READINESS.deadlineMs);
  });
});
