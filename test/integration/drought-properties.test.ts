import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexValue, UsdmArea } from '#functions/drought/routes';
import { SAMPLE_REGIONS, usdmFractions } from '#infra/local/drought-sample-data';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { sql } from '#lib/data/sql';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/**
 * Invariants of the drought answers, over generated requests through the local gateway: whatever region,
 * window and page size a caller picks, the USDM shares are cumulative and in range, weeks follow one another,
 * and an index answer holds one value per series and date, the latest ingestion's.
 */

let api: LocalApi;
let engine: SqlEngine;
beforeAll(async () => {
  api = await startLocalApi();
  engine = await createEngine();
});
afterAll(async () => {
  await api.close();
  await engine.close();
});

interface Page<T> {
  data: T[];
  meta: { next_cursor: string | null };
}

async function walk<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 500; i++) {
    const res = await fetch(`${api.url}${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page<T>;
    rows.push(...page.data);
    cursor = page.meta.next_cursor;
    if (!cursor) break;
  }
  return rows;
}

const DAY_MS = 86_400_000;
const dayOf = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const EPSILON = 1e-9;

const region = fc.constantFrom(...SAMPLE_REGIONS);
/** An optional window of valid dates inside (and around) the sample year. */
const window = fc.option(
  fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 120 })).map(([from, span]) => ({
    start: dateOf(dayOf('2024-09-01') + from),
    end: dateOf(dayOf('2024-09-01') + from + span),
  })),
  { nil: undefined },
);
const dateQuery = (w: { start: string; end: string } | undefined) =>
  w ? `&start=${w.start}&end=${w.end}` : '';

function expectCumulative(row: UsdmArea) {
  const shares = [row.d0_frac, row.d1_frac, row.d2_frac, row.d3_frac, row.d4_frac];
  expect(shares[0]!).toBeLessThanOrEqual(1);
  for (let k = 1; k < shares.length; k++) expect(shares[k]!).toBeLessThanOrEqual(shares[k - 1]!);
  expect(shares[4]!).toBeGreaterThanOrEqual(0);
  expect(Math.abs(row.none_frac - (1 - row.d0_frac))).toBeLessThan(1e-6);
  expect(row.none_frac).toBeGreaterThanOrEqual(0);
}

describe('USDM answers', () => {
  it('are cumulative and in range on every row of every page, whatever the filters and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(region, { nil: undefined }),
        window,
        fc.integer({ min: 1, max: 1000 }),
        async (r, w, limit) => {
          const filter = r ? `&region=${r.type}:${r.id}` : '';
          const res = await fetch(`${api.url}/v1/drought/usdm?limit=${limit}${filter}${dateQuery(w)}`);
          expect(res.status).toBe(200);
          const page = (await res.json()) as Page<UsdmArea>;
          expect(page.data.length).toBeLessThanOrEqual(limit);
          for (const row of page.data) {
            expectCumulative(row);
            if (r) expect([row.region_type, row.region_id]).toEqual([r.type, r.id]);
            if (w) expect(row.valid_date >= w.start && row.valid_date <= w.end).toBe(true);
          }
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });

  it('have one row per region and week, on Tuesdays exactly one week apart', async () => {
    await fc.assert(
      fc.asyncProperty(region, window, fc.integer({ min: 3, max: 60 }), async (r, w, limit) => {
        const rows = await walk<UsdmArea>(
          `/v2/drought/usdm?region=${r.type}:${r.id}&limit=${limit}${dateQuery(w)}`,
        );
        if (!w) expect(rows.length).toBe(52);
        const days = rows.map((row) => dayOf(row.valid_date));
        for (const day of days) expect(new Date(day * DAY_MS).getUTCDay()).toBe(2);
        for (let i = 1; i < days.length; i++) expect(days[i - 1]! - days[i]!).toBe(7);
      }),
      { numRuns: 25, seed: 15 },
    );
  });

  it('come from a generator whose shares are cumulative for any dryness level', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (level) => {
        const [d0, d1, d2, d3, d4] = usdmFractions(level);
        expect(1 - d0).toBeGreaterThanOrEqual(-EPSILON);
        expect([d0 >= d1, d1 >= d2, d2 >= d3, d3 >= d4, d4 >= 0]).toEqual([true, true, true, true, true]);
      }),
    );
  });
});

interface Reissue {
  series_id: string;
  valid_date: string;
  region_type: string;
  region_id: string;
  dataset: string;
  index: string;
  timescale: string;
  latest: number;
  first: number;
}

describe('index answers', () => {
  it('hold one value per series and valid date, whatever the filters and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        region,
        fc.option(fc.constantFrom('SPI', 'SPEI', 'EDDI', 'VHI'), { nil: undefined }),
        window,
        fc.integer({ min: 5, max: 200 }),
        async (r, index, w, limit) => {
          const filter = `region=${r.type}:${r.id}${index ? `&index=${index}` : ''}${dateQuery(w)}`;
          const rows = await walk<IndexValue>(`/v1/drought/indices?${filter}&limit=${limit}`);
          const keys = rows.map((row) => `${row.series_id}|${row.valid_date}`);
          expect(new Set(keys).size).toBe(keys.length);
          for (const row of rows) {
            if (index) expect(row.index).toBe(index);
            expect(row.series_id.endsWith(`.${r.type}.${r.id}`)).toBe(true);
          }
        },
      ),
      { numRuns: 25, seed: 15 },
    );
  });

  it('answer the latest ingestion of every re-issued value', async () => {
    // The re-issued (series, date) pairs and their first and latest values, read from the tables themselves.
    const reissues = (await engine.query(sql`SELECT series_id, CAST(valid_date AS VARCHAR) AS valid_date,
        region_type, region_id, dataset, "index", timescale,
        arg_max(value, _ingest_ts) AS latest, arg_min(value, _ingest_ts) AS first
      FROM environment.drought_index
      GROUP BY series_id, valid_date, region_type, region_id, dataset, "index", timescale
      HAVING count(*) > 1`)) as unknown as Reissue[];
    expect(reissues.length).toBeGreaterThan(5);
    expect(reissues.some((r) => r.first !== r.latest)).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reissues), async (r) => {
        const res = await fetch(
          `${api.url}/v1/drought/indices?region=${r.region_type}:${r.region_id}&dataset=${r.dataset}&index=${r.index}&timescale=${r.timescale}&start=${r.valid_date}&end=${r.valid_date}`,
        );
        const page = (await res.json()) as Page<IndexValue>;
        expect(page.data.map((row) => [row.series_id, row.valid_date, row.value])).toEqual([
          [r.series_id, r.valid_date, r.latest],
        ]);
        expect(page.data[0]!.metadata).toEqual(expect.objectContaining({ revision: 1 }));
      }),
      { numRuns: Math.min(30, reissues.length), seed: 15 },
    );
  });
});
