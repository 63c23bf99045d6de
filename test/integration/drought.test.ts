import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { EVENT_LAYERS, RASTER_DATASETS, REGION_TYPE_CODES } from '#functions/drought/catalog';
import { IndexValue, LayerEvent, UsdmArea } from '#functions/drought/routes';
import {
  type Body,
  gatewayClient,
  type Problem,
  problemFields,
  switchableFlag,
} from '#test/support/gateway-client';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

const flags = switchableFlag('v1-drought');
const writeFlags = flags.set;

let api: LocalApi;
beforeAll(async () => {
  writeFlags(true);
  api = await startLocalApi({ AURUM_FLAGS_FILE: flags.path });
});
afterAll(async () => {
  await api.close();
});

const { get, json, walk } = gatewayClient(() => api.url);
const fields = problemFields;

const DATA_CACHE = 'private, max-age=3600, stale-while-revalidate=600, stale-if-error=10800';

/** Newest valid date first, then the route's tie-breakers in code point order. */
function expectNewestFirst<T extends Record<string, unknown>>(rows: T[], date: keyof T, ties: (keyof T)[]) {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const key = (r: T) => ties.map((t) => String(r[t])).join('\u0000');
    const ordered = String(a[date]) > String(b[date]) || (a[date] === b[date] && key(a) < key(b));
    expect(ordered, `${key(a)} ${String(a[date])} before ${key(b)} ${String(b[date])}`).toBe(true);
  }
}

