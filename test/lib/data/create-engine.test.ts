import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, duckDbPath } from '#lib/data/create-engine';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { DataAccessError } from '#lib/data/engine';
import { sql } from '#lib/data/sql';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

describe('createEngine', () => {
  let directory: string;
  let trino: FakeTrino;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'aurum-engine-'));
    trino = await startFakeTrino();
  });
  afterAll(async () => {
    await trino.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('uses Trino when AURUM_TRINO_URL is set', async () => {
    trino.script('SELECT 1', { columns: [{ name: 'one', type: 'integer' }], steps: [{ rows: [[1]] }] });
    const engine = await createEngine({
      AURUM_TRINO_URL: trino.url,
      AURUM_DUCKDB_PATH: join(directory, 'unused.duckdb'),
    });
    expect(engine.name).toBe('trino');
    expect(await engine.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    expect(trino.statements()).toEqual(['SELECT 1 AS one']);
    await engine.close();
  });

  it('otherwise opens the DuckDB file at AURUM_DUCKDB_PATH, read-only', async () => {
    const path = join(directory, 'aurum.duckdb');
    const writer = await DuckDbEngine.open(path);
    await writer.execute(sql`CREATE TABLE hubs AS SELECT 'PJM_WEST' AS hub`);
    await writer.close();

    const engine = await createEngine({ AURUM_DUCKDB_PATH: path });
    try {
      expect(engine.name).toBe('duckdb');
      expect(await engine.query(sql`SELECT hub FROM hubs`)).toEqual([{ hub: 'PJM_WEST' }]);
      await expect(engine.execute(sql`DELETE FROM hubs`)).rejects.toBeInstanceOf(DataAccessError);
    } finally {
      await engine.close();
    }
  });

  it('resolves the DuckDB path from the repository root, whatever the working directory', () => {
    expect(duckDbPath({})).toBe(join(REPO_ROOT, '.data/aurum.duckdb'));
    expect(duckDbPath({ AURUM_DUCKDB_PATH: 'tmp/other.duckdb' })).toBe(join(REPO_ROOT, 'tmp/other.duckdb'));
    expect(duckDbPath({ AURUM_DUCKDB_PATH: '/var/aurum.duckdb' })).toBe('/var/aurum.duckdb');
  });
});
