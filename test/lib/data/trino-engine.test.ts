import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { param, sql } from '#lib/data/sql';
import { TrinoEngine } from '#lib/data/trino-engine';
import { failureOf } from '#test/support/data-failure';
import { describeEngineContract } from '#test/support/engine-contract';
import { type FakeTrino, startFakeTrino, type TrinoFailure } from '#test/support/fake-trino-server';
import { duckDbTrinoBackend } from '#test/support/trino-on-duckdb';

describeEngineContract('TrinoEngine over the fake Trino server', async () => {
  const duckdb = await duckDbTrinoBackend();
  const trino = await startFakeTrino({ backend: duckdb.backend });
  const engine = new TrinoEngine({ server: trino.url, user: 'aurum', backoffMs: 10 });
  return {
    engine,
    close: async () => {
      await engine.close();
      await trino.close();
      duckdb.close();
    },
  };
});

const CURVE_COLUMNS = [
  { name: 'curve_key', type: 'varchar' },
  { name: 'asof_date', type: 'date' },
  { name: 'tenor_index', type: 'bigint' },
  { name: 'mid', type: 'decimal(12,4)' },
  { name: 'spread', type: 'double' },
  { name: 'is_final', type: 'boolean' },
  { name: '_ingest_ts', type: 'timestamp(3) with time zone' },
  { name: 'updated_at', type: 'timestamp(6)' },
];

const SYNTAX_ERROR: TrinoFailure = {
  message: "line 1:1: mismatched input 'SELEC'. Expecting: 'SELECT'",
  errorName: 'SYNTAX_ERROR',
  errorType: 'USER_ERROR',
  errorCode: 1,
};

