import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDroughtHandler } from '#functions/drought/handler';
import { runtimeFromEnv } from '#lib/http/runtime';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type FakeTileServer, pngFor, startFakeTileServer } from '#test/support/fake-tile-server';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/** The upstream waits of this file: short, so a slow upstream is cut off long before it answers. */
const UPSTREAM_WAIT_MS = 1000;
const PAST = '2025-09-02';
const TILE = `/v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png?valid_date=${PAST}`;
const UPSTREAM_TILE = `/tiles/nclimgrid/SPI/3M/${PAST}/4/3/6.png`;
const INFO = `/v1/drought/info/nclimgrid/SPI/3M?valid_date=${PAST}`;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let upstream: FakeTileServer;
let api: LocalApi;

beforeAll(async () => {
  upstream = await startFakeTileServer();
  api = await startLocalApi({
    AURUM_DROUGHT_TILE_BASE_URL: upstream.url,
    AURUM_DROUGHT_TILE_TIMEOUT_MS: String(UPSTREAM_WAIT_MS),
    AURUM_DROUGHT_INFO_TIMEOUT_MS: String(UPSTREAM_WAIT_MS),
  });
});
afterAll(async () => {
  await api.close();
  await upstream.close();
});
beforeEach(() => upstream.reset());

/** Each test gets paths of its own, so one test's cached tile is never another's hit. */
let tileRow = 100;
const freshTile = (date = PAST) => {
  tileRow += 1;
  return {
    path: `/v1/drought/tiles/acis/SPEI/6M/5/7/${tileRow % 32}.png?valid_date=${date.slice(0, 8)}${String((tileRow % 28) + 1).padStart(2, '0')}`,
  };
};
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

interface Problem {
  type: string;
  status: number;
  code?: string;
  errors?: { field: string }[];
}

