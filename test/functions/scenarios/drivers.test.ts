import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assumption,
  applyAssumptions,
  type BasePoint,
  band,
  POLICY_NAMES,
  yearsToDelivery,
} from '#functions/scenarios/drivers';
import { outputRowsOf } from '#functions/scenarios/run-worker';

const pjm: BasePoint = {
  curve_key: 'PJM.WESTERN_HUB.DA.ON_PEAK.PWR',
  iso: 'PJM',
  block: 'ON_PEAK',
  asset_class: 'power',
  tenor_type: 'MONTHLY',
  tenor_label: '2026-01',
  contract_month: '2026-01-01',
  mid: 50,
  gas_price: 4,
};

describe('drivers, each on a hand-computed case', () => {
  it('curve_shift adds an absolute or a percentage shift to matching curves and months only', () => {
    expect(
      applyAssumptions(pjm, [{ driver_type: 'curve_shift', payload: { value: 2.5, unit: 'USD/MWh' } }]).mid,
    ).toBe(52.5);
    expect(
      applyAssumptions(pjm, [{ driver_type: 'curve_shift', payload: { value: 10, unit: 'percent' } }]).mid,
    ).toBe(55);
    const outside: Assumption = {
      driver_type: 'curve_shift',
      payload: { value: 5, unit: 'USD/MWh', from_month: '2026-02', to_month: '2026-06' },
    };
    expect(applyAssumptions(pjm, [outside]).mid).toBe(50);
    const otherIso: Assumption = {
      driver_type: 'curve_shift',
      payload: { value: 5, unit: 'USD/MWh', iso: 'ERCOT' },
    };
    expect(applyAssumptions(pjm, [otherIso]).mid).toBe(50);
    const inside: Assumption = {
      driver_type: 'curve_shift',
      payload: {
        value: 5,
        unit: 'USD/MWh',
        iso: 'pjm',
        block: 'on_peak',
        from_month: '2025-12',
        to_month: '2026-01',
      },
    };
    expect(applyAssumptions(pjm, [inside]).mid).toBe(55);
  });

  it('fuel_price passes a gas change to power through the heat rate', () => {
    // +20 % of the month's $4 Henry Hub = $0.80/MMBtu × PJM's 7.5 MMBtu/MWh = $6/MWh
    expect(
      applyAssumptions(pjm, [{ driver_type: 'fuel_price', payload: { change: 20, unit: 'percent' } }]).mid,
    ).toBeCloseTo(56, 12);
    // $1/MMBtu × a given 8 MMBtu/MWh = $8/MWh
    expect(
      applyAssumptions(pjm, [
        { driver_type: 'fuel_price', payload: { change: 1, unit: 'USD/MMBtu', heat_rate: 8 } },
      ]).mid,
    ).toBe(58);
    // without a gas forward: the default $3.50 — 10 % = 0.35 × ERCOT's 7.2 = 2.52
    const ercot = { ...pjm, iso: 'ERCOT', gas_price: null };
    expect(
      applyAssumptions(ercot, [{ driver_type: 'fuel_price', payload: { change: 10, unit: 'percent' } }]).mid,
    ).toBeCloseTo(52.52, 12);
    // gas curves are not moved by the power drivers
    expect(
      applyAssumptions({ ...pjm, asset_class: 'gas' }, [
        { driver_type: 'fuel_price', payload: { change: 20, unit: 'percent' } },
      ]).mid,
    ).toBe(50);
  });

  it('load_growth moves power by the elasticity, default 1.2', () => {
    expect(applyAssumptions(pjm, [{ driver_type: 'load_growth', payload: { percent: 3 } }]).mid).toBeCloseTo(
      51.8,
      12,
    );
    expect(
      applyAssumptions(pjm, [{ driver_type: 'load_growth', payload: { percent: 10, elasticity: 0.5 } }]).mid,
    ).toBeCloseTo(52.5, 12);
  });

  it('carbon_price adds $/t × the emission rate', () => {
    // $30/t × PJM's 0.4 t/MWh = $12/MWh
    expect(
      applyAssumptions(pjm, [{ driver_type: 'carbon_price', payload: { usd_per_ton: 30 } }]).mid,
    ).toBeCloseTo(62, 12);
    expect(
      applyAssumptions(pjm, [
        { driver_type: 'carbon_price', payload: { usd_per_ton: 20, emission_rate: 0.9 } },
      ]).mid,
    ).toBeCloseTo(68, 12);
  });

  it('policy clean_power_transition is gas +20 %, then load +3 % of the moved price, then $30/t carbon', () => {
    const applied = applyAssumptions(pjm, [
      { driver_type: 'policy', payload: { name: 'clean_power_transition' } },
    ]);
    // 50 → +6 (gas) = 56 → ×1.2×3 % = +2.016 → 58.016 → +12 (carbon) = 70.016
    expect(applied.attribution['policy.clean_power_transition.fuel_price']).toBeCloseTo(6, 12);
    expect(applied.attribution['policy.clean_power_transition.load_growth']).toBeCloseTo(2.016, 12);
    expect(applied.attribution['policy.clean_power_transition.carbon_price']).toBeCloseTo(12, 12);
    expect(applied.mid).toBeCloseTo(70.016, 12);
  });

  it('bands are P10/P90 of a lognormal with the annualised volatility scaled by √T', () => {
    // σ_daily 0.02 → annual 0.02·√252; T = 1 year; width = 1.28155·0.3175 = 0.40687
    const width = 1.2815515655446004 * 0.02 * Math.sqrt(252);
    const b = band(100, 0.02, 1);
    expect(b.lower).toBeCloseTo(100 * Math.exp(-width), 10);
    expect(b.upper).toBeCloseTo(100 * Math.exp(width), 10);
    expect(b.lower).toBeCloseTo(66.57, 1);
    expect(band(100, null, 1)).toEqual({ lower: null, upper: null });
    expect(yearsToDelivery('2025-01-01', '2026-01-01')).toBeCloseTo(365 / 365.25, 12);
    // a quarter of the time: half the width
    const q = band(100, 0.02, 0.25);
    expect(Math.log(100 / q.lower!)).toBeCloseTo(width / 2, 10);
  });
});