describe('TrinoEngine against a Trino protocol server', () => {
  let trino: FakeTrino;
  let engine: TrinoEngine;

  beforeEach(async () => {
    trino = await startFakeTrino();
    engine = new TrinoEngine({
      server: trino.url,
      user: 'aurum',
      catalog: 'iceberg',
      schema: 'market',
      backoffMs: 10,
    });
  });
  afterEach(async () => {
    await engine.close();
    await trino.close();
  });

  it('sends the statement with typed literals and assembles every page in order, typed', async () => {
    trino.script('FROM curve_points', {
      columns: CURVE_COLUMNS,
      steps: [
        { delayMs: 5 },
        {
          rows: [
            [
              'PJM_WEST',
              '2024-03-01',
              1,
              '42.1250',
              0.5,
              true,
              '2024-03-01 06:30:00.250 UTC',
              '2024-03-01 06:30:00.123456',
            ],
          ],
        },
        { rows: [] },
        {
          rows: [["O'HARE", '2024-03-02', 2, '-1.5000', null, false, '2024-03-01 08:00:00.000 +02:00', null]],
        },
        { rows: [['ERCOT_NORTH', '2024-03-03', 3, '7.0000', 'NaN', null, null, null]] },
      ],
    });

    const rows = await engine.query(
      sql`SELECT * FROM curve_points WHERE asof_date >= ${param.date('2024-03-01')} AND iso = ${'PJM'} AND mid > ${0.5}`,
    );

    expect(trino.statements()).toEqual([
      "SELECT * FROM curve_points WHERE asof_date >= DATE '2024-03-01' AND iso = 'PJM' AND mid > DOUBLE '0.5'",
    ]);
    expect(rows).toEqual([
      {
        curve_key: 'PJM_WEST',
        asof_date: '2024-03-01',
        tenor_index: 1,
        mid: 42.125,
        spread: 0.5,
        is_final: true,
        _ingest_ts: '2024-03-01T06:30:00.250Z',
        updated_at: '2024-03-01T06:30:00.123Z',
      },
      {
        curve_key: "O'HARE",
        asof_date: '2024-03-02',
        tenor_index: 2,
        mid: -1.5,
        spread: null,
        is_final: false,
        _ingest_ts: '2024-03-01T06:00:00.000Z',
        updated_at: null,
      },
      {
        curve_key: 'ERCOT_NORTH',
        asof_date: '2024-03-03',
        tenor_index: 3,
        mid: 7,
        spread: null,
        is_final: null,
        _ingest_ts: null,
        updated_at: null,
      },
    ]);
  });

  it('sends the user, catalog and schema headers Trino resolves names with', async () => {
    trino.script('SELECT 1', { columns: [{ name: 'one', type: 'integer' }], steps: [{ rows: [[1]] }] });
    expect(await engine.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    const [submit] = trino.requests;
    expect(submit?.headers).toMatchObject({
      'x-trino-user': 'aurum',
      'x-trino-catalog': 'iceberg',
      'x-trino-schema': 'market',
    });
    expect(submit?.headers.authorization).toBeUndefined();
  });

  it('throws when a page carries an error, even after rows arrived', async () => {
    trino.script('FROM curve_points', {
      columns: CURVE_COLUMNS.slice(0, 1),
      steps: [
        { rows: [['PJM_WEST'], ['PJM_EAST']] },
        {
          error: {
            message: 'Query exceeded per-node memory limit',
            errorName: 'EXCEEDED_LOCAL_MEMORY_LIMIT',
            errorType: 'INSUFFICIENT_RESOURCES',
            errorCode: 131079,
          },
        },
      ],
    });
    const error = await failureOf(engine.query(sql`SELECT curve_key FROM curve_points`));
    expect(error.kind).toBe('unavailable');
    expect(error.retryAfterSeconds).toBe(5);
  });

  it('retries a 503 on submit and succeeds', async () => {
    trino.script('SELECT 1', {
      columns: [{ name: 'one', type: 'integer' }],
      steps: [{ status: 503 }, { rows: [[1]] }],
    });
    expect(await engine.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    expect(trino.statements()).toHaveLength(2);
  });

  it('retries a 502 on a page fetch and keeps the rows already read', async () => {
    trino.script('SELECT n', {
      columns: [{ name: 'n', type: 'bigint' }],
      steps: [{ rows: [[1]] }, { status: 502 }, { rows: [[2]] }],
    });
    expect(await engine.query(sql`SELECT n FROM t`)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(trino.statements()).toHaveLength(1);
  });

  it('gives up after three 504s and reports Trino unavailable', async () => {
    trino.script('SELECT 1', { steps: [{ status: 504 }, { status: 504 }, { status: 504 }, { rows: [[1]] }] });
    const error = await failureOf(engine.query(sql`SELECT 1 AS one`));
    expect(error.kind).toBe('unavailable');
    expect(error.retryAfterSeconds).toBe(5);
    expect(trino.statements()).toHaveLength(3);
  });

  it('does not retry a 500', async () => {
    trino.script('SELECT 1', { steps: [{ status: 500 }, { rows: [[1]] }] });
    const error = await failureOf(engine.query(sql`SELECT 1 AS one`));
    expect(error.kind).toBe('internal');
    expect(trino.statements()).toHaveLength(1);
  });

  it('stops at the deadline while a page is slow, cancels the query and reports a timeout', async () => {
    trino.script('FROM curve_points', {
      columns: CURVE_COLUMNS.slice(0, 1),
      steps: [{ rows: [['PJM_WEST']] }, { rows: [['PJM_EAST']], delayMs: 10_000 }],
    });
    const started = Date.now();
    const error = await failureOf(
      engine.query(sql`SELECT curve_key FROM curve_points`, { deadline: started + 300 }),
    );
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    const [submitted] = trino.requests;
    expect(submitted?.method).toBe('POST');
    expect(trino.cancels).toHaveLength(1);
    expect(trino.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(trino.cancels[0]?.queryId).toMatch(/_fake$/);
  });

  it('cancels a statement the coordinator accepts only after the deadline passed', async () => {
    trino.script('FROM curve_points', { submitDelayMs: 400, steps: [{ rows: [['PJM_WEST']] }] });
    const error = await failureOf(
      engine.query(sql`SELECT curve_key FROM curve_points`, { deadline: Date.now() + 100 }),
    );
    expect(error.kind).toBe('timeout');
    expect(trino.cancels).toHaveLength(0);
    await vi.waitFor(() => expect(trino.cancels).toHaveLength(1), { timeout: 3_000 });
  });

  it('stops and cancels when the caller aborts', async () => {
    trino.script('FROM curve_points', { steps: [{ rows: [['PJM_WEST']], delayMs: 10_000 }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failureOf(
      engine.query(sql`SELECT curve_key FROM curve_points`, { signal: controller.signal }),
    );
    expect(error.kind).toBe('timeout');
    expect(trino.cancels).toHaveLength(1);
  });

  it('does not submit a query whose deadline has already passed', async () => {
    const error = await failureOf(engine.query(sql`SELECT 1 AS one`, { deadline: Date.now() - 1 }));
    expect(error.kind).toBe('timeout');
    expect(trino.requests).toHaveLength(0);
  });

  it('reports a bad query as invalid-query without the SQL or the server in the message', async () => {
    trino.script('SELEC', { steps: [{ error: SYNTAX_ERROR }] });
    const error = await failureOf(
      engine.query(sql`SELEC secret_column FROM curve_points WHERE iso = ${'PJM'}`),
    );
    expect(error.kind).toBe('invalid-query');
    const { host, port } = new URL(trino.url);
    for (const leak of ['SELEC', 'secret_column', 'curve_points', 'PJM', host, port, trino.url]) {
      expect(error.message).not.toContain(leak);
    }
    expect(error.message).toContain('SYNTAX_ERROR');
    expect((error.cause as TrinoFailure).message).toBe(SYNTAX_ERROR.message);
  });

  it('maps an internal Trino failure to internal', async () => {
    trino.script('SELECT', {
      steps: [
        {
          error: {
            message: 'boom',
            errorName: 'GENERIC_INTERNAL_ERROR',
            errorType: 'INTERNAL_ERROR',
            errorCode: 65536,
          },
        },
      ],
    });
    expect((await failureOf(engine.query(sql`SELECT 1`))).kind).toBe('internal');
  });

  it('returns the update count of a write', async () => {
    trino.script('INSERT INTO scenarios', { steps: [{ delayMs: 5 }, { updateCount: 3 }] });
    const changed = await engine.execute(
      sql`INSERT INTO scenarios (scenario_id, name) VALUES (${'s-1'}, ${'Base'}), (${'s-2'}, ${'High'}), (${'s-3'}, ${'Low'})`,
    );
    expect(changed).toBe(3);
  });

  it('returns 0 for a statement without an update count', async () => {
    trino.script('CREATE SCHEMA', { steps: [] });
    expect(await engine.execute(sql`CREATE SCHEMA IF NOT EXISTS market`)).toBe(0);
  });
});

describe('TrinoEngine configuration', () => {
  let trino: FakeTrino;

  beforeEach(async () => {
    trino = await startFakeTrino();
    trino.script('SELECT 1', { columns: [{ name: 'one', type: 'integer' }], steps: [{ rows: [[1]] }] });
  });
  afterEach(async () => {
    await trino.close();
  });

  it('reads the URL, user, catalog and schema from the environment, with defaults', async () => {
    const engine = TrinoEngine.fromEnv({ AURUM_TRINO_URL: trino.url });
    await engine.query(sql`SELECT 1 AS one`);
    expect(trino.requests[0]?.headers).toMatchObject({
      'x-trino-user': 'aurum',
      'x-trino-catalog': 'iceberg',
      'x-trino-schema': 'market',
    });

    const custom = TrinoEngine.fromEnv({
      AURUM_TRINO_URL: trino.url,
      AURUM_TRINO_USER: 'analyst',
      AURUM_TRINO_CATALOG: 'lake',
      AURUM_TRINO_SCHEMA: 'curves',
    });
    await custom.query(sql`SELECT 1 AS one`);
    expect(trino.requests.at(-2)?.headers).toMatchObject({
      'x-trino-user': 'analyst',
      'x-trino-catalog': 'lake',
      'x-trino-schema': 'curves',
    });
  });

  it('sends a bearer token in Authorization with an explicit X-Trino-User, on every request', async () => {
    const engine = TrinoEngine.fromEnv({
      AURUM_TRINO_URL: trino.url,
      AURUM_TRINO_USER: 'svc-aurum',
      AURUM_TRINO_TOKEN: 'eyJ.token.sig',
    });
    await engine.query(sql`SELECT 1 AS one`);
    expect(trino.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of trino.requests) {
      expect(request.headers.authorization).toBe('Bearer eyJ.token.sig');
      expect(request.headers['x-trino-user']).toBe('svc-aurum');
    }
  });

  it('sends a password as basic auth for the user', async () => {
    const engine = TrinoEngine.fromEnv({
      AURUM_TRINO_URL: trino.url,
      AURUM_TRINO_USER: 'svc-aurum',
      AURUM_TRINO_PASSWORD: 's3cret',
    });
    await engine.query(sql`SELECT 1 AS one`);
    expect(trino.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('svc-aurum:s3cret').toString('base64')}`,
    );
    expect(trino.requests[0]?.headers['x-trino-user']).toBe('svc-aurum');
  });

  it('refuses to start without a URL', () => {
    expect(() => TrinoEngine.fromEnv({})).toThrow(/AURUM_TRINO_URL/);
  });

  it('reports a refused connection as unavailable, without the address in the message', async () => {
    const url = trino.url;
    await trino.close();
    const engine = new TrinoEngine({ server: url });
    const error = await failureOf(engine.query(sql`SELECT 1 AS one`));
    expect(error.kind).toBe('unavailable');
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.message).not.toContain(new URL(url).port);
  });
});
