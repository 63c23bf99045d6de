import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from '#lib/data/engine';
import { param, sql } from '#lib/data/sql';
import { failureOf } from './data-failure.ts';

/** An engine to hold to the contract, and what to release after the suite. */
export interface EngineUnderContract {
  engine: SqlEngine;
  close(): Promise<void>;
}

/**
 * Long enough to outlive any deadline used here; interrupted long before it finishes. DuckDB's dialect:
 * behind the fake Trino coordinator the statements run on DuckDB too.
 */
const SLOW_QUERY = sql`SELECT count(*) AS n FROM range(100000000) a, range(100000) b WHERE a.range + b.range = -1`;

/**
 * What every SqlEngine adapter promises services, as one suite run unchanged on each: parameters of every
 * SqlType bound (and NULL of each), rows typed the same way (dates as ISO strings, decimals and integers
 * as numbers, timestamps as ISO UTC), a bad statement as `invalid-query` without its SQL, and deadlines
 * and aborts as `timeout` that leave the engine usable.
 */
export function describeEngineContract(name: string, open: () => Promise<EngineUnderContract>): void {
  describe(`SqlEngine contract: ${name}`, () => {
    let subject: EngineUnderContract;
    let engine: SqlEngine;

    beforeAll(async () => {
      subject = await open();
      engine = subject.engine;
      await engine.execute(sql`
        CREATE TABLE curve_points (
          curve_key VARCHAR, asof_date DATE, tenor_index BIGINT, mid DECIMAL(12, 4), spread DOUBLE,
          is_final BOOLEAN, ingested_at TIMESTAMP, note VARCHAR)`);
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('binds every parameter type, NULLs of each, and returns typed rows', async () => {
      const inserted = await engine.execute(sql`
        INSERT INTO curve_points VALUES
          (${'PJM_WEST'}, ${param.date('2024-03-01')}, ${param.bigint(9_007_199_254_740_991)}, ${42.125},
           ${0.5}, ${true}, ${param.timestamp('2024-03-01T06:30:00.250')}, ${null}),
          (${"O'HARE"}, ${param.date('2024-03-02')}, ${2}, ${-1.5}, ${param.double(null)}, ${false},
           ${param.timestamp(null)}, ${'late -- correction'}),
          (${'ERCOT_NORTH'}, ${param.date(null)}, ${param.bigint(null)}, ${param.double(null)}, ${7},
           ${param.boolean(null)}, ${param.timestamp('2024-03-03 00:00:00')}, ${'x'})`);
      expect(inserted).toBe(3);

      const rows = await engine.query(sql`SELECT * FROM curve_points ORDER BY curve_key`);
      expect(rows).toEqual([
        {
          curve_key: 'ERCOT_NORTH',
          asof_date: null,
          tenor_index: null,
          mid: null,
          spread: 7,
          is_final: null,
          ingested_at: '2024-03-03T00:00:00.000Z',
          note: 'x',
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
      ]);
    });

    it('filters on each parameter type', async () => {
      const rows = await engine.query(sql`
        SELECT curve_key FROM curve_points
        WHERE curve_key = ${"O'HARE"} AND asof_date = ${param.date('2024-03-02')} AND tenor_index = ${2}
          AND mid < ${0} AND is_final = ${false} AND note LIKE ${'%--%'}
          AND ingested_at IS NULL`);
      expect(rows).toEqual([{ curve_key: "O'HARE" }]);
      const later = await engine.query(sql`
        SELECT curve_key FROM curve_points WHERE ingested_at > ${param.timestamp('2024-03-02T00:00:00')}`);
      expect(later).toEqual([{ curve_key: 'ERCOT_NORTH' }]);
    });

    it('returns counts and averages as numbers, zoned timestamps as ISO UTC, NaN as null', async () => {
      const [row] = await engine.query(sql`
        SELECT count(*) AS n, count(asof_date) AS dated, avg(mid) AS mean,
               CAST('2024-03-01 08:00:00+02:00' AS TIMESTAMP WITH TIME ZONE) AS instant,
               CAST('NaN' AS DOUBLE) AS not_a_number
        FROM curve_points`);
      expect(row).toEqual({
        n: 3,
        dated: 2,
        mean: 20.3125,
        instant: '2024-03-01T06:00:00.000Z',
        not_a_number: null,
      });
    });

    it('runs concurrent queries, each with its own parameters', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          engine.query(sql`SELECT ${i} AS i, count(*) AS n FROM curve_points WHERE spread >= ${i / 10}`),
        ),
      );
      expect(results).toEqual(
        Array.from({ length: 8 }, (_, i) => [{ i, n: [0.5, 7].filter((s) => s >= i / 10).length }]),
      );
    });

    it('reports invalid SQL and unknown tables as invalid-query, without the SQL in the message', async () => {
      const syntax = await failureOf(engine.query(sql`SELEC curve_key FROM curve_points`));
      expect(syntax.kind).toBe('invalid-query');
      expect(syntax.message).not.toContain('SELEC');
      expect(syntax.message).not.toContain('curve_points');
      const missing = await failureOf(engine.query(sql`SELECT * FROM no_such_table`));
      expect(missing.kind).toBe('invalid-query');
      expect(missing.message).not.toContain('no_such_table');
    });

    it('gives up on a query that runs past its deadline, as a timeout, and stays usable', async () => {
      const started = Date.now();
      const error = await failureOf(engine.query(SLOW_QUERY, { deadline: Date.now() + 150 }));
      expect(error.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await engine.query(sql`SELECT ${1} AS one`)).toEqual([{ one: 1 }]);
    });

    it('stops when the caller aborts, as a timeout', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const error = await failureOf(engine.query(SLOW_QUERY, { signal: controller.signal }));
      expect(error.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('does not run a statement whose deadline has already passed', async () => {
      const error = await failureOf(
        engine.execute(sql`DELETE FROM curve_points`, { deadline: Date.now() - 1 }),
      );
      expect(error.kind).toBe('timeout');
      expect(await engine.query(sql`SELECT count(*) AS n FROM curve_points`)).toEqual([{ n: 3 }]);
    });
  });
}
