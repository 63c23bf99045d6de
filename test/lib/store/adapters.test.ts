import { describe, expect, it } from 'vitest';
import { param, sql } from '#lib/data/sql';
import { createStore } from '#lib/store/create-store';
import {
  StoreConflictError,
  StoreTimeoutError,
  StoreUnavailableError,
  toStoreError,
} from '#lib/store/errors';
import { PgStore } from '#lib/store/pg-store';
import { isoFromPgTimestamp, toBound } from '#lib/store/store';

describe('toBound', () => {
  it('binds every value as $n, casting only what the template typed', () => {
    const evil = "x'; drop table series_curve_mapping; --";
    const bound = toBound(
      sql`select * from t where a = ${evil} and b = ${3} and c = ${1.5} and d = ${true} and e = ${param.date('2026-01-02')}`,
    );
    expect(bound.text).toBe(
      'select * from t where a = $1 and b = $2::bigint and c = $3::double precision and d = $4::boolean and e = $5::date',
    );
    expect(bound.values).toEqual([evil, 3, 1.5, true, '2026-01-02']);
  });
});

describe('isoFromPgTimestamp', () => {
  it('reads PostgreSQL timestamp text as ISO 8601 UTC', () => {
    expect(isoFromPgTimestamp('2026-12-01 23:51:41.123+00')).toBe('2026-12-01T23:51:41.123Z');
    expect(isoFromPgTimestamp('2026-12-01 23:51:41+05:30')).toBe('2026-12-01T18:21:41.000Z');
    expect(isoFromPgTimestamp('2026-12-01 23:51:41.123456')).toBe('2026-12-01T23:51:41.123Z');
    expect(isoFromPgTimestamp('infinity')).toBe('infinity');
  });
});

describe('store errors', () => {
  it('map driver failures by SQLSTATE and socket code, with fixed messages', () => {
    expect(toStoreError({ code: '23505', constraint: 'k' })).toBeInstanceOf(StoreConflictError);
    expect(toStoreError({ code: '57014' })).toBeInstanceOf(StoreTimeoutError);
    expect(toStoreError({ code: '08006' })).toBeInstanceOf(StoreUnavailableError);
    expect(
      toStoreError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }))
        .message,
    ).toBe('the app store is unavailable');
  });

  it('answer an unreachable PostgreSQL with the unavailable error, naming no host', async () => {
    const store = await PgStore.open({
      url: 'postgres://postgres@127.0.0.1:1/test',
      connectTimeoutMs: 1_000,
    });
    try {
      const failure = await store.query('a', sql`select 1`).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect(failure).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 2 });
      expect((failure as Error).message).not.toMatch(/127\.0\.0\.1|5432|:1\b|select/);
    } finally {
      await store.close();
    }
  });
});

describe('createStore', () => {
  it('picks node-postgres for a postgres:// URL and PGlite in memory for memory:', async () => {
    const pg = await createStore({ AURUM_STORE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(pg.kind).toBe('postgres');
    await pg.close();
    const lite = await createStore({ AURUM_STORE_URL: 'memory:' });
    expect(lite.kind).toBe('pglite');
    await lite.close();
    await expect(createStore({ AURUM_STORE_URL: 'mysql://x' })).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('takes the password from the store secret when the server asks for one (trust auth does not)', async () => {
    const asked: string[] = [];
    const store = await createStore(
      { AURUM_STORE_URL: 'postgres://postgres@127.0.0.1:5432/test', AURUM_STORE_SECRET_ARN: 'arn:secret' },
      {
        readSecret: async (arn) => {
          asked.push(arn);
          return JSON.stringify({ username: 'postgres', password: 'not-needed-with-trust' });
        },
      },
    );
    try {
      await expect(store.query('a', sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]);
      expect(asked.every((arn) => arn === 'arn:secret')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('loads neither driver until a store is asked for', async () => {
    const source = await import('node:fs').then((fs) => fs.readFileSync('lib/store/create-store.ts', 'utf8'));
    expect(source).not.toMatch(/^import .*from '(pg|@electric-sql\/pglite)/m);
    for (const file of ['lib/store/pg-store.ts', 'lib/store/pglite-store.ts']) {
      const text = await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8'));
      expect(text, file).not.toMatch(/^import (?!type ).*from '(pg|@electric-sql\/pglite[^']*)'/m);
    }
  });
});
