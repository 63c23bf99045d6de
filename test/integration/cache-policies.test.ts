import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { CACHE_POLICIES, CACHE_SCOPES, type CacheScope } from '#lib/cache/policies';
import { type FakeTileServer, startFakeTileServer } from '#test/support/fake-tile-server';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/**
 * Inputs for routes that cannot be answered without them (required parameters, a path parameter). Every
 * other cached route is requested bare, or with its first warm-up query. A new cached route that needs
 * input and is missing here fails below with its status, not silently.
 */
const REQUESTS: Record<string, string> = {
  'GET /v1/curves/diff': '/v1/curves/diff?asof_a=2025-09-02&asof_b=2025-09-26&iso=PJM&limit=10',
  'GET /v1/curves/strips': '/v1/curves/strips?type=CALENDAR&iso=PJM&limit=10',
  'GET /v2/curves/export': '/v2/curves/export?iso=SPP&chunk_size=100',
  'GET /v1/metadata/locations/{iso}/{location_id}': '/v1/metadata/locations/pjm/western%20hub',
  'GET /v1/metadata/calendars/{name}/blocks': '/v1/metadata/calendars/pjm/blocks',
  'GET /v1/metadata/calendars/{name}/hours': '/v1/metadata/calendars/pjm/hours?block=ON_PEAK&date=2025-11-03',
  'GET /v1/metadata/calendars/{name}/expand':
    '/v1/metadata/calendars/pjm/expand?block=ATC&start=2025-03-07&end=2025-03-13',
  'GET /v2/metadata/locations': '/v2/metadata/locations?iso=MISO&limit=5',
  'GET /v2/metadata/calendars/{name}/intervals': '/v2/metadata/calendars/pjm/intervals?date=2025-11-02',
  'GET /v2/curves/{curve_id}/diff':
    '/v2/curves/PJM.WESTERN_HUB.DA.ON_PEAK.PWR/diff?from_timestamp=2025-09-02T00:00:00Z&to_timestamp=2025-09-26',
  // {mapping} is the id of a mapping the setup below creates.
  'GET /v2/series-curve-mappings/{mapping_id}': '/v2/series-curve-mappings/{mapping}',
  'GET /v1/admin/mappings/{mapping_id}': '/v1/admin/mappings/{mapping}',
  // {contract} is the id of a PPA contract the setup below creates.
  'GET /v1/ppa/contracts/{contract_id}': '/v1/ppa/contracts/{contract}',
  'GET /v1/ppa/contracts/{contract_id}/valuations': '/v1/ppa/contracts/{contract}/valuations',
  'GET /v2/ppa/contracts/{contract_id}/valuations': '/v2/ppa/contracts/{contract}/valuations',
  // {scenario} and {run} are a scenario and its run the setup below creates.
  'GET /v1/scenarios/{scenario_id}': '/v1/scenarios/{scenario}',
  'GET /v1/scenarios/{scenario_id}/runs': '/v1/scenarios/{scenario}/runs',
  'GET /v1/scenarios/{scenario_id}/runs/{run_id}': '/v1/scenarios/{scenario}/runs/{run}',
  'GET /v1/scenarios/{scenario_id}/outputs': '/v1/scenarios/{scenario}/outputs',
  'GET /v1/scenarios/{scenario_id}/metrics/latest': '/v1/scenarios/{scenario}/metrics/latest',
  'GET /v2/scenarios/{scenario_id}': '/v2/scenarios/{scenario}',
  'GET /v2/scenarios/{scenario_id}/runs': '/v2/scenarios/{scenario}/runs',
  'GET /v2/series-mapping-suggestions':
    '/v2/series-mapping-suggestions?provider=EIA&series_id=pjm%20west%20on%20peak',
  'GET /v1/admin/mappings/search': '/v1/admin/mappings/search?q=pjm',
  'GET /v1/drought/tiles/{dataset}/{index}/{timescale}/{z}/{x}/{y}':
    '/v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png?valid_date=2025-09-02',
  'GET /v1/drought/info/{dataset}/{index}/{timescale}':
    '/v1/drought/info/nclimgrid/SPI/3M?valid_date=2025-09-02',
  'GET /v1/metadata/eia/datasets/{dataset_path+}': '/v1/metadata/eia/datasets/natural-gas/stor/wkly',
  'GET /v2/ref/eia/series': '/v2/ref/eia/series?series_id=NG.RNGWHHD.D',
  'GET /v2/iso/lmp/last-24h': '/v2/iso/lmp/last-24h?iso=PJM',
  'GET /v2/iso/lmp/hourly': '/v2/iso/lmp/hourly?iso=PJM&date=2025-09-26',
  'GET /v2/iso/lmp/daily': '/v2/iso/lmp/daily?iso=PJM&date=2025-09-26',
  'GET /v2/iso/lmp/blocks':
    '/v2/iso/lmp/blocks?iso=PJM&location_id=WESTERN%20HUB&block=ON_PEAK&start=2025-09-01&end=2025-09-26',
};

