import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '#lib/data/sql';
import { migrate } from '#lib/store/migrate';
import type { ManagedStore } from '#lib/store/store';
import { STORE_TARGETS, type StoreFixture } from '#test/support/app-store';

/**
 * The second wall: PPA tables under row-level security, on PGlite and on the real PostgreSQL. A statement
 * that forgets its tenant filter still sees and changes only its own tenant's rows, and a row written for
 * another tenant is refused.
 */
describe.each(STORE_TARGETS)('PPA tables on $name', (target) => {
  let fixture: StoreFixture;
  let store: ManagedStore;
  let contractId: string;

  beforeAll(async () => {
    fixture = await target.fresh();
    store = fixture.store;
    await migrate(store);
    const [row] = await store.query(
      'alpha',
      sql`INSERT INTO ppa_contract (terms, created_by, updated_by) VALUES ('{"price_usd_mwh": 40}'::jsonb, 'a', 'a')
RETURNING id, seq, tenant_id`,
    );
    expect(row!.tenant_id).toBe('alpha');
    contractId = String(row!.id);
    const [valuation] = await store.query(
      'alpha',
      sql`INSERT INTO ppa_valuation (contract_id, api_version, asof_date, npv, created_by)
VALUES (${contractId}::uuid, 'v2', DATE '2025-09-26', 1, 'a') RETURNING id, seq`,
    );
    await store.execute(
      'alpha',
      sql`INSERT INTO ppa_valuation_period (valuation_id, valuation_seq, contract_id, seq, period_start, period_end,
  metric, value, unit) VALUES (${String(valuation!.id)}::uuid, ${Number(valuation!.seq)}, ${contractId}::uuid, 1,
  DATE '2026-01-01', DATE '2026-01-31', 'cashflow', 1, 'USD')`,
    );
  }, 60_000);
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('hides every PPA row from another tenant, even without a tenant filter', async () => {
    for (const table of ['ppa_contract', 'ppa_valuation', 'ppa_valuation_period'] as const) {
      const text = {
        ppa_contract: sql`SELECT count(*) AS n FROM ppa_contract`,
        ppa_valuation: sql`SELECT count(*) AS n FROM ppa_valuation`,
        ppa_valuation_period: sql`SELECT count(*) AS n FROM ppa_valuation_period`,
      }[table];
      expect(Number((await store.query('alpha', text))[0]!.n), table).toBe(1);
      expect(Number((await store.query('beta', text))[0]!.n), table).toBe(0);
    }
    expect(await store.execute('beta', sql`UPDATE ppa_contract SET terms = '{}'::jsonb`)).toBe(0);
    expect(await store.execute('beta', sql`DELETE FROM ppa_contract`)).toBe(0);
    const [kept] = await store.query(
      'alpha',
      sql`SELECT terms, version FROM ppa_contract WHERE id = ${contractId}::uuid`,
    );
    expect(kept).toEqual({ terms: { price_usd_mwh: 40 }, version: 1 });
  });

  it('refuses a row written for another tenant, and moves the version on every update', async () => {
    await expect(
      store.execute(
        'beta',
        sql`INSERT INTO ppa_contract (tenant_id, terms, created_by, updated_by) VALUES ('alpha', '{}'::jsonb, 'b', 'b')`,
      ),
    ).rejects.toThrow();
    await store.execute(
      'alpha',
      sql`UPDATE ppa_contract SET instrument_id = 'X' WHERE id = ${contractId}::uuid`,
    );
    const [row] = await store.query(
      'alpha',
      sql`SELECT version FROM ppa_contract WHERE id = ${contractId}::uuid`,
    );
    expect(row!.version).toBe(2);
  });
});
