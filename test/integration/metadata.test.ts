import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoNodes } from '#lib/reference/iso-nodes';
import { UNIT_MAPPINGS } from '#lib/reference/units';
import { type Body, gatewayClient, type Problem, problemFields } from '#test/support/gateway-client';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

const { get, json, walk } = gatewayClient(() => api.url);
const fields = problemFields;
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const METADATA_CACHE = 'private, max-age=7200, stale-while-revalidate=600, stale-if-error=21600';

describe('GET /v1/metadata/dimensions', () => {
  it('lists each dimension’s distinct values in code point order, with ETag → 304 and the metadata TTL', async () => {
    const { res, body } =
      await json<Body<Record<string, string[]> & { counts: unknown }>>('/v1/metadata/dimensions');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(METADATA_CACHE);
    for (const d of ['asset_class', 'iso', 'location', 'market', 'product', 'block', 'tenor_type']) {
      const values = body.data[d]!;
      expect(values.length).toBeGreaterThan(0);
      expect([...values].sort(byCode)).toEqual(values);
      expect(new Set(values).size).toBe(values.length);
    }
    expect(body.data.iso).toContain('PJM');
    expect(body.data.counts).toBeNull();
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await get('/v1/metadata/dimensions', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('honours per_dim_limit, prefix (ignoring case), filters and include_counts', async () => {
    const { body } = await json<Body<Record<string, string[]>>>('/v1/metadata/dimensions?per_dim_limit=2');
    for (const values of Object.values(body.data))
      if (Array.isArray(values)) expect(values.length).toBeLessThanOrEqual(2);

    const { body: pre } = await json<Body<Record<string, string[]>>>('/v1/metadata/dimensions?prefix=er');
    expect(pre.data.iso).toEqual(['ERCOT']);
    for (const values of Object.values(pre.data))
      if (Array.isArray(values)) for (const v of values) expect(v.toLowerCase().startsWith('er')).toBe(true);

    const { body: ercot } = await json<Body<Record<string, string[]>>>('/v1/metadata/dimensions?iso=ercot');
    expect(ercot.data.iso).toEqual(['ERCOT']);

    const { body: counted } = await json<
      Body<Record<string, string[]> & { counts: Record<string, { value: string; count: number }[]> }>
    >('/v1/metadata/dimensions?include_counts=true');
    const isoCounts = counted.data.counts.iso!;
    expect(isoCounts.map((c) => c.value).sort(byCode)).toEqual(counted.data.iso);
    const counts = isoCounts.map((c) => c.count);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('refuses per_dim_limit outside 1..500, naming it', async () => {
    for (const bad of ['0', '501', 'x']) {
      const { res, body } = await json<Problem>(`/v1/metadata/dimensions?per_dim_limit=${bad}`);
      expect(res.status).toBe(400);
      expect(fields(body)).toContain('query.per_dim_limit');
    }
  });
});

interface Location {
  iso: string;
  location_id: string;
  location_name: string;
  location_type: string;
  zone: string | null;
  hub: string | null;
  timezone: string;
}

describe('GET /v1/metadata/locations', () => {
  it('answers every location by default, sorted by iso then location_id', async () => {
    const { res, body } = await json<Body<Location[]>>('/v1/metadata/locations');
    expect(res.status).toBe(200);
    expect(body.meta.limit).toBe(500);
    expect(body.data).toHaveLength(isoNodes().length);
    expect(Object.keys(body.data[0]!).sort()).toEqual(
      ['hub', 'iso', 'location_id', 'location_name', 'location_type', 'timezone', 'zone'].sort(),
    );
    const keys = body.data.map((l) => `${l.iso}\u0000${l.location_id}`);
    expect([...keys].sort(byCode)).toEqual(keys);
  });

  it('filters by iso and by a prefix of the id or the name, ignoring case', async () => {
    const { body } = await json<Body<Location[]>>('/v1/metadata/locations?iso=ercot&prefix=hb_');
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((l) => l.iso === 'ERCOT' && l.location_id.startsWith('HB_'))).toBe(true);
    const { body: byName } = await json<Body<Location[]>>('/v1/metadata/locations?iso=PJM&prefix=western');
    expect(byName.data.map((l) => l.location_id)).toEqual(['WESTERN HUB']);
    const unknown = await json<Problem>('/v1/metadata/locations?iso=NOPE');
    expect(unknown.res.status).toBe(400);
    expect(fields(unknown.body)).toContain('query.iso');
  });

  it('walks by keyset cursor to exactly one large page, and back through prev_cursor', async () => {
    const { body: whole } = await json<Body<Location[]>>('/v1/metadata/locations?limit=1000');
    expect(await walk<Location>('/v1/metadata/locations?limit=7')).toEqual(whole.data);

    const { body: first } = await json<Body<Location[]>>('/v1/metadata/locations?limit=5');
    const { body: second } = await json<Body<Location[]>>(
      `/v1/metadata/locations?limit=5&cursor=${encodeURIComponent(first.meta.next_cursor!)}`,
    );
    const { body: back } = await json<Body<Location[]>>(
      `/v1/metadata/locations?limit=5&cursor=${encodeURIComponent(second.meta.prev_cursor!)}`,
    );
    expect(back.data).toEqual(first.data);
  });

  it('refuses a limit out of range and a bad or foreign cursor, naming the field', async () => {
    for (const path of ['/v1/metadata/locations', '/v1/metadata/units/mapping', '/v1/metadata/calendars']) {
      for (const bad of ['0', '1001', '1e3']) {
        const { res, body } = await json<Problem>(`${path}?limit=${bad}`);
        expect(res.status).toBe(400);
        expect(fields(body)).toContain('query.limit');
      }
      const { res, body } = await json<Problem>(`${path}?cursor=garbage`);
      expect(res.status).toBe(400);
      expect(fields(body)).toContain('query.cursor');
    }
    // A cursor of one list is refused by another.
    const { body: calendars } = await json<Body<unknown[]>>('/v1/metadata/calendars?limit=2');
    const elsewhere = await json<Problem>(
      `/v1/metadata/units/mapping?limit=2&cursor=${encodeURIComponent(calendars.meta.next_cursor!)}`,
    );
    expect(elsewhere.res.status).toBe(400);
    expect(fields(elsewhere.body)).toContain('query.cursor');
    const { body: page } = await json<Body<Location[]>>('/v1/metadata/locations?limit=2');
    const foreign = await json<Problem>(
      `/v1/metadata/locations?iso=PJM&limit=2&cursor=${encodeURIComponent(page.meta.next_cursor!)}`,
    );
    expect(foreign.res.status).toBe(400);
    expect(fields(foreign.body)).toContain('query.cursor');
  });
});

describe('GET /v1/metadata/locations/{iso}/{location_id}', () => {
  it('finds a location ignoring case, and 404s an unknown one', async () => {
    const { res, body } = await json<Body<Location>>('/v1/metadata/locations/pjm/western%20hub');
    expect(res.status).toBe(200);
    expect(body.data).toEqual({
      iso: 'PJM',
      location_id: 'WESTERN HUB',
      location_name: 'Western Hub',
      location_type: 'HUB',
      zone: null,
      hub: 'WESTERN HUB',
      timezone: 'America/New_York',
    });
    expect(res.headers.get('cache-control')).toBe(METADATA_CACHE);
    const missing = await json<Problem>('/v1/metadata/locations/PJM/NOWHERE');
    expect(missing.res.status).toBe(404);
    expect(missing.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body.detail).toBe('Location not found');
  });
});

describe('units', () => {
  it('GET /v1/metadata/units: distinct currencies and units, sorted, prefix ignoring case', async () => {
    const { body } = await json<Body<{ currencies: string[]; units: string[] }>>('/v1/metadata/units');
    expect(body.data.currencies).toEqual([...new Set(UNIT_MAPPINGS.map((m) => m.currency))].sort(byCode));
    expect(body.data.units).toEqual([...new Set(UNIT_MAPPINGS.map((m) => m.per_unit))].sort(byCode));
    const { body: mw } = await json<Body<{ currencies: string[]; units: string[] }>>(
      '/v1/metadata/units?prefix=mw',
    );
    expect(mw.data.currencies).toEqual([]);
    expect(mw.data.units).toEqual(['MW-day', 'MWh']);
  });

  it('GET /v1/metadata/units/mapping: sorted by units_raw, prefix on raw, keyset pages', async () => {
    const { body } = await json<Body<{ units_raw: string }[]>>('/v1/metadata/units/mapping');
    expect(body.data).toEqual(UNIT_MAPPINGS.map((m) => ({ ...m })));
    expect(await walk('/v1/metadata/units/mapping?limit=3')).toEqual(body.data);
    const { body: usd } = await json<Body<{ units_raw: string }[]>>(
      '/v1/metadata/units/mapping?prefix=usd/m',
    );
    expect(usd.data.map((m) => m.units_raw)).toEqual(['USD/MMBtu', 'USD/MW-day', 'USD/MWh']);
  });
});

describe('calendars v1', () => {
  it('lists the calendars with their zones, sorted by name', async () => {
    const { body } = await json<Body<{ name: string; timezone: string }[]>>('/v1/metadata/calendars');
    expect(body.data.map((c) => c.name)).toEqual([
      'caiso',
      'ercot',
      'eu_base',
      'isone',
      'miso',
      'nyiso',
      'pjm',
      'spp',
    ]);
    expect(body.data.find((c) => c.name === 'pjm')?.timezone).toBe('America/New_York');
    expect(await walk('/v1/metadata/calendars?limit=3')).toEqual(body.data);
  });

  it('answers a calendar’s blocks ignoring case, 404 for an unknown calendar', async () => {
    const { body } = await json<Body<string[]>>('/v1/metadata/calendars/PJM/blocks');
    expect(body.data).toEqual([...body.data].sort(byCode));
    expect(body.data).toEqual(expect.arrayContaining(['2x16H', '7x8', 'ATC', 'OFF_PEAK', 'ON_PEAK']));
    const missing = await json<Problem>('/v1/metadata/calendars/atlantis/blocks');
    expect(missing.res.status).toBe(404);
    expect(missing.body.detail).toBe('Calendar not found');
  });

  it('answers a block’s hours on one day with true offsets; holidays have no ON_PEAK hours', async () => {
    const { body } = await json<Body<string[]>>(
      '/v1/metadata/calendars/pjm/hours?block=on_peak&date=2025-11-03',
    );
    expect(body.data).toHaveLength(16);
    expect(body.data[0]).toBe('2025-11-03T07:00:00-05:00');
    const { body: july4 } = await json<Body<string[]>>(
      '/v1/metadata/calendars/pjm/hours?block=ON_PEAK&date=2025-07-04',
    );
    expect(july4.data).toEqual([]);
    const { body: fallBack } = await json<Body<string[]>>(
      '/v1/metadata/calendars/pjm/hours?block=ATC&date=2025-11-02',
    );
    expect(fallBack.data).toHaveLength(25);
    expect(fallBack.data.slice(1, 3)).toEqual(['2025-11-02T01:00:00-04:00', '2025-11-02T01:00:00-05:00']);
    const noBlock = await json<Problem>('/v1/metadata/calendars/pjm/hours?block=NOPE&date=2025-11-03');
    expect(noBlock.res.status).toBe(404);
    const noDate = await json<Problem>('/v1/metadata/calendars/pjm/hours?block=ATC');
    expect(noDate.res.status).toBe(400);
    expect(fields(noDate.body)).toContain('query.date');
  });

  it('expand over a DST week equals the per-day hours concatenated', async () => {
    const days = [
      '2025-03-07',
      '2025-03-08',
      '2025-03-09',
      '2025-03-10',
      '2025-03-11',
      '2025-03-12',
      '2025-03-13',
    ];
    for (const block of ['ATC', 'ON_PEAK', 'OFF_PEAK', '7x8']) {
      const perDay: string[] = [];
      for (const date of days) {
        const { body } = await json<Body<string[]>>(
          `/v1/metadata/calendars/pjm/hours?block=${block}&date=${date}`,
        );
        perDay.push(...body.data);
      }
      const { body } = await json<Body<string[]>>(
        `/v1/metadata/calendars/pjm/expand?block=${block}&start=2025-03-07&end=2025-03-13`,
      );
      expect(body.data).toEqual(perDay);
    }
    const { body: atc } = await json<Body<string[]>>(
      '/v1/metadata/calendars/pjm/expand?block=ATC&start=2025-03-07&end=2025-03-13',
    );
    expect(atc.data).toHaveLength(7 * 24 - 1);
  });

  it('expand takes at most 366 days, start and end included, and refuses an end before start', async () => {
    const ok = await json<Body<string[]>>(
      '/v1/metadata/calendars/miso/expand?block=ATC&start=2024-01-01&end=2024-12-31',
    );
    expect(ok.res.status).toBe(200);
    expect(ok.body.data).toHaveLength(366 * 24);
    for (const end of ['2025-01-01', '2023-12-31']) {
      const { res, body } = await json<Problem>(
        `/v1/metadata/calendars/miso/expand?block=ATC&start=2024-01-01&end=${end}`,
      );
      expect(res.status).toBe(400);
      expect(fields(body)).toEqual(['query.end']);
    }
  });
});

describe('v2 metadata', () => {
  it('GET /v2/metadata/dimensions pages the seven dimensions with meta.total 7 and the v2 envelope', async () => {
    const { res, body } =
      await json<Body<{ dimension: string; values: string[]; asof: string }[]>>('/v2/metadata/dimensions');
    expect(res.status).toBe(200);
    expect(body.meta.total).toBe(7);
    expect(body.data).toHaveLength(7);
    expect(body.data.map((d) => d.dimension)).toEqual([
      'asset_class',
      'block',
      'iso',
      'location',
      'market',
      'product',
      'tenor_type',
    ]);
    expect(body.data.every((d) => d.asof === 'latest')).toBe(true);
    expect(body.links?.self).toBeDefined();
    expect(await walk('/v2/metadata/dimensions?limit=3')).toEqual(body.data);
  });

  it('GET /v2/metadata/locations needs iso, pages by location_id', async () => {
    const { body } = await json<
      Body<{ iso: string; location_id: string; name: string; latitude: number | null }[]>
    >('/v2/metadata/locations?iso=ercot&limit=100');
    expect(body.data.length).toBe(isoNodes().filter((n) => n.iso === 'ERCOT').length);
    expect(Object.keys(body.data[0]!).sort()).toEqual([
      'iso',
      'latitude',
      'location_id',
      'longitude',
      'name',
    ]);
    expect(await walk('/v2/metadata/locations?iso=ERCOT&limit=4')).toEqual(body.data);
    const { body: def } = await json<Body<unknown[]>>('/v2/metadata/locations?iso=ERCOT');
    expect(def.data).toHaveLength(10);
    const missing = await json<Problem>('/v2/metadata/locations');
    expect(missing.res.status).toBe(400);
    expect(fields(missing.body)).toContain('query.iso');
  });

  it('GET /v2/metadata/units: unique pairs by currency then unit; calendars with blocks', async () => {
    const units = await walk<{ currency: string; per_unit: string }>('/v2/metadata/units?limit=4');
    const pairs = [...new Set(UNIT_MAPPINGS.map((m) => `${m.currency}\u0000${m.per_unit}`))].sort(byCode);
    expect(units.map((u) => `${u.currency}\u0000${u.per_unit}`)).toEqual(pairs);
    const { body } = await json<Body<{ name: string; blocks: string[] }[]>>(
      '/v2/metadata/calendars?limit=100',
    );
    expect(body.data).toHaveLength(8);
    expect(body.data.find((c) => c.name === 'eu_base')?.blocks).toEqual(['BASE', 'PEAK']);
    expect(await walk('/v2/metadata/calendars?limit=3')).toEqual(body.data);
  });

  it('refuses limits outside 1..100 and bad cursors, naming the field; ETag → 304', async () => {
    for (const path of ['/v2/metadata/units', '/v2/metadata/calendars', '/v2/metadata/dimensions']) {
      for (const bad of ['0', '101']) {
        const { res, body } = await json<Problem>(`${path}?limit=${bad}`);
        expect(res.status).toBe(400);
        expect(fields(body)).toContain('query.limit');
      }
      const { res, body } = await json<Problem>(`${path}?cursor=nope.nope`);
      expect(res.status).toBe(400);
      expect(fields(body)).toContain('query.cursor');
    }
    const first = await get('/v2/metadata/calendars');
    const etag = first.headers.get('etag')!;
    expect((await get('/v2/metadata/calendars', { 'If-None-Match': etag })).status).toBe(304);
  });

  it('answers 403 when tenant_id is not the caller’s, 200 when it is', async () => {
    for (const path of ['/v2/metadata/units', '/v2/metadata/calendars', '/v2/metadata/locations?iso=PJM&']) {
      const sep = path.endsWith('&') ? '' : '?';
      const other = await get(`${path}${sep}tenant_id=globex`, { 'X-Aurum-Tenant': 'acme' });
      expect(other.status).toBe(403);
      const same = await get(`${path}${sep}tenant_id=acme`, { 'X-Aurum-Tenant': 'acme' });
      expect(same.status).toBe(200);
    }
  });
});

interface Interval {
  interval_start_utc: string;
  interval_end_utc: string;
  interval_start_local: string;
  market_date: string;
  hour_ending: number;
  dst_repeat: boolean;
  blocks: string[];
}

describe('GET /v2/metadata/calendars/{name}/intervals', () => {
  it('answers the 25 hours of a fall-back day, consecutive in UTC, one dst_repeat', async () => {
    const { res, body } = await json<Body<Interval[]>>(
      '/v2/metadata/calendars/PJM/intervals?date=2025-11-02',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(METADATA_CACHE);
    expect(body.data).toHaveLength(25);
    expect(body.meta).toMatchObject({ calendar: 'pjm', timezone: 'America/New_York', hours: 25 });
    expect(body.data.filter((i) => i.dst_repeat)).toHaveLength(1);
    expect(body.data[0]).toEqual({
      interval_start_utc: '2025-11-02T04:00:00Z',
      interval_end_utc: '2025-11-02T05:00:00Z',
      interval_start_local: '2025-11-02T00:00:00-04:00',
      market_date: '2025-11-02',
      hour_ending: 1,
      dst_repeat: false,
      blocks: expect.arrayContaining(['ATC', 'OFF_PEAK', '7x8']),
    });
    for (let i = 1; i < body.data.length; i++)
      expect(body.data[i]!.interval_start_utc).toBe(body.data[i - 1]!.interval_end_utc);
    // A Sunday: its peak-window hours are 2x16H, none ON_PEAK.
    expect(body.data.some((i) => i.blocks.includes('ON_PEAK'))).toBe(false);
    expect(body.data.filter((i) => i.blocks.includes('2x16H'))).toHaveLength(16);
  });

  it('keeps one block’s hours with block, and 404s unknown names', async () => {
    const { body } = await json<Body<Interval[]>>(
      '/v2/metadata/calendars/ercot/intervals?date=2025-11-03&block=on_peak',
    );
    expect(body.data).toHaveLength(16);
    expect(body.data[0]!.hour_ending).toBe(7);
    expect((await get('/v2/metadata/calendars/ercot/intervals?date=2025-11-03&block=NOPE')).status).toBe(404);
    expect((await get('/v2/metadata/calendars/nope/intervals?date=2025-11-03')).status).toBe(404);
    const { res, body: problem } = await json<Problem>(
      '/v2/metadata/calendars/pjm/intervals?date=2025-02-30',
    );
    expect(res.status).toBe(400);
    expect(fields(problem)).toContain('query.date');
  });
});
