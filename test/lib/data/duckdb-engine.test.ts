import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { sql } from '#lib/data/sql';
import { failureOf } from '#test/support/data-failure';
import { describeEngineContract } from '#test/support/engine-contract';

describeEngineContract('DuckDbEngine', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'aurum-duckdb-contract-'));
  const engine = await DuckDbEngine.open(join(directory, 'contract.duckdb'));
  return {
    engine,
    close: async () => {
      await engine.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe('DuckDbEngine', () => {
  let directory: string;
  let engine: DuckDbEngine;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'aurum-duckdb-'));
    engine = await DuckDbEngine.open(join(directory, 'test.duckdb'));
  });
  afterAll(async () => {
    await engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('returns HUGEINT and DuckDB-only timestamp literals as numbers and ISO strings', async () => {
    const [row] = await engine.query(sql`
      SELECT (9007199254740991::HUGEINT - 9007199254740000) AS total,
             TIMESTAMPTZ '2024-03-01 08:00:00+02' AS instant`);
    expect(row).toEqual({ total: 991, instant: '2024-03-01T06:00:00.000Z' });
  });

  it('runs more concurrent queries than it keeps idle connections', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        engine.query(sql`SELECT ${i} AS i, count(*) AS n FROM range(200000)`),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => [{ i, n: 200000 }]));
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
