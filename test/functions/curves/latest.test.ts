import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curvePointsQuery } from '#functions/curves/queries';
import { duckDbPath } from '#lib/data/create-engine';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import type { Row } from '#lib/data/engine';
import { sql, toPositional } from '#lib/data/sql';
import type { Seek } from '#lib/paging/keyset';

/**
 * The latest point per (curve_key, tenor_label), ranked over the whole history: the definition
 * `curve_latest` must agree with (it is what `/v1/curves` computed before the table existed).
 */
const reference = (corrections: boolean, iso?: string) => {
  const ingest = corrections ? sql`_ingest_ts DESC` : sql`_ingest_ts ASC`;
  const filter = iso === undefined ? sql`` : sql` WHERE iso = ${iso}`;
  return sql`SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid, bid, ask, price_type
    FROM (
      SELECT *, row_number() OVER (
        PARTITION BY curve_key, tenor_label ORDER BY asof_date DESC, ${ingest}, price_type, contract_month
      ) AS rn
      FROM curve_observation${filter}
    ) ranked
    WHERE rn = 1
    ORDER BY curve_key, tenor_label`;
};

const boundary = (row: Row) => [
  row.curve_key as string,
  row.tenor_label as string,
  (row.contract_month as string | null) ?? '0001-01-01',
  row.asof_date as string,
  (row.price_type as string | null) ?? '',
];

let engine: DuckDbEngine;
beforeAll(async () => {
  engine = await DuckDbEngine.open(duckDbPath(), { readOnly: true });
});
afterAll(async () => {
  await engine.close();
});

describe('the curve_latest table', () => {
  it('holds, for each flag variant, exactly the latest point of every curve and tenor', async () => {
    for (const corrections of [true, false]) {
      const expected = await engine.query(reference(corrections));
      const stored = await engine.query(
        sql`SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid, bid, ask, price_type
            FROM curve_latest WHERE corrections = ${corrections} ORDER BY curve_key, tenor_label`,
      );
      expect(stored.length).toBeGreaterThan(1_000);
      expect(stored).toEqual(expected);
    }
  });

  it('keeps both variants apart where the corrections flag picks another row', async () => {
    const differing = await engine.query(sql`
      SELECT t.curve_key, t.tenor_label, t.price_type AS with_corrections, f.price_type AS first_published,
             t.mid AS mid_true, f.mid AS mid_false
      FROM curve_latest t JOIN curve_latest f USING (curve_key, tenor_label)
      WHERE t.corrections AND NOT f.corrections AND (t.mid <> f.mid OR t.price_type <> f.price_type)`);
    expect(differing.length).toBeGreaterThan(0);
    // Where the first publication is a settlement, the corrected view keeps the later vendor mark.
    expect(differing.some((r) => r.first_published === 'SETTLE' && r.with_corrections === 'MID')).toBe(true);
  });
});

describe('the default /v1/curves query over curve_latest', () => {
  const page = (seek: Seek, corrections = true) =>
    engine.query(curvePointsQuery({ filters: { iso: 'pjm' }, seek, latestCorrections: corrections }));

  it('reads the latest-point table, not the history', () => {
    const text = toPositional(
      curvePointsQuery({ filters: {}, seek: { direction: 'first', fetch: 11 }, latestCorrections: true }),
    ).text;
    expect(text).toContain('FROM curve_latest');
    expect(text).not.toMatch(/curve_observation|row_number/i);
  });

  it('walks every PJM point with next cursors, in key order, each once, as the reference ranks them', async () => {
    for (const corrections of [true, false]) {
      const expected = await engine.query(reference(corrections, 'PJM'));
      const walked: Row[] = [];
      let rows = await page({ direction: 'first', fetch: 400 }, corrections);
      while (rows.length > 0) {
        walked.push(...rows);
        rows = await page({ direction: 'next', boundary: boundary(rows.at(-1)!), fetch: 400 }, corrections);
      }
      expect(walked.length).toBeGreaterThan(400);
      expect(walked).toEqual(expected);
    }
  });

  it('goes back with prev: the page before the boundary, nearest first', async () => {
    const all = await page({ direction: 'first', fetch: 30 });
    const next = await page({ direction: 'next', boundary: boundary(all[14]!), fetch: 15 });
    expect(next).toEqual(all.slice(15, 30));
    const prev = await page({ direction: 'prev', boundary: boundary(next[0]!), fetch: 15 });
    expect(prev).toEqual(all.slice(0, 15).reverse());
  });

  it('applies every dimension filter as a parameter and answers an unknown value with no rows', async () => {
    const built = curvePointsQuery({
      filters: { iso: "PJM' OR 1=1 --", block: 'ON_PEAK' },
      seek: { direction: 'first', fetch: 5 },
      latestCorrections: false,
    });
    expect(toPositional(built).text).not.toContain('OR 1=1');
    expect(await engine.query(built)).toEqual([]);
    const onPeak = await engine.query(
      curvePointsQuery({
        filters: { iso: 'PJM', block: 'ON_PEAK', tenor_type: 'MONTHLY' },
        seek: { direction: 'first', fetch: 50 },
        latestCorrections: true,
      }),
    );
    expect(onPeak.length).toBe(50);
    for (const row of onPeak) expect(row.tenor_type).toBe('MONTHLY');
    const keys = await engine.query(
      sql`SELECT DISTINCT curve_key FROM curve_observation WHERE iso = 'PJM' AND block = 'ON_PEAK'`,
    );
    const allowed = new Set(keys.map((k) => k.curve_key));
    for (const row of onPeak) expect(allowed.has(row.curve_key)).toBe(true);
  });
});
