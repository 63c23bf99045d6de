import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EIA_SERIES_COLUMNS, writeEiaSampleData } from '#infra/local/eia-sample-data';
import { eiaDataset } from '#lib/reference/eia-datasets';

type Value = string | number | boolean | null;
type Rows = Record<string, Value>[];

async function generate(seed: number): Promise<{ rows: Rows; describe: Rows; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await writeEiaSampleData(connection, { seed, endDate: '2025-09-26' });
  const read = async (query: string) =>
    (await connection.runAndReadAll(query)).getRowObjectsJson() as unknown as Rows;
  const rows = await read(
    `SELECT * EXCLUDE (period_start, period_end, ingest_ts), strftime(period_start, '%Y-%m-%dT%H:%M:%S') AS period_start,
            strftime(period_end, '%Y-%m-%dT%H:%M:%S') AS period_end, strftime(ingest_ts, '%Y-%m-%dT%H:%M:%S') AS ingest_ts
     FROM eia_series ORDER BY series_id, period_start`,
  );
  const describe = await read('DESCRIBE eia_series');
  return { rows, describe, close: () => connection.closeSync() };
}

let first: Awaited<ReturnType<typeof generate>>;
beforeAll(async () => {
  first = await generate(20250926);
});
afterAll(() => first.close());

describe('the EIA sample data', () => {
  it('has the documented columns and is the same for the same seed', async () => {
    expect(first.describe.map((r) => `${r.column_name} ${r.column_type}`)).toEqual(
      EIA_SERIES_COLUMNS.map(([name, type]) => `${name} ${type}`),
    );
    const again = await generate(20250926);
    expect(again.rows).toEqual(first.rows);
    again.close();
    const other = await generate(7);
    expect(other.rows.map((r) => r.value)).not.toEqual(first.rows.map((r) => r.value));
    other.close();
  });

  it('stores canonical_value = value × conversion_factor exactly, and value as raw_value reads', () => {
    for (const r of first.rows) {
      expect(r.canonical_value).toBe((r.value as number) * (r.conversion_factor as number));
      expect(r.value).toBe(Number(r.raw_value));
    }
  });

  it('names catalog datasets, one period per series and row, and ingests no row before its period ends', () => {
    const seen = new Set<string>();
    for (const r of first.rows) {
      expect(eiaDataset(String(r.dataset)), String(r.dataset)).toBeDefined();
      const key = `${r.series_id}|${r.period}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(String(r.ingest_ts) >= String(r.period_end), key).toBe(true);
      expect(String(r.period_end) > String(r.period_start), key).toBe(true);
    }
  });

  it('makes the Lower 48 storage the sum of its five regions every week', () => {
    const storage = first.rows.filter((r) => r.dataset === 'natural-gas/stor/wkly');
    const weeks = new Map<string, { total: number; regions: number; count: number }>();
    for (const r of storage) {
      const w = weeks.get(String(r.period)) ?? { total: 0, regions: 0, count: 0 };
      if (r.area === 'R48') w.total = r.value as number;
      else {
        w.regions += r.value as number;
        w.count += 1;
      }
      weeks.set(String(r.period), w);
    }
    expect(weeks.size).toBe(52);
    for (const [week, w] of weeks) {
      expect(w.count, week).toBe(5);
      expect(w.total, week).toBe(w.regions);
    }
  });

  it('labels hourly demand by its UTC hour end and covers a fall-back day', () => {
    const hourly = first.rows.filter((r) => r.frequency === 'HOURLY');
    for (const r of hourly) expect(`${String(r.period_end).slice(0, 13)}`).toBe(r.period);
    expect(hourly.some((r) => r.period === '2024-11-03T07')).toBe(true);
  });
});
