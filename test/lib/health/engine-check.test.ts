import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { TrinoEngine } from '#lib/data/trino-engine';
import { engineCheck } from '#lib/health/engine-check';
import { lazily } from '#lib/health/provider';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';

let trino: FakeTrino;
let duckdb: SqlEngine;
beforeAll(async () => {
  trino = await startFakeTrino();
  duckdb = await createEngine({});
});
afterAll(async () => {
  await trino.close();
  await duckdb.close();
});

const trinoEngine = (server = trino.url) => new TrinoEngine({ server, backoffMs: 10 });

describe('engineCheck', () => {
  it('is ok when the local DuckDB answers SELECT 1', async () => {
    const result = await engineCheck(async () => duckdb).check(Date.now() + 2_000);
    expect(result).toMatchObject({ status: 'ok', detail: 'duckdb' });
  });

  it('sends SELECT 1 to Trino and is ok when it answers 1', async () => {
    trino.script('SELECT 1', { columns: [{ name: 'ok', type: 'integer' }], steps: [{ rows: [[1]] }] });
    const result = await engineCheck(async () => trinoEngine()).check(Date.now() + 2_000);
    expect(result).toMatchObject({ status: 'ok', detail: 'trino' });
    expect(trino.statements().at(-1)).toMatch(/SELECT 1 AS ok/);
  });

  it('fails, without the host, when nothing listens where Trino should be', async () => {
    const result = await engineCheck(async () => trinoEngine('http://127.0.0.1:9')).check(Date.now() + 2_000);
    expect(result.status).toBe('failed');
    expect(result.detail).toBe('trino: unreachable');
  });

  it('fails, in the fixed vocabulary, when the engine cannot be built', async () => {
    const result = await engineCheck(
      lazily(() => createEngine({ AURUM_DUCKDB_PATH: '/nonexistent/dir/aurum.duckdb' })),
    ).check(Date.now() + 2_000);
    expect(result).toMatchObject({ status: 'failed', detail: 'data engine: unreachable' });
  });
});
