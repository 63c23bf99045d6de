/**
 * The fixed requests the Trino-equivalence test (test/integration/trino-equivalence.test.ts) answers twice,
 * through DuckDbEngine and through TrinoEngine against the fake Trino server over the same sample database,
 * and compares. A domain joins with one line per request below, and one line in EQUIVALENCE_HANDLERS for its
 * handler factory. Lists are followed one page further with their next_cursor, so the cursor's seek literals
 * are executed too.
 */
import { createCurvesHandler } from '#functions/curves/handler';
import { createEiaHandler } from '#functions/eia/handler';
import { createIsoHandler } from '#functions/iso/handler';
import type { SqlEngine } from '#lib/data/engine';
import type { HttpRuntime } from '#lib/http/runtime';
import { EIA_REQUESTS } from './eia-requests.ts';

export const EQUIVALENCE_REQUESTS: readonly string[] = [
  '/v1/curves?iso=PJM&limit=40',
  '/v1/curves?asof=2025-09-26&iso=ERCOT&market=DA&limit=30',
  '/v1/curves?iso=CAISO&limit=25&format=csv',
  '/v2/curves?iso=NYISO&limit=20',
  '/v1/iso/lmp/last-24h?iso_code=PJM&market=RT&limit=60',
  '/v1/iso/lmp/last-24h?iso_code=caiso&location_id=sp15&limit=50&format=csv',
  '/v1/iso/lmp/hourly?iso_code=ERCOT&market=RT&start=2025-09-25T00:00:00Z&end=2025-09-25T12:00:00Z&limit=40',
  '/v1/iso/lmp/daily?iso_code=PJM&start=2024-11-01&end=2024-11-06&limit=30',
  '/v1/iso/lmp/negative?limit=40',
  '/v2/iso/lmp/last-24h?iso=SPP&limit=30',
  '/v2/iso/lmp/hourly?iso=PJM&date=2024-11-03&market=DA&limit=30',
  '/v2/iso/lmp/daily?iso=NYISO&date=2025-03-09&limit=10',
  '/v2/iso/lmp/blocks?iso=PJM&location_id=WESTERN%20HUB&block=ON_PEAK&period=month&start=2025-01-01&end=2025-06-30&limit=4',
  '/v2/iso/lmp/blocks?iso=CAISO&location_id=SP15&block=ATC&period=day&start=2025-04-01&end=2025-04-20&limit=7',
  // The v1 EIA catalog answers from the repository alone, with no statement to compare.
  ...EIA_REQUESTS.filter((target) => !target.startsWith('/v1/metadata/eia/datasets')),
];

type Handler = ReturnType<typeof createCurvesHandler>;

/** Each domain's handler factory, by the registry's domain name. */
export const EQUIVALENCE_HANDLERS: Record<
  string,
  (ports: { engine: SqlEngine; runtime: () => HttpRuntime }) => Handler
> = {
  curves: (ports) => createCurvesHandler(ports),
  iso: (ports) => createIsoHandler(ports),
  eia: (ports) => createEiaHandler(ports),
};
