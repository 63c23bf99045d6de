import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsoLmpAggregate, IsoLmpBlock, IsoLmpPoint, IsoLmpValue } from '#functions/iso/routes';
import {
  type Body,
  gatewayClient,
  type Problem,
  problemFields,
  switchableFlag,
} from '#test/support/gateway-client';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

const flags = switchableFlag('v1-iso');
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

const ISO_CACHE = 'private, max-age=300, stale-while-revalidate=150, stale-if-error=900';
const HOUR = 3_600_000;
const ms = (s: string) => Date.parse(s);

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
  expect(again.headers.get('cache-control')).toBe(ISO_CACHE);
}

async function expectBadLimit(path: string, max: number) {
  const sep = path.includes('?') ? '&' : '?';
  for (const bad of ['0', String(max + 1), 'ten']) {
    const { res, body } = await json<Problem>(`${path}${sep}limit=${bad}`);
    expect(res.status, bad).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(fields(body)).toEqual(['query.limit']);
  }
  const { res } = await json<Body<unknown[]>>(`${path}${sep}limit=${max}`);
  expect(res.status).toBe(200);
}

/** CSV: the header is the row schema's members in order, and the records are the JSON rows. */
async function expectCsvMatchesJson(path: string, columns: string[], filename: string) {
  const { body } = await json<Body<Record<string, unknown>[]>>(path);
  const res = await get(`${path}&format=csv`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${filename}"`);
  const lines = (await res.text()).trimEnd().split('\r\n');
  expect(lines[0]).toBe(columns.join(','));
  expect(lines).toHaveLength(body.data.length + 1);
  // Column by column for the fields that never need quoting; the metadata object is JSON text.
  const at = (name: string) => columns.indexOf(name);
  body.data.forEach((row, i) => {
    const cells = lines[i + 1]!.split(',');
    for (const name of ['iso_code', 'market', 'interval_start', 'interval_start_utc', 'market_date']) {
      expect(cells[at(name)]).toBe(String(row[name]));
    }
  });
  expect(body.data.length).toBeGreaterThan(0);
}

const POINT_COLUMNS = Object.keys(IsoLmpPoint().shape);
const AGGREGATE_COLUMNS = Object.keys(IsoLmpAggregate().shape);

function expectNewestFirst(
  rows: { interval_start: string; iso_code: string; market: string; location_id: string }[],
) {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const ka = `${a.iso_code}\u0000${a.market}\u0000${a.location_id}`;
    const kb = `${b.iso_code}\u0000${b.market}\u0000${b.location_id}`;
    expect(a.interval_start > b.interval_start || (a.interval_start === b.interval_start && ka < kb)).toBe(
      true,
    );
  }
}

