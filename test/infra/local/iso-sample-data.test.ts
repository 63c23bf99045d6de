import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DA_CORE, RT_LOCATIONS, writeIsoSampleData } from '#infra/local/iso-sample-data';
import { findIsoNode } from '#lib/reference/iso-nodes';

/** The ISO LMP generator on its own, into in-memory databases: what it writes, and that it writes it again. */

const open = async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:');
  return { instance, connection: await instance.connect() };
};
const all = async (c: DuckDBConnection, statement: string) =>
  (await c.runAndReadAll(statement)).getRowObjectsJson() as Record<string, unknown>[];

let db: Awaited<ReturnType<typeof open>>;
let result: Awaited<ReturnType<typeof writeIsoSampleData>>;
beforeAll(async () => {
  db = await open();
  result = await writeIsoSampleData(db.connection, { seed: 7, endDate: '2025-09-26' });
});
afterAll(() => {
  db.connection.closeSync();
  db.instance.closeSync();
});

const DIGEST = `SELECT count(*) AS n, sum(hash(iso_code, market, location_id, interval_start, price_total, _ingest_ts)) AS h
  FROM market.iso_lmp_timeseries`;

describe('ISO LMP sample data', () => {
  it('spans a fall-back and a spring-forward day up to the end date, with the rows it reports', async () => {
    expect(result).toMatchObject({ firstDate: '2024-11-01', lastDate: '2025-09-26' });
    expect(result.dstDays).toEqual(['2024-11-03', '2025-03-09']);
    const [count] = await all(db.connection, 'SELECT count(*) AS n FROM market.iso_lmp_timeseries');
    expect(Number(count!.n)).toBe(result.rows);
    expect(result.rows).toBeLessThan(200_000);
  });

  it('uses only reference locations: day-ahead every day at the core ones, real time on recent and DST days', async () => {
    const places = await all(
      db.connection,
      `SELECT market, iso_code, location_id, count(DISTINCT delivery_date) AS days, min(interval_minutes) AS minutes
       FROM market.iso_lmp_timeseries GROUP BY ALL ORDER BY ALL`,
    );
    for (const p of places) expect(findIsoNode(String(p.iso_code), String(p.location_id))).toBeDefined();
    const rt = places.filter((p) => p.market === 'RT');
    expect(rt.map((p) => `${p.iso_code}|${p.location_id}`)).toEqual(
      RT_LOCATIONS.map(([i, l]) => `${i}|${l}`),
    );
    expect(rt.every((p) => Number(p.days) === 10 && Number(p.minutes) === 5)).toBe(true);
    const core = places.filter((p) => p.market === 'DA' && Number(p.days) === 330);
    expect(core.map((p) => `${p.iso_code}|${p.location_id}`)).toEqual(DA_CORE.map(([i, l]) => `${i}|${l}`));
  });

  it('publishes every row with an ingestion time, day-ahead before its day and real time after its interval', async () => {
    const [bad] = await all(
      db.connection,
      `SELECT count(*) FILTER (WHERE _ingest_ts IS NULL) AS missing,
              count(*) FILTER (WHERE market = 'DA' AND metadata = '{}' AND _ingest_ts >= interval_start) AS late_da,
              count(*) FILTER (WHERE market = 'RT' AND _ingest_ts < interval_end) AS early_rt
       FROM market.iso_lmp_timeseries`,
    );
    expect(bad).toEqual({ missing: '0', late_da: '0', early_rt: '0' });
  });

  it('re-publishes a few intervals later with a corrected price, marked as revision 1', async () => {
    const pairs = await all(
      db.connection,
      `SELECT a.price_energy AS first_energy, b.price_energy AS corrected_energy, b.source_run_id, b.metadata,
              b._ingest_ts > a._ingest_ts AS later
       FROM market.iso_lmp_timeseries a JOIN market.iso_lmp_timeseries b
         ON a.iso_code = b.iso_code AND a.market = b.market AND a.location_id = b.location_id
        AND a.interval_start = b.interval_start AND a.metadata = '{}' AND b.metadata <> '{}'`,
    );
    expect(pairs.length).toBe(result.corrections);
    expect(pairs.length).toBeGreaterThan(100);
    for (const p of pairs) {
      expect(p.later).toBe(true);
      expect(p.corrected_energy).not.toBe(p.first_energy);
      expect(String(p.source_run_id)).toMatch(/_r1$/);
      expect(JSON.parse(String(p.metadata))).toMatchObject({ revision: 1 });
    }
  });

  it('prices CAISO below zero at spring middays and carries negative prices at ERCOT West and SPP North', async () => {
    const negative = await all(
      db.connection,
      `SELECT iso_code, location_id, count(*) AS n FROM market.iso_lmp_timeseries
       WHERE price_total < 0 GROUP BY ALL ORDER BY n DESC`,
    );
    const where = negative.map((r) => `${r.iso_code}|${r.location_id}`);
    expect(where).toEqual(expect.arrayContaining(['ERCOT|HB_WEST', 'SPP|SPP NORTH HUB', 'CAISO|SP15']));
    const [caiso] = await all(
      db.connection,
      `SELECT count(*) FILTER (WHERE price_energy < 0) AS spring_midday,
              count(*) AS hours
       FROM market.iso_lmp_timeseries
       WHERE iso_code = 'CAISO' AND location_id = 'SP15' AND market = 'DA' AND month(delivery_date) = 4
         AND hour(interval_start - INTERVAL 7 HOUR) BETWEEN 10 AND 14`,
    );
    expect(Number(caiso!.spring_midday)).toBeGreaterThan(Number(caiso!.hours) * 0.9);
  });

  it('writes the same rows for the same seed, and other prices for another seed', async () => {
    const again = await open();
    const other = await open();
    try {
      await writeIsoSampleData(again.connection, { seed: 7, endDate: '2025-09-26' });
      await writeIsoSampleData(other.connection, { seed: 8, endDate: '2025-09-26' });
      const [a] = await all(db.connection, DIGEST);
      const [b] = await all(again.connection, DIGEST);
      const [c] = await all(other.connection, DIGEST);
      expect(b).toEqual(a);
      expect(c!.h).not.toEqual(a!.h);
    } finally {
      for (const d of [again, other]) {
        d.connection.closeSync();
        d.instance.closeSync();
      }
    }
  });
});
