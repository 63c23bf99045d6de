import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCurvesHandler } from '#functions/curves/handler';
import { CURVE_COLUMNS } from '#functions/curves/routes';
import { TrinoEngine } from '#lib/data/trino-engine';
import type { GatewayResult } from '#lib/http/event';
import { type HttpRuntime, runtimeFromEnv } from '#lib/http/runtime';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type FakeTrino, startFakeTrino, type TrinoAnswer } from '#test/support/fake-trino-server';

/**
 * Stale-if-error that answers fast: a stale entry exists and Trino (the fake coordinator, at the protocol
 * boundary) has not answered within the budget, so the stale entry is the answer and the load lands in the
 * cache afterwards. The slow answer is newer data, so waiting for it would be seen: a fresh body and
 * `X-Cache: miss` instead of the old body and `stale`.
 */

const COLUMNS = CURVE_COLUMNS.map((name) => ({
  name,
  type:
    name === 'contract_month' || name === 'asof_date'
      ? 'date'
      : ['mid', 'bid', 'ask'].includes(name)
        ? 'double'
        : 'varchar',
}));
const point = (mid: number) => [
  'SLOW.KEY',
  '2026-01',
  'MONTHLY',
  '2026-01-01',
  '2025-09-26',
  mid,
  mid - 1,
  mid + 1,
  'MID',
];

let trino: FakeTrino;
let clock = Date.parse('2025-09-29T12:00:00Z');
let statements = 0;
/** Releases the slow answer Trino is holding back (it also gives up holding after a while by itself). */
let release: () => void = () => {};
let runtime: HttpRuntime;
let handler: ReturnType<typeof createCurvesHandler>;

beforeAll(async () => {
  trino = await startFakeTrino({
    backend: async (): Promise<TrinoAnswer> => {
      statements++;
      if (statements === 1) return { columns: COLUMNS, rows: [point(50)] };
      if (statements === 2) {
        await new Promise<void>((done) => {
          const fallback = setTimeout(done, 8_000);
          release = () => {
            clearTimeout(fallback);
            done();
          };
        });
      }
      return { columns: COLUMNS, rows: [point(61)] };
    },
  });
  const env = {
    ...process.env,
    AURUM_AUTH_MODE: 'jwt',
    AURUM_API_STALE_AFTER_MS: '200',
    AURUM_CURSOR_SECRET: 'stale-fast-test-cursor-secret-0123456789',
  };
  runtime = runtimeFromEnv(env, { now: () => clock });
  handler = createCurvesHandler({
    engine: TrinoEngine.fromEnv({ ...env, AURUM_TRINO_URL: trino.url }),
    runtime: () => runtime,
  });
});
afterAll(async () => {
  release();
  await runtime?.cache?.idle?.();
  await trino.close();
});

const claims = { sub: 'analyst', tenant: 'acme', scope: 'curves:read' };
const request = () =>
  handler(
    gatewayEvent('GET /v1/curves', '/v1/curves', { query: { curve_key: 'SLOW.KEY', limit: '5' }, claims }),
    lambdaContext(15_000),
  ) as Promise<GatewayResult>;
const mids = (res: GatewayResult) =>
  (JSON.parse(res.body) as { data: { mid: number }[] }).data.map((p) => p.mid);

describe('a stale entry and a data store slower than the stale budget', () => {
  it('answers from the stale entry at once, then serves the slow answer once it has landed', async () => {
    const first = await request();
    expect(first.statusCode).toBe(200);
    expect(first.headers?.['X-Cache']).toBe('miss');
    expect(mids(first)).toEqual([50]);

    // Past the TTL (300 s) and stale-while-revalidate (150 s), within stale-if-error (900 s).
    clock += 451_000;
    const stale = await request();
    expect(stale.statusCode).toBe(200);
    expect(stale.headers?.['X-Cache']).toBe('stale');
    expect(mids(stale)).toEqual([50]);
    expect(stale.headers?.['Cache-Control']).toMatch(/^private/);
    // Trino was asked, and is still holding its answer: the stale answer did not wait for it.
    expect(statements).toBe(2);

    release();
    await runtime.cache!.idle!();
    const refreshed = await request();
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.headers?.['X-Cache']).toBe('hit');
    expect(mids(refreshed)).toEqual([61]);
    expect(statements).toBe(2);
    expect(trino.cancels).toEqual([]);
  });
});
