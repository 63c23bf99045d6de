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