describe('GET /v1/iso/lmp/last-24h', () => {
  it('answers 500 IsoLmpPoint rows by default, newest first, each with the interval contract', async () => {
    const { res, body } = await json<Body<IsoLmpPoint[]>>('/v1/iso/lmp/last-24h');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(ISO_CACHE);
    expect(res.headers.get('deprecation')).toBe('true');
    expect(res.headers.get('x-api-version')).toBe('v1');
    expect(body.data).toHaveLength(500);
    expect(body.meta.limit).toBe(500);
    expect(body.meta.has_more).toBe(true);
    expectNewestFirst(body.data);
    for (const row of body.data) {
      expect(Object.keys(row)).toEqual(POINT_COLUMNS);
      expect(IsoLmpPoint().parse(row)).toEqual(row);
      expect(row.interval_start_utc).toBe(row.interval_start.replace('.000Z', 'Z'));
      expect(ms(row.interval_end) - ms(row.interval_start)).toBe(row.interval_minutes * 60_000);
      expect(row.market_date).toBe(row.delivery_date);
      expect(row.currency).toBe('USD');
      expect(row.uom).toBe('MWh');
    }
  });

  it('keeps the 24 hours ending at the newest interval of the rows asked for, for every market', async () => {
    for (const market of ['RT', 'DA']) {
      const rows = await walk<IsoLmpPoint>(`/v1/iso/lmp/last-24h?iso_code=ERCOT&market=${market}&limit=1000`);
      const newestEnd = Math.max(...rows.map((r) => ms(r.interval_end)));
      const locations = new Set(rows.map((r) => r.location_id));
      expect(rows.every((r) => ms(r.interval_start) >= newestEnd - 24 * HOUR)).toBe(true);
      // Every location has every interval of the window: 288 five-minute or 24 hourly intervals.
      expect(rows.length).toBe(locations.size * (market === 'RT' ? 288 : 24));
    }
  });

  it('matches iso_code, market and location_id in any case', async () => {
    const upper = await json<Body<IsoLmpPoint[]>>(
      '/v1/iso/lmp/last-24h?iso_code=PJM&market=RT&location_id=WESTERN%20HUB&limit=50',
    );
    const lower = await json<Body<IsoLmpPoint[]>>(
      '/v1/iso/lmp/last-24h?iso_code=pjm&market=rt&location_id=western%20hub&limit=50',
    );
    expect(lower.res.status).toBe(200);
    expect(lower.body.data).toEqual(upper.body.data);
    expect(upper.body.data.every((r) => r.location_id === 'WESTERN HUB' && r.market === 'RT')).toBe(true);
    expect(upper.body.data).toHaveLength(50);
  });

  it('serves the latest ingestion of each interval: corrections replace, never duplicate', async () => {
    const rows = await walk<IsoLmpPoint>('/v1/iso/lmp/last-24h?limit=1000');
    const keys = rows.map((r) => `${r.iso_code}|${r.market}|${r.location_id}|${r.interval_start}`);
    expect(new Set(keys).size).toBe(keys.length);
    const corrected = rows.filter((r) => r.metadata.revision === 1);
    expect(corrected.length).toBeGreaterThan(0);
    for (const r of corrected) expect(r.source_run_id).toMatch(/_r1$/);
  });

  it('walks with cursors to exactly one large page', async () => {
    const path = '/v1/iso/lmp/last-24h?iso_code=PJM&market=DA';
    const one = await json<Body<IsoLmpPoint[]>>(`${path}&limit=1000`);
    expect(one.body.meta.has_more).toBe(false);
    expect(await walk<IsoLmpPoint>(`${path}&limit=7`)).toEqual(one.body.data);
  });

  it('refuses a limit outside 1–1000 naming query.limit, and a foreign cursor naming query.cursor', async () => {
    await expectBadLimit('/v1/iso/lmp/last-24h?iso_code=MISO', 1000);
    const other = await json<Body<unknown[]>>('/v1/iso/lmp/hourly?limit=1');
    const { res, body } = await json<Problem>(
      `/v1/iso/lmp/last-24h?cursor=${encodeURIComponent(other.body.meta.next_cursor!)}`,
    );
    expect(res.status).toBe(400);
    expect(fields(body)).toEqual(['query.cursor']);
    const bad = await json<Problem>('/v1/iso/lmp/last-24h?iso_code=AESO');
    expect(bad.res.status).toBe(400);
    expect(fields(bad.body)).toEqual(['query.iso_code']);
  });

  it('answers CSV in the model’s column order with the JSON rows, and revalidates', async () => {
    await expectCsvMatchesJson(
      '/v1/iso/lmp/last-24h?iso_code=NYISO&limit=40',
      POINT_COLUMNS,
      'iso-lmp-last-24h.csv',
    );
    await expectRevalidates('/v1/iso/lmp/last-24h?iso_code=NYISO&limit=40');
    await expectRevalidates('/v1/iso/lmp/last-24h?iso_code=NYISO&limit=40&format=csv');
  });
});