describe('GET /v1/drought/tiles/… through the local gateway', () => {
  it('serves the upstream PNG bytes with ETag and the past-day policy, then from the cache with one upstream call', async () => {
    const first = await get(TILE);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toBe(
      'private, max-age=86400, stale-while-revalidate=600, stale-if-error=86400',
    );
    expect(first.headers.get('x-cache')).toBe('miss');
    const bytes = Buffer.from(await first.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(bytes.equals(pngFor(UPSTREAM_TILE.slice('/tiles/'.length)))).toBe(true);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const second = await get(TILE);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(Buffer.from(await second.arrayBuffer()).equals(bytes)).toBe(true);
    expect(second.headers.get('etag')).toBe(etag);
    expect(upstream.requests.filter((r) => r === UPSTREAM_TILE)).toHaveLength(1);

    const revalidated = await get(TILE, { 'If-None-Match': etag! });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toContain('max-age=86400');
  });

  it('keeps a tile of today under the short policy', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await get(`/v1/drought/tiles/nclimgrid/SPEI/1M/2/1/1.png?valid_date=${today}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(
      'private, max-age=300, stale-while-revalidate=150, stale-if-error=900',
    );
    await res.arrayBuffer();
  });

  it('asks the upstream for the catalog’s spelling, whatever case the request used', async () => {
    const res = await get(`/v1/drought/tiles/NClimGrid/spi/3m/3/2/5.png?valid_date=${PAST}`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(upstream.requests).toEqual([`/tiles/nclimgrid/SPI/3M/${PAST}/3/2/5.png`]);
  });

  it.each([
    [404, 'tile_not_available'],
    [500, 'tile_fetch_failed'],
    [503, 'tile_fetch_failed'],
  ])('answers an upstream %i as a %s problem and caches nothing', async (status, code) => {
    const { path } = freshTile();
    upstream.on('acis/', { status });
    const res = await get(path);
    expect(res.status).toBe(status === 404 ? 404 : 502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const problem = (await res.json()) as Problem;
    expect(problem.code).toBe(code);
    expect(problem.type).toMatch(new RegExp(`/${code}$`));
    expect(upstream.requests).toHaveLength(1);

    // The failure was not kept: the next request goes upstream again and gets the tile.
    upstream.reset();
    const retry = await get(path);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-cache')).toBe('miss');
    await retry.arrayBuffer();
    expect(upstream.requests).toHaveLength(1);
  });

  it('answers a body that is not a PNG as tile_fetch_failed', async () => {
    const { path } = freshTile();
    upstream.on('acis/', { body: '<html>maintenance</html>', contentType: 'text/html' });
    const res = await get(path);
    expect(res.status).toBe(502);
    expect(((await res.json()) as Problem).code).toBe('tile_fetch_failed');
  });

  it('cuts a slow upstream off at the proxy’s wait with a 504 problem and caches nothing', async () => {
    const { path } = freshTile();
    // The upstream would answer long after the test's own timeout: any answer at all came from the deadline.
    upstream.on('acis/', { delayMs: 60_000 });
    const res = await get(path);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    upstream.reset();
    const retry = await get(path);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-cache')).toBe('miss');
    await retry.arrayBuffer();
  });

  it('never lets a hostile path segment reach the upstream', async () => {
    const hostile = [
      `/v1/drought/tiles/..%2F..%2Fadmin/SPI/3M/4/3/6.png?valid_date=${PAST}`,
      `/v1/drought/tiles/nclimgrid/SPI%3Fx%3D1/3M/4/3/6.png?valid_date=${PAST}`,
      `/v1/drought/tiles/nclimgrid/SPI/3M%2F..%2F..%2F/4/3/6.png?valid_date=${PAST}`,
      `/v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png%3Fhost%3Devil.example?valid_date=${PAST}`,
      `/v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png?valid_date=2025-09-02%2F..%2F..`,
      `/v1/drought/tiles/http%3A%2F%2Fevil.example/SPI/3M/4/3/6.png?valid_date=${PAST}`,
    ];
    for (const path of hostile) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      await res.arrayBuffer();
    }
    expect(upstream.requests).toEqual([]);
  });

  it('refuses datasets, indices, timescales and zooms outside the catalog without asking upstream', async () => {
    const cases: Array<[string, number, string]> = [
      [`/v1/drought/tiles/evil/SPI/3M/4/3/6.png?valid_date=${PAST}`, 404, 'unknown_dataset'],
      [`/v1/drought/tiles/nclimgrid/VHI/3M/4/3/6.png?valid_date=${PAST}`, 404, 'tile_not_available'],
      [`/v1/drought/tiles/nclimgrid/SPI/5Y/4/3/6.png?valid_date=${PAST}`, 404, 'tile_not_available'],
      [`/v1/drought/tiles/nclimgrid/SPI/3M/9/3/6.png?valid_date=${PAST}`, 404, 'tile_not_available'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as Problem).code, path).toBe(code);
    }
    expect(upstream.requests).toEqual([]);
  });

  it('names the bad part of a tile request', async () => {
    const res = await get('/v1/drought/tiles/nclimgrid/SPI/3M/2/4/6.png');
    expect(res.status).toBe(400);
    const fields = ((await res.json()) as Problem).errors!.map((e) => e.field);
    expect(fields).toContain('query.valid_date');
    const outside = await get(`/v1/drought/tiles/nclimgrid/SPI/3M/2/4/1.png?valid_date=${PAST}`);
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as Problem).errors!.map((e) => e.field)).toEqual(['path.x']);
    const noSuffix = await get(`/v1/drought/tiles/nclimgrid/SPI/3M/2/1/1?valid_date=${PAST}`);
    expect(noSuffix.status).toBe(400);
    expect(((await noSuffix.json()) as Problem).errors!.map((e) => e.field)).toEqual(['path.y']);
  });
});

describe('GET /v1/drought/info/…', () => {
  it('answers the upstream TileJSON in the v1 envelope, then from the cache', async () => {
    const res = await get(INFO);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('max-age=86400');
    const body = (await res.json()) as {
      meta: { request_id: string };
      data: { tilejson: string; tiles: string[] };
    };
    expect(body.data.tilejson).toBe('3.0.0');
    expect(body.data.tiles[0]).toContain(`nclimgrid/SPI/3M/${PAST}`);
    expect(upstream.requests).toEqual([`/tiles/nclimgrid/SPI/3M/${PAST}/info.json`]);
    const etag = res.headers.get('etag')!;
    const again = await get(INFO, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    [404, 404, 'info_not_available'],
    [502, 502, 'info_fetch_failed'],
  ])('answers an upstream %i as a %i %s problem', async (upstreamStatus, status, code) => {
    upstream.on('cpc/', { status: upstreamStatus });
    const res = await get(`/v1/drought/info/cpc/SPI/1M?valid_date=2025-08-0${upstreamStatus % 7}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as Problem).code).toBe(code);
  });

  it('refuses an upstream body that is not a JSON object', async () => {
    upstream.on('prism/', { body: '[1,2]', contentType: 'application/json' });
    const res = await get('/v1/drought/info/prism/SPI/1M?valid_date=2025-08-11');
    expect(res.status).toBe(502);
    expect(((await res.json()) as Problem).code).toBe('info_fetch_failed');
  });

  it('cuts a slow upstream off at the proxy’s wait with a 504', async () => {
    upstream.on('prism/', { delayMs: 60_000 });
    const res = await get('/v1/drought/info/prism/SPEI/3M?valid_date=2025-08-12');
    expect(res.status).toBe(504);
    await res.arrayBuffer();
  });
});

