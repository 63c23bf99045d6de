import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCurvesHandler } from '#functions/curves/handler';
import { duckDbPath } from '#lib/data/create-engine';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import type { GatewayResult } from '#lib/http/event';
import { type HttpRuntime, runtimeFromEnv } from '#lib/http/runtime';
import { CountingEngine } from '#test/support/counting-engine';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type UpstashBridge, useUpstashBridge } from '#test/support/upstash-bridge';

/**
 * Single flight across containers: ten curves handlers, each with its own runtime (cache manager, L1,
 * limiter) as ten Lambda containers have, sharing one Upstash (the REST bridge over the real Redis) and
 * one engine that counts the queries reaching it.
 */

// Redis db 7 belongs to this file.
let bridge: UpstashBridge;
useUpstashBridge({ db: 7 }, (b) => {
  bridge = b;
});

let duck: DuckDbEngine;
beforeAll(async () => {
  duck = await DuckDbEngine.open(duckDbPath(), { readOnly: true });
});
afterAll(async () => {
  await duck.close();
});

const CONTAINERS = 10;
const REQUESTS = 100;
let run = 0;

function containers(engine: CountingEngine, timeoutMs = 2_000) {
  run += 1;
  const env = {
    ...process.env,
    AURUM_AUTH_MODE: 'jwt',
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    AURUM_CACHE_NAMESPACE: `flight-${process.pid}-${run}`,
    AURUM_API_RATE_LIMIT_RPS: '100000',
    AURUM_API_RATE_LIMIT_BURST: '100000',
    AURUM_CURSOR_SECRET: 'cross-container-cursor-secret-0123456789',
    // The bridge is one local process on a shared machine, slower under 200 concurrent calls than Upstash.
    AURUM_API_CACHE_TIMEOUT_MS: String(timeoutMs),
  };
  return Array.from({ length: CONTAINERS }, () => {
    const runtime: HttpRuntime = runtimeFromEnv(env);
    return createCurvesHandler({ engine, runtime: () => runtime });
  });
}

const claims = { sub: 'analyst', tenant: 'acme', scope: 'curves:read' };
const event = () =>
  gatewayEvent('GET /v1/curves', '/v1/curves', { query: { iso: 'PJM', limit: '25' }, claims });

/** 100 concurrent requests for one cold key, spread over the containers round robin. */
async function stampede(handlers: ReturnType<typeof containers>): Promise<GatewayResult[]> {
  return Promise.all(
    Array.from(
      { length: REQUESTS },
      (_, i) => handlers[i % handlers.length]!(event(), lambdaContext(15_000)) as Promise<GatewayResult>,
    ),
  );
}

const data = (res: GatewayResult) => JSON.stringify((JSON.parse(res.body) as { data: unknown }).data);

describe('100 concurrent cold requests across 10 containers sharing Upstash', () => {
  it('reach the engine at most twice, and every request gets the same page', async () => {
    const engine = new CountingEngine(duck);
    const answers = await stampede(containers(engine));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(REQUESTS).fill(200));
    expect(engine.queries).toBeGreaterThanOrEqual(1);
    expect(engine.queries).toBeLessThanOrEqual(2);
    expect(new Set(answers.map(data)).size).toBe(1);
    expect(JSON.parse(answers[0]!.body).data).toHaveLength(25);
    // The lock was taken with set-if-absent, and the entry written once per query.
    expect(bridge.commands.filter((c) => c === 'SET').length).toBeLessThanOrEqual(CONTAINERS + 2);
  });

  it('still answers every request, from the engine, when Redis is down', async () => {
    await bridge.stop();
    const engine = new CountingEngine(duck);
    const answers = await stampede(containers(engine));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(REQUESTS).fill(200));
    expect(new Set(answers.map(data)).size).toBe(1);
    // Failing open to each container's own single flight: at most one query per container.
    expect(engine.queries).toBeGreaterThanOrEqual(1);
    expect(engine.queries).toBeLessThanOrEqual(CONTAINERS);
  });

  it('still answers every request when Redis answers slower than the cache timeout', async () => {
    bridge.delayMs = 1_000;
    const engine = new CountingEngine(duck);
    const answers = await stampede(containers(engine, 150));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(REQUESTS).fill(200));
    expect(new Set(answers.map(data)).size).toBe(1);
    expect(engine.queries).toBeLessThanOrEqual(CONTAINERS);
  });
});
