import { performance } from 'node:perf_hooks';
import { createEngine } from '#lib/data/create-engine';
import { CountingEngine } from '#test/support/counting-engine';
import { curvesHandler, gatewayEvent, lambdaContext } from './curves-handler.ts';
import { quietly } from './stats.ts';

/** 100 concurrent requests for one cold key through the stack: how many reach the data engine. */
export interface SingleFlightFigure {
  concurrent: number;
  engineQueries: number;
  statuses: Record<string, number>;
  cacheStatuses: Record<string, number>;
}

const CONCURRENT = 100;

export async function coldKeyStampede(): Promise<SingleFlightFigure> {
  const engine = new CountingEngine(await createEngine({ ...process.env, AURUM_TRINO_URL: '' }));
  const handler = curvesHandler(engine);
  return quietly(async () => {
    // A first request on another key builds the runtime and opens DuckDB, so only the stampede is counted.
    await handler(gatewayEvent('GET', '/v1/curves', 'iso=ERCOT&limit=5'), lambdaContext());
    const before = engine.queries;
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        handler(gatewayEvent('GET', '/v1/curves', 'iso=PJM&market=DA&limit=100'), lambdaContext()),
      ),
    );
    const count = (values: string[]) =>
      values.reduce<Record<string, number>>((acc, v) => {
        acc[v] = (acc[v] ?? 0) + 1;
        return acc;
      }, {});
    return {
      concurrent: CONCURRENT,
      engineQueries: engine.queries - before,
      statuses: count(results.map((r) => String(r.statusCode))),
      cacheStatuses: count(results.map((r) => r.headers['X-Cache'] ?? '(none)')),
    };
  });
}

/** 100 concurrent cold requests over 10 handler instances (10 containers) sharing one Upstash. */
export interface CrossContainerFigure {
  containers: number;
  concurrent: number;
  engineQueries: number;
  statuses: Record<string, number>;
  /** The same stampede with Redis down: every request must still answer. */
  redisDown: { engineQueries: number; statuses: Record<string, number> };
}

const CONTAINERS = 10;

const tally = (values: string[]) =>
  values.reduce<Record<string, number>>((acc, v) => {
    acc[v] = (acc[v] ?? 0) + 1;
    return acc;
  }, {});

export async function crossContainerStampede(): Promise<CrossContainerFigure> {
  const { startUpstashBridge } = await import('#test/support/upstash-bridge');
  const { createCurvesHandler } = await import('#functions/curves/handler');
  const { runtimeFromEnv } = await import('#lib/http/runtime');
  const { BENCH_ENV } = await import('./curves-handler.ts');
  // The bench's own Redis db (the test files use 7 and 10-15).
  const bridge = await startUpstashBridge({ db: 6 });
  const inner = await createEngine({ ...process.env, AURUM_TRINO_URL: '' });
  try {
    await bridge.flushDb();
    const stampede = async (run: string) => {
      const engine = new CountingEngine(inner);
      const env = {
        ...BENCH_ENV,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridge.token,
        AURUM_CACHE_NAMESPACE: `bench-${process.pid}-${run}`,
        // One local bridge process stands in for Upstash on a shared 2-core machine.
        AURUM_API_CACHE_TIMEOUT_MS: '2000',
      };
      const handlers = Array.from({ length: CONTAINERS }, () => {
        const runtime = runtimeFromEnv(env);
        return createCurvesHandler({ engine, runtime: () => runtime });
      });
      const results = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) =>
          handlers[i % CONTAINERS]!(
            gatewayEvent('GET', '/v1/curves', 'iso=PJM&market=DA&limit=100'),
            lambdaContext(),
          ),
        ),
      );
      return { engineQueries: engine.queries, statuses: tally(results.map((r) => String(r.statusCode))) };
    };
    return await quietly(async () => {
      const shared = await stampede('up');
      await bridge.stop();
      const down = await stampede('down');
      return { containers: CONTAINERS, concurrent: CONCURRENT, ...shared, redisDown: down };
    });
  } finally {
    await bridge.close();
    await inner.close();
  }
}

/** With a stale entry and Trino slowed past the deadline: how long the stale answer takes. */
export interface StaleAnswerFigure {
  status: number;
  xCache: string;
  staleMs: number;
  deadlineMs: number;
  trinoDelayMs: number;
}

export async function staleAnswerTime(): Promise<StaleAnswerFigure> {
  const { startFakeTrino } = await import('#test/support/fake-trino-server');
  const { createCurvesHandler } = await import('#functions/curves/handler');
  const { CURVE_COLUMNS } = await import('#functions/curves/routes');
  const { TrinoEngine } = await import('#lib/data/trino-engine');
  const { runtimeFromEnv } = await import('#lib/http/runtime');
  const { BENCH_ENV } = await import('./curves-handler.ts');
  const deadlineMs = 15_000;
  const trinoDelayMs = 30_000;
  let calls = 0;
  const columns = CURVE_COLUMNS.map((name) => ({
    name,
    type: ['contract_month', 'asof_date'].includes(name)
      ? 'date'
      : ['mid', 'bid', 'ask'].includes(name)
        ? 'double'
        : 'varchar',
  }));
  const trino = await startFakeTrino({
    backend: async (_statement, signal) => {
      calls++;
      if (calls > 1)
        await new Promise<void>((done) => {
          const timer = setTimeout(done, trinoDelayMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            done();
          });
        });
      return {
        columns,
        rows: [['BENCH.KEY', '2026-01', 'MONTHLY', '2026-01-01', '2025-09-26', 50, 49, 51, 'MID']],
      };
    },
  });
  let clock = Date.now();
  const runtime = runtimeFromEnv({ ...BENCH_ENV }, { now: () => clock });
  const handler = createCurvesHandler({
    engine: TrinoEngine.fromEnv({ AURUM_TRINO_URL: trino.url }),
    runtime: () => runtime,
  });
  const { lambdaContext: context } = await import('#infra/local/gateway-event');
  const ask = () =>
    handler(
      gatewayEvent('GET', '/v1/curves', 'curve_key=BENCH.KEY&limit=5') as never,
      context({ functionName: 'aurum-curves', timeoutMs: deadlineMs }) as never,
    ) as Promise<{ statusCode: number; headers: Record<string, string> }>;
  try {
    return await quietly(async () => {
      await ask();
      // Past the TTL and stale-while-revalidate, within stale-if-error.
      clock += 451_000;
      const started = performance.now();
      const stale = await ask();
      const staleMs = performance.now() - started;
      return {
        status: stale.statusCode,
        xCache: stale.headers['X-Cache'] ?? '',
        staleMs,
        deadlineMs,
        trinoDelayMs,
      };
    });
  } finally {
    await trino.close();
  }
}
