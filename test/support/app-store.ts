/**
 * The app stores the store contract suite runs on, unchanged: PGlite in memory, and the real PostgreSQL
 * service on 127.0.0.1:5432 (database `test`), each run in a fresh schema that is dropped afterwards.
 * `AURUM_TEST_PG_URL` points the second elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { PgStore } from '#lib/store/pg-store';
import { PgliteStore } from '#lib/store/pglite-store';
import type { ManagedStore } from '#lib/store/store';

export const TEST_PG_URL = process.env.AURUM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** An empty database for one test file: `store`, a second handle on the same data, and cleanup. */
export interface StoreFixture {
  store: ManagedStore;
  /** Another connection (pool) to the same database: PGlite has only one, so it is the same store. */
  second(): Promise<ManagedStore>;
  dispose(): Promise<void>;
}

export interface StoreTarget {
  name: 'pglite' | 'postgres';
  fresh(): Promise<StoreFixture>;
}

export const pgliteTarget: StoreTarget = {
  name: 'pglite',
  async fresh() {
    const store = await PgliteStore.open();
    return { store, second: async () => store, dispose: () => store.close() };
  },
};

export const postgresTarget: StoreTarget = {
  name: 'postgres',
  async fresh() {
    const schema = `aurum_test_${randomBytes(6).toString('hex')}`;
    const owner = await PgStore.open({ url: TEST_PG_URL });
    await owner.admin((session) => session.script(`CREATE SCHEMA ${schema}`));
    const opened: ManagedStore[] = [owner];
    const open = async () => {
      const store = await PgStore.open({ url: TEST_PG_URL, schema, maxConnections: 4 });
      opened.push(store);
      return store;
    };
    const store = await open();
    return {
      store,
      second: open,
      async dispose() {
        for (const s of opened.slice(1)) await s.close();
        await owner.admin((session) => session.script(`DROP SCHEMA ${schema} CASCADE`));
        await owner.close();
      },
    };
  },
};

export const STORE_TARGETS: StoreTarget[] = [pgliteTarget, postgresTarget];

/** A tenant id no other test run uses. */
export const uniqueTenant = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