const isPolicyScope = (scope: string): scope is CacheScope =>
  (CACHE_SCOPES as readonly string[]).includes(scope);

/** Every registered GET route whose answers the server cache holds under a policy. */
const cachedRoutes = registry.routes.filter(
  (route) => route.method === 'GET' && route.cache && isPolicyScope(route.cache.scope),
);

const requestOf = (route: (typeof cachedRoutes)[number]): string => {
  const known = REQUESTS[`${route.method} ${route.path}`];
  if (known)
    return known
      .replace('{mapping}', mappingId)
      .replace('{contract}', contractId)
      .replace('{scenario}', scenarioId)
      .replace('{run}', runId);
  const query = new URLSearchParams(route.warm?.[0] ?? {}).toString();
  return query ? `${route.path}?${query}` : route.path;
};

let api: LocalApi;
let mappingId = '';
let contractId = '';
let scenarioId = '';
let runId = '';
// The drought tile routes proxy a tile service: a fake one answers them here.
let tiles: FakeTileServer;
beforeAll(async () => {
  tiles = await startFakeTileServer();
  api = await startLocalApi({ AURUM_DROUGHT_TILE_BASE_URL: tiles.url });
  const created = await fetch(`${api.url}/v2/series-curve-mappings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      external_provider: 'EIA',
      external_series_id: 'cache-policies',
      curve_key: 'PJM.WESTERN_HUB.DA.ON_PEAK.PWR',
    }),
  });
  expect(created.status).toBe(201);
  mappingId = ((await created.json()) as { data: { id: string } }).data.id;
  const contract = await fetch(`${api.url}/v1/ppa/contracts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ terms: {} }),
  });
  expect(contract.status).toBe(201);
  contractId = ((await contract.json()) as { data: { ppa_contract_id: string } }).data.ppa_contract_id;
  const scenario = await fetch(`${api.url}/v1/scenarios`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'cache-policies', assumptions: [], parameters: {} }),
  });
  expect(scenario.status).toBe(201);
  scenarioId = ((await scenario.json()) as { data: { id: string } }).data.id;
  const run = await fetch(`${api.url}/v1/scenarios/${scenarioId}/run`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({}),
  });
  expect(run.status).toBe(202);
  runId = ((await run.json()) as { data: { id: string } }).data.id;
});
afterAll(async () => {
  await api.close();
  await tiles.close();
});

describe('Cache-Control of every cached route, through the local gateway', () => {
  it('covers the routes of every domain that caches', () => {
    expect(cachedRoutes.length).toBeGreaterThan(0);
    expect(new Set(cachedRoutes.map((r) => r.domain))).toContain('curves');
  });

  it.each(cachedRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers with max-age equal to its cache policy’s TTL',
    async (_, route) => {
      const res = await fetch(`${api.url}${requestOf(route)}`);
      expect(res.status).toBe(200);
      const policy = CACHE_POLICIES[route.cache!.scope as CacheScope];
      const cacheControl = res.headers.get('cache-control') ?? '';
      if (policy.ttlSeconds === 0) {
        // A 0 s policy (records that change under writes): kept by the client, revalidated every time.
        expect(cacheControl).toBe(`${route.auth === 'public' ? 'public' : 'private'}, no-cache`);
      } else {
        const maxAge = /(?:^|,\s*)max-age=(\d+)/.exec(cacheControl)?.[1];
        expect(Number(maxAge)).toBe(policy.ttlSeconds);
      }
      await res.arrayBuffer();
    },
  );
});
