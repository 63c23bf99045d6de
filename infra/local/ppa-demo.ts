import { sql } from '#lib/data/sql';
import type { AppStore } from '#lib/store/store';

/** The development tenant `npm start` answers for without a token. */
export const DEMO_TENANT = 'demo';

/** MW by local hour beginning: a summer solar day, scaled per month (January first). */
const SOLAR_DAY = [0, 0, 0, 0, 0, 0, 2, 10, 30, 55, 75, 88, 92, 88, 75, 55, 30, 10, 2, 0, 0, 0, 0, 0];
const SOLAR_SEASON = [0.55, 0.65, 0.8, 0.9, 1, 1, 1, 0.95, 0.85, 0.7, 0.6, 0.5];
/** A wind fleet's diurnal shape: stronger at night. */
const WIND_DAY = [
  150, 155, 160, 160, 155, 145, 130, 115, 100, 90, 85, 80, 80, 80, 85, 90, 100, 115, 130, 140, 145, 150, 150,
  150,
];
const WIND_SEASON = [1, 1, 1, 0.95, 0.85, 0.75, 0.7, 0.7, 0.8, 0.9, 1, 1];

const profile = (day: number[], season: number[]) =>
  season.map((f) => day.map((mw) => Math.round(mw * f * 10) / 10));

/**
 * A few contracts for the demo tenant, so the PPA routes have something to value on a fresh `npm start`:
 * fixed ids, written only when missing (the same on every start, and a deleted one comes back).
 */
export const DEMO_CONTRACTS = [
  {
    id: '00000000-0000-4000-8000-00000000a001',
    instrument_id: 'DEMO-SOLAR-PJM-WEST',
    terms: {
      counterparty: 'Sunrise Solar LLC',
      settlement: 'virtual',
      hub: { iso: 'PJM', location: 'WESTERN HUB' },
      market: 'DA',
      start_date: '2026-01-01',
      end_date: '2027-12-31',
      price_usd_mwh: 42,
      escalator_pct_per_year: 2,
      structure: 'fixed',
      profile_12x24: profile(SOLAR_DAY, SOLAR_SEASON),
      capacity_mw: 100,
      p_level: 'P50',
      perspective: 'buyer',
    },
  },
  {
    id: '00000000-0000-4000-8000-00000000a002',
    instrument_id: 'DEMO-WIND-ERCOT-NORTH',
    terms: {
      counterparty: 'Panhandle Wind LP',
      settlement: 'virtual',
      hub: { iso: 'ERCOT', location: 'HB_NORTH' },
      start_date: '2026-01-01',
      end_date: '2028-06-30',
      structure: 'collar',
      floor_usd_mwh: 25,
      cap_usd_mwh: 60,
      profile_12x24: profile(WIND_DAY, WIND_SEASON),
      capacity_mw: 200,
      p_level: 'P90',
      perspective: 'buyer',
    },
  },
  {
    id: '00000000-0000-4000-8000-00000000a003',
    instrument_id: 'DEMO-BASELOAD-PJM-BGE',
    terms: {
      counterparty: 'Chesapeake Retail Energy',
      settlement: 'physical',
      hub: { iso: 'PJM', location: 'WESTERN HUB' },
      node: { iso: 'PJM', location: 'BGE' },
      basis_usd_mwh: 3.5,
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      price_usd_mwh: 55,
      baseload_mw: 25,
      perspective: 'seller',
    },
  },
] as const;

/** Writes the demo contracts that are missing; answers how many it wrote. */
export async function seedDemoContracts(store: AppStore): Promise<number> {
  return store.transaction(DEMO_TENANT, async (tx) => {
    let written = 0;
    for (const c of DEMO_CONTRACTS) {
      written +=
        await tx.execute(sql`INSERT INTO ppa_contract (id, tenant_id, instrument_id, terms, created_by, updated_by)
VALUES (${c.id}::uuid, ${DEMO_TENANT}, ${c.instrument_id}, ${JSON.stringify(c.terms)}::jsonb, 'npm-start', 'npm-start')
ON CONFLICT (id) DO NOTHING`);
    }
    return written;
  });
}
