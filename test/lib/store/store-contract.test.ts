import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '#lib/data/sql';
import { StoreConflictError, StoreError, StoreIsolationError, StoreTimeoutError } from '#lib/store/errors';
import { loadMigrations, MigrationError, migrate } from '#lib/store/migrate';
import type { ManagedStore, StoreTransaction } from '#lib/store/store';
import { STORE_TARGETS, type StoreFixture, uniqueTenant } from '#test/support/app-store';

interface MappingRow {
  id: string;
  tenant_id: string;
  external_provider: string;
  external_series_id: string;
  curve_key: string;
  version: number;
  [column: string]: unknown;
}

const insertMapping = (tx: StoreTransaction, series: string, curve = 'CURVE_A', provider = 'eia') =>
  tx.query<MappingRow>(sql`
    insert into series_curve_mapping
      (tenant_id, external_provider, external_series_id, curve_key, created_by, updated_by)
    values (${tx.tenant}, ${provider}, ${series}, ${curve}, 'tester', 'tester')
    returning *`);

/** Every mapping the tenant can see, with no tenant filter in the statement: RLS alone decides. */
const everyVisibleMapping = (store: ManagedStore, tenant: string) =>
  store.query<MappingRow>(tenant, sql`select * from series_curve_mapping order by external_series_id`);

/** What the table really holds, read as the owner (outside RLS): the witness for "nothing written". */
const ownerCount = (store: ManagedStore, where: string) =>
  store.admin(async (session) => {
    const { rows } = await session.run({
      text: 'select count(*)::int as n from series_curve_mapping where tenant_id = $1',
      values: [where],
    });
    return Number(rows[0]!.n);
  });