describe('GET /v1/iso/lmp/negative', () => {
  it('answers negative intervals of the last 7 days, lowest price first, 200 by default', async () => {
    const { res, body } = await json<Body<IsoLmpPoint[]>>('/v1/iso/lmp/negative');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(ISO_CACHE);
    expect(body.data).toHaveLength(200);
    expect(body.meta.limit).toBe(200);
    const prices = body.data.map((r) => r.price_total);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(prices.every((p) => p < 0)).toBe(true);
    for (const row of body.data) expect(Object.keys(row)).toEqual(POINT_COLUMNS);
  });

  it('covers the 7 days before the newest interval, where ERCOT West and SPP go negative', async () => {
    const rows = await walk<IsoLmpPoint>('/v1/iso/lmp/negative?limit=1000');
    const latest = await json<Body<IsoLmpPoint[]>>('/v1/iso/lmp/last-24h?limit=1');
    const newestEnd = ms(latest.body.data[0]!.interval_end);
    expect(rows.every((r) => ms(r.interval_start) >= newestEnd - 7 * 24 * HOUR && r.price_total < 0)).toBe(
      true,
    );
    const places = new Set(rows.map((r) => `${r.iso_code} ${r.location_id}`));
    expect(places).toContain('ERCOT HB_WEST');
    expect(places).toContain('SPP SPP NORTH HUB');
    const prices = rows.map((r) => r.price_total);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    // Filtered, the window ends at the newest ERCOT real-time interval, two hours before CAISO's: it starts
    // earlier too, and agrees with the unfiltered answer where the two windows overlap.
    const ercot = await walk<IsoLmpPoint>('/v1/iso/lmp/negative?iso_code=ercot&market=rt&limit=1000');
    const ercotLatest = await json<Body<IsoLmpPoint[]>>(
      '/v1/iso/lmp/last-24h?iso_code=ERCOT&market=RT&limit=1',
    );
    const ercotEnd = ms(ercotLatest.body.data[0]!.interval_end);
    expect(ercotEnd).toBeLessThan(newestEnd);
    expect(ercot.every((r) => ms(r.interval_start) >= ercotEnd - 7 * 24 * HOUR)).toBe(true);
    expect(ercot.some((r) => ms(r.interval_start) < newestEnd - 7 * 24 * HOUR)).toBe(true);
    expect(ercot.filter((r) => ms(r.interval_start) >= newestEnd - 7 * 24 * HOUR)).toEqual(
      rows.filter((r) => r.iso_code === 'ERCOT' && r.market === 'RT'),
    );
  });

  it('is an empty 200 where nothing went negative, and refuses a bad limit', async () => {
    const { res, body } = await json<Body<IsoLmpPoint[]>>('/v1/iso/lmp/negative?iso_code=ISONE');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.meta.has_more).toBe(false);
    await expectBadLimit('/v1/iso/lmp/negative', 1000);
  });

  it('answers CSV and revalidates', async () => {
    await expectCsvMatchesJson(
      '/v1/iso/lmp/negative?iso_code=SPP&limit=30',
      POINT_COLUMNS,
      'iso-lmp-negative.csv',
    );
    await expectRevalidates('/v1/iso/lmp/negative?iso_code=SPP&limit=30');
  });
});

