import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  DIMENSION_NAMES,
  EIA_SERIES_COLUMNS,
  EiaDatasetBrief,
  EiaDatasetDetail,
  EiaDatasetV2,
  EiaSeriesPoint,
  EiaSeriesPointV2,
} from '#functions/eia/routes';
import { eiaDatasets } from '#lib/reference/eia-datasets';
import { EIA_REQUESTS } from '#test/support/eia-requests';
import {
  type Body,
  gatewayClient,
  type Problem,
  problemFields,
  switchableFlag,
  withCursor,
} from '#test/support/gateway-client';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

type Point = EiaSeriesPoint;
type PointV2 = EiaSeriesPointV2;
const TENANT = { 'X-Aurum-Tenant': 'acme' };
const flags = switchableFlag('v1-eia');
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

const cacheControl = (ttl: number) =>
  `private, max-age=${ttl}, stale-while-revalidate=${Math.min(Math.max(Math.floor(ttl / 2), 1), 600)}, stale-if-error=${Math.min(3 * ttl, 86_400)}`;
const SERIES_CACHE = cacheControl(300);
const DIMENSIONS_CACHE = cacheControl(3600);
const CATALOG_CACHE = cacheControl(7200);

async function expectRevalidates(path: string, cache: string, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe(cache);
  const etag = res.headers.get('etag')!;
  expect(etag).toMatch(/^"[^"]+"$/);
  await res.arrayBuffer();
  const again = await get(path, { ...headers, 'If-None-Match': etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  expect(again.headers.get('etag')).toBe(etag);
  expect(again.headers.get('cache-control')).toBe(cache);
}

async function expectProblem(
  path: string,
  status: number,
  named: string[],
  headers: Record<string, string> = {},
) {
  const { res, body } = await json<Problem>(path, headers);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  if (named.length > 0) expect(fields(body).sort(), path).toEqual([...named].sort());
  return body;
}

/** Ascending by series_id, period_start, period: the keyset order of every series list. */
function expectKeysetOrder(rows: { series_id: string; period_start: string; period: string }[]) {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const ordered =
      a.series_id < b.series_id ||
      (a.series_id === b.series_id &&
        (Date.parse(a.period_start) < Date.parse(b.period_start) ||
          (a.period_start === b.period_start && a.period < b.period)));
    expect(ordered, `${a.series_id} ${a.period} before ${b.series_id} ${b.period}`).toBe(true);
  }
}

/** A minimal RFC 4180 reader for the answers here (quoted fields with doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

const csvText = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

describe('the dataset catalog', () => {
  it('holds at least 30 real API v2 datasets, lower-case frequencies, the default among them', () => {
    expect(eiaDatasets().length).toBeGreaterThanOrEqual(30);
    expect(new Set(eiaDatasets().map((d) => d.path)).size).toBe(eiaDatasets().length);
    for (const path of [
      'natural-gas/stor/wkly',
      'natural-gas/pri/fut',
      'electricity/rto/region-data',
      'electricity/electric-power-operational-data',
      'petroleum/pri/spt',
    ]) {
      expect(eiaDatasets().map((d) => d.path)).toContain(path);
    }
    for (const d of eiaDatasets()) {
      expect(d.default_frequency).toBe(d.default_frequency.toLowerCase());
      expect(d.frequencies.map((f) => f.id)).toContain(d.default_frequency);
      for (const f of d.frequencies) expect(f.id).toBe(f.id.toLowerCase());
      expect(d.data_columns.length, d.path).toBeGreaterThan(0);
      expect(d.start_period <= d.end_period, d.path).toBe(true);
    }
  });
});

describe('GET /v1/metadata/eia/datasets', () => {
  it('lists every dataset by path with the brief fields, deprecated, cached as metadata', async () => {
    const { res, body } = await json<Body<Record<string, string>[]>>('/v1/metadata/eia/datasets');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('true');
    expect(body.meta.limit).toBe(500);
    const paths = body.data.map((d) => d.path);
    expect(paths).toEqual([...eiaDatasets().map((d) => d.path)].sort());
    for (const row of body.data) expect(z.strictObject(EiaDatasetBrief().shape).parse(row)).toEqual(row);
    expect(Object.keys(body.data[0]!)).toEqual([
      'path',
      'name',
      'description',
      'default_frequency',
      'start_period',
      'end_period',
    ]);
    await expectRevalidates('/v1/metadata/eia/datasets', CATALOG_CACHE);
  });

  it('filters by the start of the path or the name, in any case', async () => {
    const byPath = await walk<{ path: string }>('/v1/metadata/eia/datasets?prefix=NATURAL-GAS/STOR');
    expect(byPath.map((d) => d.path)).toEqual([
      'natural-gas/stor/cap',
      'natural-gas/stor/sum',
      'natural-gas/stor/wkly',
    ]);
    const byName = await walk<{ path: string; name: string }>('/v1/metadata/eia/datasets?prefix=weekly');
    expect(byName.length).toBeGreaterThan(0);
    for (const d of byName) expect(d.name.toLowerCase().startsWith('weekly')).toBe(true);
    expect(byName.map((d) => d.path)).toContain('natural-gas/stor/wkly');
    const { res, body } = await json<Body<unknown[]>>('/v1/metadata/eia/datasets?prefix=zzz');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
  });

  it('walks with cursors to the same list, and refuses a bad limit or cursor', async () => {
    const { body: all } = await json<Body<unknown[]>>('/v1/metadata/eia/datasets');
    expect(await walk('/v1/metadata/eia/datasets?limit=7')).toEqual(all.data);
    await expectProblem('/v1/metadata/eia/datasets?limit=0', 400, ['query.limit']);
    await expectProblem('/v1/metadata/eia/datasets?limit=1001', 400, ['query.limit']);
    await expectProblem('/v1/metadata/eia/datasets?cursor=garbage', 400, ['query.cursor']);
  });
});

describe('GET /v1/metadata/eia/datasets/{dataset_path+}', () => {
  it('answers one dataset by its path, slashes and all, with frequencies, facets and data columns', async () => {
    const { res, body } = await json<Body<Record<string, unknown>>>(
      '/v1/metadata/eia/datasets/natural-gas/stor/wkly',
    );
    expect(res.status).toBe(200);
    expect(z.strictObject(EiaDatasetDetail().shape).parse(body.data)).toEqual(body.data);
    expect(body.data.path).toBe('natural-gas/stor/wkly');
    expect(body.data.default_frequency).toBe('weekly');
    expect(body.data.default_date_format).toBe('YYYY-MM-DD');
    expect((body.data.facets as { id: string }[]).map((f) => f.id)).toContain('duoarea');
    expect(body.data.frequencies).toEqual([
      { id: 'weekly', description: 'One data point for each week.', query: 'W', format: 'YYYY-MM-DD' },
    ]);
    await expectRevalidates('/v1/metadata/eia/datasets/natural-gas/stor/wkly', CATALOG_CACHE);
  });

  it('answers the same dataset, and the same ETag, for its slashes percent-encoded in one segment', async () => {
    const plain = await json<Body<Record<string, unknown>>>(
      '/v1/metadata/eia/datasets/natural-gas/stor/wkly',
    );
    const encoded = await json<Body<Record<string, unknown>>>(
      '/v1/metadata/eia/datasets/natural-gas%2Fstor%2Fwkly',
    );
    expect(encoded.res.status).toBe(200);
    expect(encoded.body.data).toEqual(plain.body.data);
    expect(encoded.res.headers.get('etag')).toBe(plain.res.headers.get('etag'));
  });

  it('answers 404 for a path the catalog lacks and 400 for one that is not a path', async () => {
    const missing = await expectProblem('/v1/metadata/eia/datasets/natural-gas/stor/daily', 404, []);
    expect(missing.detail).toBe('Dataset not found');
    await expectProblem('/v1/metadata/eia/datasets/natural-gas//stor', 400, ['path.dataset_path']);
    await expectProblem('/v1/metadata/eia/datasets/Natural%20Gas', 400, ['path.dataset_path']);
  });
});

describe('GET /v1/ref/eia/series', () => {
  it('answers the reference fields and the interval contract, 200 rows by default, in keyset order', async () => {
    const { res, body } = await json<Body<Point[]>>('/v1/ref/eia/series');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(SERIES_CACHE);
    expect(res.headers.get('deprecation')).toBe('true');
    expect(body.data).toHaveLength(200);
    expect(body.meta.limit).toBe(200);
    expect(body.meta.has_more).toBe(true);
    for (const row of body.data) expect(z.strictObject(EiaSeriesPoint().shape).parse(row)).toEqual(row);
    expect(Object.keys(body.data[0]!)).toEqual(EIA_SERIES_COLUMNS());
    expect(EIA_SERIES_COLUMNS().slice(0, 20)).toEqual([
      'series_id',
      'period',
      'period_start',
      'period_end',
      'frequency',
      'value',
      'raw_value',
      'unit',
      'canonical_unit',
      'canonical_currency',
      'canonical_value',
      'conversion_factor',
      'area',
      'sector',
      'seasonal_adjustment',
      'description',
      'source',
      'dataset',
      'metadata',
      'ingest_ts',
    ]);
    expectKeysetOrder(body.data);
    await expectRevalidates('/v1/ref/eia/series?limit=5', SERIES_CACHE);
  });

  it('holds canonical_value = value × conversion_factor on every row, and value is raw_value read', async () => {
    const rows = await walk<Point>('/v1/ref/eia/series?limit=1000');
    expect(rows.length).toBeGreaterThan(2000);
    for (const row of rows) {
      expect(row.canonical_value, row.series_id).toBe(row.value! * row.conversion_factor!);
      expect(row.value).toBe(Number(row.raw_value));
    }
    const factors = new Map(rows.map((r) => [r.unit, [r.canonical_unit, r.conversion_factor]]));
    expect(factors.get('BCF')).toEqual(['MMBtu', 1_036_000]);
    expect(factors.get('thousand megawatthours')).toEqual(['MWh', 1000]);
    expect(factors.get('$/MMBTU')).toEqual(['USD/MMBtu', 1]);
  });

  it('filters by every dimension, frequency in any case, and period_start between start and end', async () => {
    const storage = await walk<Point>(
      '/v1/ref/eia/series?dataset=natural-gas/stor/wkly&area=R48&frequency=Weekly&unit=BCF&canonical_unit=MMBtu&source=EIA&limit=1000',
    );
    expect(storage).toHaveLength(52);
    for (const r of storage) {
      expect([r.series_id, r.frequency, r.area, r.dataset]).toEqual([
        'NG.NW2_EPG0_SWO_R48_BCF.W',
        'WEEKLY',
        'R48',
        'natural-gas/stor/wkly',
      ]);
      expect(r.metadata).toMatchObject({ facets: { duoarea: 'R48' } });
    }
    const generation = await walk<Point>('/v1/ref/eia/series?sector=99&frequency=MONTHLY&limit=1000');
    expect(new Set(generation.map((r) => r.series_id)).size).toBe(6);
    const usd = await walk<Point>('/v1/ref/eia/series?canonical_currency=USD&limit=1000');
    expect(new Set(usd.map((r) => r.series_id))).toEqual(new Set(['NG.RNGWHHD.D', 'PET.RWTC.D']));

    const start = '2025-09-08T05:00:00Z';
    const end = '2025-09-12T05:00:00Z';
    const { body } = await json<Body<Point[]>>(
      `/v1/ref/eia/series?series_id=NG.RNGWHHD.D&start=${start}&end=${end}&limit=1000`,
    );
    // Central daylight time: each trading day starts at 05:00 UTC; both bounds are included.
    expect(body.data.map((r) => r.period)).toEqual([
      '2025-09-08',
      '2025-09-09',
      '2025-09-10',
      '2025-09-11',
      '2025-09-12',
    ]);
    // A date is 00:00 UTC; 2025-09-26's trading day starts at 05:00 UTC, a second later is past it.
    const { body: dated } = await json<Body<Point[]>>(
      '/v1/ref/eia/series?series_id=NG.RNGWHHD.D&start=2025-09-26',
    );
    expect(dated.data.map((r) => r.period)).toEqual(['2025-09-26']);
    const { body: later } = await json<Body<Point[]>>(
      '/v1/ref/eia/series?series_id=NG.RNGWHHD.D&start=2025-09-26T05:00:01Z',
    );
    expect(later.data).toEqual([]);
    const { body: offset } = await json<Body<Point[]>>(
      `/v1/ref/eia/series?series_id=NG.RNGWHHD.D&start=${encodeURIComponent('2025-09-26T00:00:00-05:00')}`,
    );
    expect(offset.data.map((r) => r.period)).toEqual(['2025-09-26']);
  });

  it('refuses a bad timestamp, start after end, a bad limit, offset paging and a bad cursor, naming each field', async () => {
    await expectProblem('/v1/ref/eia/series?start=2025-02-30', 400, ['query.start']);
    await expectProblem('/v1/ref/eia/series?end=yesterday', 400, ['query.end']);
    await expectProblem('/v1/ref/eia/series?start=2025-09-01T25:00:00Z&end=2025-13-01', 400, [
      'query.start',
      'query.end',
    ]);
    await expectProblem('/v1/ref/eia/series?start=2025-09-02&end=2025-09-01', 400, ['query.end']);
    await expectProblem('/v1/ref/eia/series?limit=0', 400, ['query.limit']);
    await expectProblem('/v1/ref/eia/series?limit=1001', 400, ['query.limit']);
    await expectProblem('/v1/ref/eia/series?limit=ten', 400, ['query.limit']);
    await expectProblem('/v1/ref/eia/series?offset=10', 400, ['query.offset']);
    await expectProblem('/v1/ref/eia/series?cursor=not-a-cursor', 400, ['query.cursor']);
    const { body } = await json<Body<Point[]>>('/v1/ref/eia/series?area=R48&limit=2');
    await expectProblem(withCursor('/v1/ref/eia/series?area=R35&limit=2', body.meta.next_cursor!), 400, [
      'query.cursor',
    ]);
  });

  it('walks with next_cursor to exactly one large page, and back with prev_cursor', async () => {
    const filter = '/v1/ref/eia/series?frequency=daily';
    const { body: large } = await json<Body<Point[]>>(`${filter}&limit=1000`);
    expect(large.data).toHaveLength(260);
    expect(large.meta.next_cursor).toBeNull();
    const walked = await walk<Point>(`${filter}&limit=37`);
    expect(walked).toEqual(large.data);
    expectKeysetOrder(walked);

    const { body: p1 } = await json<Body<Point[]>>(`${filter}&limit=20`);
    expect(p1.meta.prev_cursor).toBeNull();
    const { body: p2 } = await json<Body<Point[]>>(withCursor(`${filter}&limit=20`, p1.meta.next_cursor!));
    expect(p2.data).toEqual(large.data.slice(20, 40));
    const { body: back } = await json<Body<Point[]>>(withCursor(`${filter}&limit=20`, p2.meta.prev_cursor!));
    expect(back.data).toEqual(p1.data);
    const { body: since } = await json<Body<Point[]>>(
      `${filter}&limit=20&since_cursor=${encodeURIComponent(p1.meta.next_cursor!)}`,
    );
    expect(since.data).toEqual(p2.data);
  });

  it('answers CSV with the documented header and the same rows as JSON, with its own ETag', async () => {
    const path = '/v1/ref/eia/series?series_id=NG.RNGWHHD.D&limit=25';
    const { body } = await json<Body<Point[]>>(path);
    const res = await get(`${path}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('eia_series.csv');
    expect(res.headers.get('x-next-cursor')).toBe(body.meta.next_cursor);
    const records = parseCsv(await res.text());
    expect(records[0]).toEqual(EIA_SERIES_COLUMNS());
    expect(records.slice(1)).toEqual(
      body.data.map((row) => EIA_SERIES_COLUMNS().map((c) => csvText(row[c]))),
    );
    await expectRevalidates(`${path}&format=csv`, SERIES_CACHE);
  });

  it('answers an empty page as 200 with data []', async () => {
    const { res, body } = await json<Body<Point[]>>('/v1/ref/eia/series?series_id=NO.SUCH.SERIES');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.meta.next_cursor).toBeNull();
    expect(res.headers.get('etag')).toMatch(/^"/);
  });
});

describe('the interval contract of EIA rows', () => {
  it('labels hourly demand by its UTC hour end and repeats hour ending 2 on the fall-back day', async () => {
    const { body } = await json<Body<Point[]>>(
      '/v1/ref/eia/series?series_id=EBA.PJM-ALL.D.H&start=2024-11-03T04:00:00Z&end=2024-11-03T07:00:00Z',
    );
    expect(
      body.data.map((r) => [
        r.period,
        r.interval_start_utc,
        r.interval_start_local,
        r.market_date,
        r.hour_ending,
        r.dst_repeat,
      ]),
    ).toEqual([
      ['2024-11-03T05', '2024-11-03T04:00:00Z', '2024-11-03T00:00:00-04:00', '2024-11-03', 1, false],
      ['2024-11-03T06', '2024-11-03T05:00:00Z', '2024-11-03T01:00:00-04:00', '2024-11-03', 2, false],
      ['2024-11-03T07', '2024-11-03T06:00:00Z', '2024-11-03T01:00:00-05:00', '2024-11-03', 2, true],
      ['2024-11-03T08', '2024-11-03T07:00:00Z', '2024-11-03T02:00:00-05:00', '2024-11-03', 3, false],
    ]);
  });

  it('spans every row from period_start to period_end; days, weeks and months from local midnight, no hour ending', async () => {
    const rows = await walk<Point>('/v1/ref/eia/series?limit=1000');
    const lengths = new Map<string, Set<number>>();
    for (const r of rows) {
      expect(Date.parse(r.interval_start_utc)).toBe(Date.parse(r.period_start));
      expect(Date.parse(r.interval_end_utc)).toBe(Date.parse(r.period_end));
      expect(Date.parse(r.interval_start_local)).toBe(Date.parse(r.period_start));
      const hours = (Date.parse(r.period_end) - Date.parse(r.period_start)) / 3_600_000;
      lengths.set(r.frequency, (lengths.get(r.frequency) ?? new Set()).add(hours));
      if (r.frequency === 'HOURLY') {
        expect(r.hour_ending).toBeGreaterThanOrEqual(1);
        expect(r.hour_ending).toBeLessThanOrEqual(24);
      } else {
        expect(r.interval_start_local.slice(11, 19)).toBe('00:00:00');
        expect(r.market_date).toBe(r.interval_start_local.slice(0, 10));
        expect([r.hour_ending, r.dst_repeat]).toEqual([null, false]);
      }
    }
    expect(lengths.get('HOURLY')).toEqual(new Set([1]));
    expect(lengths.get('DAILY')).toEqual(new Set([24]));
    // A week or month that contains a clock change is an hour shorter or longer.
    expect(lengths.get('WEEKLY')).toEqual(new Set([167, 168, 169]));
    expect(
      [...lengths.get('MONTHLY')!].every((h) => [672, 696, 719, 720, 721, 743, 744, 745].includes(h)),
    ).toBe(true);
    const weeks = rows.filter((r) => r.frequency === 'WEEKLY');
    for (const w of weeks) expect(new Date(`${w.period}T00:00:00Z`).getUTCDay()).toBe(5);
  });
});

describe('GET /v1/ref/eia/series/dimensions', () => {
  it('answers each dimension distinct and sorted over the filtered series', async () => {
    const { res, body } = await json<Body<Record<string, string[]>>>('/v1/ref/eia/series/dimensions');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(DIMENSIONS_CACHE);
    expect(Object.keys(body.data)).toEqual([...DIMENSION_NAMES]);
    for (const values of Object.values(body.data)) expect(values).toEqual([...new Set(values)].sort());
    expect(body.data.frequency).toEqual(['DAILY', 'HOURLY', 'MONTHLY', 'WEEKLY']);
    expect(body.data.dataset).toEqual([
      'electricity/electric-power-operational-data',
      'electricity/rto/region-data',
      'natural-gas/pri/fut',
      'natural-gas/stor/wkly',
      'petroleum/pri/spt',
    ]);
    const { body: hourly } = await json<Body<Record<string, string[]>>>(
      '/v1/ref/eia/series/dimensions?frequency=hourly',
    );
    expect(hourly.data).toEqual({
      dataset: ['electricity/rto/region-data'],
      area: ['CISO', 'ERCO', 'MISO', 'PJM'],
      sector: [],
      unit: ['megawatthours'],
      canonical_unit: ['MWh'],
      canonical_currency: [],
      frequency: ['HOURLY'],
      source: ['EIA'],
    });
    const { body: none } = await json<Body<Record<string, string[]>>>(
      '/v1/ref/eia/series/dimensions?area=NOWHERE',
    );
    expect(Object.values(none.data).every((v) => v.length === 0)).toBe(true);
    await expectRevalidates('/v1/ref/eia/series/dimensions?frequency=hourly', DIMENSIONS_CACHE);
  });
});

describe('GET /v2/metadata/eia/datasets', () => {
  it('pages the catalog by dataset_path with titles and when each dataset was last loaded', async () => {
    const { res, body } = await json<Body<Record<string, unknown>[]>>('/v2/metadata/eia/datasets', TENANT);
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(body.data).toHaveLength(10);
    expect(body.meta.total).toBe(eiaDatasets().length);
    for (const row of body.data) expect(z.strictObject(EiaDatasetV2().shape).parse(row)).toEqual(row);
    const all = await walk<{ dataset_path: string; title: string; last_updated: string }>(
      '/v2/metadata/eia/datasets?limit=9',
    );
    expect(all.map((d) => d.dataset_path)).toEqual([...eiaDatasets().map((d) => d.path)].sort());
    const byPath = new Map(all.map((d) => [d.dataset_path, d]));
    expect(byPath.get('natural-gas/stor/wkly')!.title).toBe('Weekly Natural Gas Storage Report');
    expect(byPath.get('natural-gas/stor/wkly')!.last_updated).toMatch(/^2025-09-\d\dT/);
    expect(byPath.get('seds')!.last_updated).toBe('unknown');
    expect(body.links?.next).toContain('cursor=');
    await expectRevalidates('/v2/metadata/eia/datasets', CATALOG_CACHE, TENANT);
  });

  it('refuses another tenant, a limit out of range and a bad cursor', async () => {
    await expectProblem('/v2/metadata/eia/datasets?tenant_id=someone-else', 403, [], TENANT);
    await expectProblem('/v2/metadata/eia/datasets?limit=101', 400, ['query.limit']);
    await expectProblem('/v2/metadata/eia/datasets?cursor=xyz', 400, ['query.cursor']);
    const { res } = await json('/v2/metadata/eia/datasets?tenant_id=acme', TENANT);
    expect(res.status).toBe(200);
  });
});

describe('GET /v2/ref/eia/series', () => {
  it('answers one series by period_start, 10 by default, with the canonical value in meta', async () => {
    const path = '/v2/ref/eia/series?series_id=NG.NW2_EPG0_SWO_R48_BCF.W';
    const { res, body } = await json<Body<PointV2[]>>(path, TENANT);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(SERIES_CACHE);
    expect(body.data).toHaveLength(10);
    expect(body.meta.limit).toBe(10);
    for (const row of body.data) {
      expect(z.strictObject(EiaSeriesPointV2().shape).parse(row)).toEqual(row);
      expect(row.unit).toBe('BCF');
      expect(row.meta.canonical_value).toBe(row.value! * row.meta.conversion_factor!);
    }
    const all = await walk<PointV2>(path);
    expect(all).toHaveLength(52);
    const { body: large } = await json<Body<PointV2[]>>(`${path}&limit=100`);
    expect(all).toEqual(large.data);
    expectKeysetOrder(all);
    await expectRevalidates(path, SERIES_CACHE, TENANT);
  });

  it('bounds period_start by start_date and end_date, both included', async () => {
    const { body } = await json<Body<PointV2[]>>(
      '/v2/ref/eia/series?series_id=ELEC.GEN.NG-US-99.M&start_date=2025-01-01T05:00:00Z&end_date=2025-03-01T05:00:00Z',
    );
    expect(body.data.map((r) => r.period)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(body.data.map((r) => r.interval_start_local)).toEqual([
      '2025-01-01T00:00:00-05:00',
      '2025-02-01T00:00:00-05:00',
      '2025-03-01T00:00:00-05:00',
    ]);
  });

  it('needs series_id, refuses bad dates, limits, cursors and another tenant, and answers empty pages', async () => {
    await expectProblem('/v2/ref/eia/series', 400, ['query.series_id']);
    await expectProblem('/v2/ref/eia/series?series_id=NG.RNGWHHD.D&start_date=2025-9-1', 400, [
      'query.start_date',
    ]);
    await expectProblem('/v2/ref/eia/series?series_id=NG.RNGWHHD.D&end_date=2025-09-31', 400, [
      'query.end_date',
    ]);
    await expectProblem('/v2/ref/eia/series?series_id=NG.RNGWHHD.D&limit=101', 400, ['query.limit']);
    await expectProblem('/v2/ref/eia/series?series_id=NG.RNGWHHD.D&cursor=x', 400, ['query.cursor']);
    await expectProblem('/v2/ref/eia/series?series_id=NG.RNGWHHD.D&tenant_id=other', 403, [], TENANT);
    const { res, body } = await json<Body<PointV2[]>>(
      '/v2/ref/eia/series?series_id=NG.RNGWHHD.D&start_date=2030-01-01',
    );
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.links?.next).toBeNull();
  });
});

describe('GET /v2/ref/eia/series/dimensions', () => {
  it('answers the v1 shape, filtered alike, and checks the tenant', async () => {
    const q = 'dataset=natural-gas/stor/wkly';
    const { res, body } = await json<Body<Record<string, string[]>>>(
      `/v2/ref/eia/series/dimensions?${q}&tenant_id=acme`,
      TENANT,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(DIMENSIONS_CACHE);
    const { body: v1 } = await json<Body<Record<string, string[]>>>(`/v1/ref/eia/series/dimensions?${q}`);
    expect(body.data).toEqual(v1.data);
    expect(body.data.area).toEqual(['R31', 'R32', 'R33', 'R34', 'R35', 'R48']);
    await expectProblem('/v2/ref/eia/series/dimensions?tenant_id=other', 403, [], TENANT);
    await expectRevalidates(`/v2/ref/eia/series/dimensions?${q}`, DIMENSIONS_CACHE, TENANT);
  });
});

describe('POST /v1/admin/cache/eia/series/invalidate', () => {
  it('makes the next series and dimensions requests misses, and leaves the catalog cached', async () => {
    const xcache = async (path: string) => {
      const res = await get(path);
      await res.arrayBuffer();
      return res.headers.get('x-cache');
    };
    const series = '/v1/ref/eia/series?area=R35&limit=3';
    const dimensions = '/v1/ref/eia/series/dimensions?area=R35';
    const catalog = '/v1/metadata/eia/datasets?prefix=petroleum';
    for (const path of [series, dimensions, catalog]) {
      await xcache(path);
      expect(await xcache(path), path).toBe('hit');
    }
    const res = await fetch(`${api.url}/v1/admin/cache/eia/series/invalidate`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { scope: string }[] };
    expect(body.data.map((d) => d.scope)).toEqual(['eia-series', 'eia-series-dimensions']);
    expect(await xcache(series)).toBe('miss');
    expect(await xcache(dimensions)).toBe('miss');
    expect(await xcache(catalog)).toBe('hit');
  });
});

describe('the representative EIA requests', () => {
  it('each answers 200 with data', async () => {
    for (const path of EIA_REQUESTS) {
      const res = await get(path, TENANT);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      if (path.includes('format=csv')) expect(text.split('\r\n').length, path).toBeGreaterThan(2);
      else {
        const data = (JSON.parse(text) as { data: unknown }).data;
        expect(Array.isArray(data) ? data.length : Object.keys(data as object).length, path).toBeGreaterThan(
          0,
        );
      }
    }
  });
});

describe('the v1-eia flag', () => {
  it('turns the v1 routes into 404 problems and leaves v2 alone', async () => {
    writeFlags(false);
    try {
      let res = await get('/v1/metadata/eia/datasets');
      for (let i = 0; res.status !== 404 && i < 40; i++) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 200));
        res = await get('/v1/metadata/eia/datasets');
      }
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      for (const path of [
        '/v1/metadata/eia/datasets/natural-gas%2Fstor%2Fwkly',
        '/v1/ref/eia/series',
        '/v1/ref/eia/series/dimensions',
      ]) {
        const off = await get(path);
        expect(off.status, path).toBe(404);
        expect(off.headers.get('content-type')).toBe('application/problem+json');
        await off.arrayBuffer();
      }
      for (const path of [
        '/v2/metadata/eia/datasets',
        '/v2/ref/eia/series?series_id=NG.RNGWHHD.D',
        '/v2/ref/eia/series/dimensions',
      ]) {
        const on = await get(path);
        expect(on.status, path).toBe(200);
        await on.arrayBuffer();
      }
    } finally {
      writeFlags(true);
    }
  });
});