describe.each(STORE_TARGETS)('the app store on $name', (target) => {
  let fixture: StoreFixture;
  let store: ManagedStore;

  beforeAll(async () => {
    fixture = await target.fresh();
    store = fixture.store;
    await migrate(store);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  describe('migrations', () => {
    it('applies every numbered file once, records it, and is a no-op the second time', async () => {
      const files = await loadMigrations();
      const again = await migrate(store);
      expect(again).toEqual({ applied: [], current: files.length });
      const recorded = await store.admin((s) =>
        s.run({ text: 'select version, name from schema_migrations order by version', values: [] }),
      );
      expect(recorded.rows).toEqual(files.map((f) => ({ version: f.version, name: f.name })));
    });

    it('serializes concurrent runners under the advisory lock: each migration applied exactly once', async () => {
      const other = await target.fresh();
      try {
        const second = await other.second();
        const reports = await Promise.all([migrate(other.store), migrate(second), migrate(second)]);
        const applied = reports.flatMap((r) => r.applied).sort((a, b) => a - b);
        const files = await loadMigrations();
        expect(applied).toEqual(files.map((f) => f.version));
        expect(reports.map((r) => r.current)).toEqual(reports.map(() => files.length));
      } finally {
        await other.dispose();
      }
    });

    it('waits for whoever holds the migration lock before it touches the schema', async () => {
      const other = await target.fresh();
      try {
        const second = await other.second();
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked!: () => void;
        const lockTaken = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const holder = other.store.admin(async (s) => {
          await s.run({ text: 'select pg_advisory_lock($1)', values: [4_193_661_127] });
          locked();
          await held;
          await s.run({ text: 'select pg_advisory_unlock($1)', values: [4_193_661_127] });
        });
        await lockTaken;
        let settled = false;
        const running = migrate(second).finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false);
        release();
        await holder;
        const everyVersion = (await loadMigrations()).map((m) => m.version);
        await expect(running).resolves.toMatchObject({ applied: everyVersion });
      } finally {
        await other.dispose();
      }
    });

    it('rolls a failing migration back whole: the schema stays as the last good one left it', async () => {
      const files = await loadMigrations();
      const broken = {
        version: files.length + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_done (id integer); INSERT INTO half_done VALUES (1); SELECT 1 / 0;',
      };
      const failure = await migrate(store, [...files, broken]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MigrationError);
      expect((failure as Error).message).not.toMatch(/half_done|SELECT/i);
      const after = await store.admin((s) =>
        s.run({
          text: "select to_regclass('half_done') as t, (select max(version) from schema_migrations) as v",
          values: [],
        }),
      );
      expect(after.rows[0]).toEqual({ t: null, v: files.length });
      await expect(migrate(store)).resolves.toEqual({ applied: [], current: files.length });
    });

    it('refuses a recorded migration whose file changed since', async () => {
      const files = await loadMigrations();
      const edited = files.map((f, i) => (i === 0 ? { ...f, sql: `${f.sql}\n-- edited` } : f));
      await expect(migrate(store, edited)).rejects.toThrow(/changed after it was applied/);
    });
  });

  describe('tenant isolation (row-level security under the API role)', () => {
    it('runs tenant statements as a role that cannot bypass row-level security', async () => {
      const tenant = uniqueTenant('role');
      const [row] = await store.query(
        tenant,
        sql`select current_user as who, r.rolbypassrls, r.rolsuper, current_setting('app.tenant') as tenant
            from pg_roles r where r.rolname = current_user`,
      );
      expect(row).toEqual({ who: 'aurum_api', rolbypassrls: false, rolsuper: false, tenant });
      const [owner] = await store.admin(
        async (s) =>
          (
            await s.run({
              text: "select relrowsecurity, relforcerowsecurity from pg_class where oid = to_regclass('series_curve_mapping')",
              values: [],
            })
          ).rows,
      );
      expect(owner).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
    });

    it('shows a statement with no tenant filter only its own tenant’s rows', async () => {
      const a = uniqueTenant('a');
      const b = uniqueTenant('b');
      await store.transaction(a, async (tx) => {
        await insertMapping(tx, 'S1');
        await insertMapping(tx, 'S2');
      });
      await store.transaction(b, (tx) => insertMapping(tx, 'S3'));
      expect((await everyVisibleMapping(store, a)).map((r) => [r.tenant_id, r.external_series_id])).toEqual([
        [a, 'S1'],
        [a, 'S2'],
      ]);
      expect((await everyVisibleMapping(store, b)).map((r) => r.external_series_id)).toEqual(['S3']);
      // Nothing carries over on a reused connection: a tenant with no rows sees none.
      expect(await everyVisibleMapping(store, uniqueTenant('nobody'))).toEqual([]);
    });

    it('lets another tenant neither update nor delete a row, even by its id and with no tenant filter', async () => {
      const a = uniqueTenant('a');
      const b = uniqueTenant('b');
      const [row] = await store.transaction(a, (tx) => insertMapping(tx, 'OWNED'));
      const id = row!.id;
      expect(
        await store.execute(b, sql`update series_curve_mapping set curve_key = 'STOLEN' where id = ${id}`),
      ).toBe(0);
      expect(await store.execute(b, sql`update series_curve_mapping set curve_key = 'STOLEN'`)).toBe(0);
      expect(await store.execute(b, sql`delete from series_curve_mapping where id = ${id}`)).toBe(0);
      expect(await store.execute(b, sql`delete from series_curve_mapping`)).toBe(0);
      const [still] = await everyVisibleMapping(store, a);
      expect(still).toMatchObject({ id, curve_key: 'CURVE_A', version: 1 });
    });

    it('refuses a row written for another tenant, and a row moved to one', async () => {
      const a = uniqueTenant('a');
      const b = uniqueTenant('b');
      await expect(
        store.execute(
          a,
          sql`insert into series_curve_mapping (tenant_id, external_provider, external_series_id, curve_key, created_by, updated_by)
              values (${b}, 'eia', 'X', 'C', 'me', 'me')`,
        ),
      ).rejects.toBeInstanceOf(StoreIsolationError);
      await store.transaction(a, (tx) => insertMapping(tx, 'MINE'));
      // The touch trigger keeps tenant_id as it was; a moved row would fail the policy check anyway.
      await store.execute(a, sql`update series_curve_mapping set tenant_id = ${b}`);
      expect(await ownerCount(store, b)).toBe(0);
      expect(await ownerCount(store, a)).toBe(1);
    });
  });

  describe('errors', () => {
    it('maps a unique violation to the conflict error, naming the constraint and nothing of the SQL', async () => {
      const a = uniqueTenant('a');
      await store.transaction(a, (tx) => insertMapping(tx, 'DUP'));
      const failure = await store
        .transaction(a, (tx) => insertMapping(tx, 'DUP', 'OTHER'))
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreConflictError);
      expect(failure).toMatchObject({ constraint: 'series_curve_mapping_series_key', kind: 'internal' });
      expect((failure as Error).message).not.toMatch(/insert|series_curve_mapping|DUP|127\.0\.0\.1/i);
      // The same series in another tenant is no conflict.
      await expect(
        store.transaction(uniqueTenant('b'), (tx) => insertMapping(tx, 'DUP')),
      ).resolves.toHaveLength(1);
    });

    it('leaves nothing written when a failure is injected halfway through a transaction', async () => {
      const a = uniqueTenant('a');
      const injected = new Error('injected halfway');
      await expect(
        store.transaction(a, async (tx) => {
          await insertMapping(tx, 'FIRST');
          expect(await tx.query(sql`select 1 from series_curve_mapping`)).toHaveLength(1);
          throw injected;
        }),
      ).rejects.toBe(injected);
      await expect(
        store.transaction(a, async (tx) => {
          await insertMapping(tx, 'FIRST');
          await insertMapping(tx, 'FIRST'); // the second statement fails
        }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      expect(await ownerCount(store, a)).toBe(0);
    });

    it('turns the deadline into statement_timeout: a slow statement fails as a timeout and writes nothing', async () => {
      const a = uniqueTenant('a');
      const started = Date.now();
      const failure = await store
        .transaction(
          a,
          async (tx) => {
            await insertMapping(tx, 'SLOW');
            await tx.query(sql`select pg_sleep(1.5)`);
          },
          { deadline: Date.now() + 300 },
        )
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreTimeoutError);
      expect(failure).toMatchObject({ kind: 'timeout' });
      expect(await ownerCount(store, a)).toBe(0);
      if (target.name === 'postgres') expect(Date.now() - started).toBeLessThan(1_200);
      const [setting] = await store.query(a, sql`select current_setting('statement_timeout') as value`, {
        deadline: Date.now() + 5_000,
      });
      expect(String(setting!.value)).toMatch(/^(4\d{3}|5000)ms$|^[45]s$/);
    });

    it('leaves the server’s statement_timeout alone when the call has no deadline', async () => {
      const server = await store.admin(
        async (s) =>
          (await s.run({ text: "select current_setting('statement_timeout') as value", values: [] })).rows,
      );
      await expect(
        store.query(uniqueTenant('a'), sql`select current_setting('statement_timeout') as value`),
      ).resolves.toEqual(server);
    });

    it('does not start once the deadline passed or the caller aborted', async () => {
      const a = uniqueTenant('a');
      let ran = false;
      const work = async () => {
        ran = true;
      };
      await expect(store.transaction(a, work, { deadline: Date.now() - 1 })).rejects.toBeInstanceOf(
        StoreTimeoutError,
      );
      await expect(store.transaction(a, work, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
        StoreTimeoutError,
      );
      expect(ran).toBe(false);
    });

    it('refuses a malformed tenant before any statement', async () => {
      await expect(store.query('', sql`select 1`)).rejects.toBeInstanceOf(StoreError);
      await expect(store.query('A B', sql`select 1`)).rejects.toBeInstanceOf(StoreError);
    });
  });

  describe('rows', () => {
    it('hands back the same plain values on both adapters', async () => {
      const a = uniqueTenant('a');
      const [row] = await store.transaction(a, (tx) => insertMapping(tx, 'TYPES'));
      expect(row).toMatchObject({
        tenant_id: a,
        mapping_confidence: 1,
        mapping_method: 'manual',
        mapping_notes: null,
        is_active: true,
        version: 1,
      });
      expect(row!.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const [updated] = await store.query<MappingRow>(
        a,
        sql`update series_curve_mapping set curve_key = 'B', version = 99 where id = ${row!.id} returning *`,
      );
      // The touch trigger moves the version on by one whatever the statement set.
      expect(updated).toMatchObject({ curve_key: 'B', version: 2, created_at: row!.created_at });
      const [json] = await store.query(a, sql`select ${'{"a":[1,2]}'}::jsonb as doc, ${12}::bigint as n`);
      expect(json).toEqual({ doc: { a: [1, 2] }, n: 12 });
    });
  });

  describe('property: two tenants, random interleavings', () => {
    type Op =
      | { kind: 'insert'; who: 0 | 1; series: string }
      | { kind: 'touchOther'; who: 0 | 1 }
      | { kind: 'updateAll'; who: 0 | 1 }
      | { kind: 'deleteOwn'; who: 0 | 1 }
      | { kind: 'read'; who: 0 | 1 };
    const who = fc.constantFrom<0 | 1>(0, 1);
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), who, series: fc.stringMatching(/^[A-Z]{1,3}$/) }),
      fc.record({ kind: fc.constant('touchOther' as const), who }),
      fc.record({ kind: fc.constant('updateAll' as const), who }),
      fc.record({ kind: fc.constant('deleteOwn' as const), who }),
      fc.record({ kind: fc.constant('read' as const), who }),
    );

    it('finds no row of one tenant readable or writable by the other', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
          async (rounds) => {
            const tenants = [uniqueTenant('p'), uniqueTenant('q')] as const;
            /** The model: series per tenant, and the ids each tenant's rows got. */
            const model = [new Map<string, string>(), new Map<string, string>()];
            /** Every id each tenant ever created. */
            const created = [new Set<string>(), new Set<string>()];
            const runOp = async (o: Op) => {
              const me = tenants[o.who];
              const mine = model[o.who]!;
              const theirs = model[1 - o.who]!;
              switch (o.kind) {
                case 'insert': {
                  if (mine.has(o.series)) return;
                  mine.set(o.series, 'pending');
                  const [row] = await store.transaction(me, (tx) => insertMapping(tx, o.series));
                  mine.set(o.series, row!.id);
                  created[o.who]!.add(row!.id);
                  return;
                }
                case 'touchOther': {
                  for (const id of theirs.values()) {
                    if (id === 'pending') continue;
                    expect(
                      await store.execute(
                        me,
                        sql`update series_curve_mapping set curve_key = 'X' where id = ${id}`,
                      ),
                    ).toBe(0);
                    expect(
                      await store.execute(me, sql`delete from series_curve_mapping where id = ${id}`),
                    ).toBe(0);
                  }
                  return;
                }
                case 'updateAll': {
                  const changed = await store.query<MappingRow>(
                    me,
                    sql`update series_curve_mapping set mapping_notes = ${me} returning id, tenant_id`,
                  );
                  for (const row of changed) {
                    expect(row.tenant_id).toBe(me);
                    expect(created[o.who]!.has(row.id)).toBe(true);
                  }
                  return;
                }
                case 'deleteOwn': {
                  const [series, id] = [...mine.entries()].find(([, v]) => v !== 'pending') ?? [];
                  if (!series || !id) return;
                  mine.delete(series);
                  expect(
                    await store.execute(me, sql`delete from series_curve_mapping where id = ${id}`),
                  ).toBe(1);
                  return;
                }
                case 'read': {
                  const rows = await everyVisibleMapping(store, me);
                  for (const row of rows) {
                    expect(row.tenant_id).toBe(me);
                    expect(row.mapping_notes === null || row.mapping_notes === me).toBe(true);
                  }
                  return;
                }
              }
            };
            // Each round's operations run concurrently: their statements interleave as the store schedules them.
            for (const round of rounds) await Promise.all(round.map(runOp));
            for (const i of [0, 1] as const) {
              const rows = await everyVisibleMapping(store, tenants[i]);
              expect(rows.every((r) => r.tenant_id === tenants[i])).toBe(true);
              expect(rows.map((r) => r.external_series_id).sort()).toEqual([...model[i]!.keys()].sort());
            }
          },
        ),
        { numRuns: 15 },
      );
    });
  });
});