async function expectRevalidates(path: string) {
  const res = await get(path);
  expect(res.status).toBe(200);
  const etag = res.headers.get('etag')!;
  expect(etag).toMatch(/^"[^"]+"$/);
  await res.arrayBuffer();
  const again = await get(path, { 'If-None-Match': etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  expect(again.headers.get('etag')).toBe(etag);
  expect(again.headers.get('cache-control')).toBe(DATA_CACHE);
}

describe('GET /v1/drought/dimensions', () => {
  it('answers the catalog’s datasets, indices, timescales, layers (without usdm) and region types', async () => {
    const { res, body } = await json<Body<Record<string, string[]>>>('/v1/drought/dimensions');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(DATA_CACHE);
    expect(res.headers.get('deprecation')).toBe('true');
    expect(body.data.datasets).toEqual(RASTER_DATASETS.map((d) => d.dataset));
    expect(body.data.indices).toEqual(expect.arrayContaining(['SPI', 'SPEI', 'EDDI', 'VHI']));
    expect(body.data.timescales).toEqual(expect.arrayContaining(['1M', '3M', '12M', '2W']));
    expect(body.data.layers).toEqual(EVENT_LAYERS);
    expect(body.data.layers).not.toContain('usdm');
    expect(body.data.region_types).toEqual(['STATE', 'COUNTY', 'CLIMATE_DIVISION', 'HUC2', 'HUC8']);
    await expectRevalidates('/v1/drought/dimensions');
  });
});

describe('GET /v1/drought/indices', () => {
  it('answers the reference fields, 250 rows by default, newest valid date first', async () => {
    const { res, body } = await json<Body<IndexValue[]>>('/v1/drought/indices');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(DATA_CACHE);
    expect(body.data).toHaveLength(250);
    expect(body.meta.limit).toBe(250);
    expect(body.meta.has_more).toBe(true);
    for (const row of body.data) expect(z.strictObject(IndexValue().shape).parse(row)).toEqual(row);
    expect(Object.keys(body.data[0]!)).toEqual([
      'series_id',
      'dataset',
      'index',
      'timescale',
      'valid_date',
      'as_of',
      'value',
      'unit',
      'poc',
      'region_type',
      'region_id',
      'region_name',
      'parent_region_id',
      'source_url',
      'metadata',
    ]);
    expectNewestFirst(body.data, 'valid_date', ['series_id']);
    await expectRevalidates('/v1/drought/indices?limit=5');
  });

  it('filters by region=TYPE:ID exactly as by region_type and region_id, with names and parents joined', async () => {
    const byRegion = await walk<IndexValue>('/v1/drought/indices?region=county:48453&limit=1000');
    const byParts = await walk<IndexValue>(
      '/v1/drought/indices?region_type=COUNTY&region_id=48453&limit=1000',
    );
    expect(byRegion.length).toBeGreaterThan(0);
    expect(byParts).toEqual(byRegion);
    for (const row of byRegion) {
      expect([row.region_type, row.region_id, row.region_name, row.parent_region_id]).toEqual([
        'COUNTY',
        '48453',
        'Travis County',
        'TX',
      ]);
    }
  });

  it('filters by dataset, index, timescale and a date range (both ends included)', async () => {
    const { body } = await json<Body<IndexValue[]>>(
      '/v1/drought/indices?dataset=NCLIMGRID&index=spi&timescale=3m&start=2025-08-05&end=2025-09-02&limit=1000',
    );
    expect(body.data.length).toBeGreaterThan(0);
    const dates = new Set(body.data.map((r) => r.valid_date));
    expect(dates).toEqual(new Set(['2025-08-05', '2025-08-12', '2025-08-19', '2025-08-26', '2025-09-02']));
    for (const row of body.data) {
      expect([row.dataset, row.index, row.timescale]).toEqual(['nclimgrid', 'SPI', '3M']);
    }
  });

  it('walks with next_cursor to exactly one large page, and back with prev_cursor', async () => {
    const filter = '/v1/drought/indices?region=STATE:TX';
    const { body: large } = await json<Body<IndexValue[]>>(`${filter}&limit=1000`);
    expect(large.meta.has_more).toBe(false);
    expect(large.meta.next_cursor).toBeNull();
    const walked = await walk<IndexValue>(`${filter}&limit=37`);
    expect(walked).toEqual(large.data);
    expectNewestFirst(walked, 'valid_date', ['series_id']);

    const { body: p1 } = await json<Body<IndexValue[]>>(`${filter}&limit=20`);
    expect(p1.meta.prev_cursor).toBeNull();
    const { body: p2 } = await json<Body<IndexValue[]>>(
      `${filter}&limit=20&cursor=${encodeURIComponent(p1.meta.next_cursor!)}`,
    );
    expect(p2.data).toEqual(large.data.slice(20, 40));
    const { body: back } = await json<Body<IndexValue[]>>(
      `${filter}&limit=20&cursor=${encodeURIComponent(p2.meta.prev_cursor!)}`,
    );
    expect(back.data).toEqual(p1.data);
  });

  it('answers an empty page as 200 with data []', async () => {
    const { res, body } = await json<Body<IndexValue[]>>('/v1/drought/indices?dataset=acis');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.meta.next_cursor).toBeNull();
    expect(res.headers.get('etag')).toMatch(/^"/);
  });

  it.each([
    ['region=TX', ['query.region']],
    ['region=STATE:', ['query.region']],
    ['region=STATE:TX&region_type=COUNTY', ['query.region']],
    ['region=STATE:TX&region_id=CA', ['query.region']],
    ['limit=0', ['query.limit']],
    ['limit=1001', ['query.limit']],
    ['start=2025-09-30&end=2025-09-01', ['query.end']],
    ['start=2025-02-30', ['query.start']],
    ['cursor=not-a-cursor', ['query.cursor']],
    ['dataset=..%2Fetc', ['query.dataset']],
  ])('refuses %s with a 400 naming the field', async (query, expected) => {
    const { res, body } = await json<Problem>(`/v1/drought/indices?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(fields(body)).toEqual(expected);
  });

  it('refuses a cursor of another list or other filters as query.cursor', async () => {
    const { body: usdm } = await json<Body<unknown[]>>('/v1/drought/usdm?limit=2');
    const foreign = await json<Problem>(
      `/v1/drought/indices?limit=2&cursor=${encodeURIComponent(usdm.meta.next_cursor!)}`,
    );
    expect(foreign.res.status).toBe(400);
    expect(fields(foreign.body)).toEqual(['query.cursor']);
    const { body: tx } = await json<Body<unknown[]>>('/v1/drought/indices?region=STATE:TX&limit=2');
    const other = await json<Problem>(
      `/v1/drought/indices?region=STATE:CA&limit=2&cursor=${encodeURIComponent(tx.meta.next_cursor!)}`,
    );
    expect(other.res.status).toBe(400);
    expect(fields(other.body)).toEqual(['query.cursor']);
  });
});

describe('GET /v1/drought/usdm', () => {
  it('answers weekly cumulative shares with none_frac, 250 rows by default, newest week first', async () => {
    const { res, body } = await json<Body<UsdmArea[]>>('/v1/drought/usdm');
    expect(res.status).toBe(200);
    expect(body.data).toHaveLength(250);
    expect(body.meta.limit).toBe(250);
    for (const row of body.data) {
      expect(z.strictObject(UsdmArea().shape).parse(row)).toEqual(row);
      expect(new Date(`${row.valid_date}T00:00:00Z`).getUTCDay()).toBe(2);
    }
    expectNewestFirst(body.data, 'valid_date', ['region_type', 'region_id']);
    await expectRevalidates('/v1/drought/usdm?region=STATE:CA&limit=3');
  });

  it('walks a region’s weeks to one large page', async () => {
    const filter = '/v1/drought/usdm?region_type=huc8&start=2025-01-01';
    const { body: large } = await json<Body<UsdmArea[]>>(`${filter}&limit=1000`);
    expect(large.data.length).toBeGreaterThan(100);
    expect(new Set(large.data.map((r) => r.region_type))).toEqual(new Set(['HUC8']));
    expect(large.data.every((r) => r.valid_date >= '2025-01-01')).toBe(true);
    expect(await walk<UsdmArea>(`${filter}&limit=29`)).toEqual(large.data);
  });

  it('answers a region with no statistics as an empty 200 page', async () => {
    const { res, body } = await json<Body<UsdmArea[]>>('/v1/drought/usdm?region=STATE:ZZ');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
  });

  it('refuses a region without TYPE:ID as query.region, code invalid_region', async () => {
    const { res, body } = await json<Problem & { errors: { code?: string }[] }>(
      '/v1/drought/usdm?region=texas',
    );
    expect(res.status).toBe(400);
    expect(fields(body)).toEqual(['query.region']);
    expect(body.errors[0]!.code).toBe('invalid_region');
  });
});

describe('GET /v1/drought/layers', () => {
  it('answers dated events of the dimensions layers with WKT geometry, latest start first', async () => {
    const rows = await walk<LayerEvent>('/v1/drought/layers?limit=7');
    const { body: large } = await json<Body<LayerEvent[]>>('/v1/drought/layers?limit=1000');
    expect(rows).toEqual(large.data);
    expect(rows.length).toBeGreaterThan(20);
    expect(new Set(rows.map((r) => r.layer))).toEqual(new Set(EVENT_LAYERS));
    for (const row of rows) {
      expect(z.strictObject(LayerEvent().shape).parse(row)).toEqual(row);
      expect(row.geometry_wkt).toMatch(/^(POINT|POLYGON) \(/);
      expect(REGION_TYPE_CODES).toContain(row.region_type);
    }
    expectNewestFirst(rows, 'valid_start', ['layer', 'event_id']);
  });

  it('keeps one layer, and events overlapping start and end', async () => {
    const { body } = await json<Body<LayerEvent[]>>(
      '/v1/drought/layers?layer=WILDFIRE&start=2025-09-01&end=2025-09-10&limit=1000',
    );
    expect(body.data.length).toBeGreaterThan(0);
    for (const row of body.data) {
      expect(row.layer).toBe('wildfire');
      expect(row.valid_start < '2025-09-11').toBe(true);
      expect(row.valid_end === null || row.valid_end >= '2025-09-01').toBe(true);
    }
  });

  it('refuses a layer outside the dimensions (usdm included) as query.layer', async () => {
    for (const layer of ['usdm', 'tornado']) {
      const { res, body } = await json<Problem>(`/v1/drought/layers?layer=${layer}`);
      expect(res.status).toBe(400);
      expect(fields(body)).toEqual(['query.layer']);
    }
  });
});

describe('GET /v2/drought/indices and /v2/drought/usdm', () => {
  it('answer the v2 envelope with meta.filters, 10 rows by default, and links to follow', async () => {
    const { res, body } = await json<Body<IndexValue[]>>(
      '/v2/drought/indices?region=state:tx&index=spi&tenant_id=demo',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(body.data).toHaveLength(10);
    expect(body.meta.filters).toEqual({
      dataset: null,
      index: 'SPI',
      timescale: null,
      region_type: 'STATE',
      region_id: 'TX',
      start: null,
      end: null,
    });
    expect(body.links!.next).toContain('cursor=');
    const next = await json<Body<IndexValue[]>>(body.links!.next!);
    expect(next.body.data[0]).not.toEqual(body.data[0]);

    const usdm = await json<Body<UsdmArea[]>>('/v2/drought/usdm?region_type=COUNTY&start=2025-09-01');
    expect(usdm.res.status).toBe(200);
    expect(usdm.body.meta.filters).toEqual({
      region_type: 'COUNTY',
      region_id: null,
      start: '2025-09-01',
      end: null,
    });
  });

  it('walk to the same rows as one large page', async () => {
    const filter = '/v2/drought/usdm?region=STATE:WA';
    const { body: large } = await json<Body<UsdmArea[]>>(`${filter}&limit=100`);
    expect(large.data.length).toBe(52);
    expect(large.meta.has_more).toBe(false);
    expect(await walk<UsdmArea>(`${filter}&limit=9`)).toEqual(large.data);
    const indices = await walk<IndexValue>('/v2/drought/indices?region=HUC2:12&timescale=3M&limit=100');
    expect(await walk<IndexValue>('/v2/drought/indices?region=HUC2:12&timescale=3M&limit=7')).toEqual(
      indices,
    );
  });

  it('answer an empty page as 200 with data []', async () => {
    for (const path of ['/v2/drought/indices?dataset=prism', '/v2/drought/usdm?start=2030-01-01']) {
      const { res, body } = await json<Body<unknown[]>>(path);
      expect(res.status).toBe(200);
      expect(body.data).toEqual([]);
      expect(body.links!.next).toBeNull();
    }
  });

  it('refuse another tenant’s tenant_id with 403 and bad input with field-named 400s', async () => {
    for (const path of ['/v2/drought/indices?tenant_id=globex', '/v2/drought/usdm?tenant_id=globex']) {
      const res = await get(path, { 'X-Aurum-Tenant': 'acme' });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      await res.arrayBuffer();
    }
    expect((await get('/v2/drought/usdm?tenant_id=acme', { 'X-Aurum-Tenant': 'acme' })).status).toBe(200);
    const limit = await json<Problem>('/v2/drought/indices?limit=101');
    expect(limit.res.status).toBe(400);
    expect(fields(limit.body)).toEqual(['query.limit']);
    const region = await json<Problem>('/v2/drought/usdm?region=WA');
    expect(fields(region.body)).toEqual(['query.region']);
    const cursor = await json<Problem>('/v2/drought/usdm?cursor=abc');
    expect(fields(cursor.body)).toEqual(['query.cursor']);
  });
});

describe('the v1-drought flag', () => {
  it('turns the v1 routes into 404 problems and leaves v2 alone', async () => {
    writeFlags(false);
    try {
      let res = await get('/v1/drought/dimensions');
      for (let i = 0; res.status !== 404 && i < 40; i++) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 200));
        res = await get('/v1/drought/dimensions');
      }
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      for (const path of [
        '/v1/drought/indices',
        '/v1/drought/usdm',
        '/v1/drought/layers',
        '/v1/drought/info/nclimgrid/SPI/3M?valid_date=2025-09-02',
        '/v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png?valid_date=2025-09-02',
      ]) {
        const off = await get(path);
        expect(off.status, path).toBe(404);
        await off.arrayBuffer();
      }
      expect((await get('/v2/drought/usdm')).status).toBe(200);
    } finally {
      writeFlags(true);
    }
  });
});
