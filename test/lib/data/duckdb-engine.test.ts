import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { param, sql } from '#lib/data/sql';
import { failureOf } from '#test/support/data-failure';

/** Long enough to outlive any deadline used here; interrupted long before it finishes. */
const SLOW_QUERY = sql`SELECT count(*) AS n FROM range(100000000) a, range(100000) b WHERE a.range + b.range = -1`;

describe('DuckDbEngine', () => {
  let directory: string;
  let engine: DuckDbEngine;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'aurum-duckdb-'));
    engine = await DuckDbEngine.open(join(directory, 'test.duckdb'));
    await engine.execute(sql`
      CREATE TABLE curve_points (
        curve_key VARCHAR, asof_date DATE, tenor_index BIGINT, mid DECIMAL(12, 4), spread DOUBLE,
        is_final BOOLEAN, ingested_at TIMESTAMP, note VARCHAR)`);
  });
  afterAll(async () => {
    await engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('binds typed parameters and returns typed rows', async () => {
    const inserted = await engine.execute(sql`
      INSERT INTO curve_points VALUES
        (${'PJM_WEST'}, ${param.date('2024-03-01')}, ${param.bigint(9_007_199_254_740_991)}, ${42.125},
         ${0.5}, ${true}, ${param.timestamp('2024-03-01T06:30:00.250')}, ${null}),
        (${"O'HARE"}, ${param.date('2024-03-02')}, ${2}, ${-1.5}, ${param.double(null)}, ${false},
         ${param.timestamp(null)}, ${'late -- correction'})`);
    expect(inserted).toBe(2);

    const rows = await engine.query(sql`
      SELECT * FROM curve_points WHERE asof_date >= ${param.date('2024-03-01')} ORDER BY asof_date`);
    expect(rows).toEqual([
      {
        curve_key: 'PJM_WEST',
        asof_date: '2024-03-01',
        tenor_index: 9_007_199_254_740_991,
        mid: 42.125,
        spread: 0.5,
        is_final: true,
        ingested_at: '2024-03-01T06:30:00.250Z',
        note: null,
      },
      {
        curve_key: "O'HARE",
        asof_date: '2024-03-02',
        tenor_index: 2,
        mid: -1.5,
        spread: null,
        is_final: false,
        ingested_at: null,
        note: 'late -- correction',
      },
    ]);
  });

  it('filters on each parameter type', async () => {
    const rows = await engine.query(sql`
      SELECT curve_key FROM curve_points
      WHERE curve_key = ${"O'HARE"} AND asof_date = ${param.date('2024-03-02')} AND tenor_index = ${2}
        AND mid < ${0} AND is_final = ${false} AND note LIKE ${'%--%'}`);
    expect(rows).toEqual([{ curve_key: "O'HARE" }]);
  });

  it('returns aggregates, HUGEINT and timestamps with a zone as numbers and ISO strings', async () => {
    const [row] = await engine.query(sql`
      SELECT count(*) AS n, (sum(tenor_index) - 9007199254740000)::HUGEINT AS total, avg(mid) AS mean,
             TIMESTAMPTZ '2024-03-01 08:00:00+02' AS instant, 'NaN'::DOUBLE AS not_a_number
      FROM curve_points`);
    expect(row).toEqual({
      n: 2,
      total: 993,
      mean: 20.3125,
      instant: '2024-03-01T06:00:00.000Z',
      not_a_number: null,
    });
  });

  it('runs concurrent queries safely', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        engine.query(sql`SELECT ${i} AS i, count(*) AS n FROM range(200000)`),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => [{ i, n: 200000 }]));
  });

  it('interrupts a query that runs past its deadline and reports a timeout', async () => {
    const started = Date.now();
    const error = await failureOf(engine.query(SLOW_QUERY, { deadline: Date.now() + 150 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    // The interrupted connection is healthy again for the next query.
    expect(await engine.query(sql`SELECT ${1} AS one`)).toEqual([{ one: 1 }]);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failureOf(engine.query(SLOW_QUERY, { signal: controller.signal }));
    expect(error.kind).toBe('timeout');
  });

  it('does not start a query whose deadline has already passed', async () => {
    const error = await failureOf(
      engine.execute(sql`DELETE FROM curve_points`, { deadline: Date.now() - 1 }),
    );
    expect(error.kind).toBe('timeout');
    expect(await engine.query(sql`SELECT count(*) AS n FROM curve_points`)).toEqual([{ n: 2 }]);
  });

  it('reports invalid SQL and unknown tables as invalid-query, without the SQL in the message', async () => {
    const syntax = await failureOf(engine.query(sql`SELEC curve_key FROM curve_points`));
    expect(syntax.kind).toBe('invalid-query');
    expect(syntax.message).not.toContain('SELEC');
    const missing = await failureOf(engine.query(sql`SELECT * FROM no_such_table`));
    expect(missing.kind).toBe('invalid-query');
  });

  it('reports data errors as internal', async () => {
    const error = await failureOf(engine.query(sql`SELECT CAST(${'not a number'} AS INTEGER) AS n`));
    expect(error.kind).toBe('internal');
  });

  it('opens a read-only engine that reads but refuses writes', async () => {
    const path = join(directory, 'readonly.duckdb');
    const writer = await DuckDbEngine.open(path);
    await writer.execute(sql`CREATE TABLE hubs AS SELECT 'PJM_WEST' AS hub`);
    await writer.close();

    const reader = await DuckDbEngine.open(path, { readOnly: true });
    try {
      expect(await reader.query(sql`SELECT hub FROM hubs`)).toEqual([{ hub: 'PJM_WEST' }]);
      const error = await failureOf(reader.execute(sql`INSERT INTO hubs VALUES (${'ERCOT_NORTH'})`));
      expect(error.kind).toBe('internal');
    } finally {
      await reader.close();
    }
  });

  it('reports a database file that cannot be opened as unavailable', async () => {
    const error = await failureOf(DuckDbEngine.open(join(directory, 'missing.duckdb'), { readOnly: true }));
    expect(error.kind).toBe('unavailable');
  });
});