const driverArb: fc.Arbitrary<Assumption> = fc.oneof(
  fc.record({
    driver_type: fc.constant('curve_shift' as const),
    payload: fc.record({
      value: fc.double({ min: -50, max: 50, noNaN: true }),
      unit: fc.constantFrom('USD/MWh' as const, 'percent' as const),
    }),
  }),
  fc.record({
    driver_type: fc.constant('fuel_price' as const),
    payload: fc.record({
      change: fc.double({ min: -50, max: 200, noNaN: true }),
      unit: fc.constantFrom('percent' as const, 'USD/MMBtu' as const),
    }),
  }),
  fc.record({
    driver_type: fc.constant('load_growth' as const),
    payload: fc.record({ percent: fc.double({ min: -20, max: 20, noNaN: true }) }),
  }),
  fc.record({
    driver_type: fc.constant('carbon_price' as const),
    payload: fc.record({ usd_per_ton: fc.double({ min: 0, max: 200, noNaN: true }) }),
  }),
  fc.record({
    driver_type: fc.constant('policy' as const),
    payload: fc.record({ name: fc.constantFrom(...POLICY_NAMES) }),
  }),
);

const pointArb: fc.Arbitrary<BasePoint & { daily_vol: number | null }> = fc.record({
  curve_key: fc.constantFrom('PJM.WESTERN_HUB.DA.ON_PEAK.PWR', 'ERCOT.HB_NORTH.DA.ATC.PWR'),
  iso: fc.constantFrom('PJM', 'ERCOT', 'CAISO', 'XYZ'),
  block: fc.constantFrom('ON_PEAK', 'ATC'),
  asset_class: fc.constantFrom('power', 'gas'),
  tenor_type: fc.constant('MONTHLY'),
  tenor_label: fc.constant('2026-03'),
  contract_month: fc.constantFrom('2025-10-01', '2026-03-01', '2028-09-01'),
  mid: fc.double({ min: -20, max: 500, noNaN: true }),
  gas_price: fc.option(fc.double({ min: 1, max: 12, noNaN: true })),
  daily_vol: fc.option(fc.double({ min: 0, max: 0.2, noNaN: true })),
});

describe('properties of every run output', () => {
  it('attributions sum to the change from the base, and band_lower ≤ mid ≤ band_upper', () => {
    fc.assert(
      fc.property(pointArb, fc.array(driverArb, { maxLength: 6 }), (point, assumptions) => {
        const rows = outputRowsOf([point], assumptions, {
          scenarioId: 's',
          runId: 'r',
          asof: '2025-09-26',
          versionHash: 'h',
        });
        const mid = rows.find((r) => r.metric === 'mid')!;
        const base = rows.find((r) => r.metric === 'base')!;
        expect(base.value).toBe(point.mid);
        const sum = Object.values(mid.attribution).reduce((s, v) => s + v, 0);
        expect(Math.abs(mid.value - base.value - sum)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(mid.value)),
        );
        if (point.daily_vol === null) {
          expect(mid.band_lower).toBeNull();
        } else {
          expect(mid.band_lower!).toBeLessThanOrEqual(mid.value);
          expect(mid.value).toBeLessThanOrEqual(mid.band_upper!);
        }
      }),
      { numRuns: 500 },
    );
  });
});