describe('the drought Lambda answer for a tile', () => {
  it('is base64 with isBase64Encoded, as API Gateway needs for binary media', async () => {
    const handler = createDroughtHandler({
      tileBaseUrl: upstream.url,
      runtime: () => runtimeFromEnv({ ...process.env, AURUM_AUTH_MODE: 'jwt' }),
    });
    const event = gatewayEvent(
      'GET /v1/drought/tiles/{dataset}/{index}/{timescale}/{z}/{x}/{y}',
      '/v1/drought/tiles/eddi/EDDI/2W/3/4/5.png',
      {
        query: { valid_date: PAST },
        pathParameters: { dataset: 'eddi', index: 'EDDI', timescale: '2W', z: '3', x: '4', y: '5.png' },
        claims: { sub: 'u1', tenant: 'acme', scope: 'drought:read' },
        headers: { 'accept-encoding': 'gzip' },
      },
    );
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(true);
    expect(res.headers['Content-Type']).toBe('image/png');
    expect(res.headers['Content-Encoding']).toBeUndefined();
    expect(Buffer.from(res.body, 'base64').equals(pngFor(`eddi/data/2W/${PAST}/3/4/5.png`))).toBe(true);
    expect(upstream.requests).toEqual([`/tiles/eddi/data/2W/${PAST}/3/4/5.png`]);
  });

  it('stops waiting for the upstream at the request deadline when it comes before the proxy’s own wait', async () => {
    upstream.on('cpc/', { delayMs: 60_000 });
    const handler = createDroughtHandler({
      tileBaseUrl: upstream.url,
      tileTimeoutMs: 20_000,
      runtime: () => runtimeFromEnv({ ...process.env, AURUM_AUTH_MODE: 'jwt' }),
    });
    const res = await handler(
      gatewayEvent(
        'GET /v1/drought/tiles/{dataset}/{index}/{timescale}/{z}/{x}/{y}',
        '/v1/drought/tiles/cpc/SPI/1M/2/1/1.png',
        {
          query: { valid_date: PAST },
          pathParameters: { dataset: 'cpc', index: 'SPI', timescale: '1M', z: '2', x: '1', y: '1.png' },
          claims: { sub: 'u1', tenant: 'acme', scope: 'drought:read' },
        },
      ),
      // The Lambda has 1.5 s left, far less than the 20 s tile wait (set explicitly here).
      lambdaContext(1500),
    );
    expect(res.statusCode).toBe(504);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(upstream.requests).toHaveLength(1);
  });

  it('answers problems fast when no tile service is configured', async () => {
    const handler = createDroughtHandler({
      runtime: () =>
        runtimeFromEnv({ ...process.env, AURUM_AUTH_MODE: 'jwt', AURUM_DROUGHT_TILE_BASE_URL: '' }),
      tileBaseUrl: '',
    });
    const res = await handler(
      gatewayEvent('GET /v1/drought/info/{dataset}/{index}/{timescale}', '/v1/drought/info/acis/SPI/1M', {
        query: { valid_date: PAST },
        pathParameters: { dataset: 'acis', index: 'SPI', timescale: '1M' },
        claims: { sub: 'u1', tenant: 'acme', scope: 'drought:read' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(502);
    expect((JSON.parse(res.body) as Problem).code).toBe('info_fetch_failed');
    expect(upstream.requests).toEqual([]);
  });
});