describe('GET /v1/iso/lmp/hourly and /daily', () => {
  it('hourly: clock-hour aggregates, 500 by default, newest first, 12 RT or 1 DA interval each', async () => {
    const { res, body } = await json<Body<IsoLmpAggregate[]>>('/v1/iso/lmp/hourly');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(ISO_CACHE);
    expect(body.data).toHaveLength(500);
    expectNewestFirst(body.data);
    for (const row of body.data) {
      expect(Object.keys(row)).toEqual(AGGREGATE_COLUMNS);
      expect(row.sample_count).toBe(row.market === 'RT' ? 12 : 1);
      expect(row.price_stddev === null).toBe(row.sample_count === 1);
      expect(row.price_min <= row.price_avg && row.price_avg <= row.price_max).toBe(true);
      expect(ms(row.interval_end_utc) - ms(row.interval_start_utc)).toBe(HOUR);
      expect(ms(row.interval_start) % HOUR).toBe(0);
      expect(row.hour_ending).toBeGreaterThanOrEqual(1);
    }
  });

  it('hourly: start and end bound the hour’s start; start after end names query.end', async () => {
    const rows = await walk<IsoLmpAggregate>(
      '/v1/iso/lmp/hourly?iso_code=PJM&market=DA&location_id=WESTERN%20HUB&start=2024-11-03T03:30:00Z&end=2024-11-03T08:00:00Z',
    );
    expect(rows.map((r) => r.interval_start)).toEqual([
      '2024-11-03T08:00:00.000Z',
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T06:00:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T04:00:00.000Z',
    ]);
    // The fall-back hour: HE 2 twice, the second marked as the repeat.
    expect(rows.map((r) => [r.interval_start_local, r.hour_ending, r.dst_repeat]).reverse()).toEqual([
      ['2024-11-03T00:00:00-04:00', 1, false],
      ['2024-11-03T01:00:00-04:00', 2, false],
      ['2024-11-03T01:00:00-05:00', 2, true],
      ['2024-11-03T02:00:00-05:00', 3, false],
      ['2024-11-03T03:00:00-05:00', 4, false],
    ]);
    const { res, body } = await json<Problem>('/v1/iso/lmp/hourly?start=2025-09-26&end=2025-09-25');
    expect(res.status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ field: 'query.end', code: 'start_after_end' })]);
    const bad = await json<Problem>('/v1/iso/lmp/hourly?start=yesterday');
    expect(fields(bad.body)).toEqual(['query.start']);
  });

  it('daily: market days on the ISO’s clock, 23 and 25 hours on DST days, delivery_date the market date', async () => {
    const rows = await walk<IsoLmpAggregate>(
      '/v1/iso/lmp/daily?iso_code=PJM&location_id=western%20hub&start=2024-11-02&end=2024-11-04T12:00:00Z&limit=2',
    );
    expect(rows.map((r) => [r.delivery_date, r.market])).toEqual([
      ['2024-11-04', 'DA'],
      ['2024-11-03', 'DA'],
      ['2024-11-03', 'RT'],
      ['2024-11-02', 'DA'],
    ]);
    const fallBack = rows.filter((r) => r.delivery_date === '2024-11-03');
    for (const r of fallBack) {
      expect(r.interval_start).toBe('2024-11-03T04:00:00.000Z');
      expect(r.interval_start_local).toBe('2024-11-03T00:00:00-04:00');
      expect(ms(r.interval_end_utc) - ms(r.interval_start_utc)).toBe(25 * HOUR);
      expect(r.sample_count).toBe(r.market === 'DA' ? 25 : 300);
      expect(r.market_date).toBe('2024-11-03');
      expect(r.hour_ending).toBeNull();
    }
    const spring = await walk<IsoLmpAggregate>(
      '/v1/iso/lmp/daily?iso_code=PJM&start=2025-03-09&end=2025-03-09T12:00:00Z',
    );
    expect(spring.length).toBeGreaterThan(0);
    for (const r of spring) {
      expect(r.delivery_date).toBe('2025-03-09');
      expect(ms(r.interval_end_utc) - ms(r.interval_start_utc)).toBe(23 * HOUR);
      expect(r.sample_count).toBe(r.market === 'DA' ? 23 : 276);
    }
  });

  it('is an empty 200 beyond the data; limits and CSV; revalidates', async () => {
    for (const route of ['hourly', 'daily']) {
      const { res, body } = await json<Body<unknown[]>>(`/v1/iso/lmp/${route}?start=2030-01-01`);
      expect(res.status).toBe(200);
      expect(body.data).toEqual([]);
      await expectBadLimit(`/v1/iso/lmp/${route}?iso_code=SPP`, 1000);
      await expectCsvMatchesJson(
        `/v1/iso/lmp/${route}?iso_code=CAISO&limit=30`,
        AGGREGATE_COLUMNS,
        `iso-lmp-${route}.csv`,
      );
      await expectRevalidates(`/v1/iso/lmp/${route}?iso_code=CAISO&limit=30`);
    }
  });

  it('walks daily with cursors to one large page', async () => {
    const path = '/v1/iso/lmp/daily?iso_code=NYISO&start=2025-09-01';
    const one = await json<Body<IsoLmpAggregate[]>>(`${path}&limit=1000`);
    expect(one.body.data.length).toBeGreaterThan(20);
    expect(await walk<IsoLmpAggregate>(`${path}&limit=9`)).toEqual(one.body.data);
  });
});

describe('v2 ISO routes', () => {
  const tenant = { 'X-Aurum-Tenant': 'acme' };

  it('last-24h: values with the contract, 10 by default, iso required, a foreign tenant_id is a 403', async () => {
    const { res, body } = await json<Body<IsoLmpValue[]>>('/v2/iso/lmp/last-24h?iso=caiso', tenant);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(ISO_CACHE);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(body.data).toHaveLength(10);
    expect(body.meta.limit).toBe(10);
    for (const row of body.data) {
      expect(Object.keys(row)).toEqual(Object.keys(IsoLmpValue().shape));
      expect(row.unit).toBe('USD/MWh');
      expect(row.interval_start_local).toMatch(/-0[78]:00$/);
    }
    const v1 = await json<Body<IsoLmpPoint[]>>('/v1/iso/lmp/last-24h?iso_code=CAISO&limit=10');
    // The same intervals as v1 (one ISO: the orders agree), each reduced to its value.
    expect(body.data.map((r) => [r.timestamp, r.market, r.location_id, r.value])).toEqual(
      v1.body.data.map((r) => [r.interval_start, r.market, r.location_id, r.price_total]),
    );
    const missing = await json<Problem>('/v2/iso/lmp/last-24h', tenant);
    expect(missing.res.status).toBe(400);
    expect(fields(missing.body)).toEqual(['query.iso']);
    expect((await get('/v2/iso/lmp/last-24h?iso=PJM&tenant_id=acme', tenant)).status).toBe(200);
    expect((await get('/v2/iso/lmp/last-24h?iso=PJM&tenant_id=other', tenant)).status).toBe(403);
    await expectBadLimit('/v2/iso/lmp/last-24h?iso=PJM', 100);
    await expectRevalidates('/v2/iso/lmp/last-24h?iso=PJM');
  });

  it('hourly: the clock hours of one market date, keyset-walked to one large page', async () => {
    const path = '/v2/iso/lmp/hourly?iso=PJM&date=2024-11-03&location_id=WESTERN%20HUB';
    const one = await json<Body<IsoLmpAggregate[]>>(`${path}&limit=100`);
    expect(one.body.data.filter((r) => r.market === 'DA').map((r) => r.hour_ending)).toEqual([
      1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    ]);
    expect(one.body.data).toHaveLength(50); // 25 hours, DA and RT
    expect(
      one.body.data.every((r) => r.market_date === '2024-11-03' && r.delivery_date === '2024-11-03'),
    ).toBe(true);
    expect(await walk<IsoLmpAggregate>(`${path}&limit=6`)).toEqual(one.body.data);
  });

  it('hourly and daily: date is a required market date (a bad one names query.date, never today)', async () => {
    for (const route of ['hourly', 'daily']) {
      for (const date of ['', '&date=2025-02-29', '&date=26-09-2025', '&date=today']) {
        const { res, body } = await json<Problem>(`/v2/iso/lmp/${route}?iso=PJM${date}`);
        expect(res.status, `${route} ${date}`).toBe(400);
        expect(fields(body)).toEqual(['query.date']);
      }
      const empty = await json<Body<unknown[]>>(`/v2/iso/lmp/${route}?iso=PJM&date=2020-01-01`);
      expect(empty.res.status).toBe(200);
      expect(empty.body.data).toEqual([]);
      await expectBadLimit(`/v2/iso/lmp/${route}?iso=PJM&date=2025-09-26`, 100);
      await expectRevalidates(`/v2/iso/lmp/${route}?iso=PJM&date=2025-09-26`);
    }
  });

  it('daily: one row per location and market of the market date, MISO’s 24 hours at -05:00 on a US DST day', async () => {
    const rows = await walk<IsoLmpAggregate>('/v2/iso/lmp/daily?iso=miso&date=2025-03-09&limit=3');
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r.interval_start_local).toBe('2025-03-09T00:00:00-05:00');
      expect(ms(r.interval_end_utc) - ms(r.interval_start_utc)).toBe(24 * HOUR);
      expect(r.sample_count).toBe(r.market === 'DA' ? 24 : 288);
    }
    const keys = rows.map((r) => `${r.market}\u0000${r.location_id}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('GET /v2/iso/lmp/blocks', () => {
  const base = '/v2/iso/lmp/blocks?iso=PJM&location_id=western%20hub';

  it('answers block averages per month with hours used and expected; a partial month shows', async () => {
    const { res, body } = await json<Body<IsoLmpBlock[]>>(
      `${base}&block=on_peak&start=2025-08-01&end=2025-09-30`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(ISO_CACHE);
    expect(body.data.map((r) => [r.period_start, r.period_end, r.block, r.period, r.market])).toEqual([
      ['2025-08-01', '2025-08-31', 'ON_PEAK', 'month', 'DA'],
      ['2025-09-01', '2025-09-30', 'ON_PEAK', 'month', 'DA'],
    ]);
    const [august, september] = body.data;
    // August 2025: 21 weekdays, no NERC holiday, 16 peak hours each.
    expect(august!.hours_expected).toBe(21 * 16);
    expect(august!.hours_used).toBe(august!.hours_expected);
    // September 2025: 22 weekdays less Labor Day; the data end on Friday the 26th, two weekdays short.
    expect(september!.hours_expected).toBe(21 * 16);
    expect(september!.hours_used).toBe(19 * 16);
    expect(august!.interval_start_utc).toBe('2025-08-01T04:00:00Z');
    expect(august!.interval_end_utc).toBe('2025-09-01T04:00:00Z');
    for (const r of body.data) expect(Object.keys(r)).toEqual(Object.keys(IsoLmpBlock().shape));
  });

  it('per day, a DST day’s 7x8 block has 9 hours (fall back); days without block hours are left out', async () => {
    const rows = await walk<IsoLmpBlock>(
      `${base}&block=7x8&period=day&start=2024-11-02&end=2024-11-04&limit=1`,
    );
    expect(rows.map((r) => [r.period_start, r.hours_expected, r.hours_used])).toEqual([
      ['2024-11-02', 8, 8],
      ['2024-11-03', 9, 9],
      ['2024-11-04', 8, 8],
    ]);
    const peak = await json<Body<IsoLmpBlock[]>>(
      `${base}&block=ON_PEAK&period=day&start=2025-09-20&end=2025-09-22`,
    );
    expect(peak.body.data.map((r) => r.period_start)).toEqual(['2025-09-22']); // the 20th and 21st are a weekend
  });

  it('with no prices in range, an average of null over 0 hours used', async () => {
    const { body } = await json<Body<IsoLmpBlock[]>>(`${base}&block=ATC&start=2023-01-01&end=2023-01-31`);
    expect(body.data).toEqual([
      expect.objectContaining({
        price_avg: null,
        hours_used: 0,
        hours_expected: 744,
        period_start: '2023-01-01',
      }),
    ]);
  });

  it('refuses a block not on the ISO’s calendar, a bad period, a reversed or too long range', async () => {
    const cases: [string, string][] = [
      [`${base}&block=PEAK&start=2025-08-01&end=2025-08-31`, 'query.block'],
      [`${base}&block=ON_PEAK&period=week&start=2025-08-01&end=2025-08-31`, 'query.period'],
      [`${base}&block=ON_PEAK&start=2025-08-31&end=2025-08-01`, 'query.end'],
      [`${base}&block=ON_PEAK&start=2024-01-01&end=2025-08-01`, 'query.end'],
      [`${base}&block=ON_PEAK&start=2025-13-01&end=2025-08-01`, 'query.start'],
      [`/v2/iso/lmp/blocks?iso=PJM&block=ON_PEAK&start=2025-08-01&end=2025-08-31`, 'query.location_id'],
      [
        `/v2/iso/lmp/blocks?iso=ERCOT&location_id=WESTERN%20HUB&block=ON_PEAK&start=2025-08-01&end=2025-08-31`,
        'query.location_id',
      ],
    ];
    for (const [path, field] of cases) {
      const { res, body } = await json<Problem>(path);
      expect(res.status, path).toBe(400);
      expect(fields(body), path).toEqual([field]);
    }
    await expectBadLimit(`${base}&block=ON_PEAK&start=2025-08-01&end=2025-08-31`, 100);
    await expectRevalidates(`${base}&block=ON_PEAK&start=2025-08-01&end=2025-08-31`);
  });
});

describe('the v1-iso flag', () => {
  it('off, the v1 routes answer 404 problems and v2 still answers', async () => {
    writeFlags(false);
    try {
      // The flag source re-reads its file; wait until the change is seen.
      let res = await get('/v1/iso/lmp/last-24h?limit=1');
      for (let i = 0; res.status !== 404 && i < 40; i++) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 200));
        res = await get('/v1/iso/lmp/last-24h?limit=1');
      }
      await res.arrayBuffer();
      for (const route of ['last-24h', 'hourly', 'daily', 'negative']) {
        const res = await get(`/v1/iso/lmp/${route}?limit=1`);
        expect(res.status, route).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await get('/v2/iso/lmp/last-24h?iso=PJM')).status).toBe(200);
    } finally {
      writeFlags(true);
    }
  });
});
