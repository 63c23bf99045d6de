import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthBlockHours, offPeakHours, onPeakHours } from '#functions/ppa/block-hours';
import { type DeskTerms, readDeskTerms } from '#functions/ppa/terms';
import {
  asFixedPrice,
  irrByBisection,
  type MonthMarket,
  sensitivities,
  termMonths,
  type ValuationInput,
  v1Metrics,
  valueContract,
} from '#functions/ppa/valuation';
import { parseMarketDate } from '#lib/time/market-date';

/** Desk terms from raw contract terms, as the service reads them. */
function terms(raw: Record<string, unknown>): DeskTerms {
  const read = readDeskTerms({ hub: { iso: 'PJM', location: 'WESTERN HUB' }, ...raw });
  if (!read.ok) throw new Error(JSON.stringify(read.issues));
  return read.terms;
}

const hoursSeen = new Map<string, ReturnType<typeof monthBlockHours>>();

/** Every month of the term on the hub's calendar, priced by `price(year, month)` → [ON_PEAK, OFF_PEAK]. */
function months(t: DeskTerms, price: (year: number, month: number) => [number, number]): MonthMarket[] {
  const [start, end] = [t.start_date, t.end_date];
  return termMonths(t).map(({ year, month }) => {
    const [onPeak, offPeak] = price(year, month);
    return {
      year,
      month,
      onPeak,
      offPeak,
      hours: hoursOf(t.hub.iso.toLowerCase(), year, month, start, end),
    };
  });
}

/** The calendar is the slow part: each month's hours are counted once per file. */
function hoursOf(calendar: string, year: number, month: number, start: string, end: string) {
  const key = `${calendar}|${year}-${month}|${start}|${end}`;
  if (!hoursSeen.has(key))
    hoursSeen.set(
      key,
      monthBlockHours(calendar, year, month, parseMarketDate(start)!, parseMarketDate(end)!),
    );
  return hoursSeen.get(key)!;
}

const flat = (p: number) => (): [number, number] => [p, p];

function input(
  t: DeskTerms,
  price: (y: number, m: number) => [number, number],
  extra: Partial<ValuationInput> = {},
) {
  return {
    terms: t,
    months: months(t, price),
    asofYear: 2025,
    asofMonth: 12,
    discountRate: 0,
    ...extra,
  } satisfies ValuationInput;
}

const YEAR_2026 = { start_date: '2026-01-01', end_date: '2026-12-31', fixed_mwh_per_month: 1000 };

describe('golden cases, computed by hand', () => {
  it('virtual fixed price 40 against a flat 50 curve, 12 × 1 000 MWh, zero discount', () => {
    const result = valueContract(input(terms({ ...YEAR_2026, price_usd_mwh: 40 }), flat(50)));
    expect(result.periods).toHaveLength(12);
    for (const p of result.periods) {
      expect(p.settlement).toBeCloseTo(10_000, 9);
      expect(p.contract_price).toBe(40);
      expect(p.market_price).toBeCloseTo(50, 12);
      expect(p.discount_factor).toBe(1);
    }
    expect(result.periods[0]).toMatchObject({ period_start: '2026-01-01', period_end: '2026-01-31' });
    expect(result.periods[1]!.period_end).toBe('2026-02-28');
    expect(result.npv).toBeCloseTo(120_000, 6);
    expect(result.total_volume_mwh).toBeCloseTo(12_000, 9);
    expect(result.break_even_price).toBeCloseTo(50, 9);
    expect(result.shape_factor).toBeCloseTo(1, 12);
    expect(result.capture_price).toBeCloseTo(50, 12);
    expect(result.baseload_price).toBeCloseTo(50, 12);
    // Every flow is positive: no IRR.
    expect(result.irr).toBeUndefined();
  });

  it('the seller’s side of the same contract is the mirror image', () => {
    const result = valueContract(
      input(terms({ ...YEAR_2026, price_usd_mwh: 40, perspective: 'seller' }), flat(50)),
    );
    expect(result.npv).toBeCloseTo(-120_000, 6);
    expect(result.break_even_price).toBeCloseTo(50, 9);
  });

  it('a 45–55 collar follows the market inside the band and stops at its edges', () => {
    const collar = terms({ ...YEAR_2026, structure: 'collar', floor_usd_mwh: 45, cap_usd_mwh: 55 });
    const inside = valueContract(input(collar, flat(50)));
    expect(inside.periods.every((p) => p.contract_price === 50 && p.settlement === 0)).toBe(true);
    expect(inside.npv).toBe(0);
    expect(inside.break_even_price).toBeCloseTo(50, 9);
    // Above the cap the buyer pays 55 and earns 60 − 55; below the floor it pays 45 for 40.
    const above = valueContract(input(collar, flat(60)));
    expect(above.periods[0]!.contract_price).toBe(55);
    expect(above.npv).toBeCloseTo(60_000, 6);
    const below = valueContract(input(collar, flat(40)));
    expect(below.periods[0]!.contract_price).toBe(45);
    expect(below.npv).toBeCloseTo(-60_000, 6);
  });

  it('a 10 % discount structure pays 45 against a 50 market', () => {
    const result = valueContract(
      input(terms({ ...YEAR_2026, structure: 'discount', discount_pct: 10 }), flat(50)),
    );
    expect(result.periods[0]!.contract_price).toBeCloseTo(45, 12);
    expect(result.periods[0]!.settlement).toBeCloseTo(5_000, 9);
    expect(result.npv).toBeCloseTo(60_000, 6);
    expect(result.break_even_price).toBeCloseTo(50, 9);
  });

  it('a baseload month on a DST month is the hour-weighted average of its ON_PEAK and OFF_PEAK forwards', () => {
    // PJM March 2026: 22 weekdays × 16 peak hours = 352 ON_PEAK; 31 × 24 − 1 (spring forward, 8 March) = 743
    // hours, so 391 OFF_PEAK. With ON 60 and OFF 40: (60 × 352 + 40 × 391) / 743 = 36 760 / 743.
    const t = terms({ start_date: '2026-03-01', end_date: '2026-03-31', baseload_mw: 10, price_usd_mwh: 45 });
    const [march] = months(t, () => [60, 40]);
    expect(onPeakHours(march!.hours)).toBe(352);
    expect(offPeakHours(march!.hours)).toBe(391);
    const result = valueContract({
      terms: t,
      months: [march!],
      asofYear: 2026,
      asofMonth: 2,
      discountRate: 0,
    });
    expect(result.periods[0]!.baseload_price).toBeCloseTo(36_760 / 743, 12);
    expect(result.periods[0]!.market_price).toBeCloseTo(36_760 / 743, 12);
    expect(result.periods[0]!.volume_mwh).toBe(7_430);
    expect(result.shape_factor).toBeCloseTo(1, 12);
  });

  it('a solar profile in a month whose peak trades below off-peak captures less than baseload', () => {
    // CAISO April 2026 (ON_PEAK Mon–Sat HE 7–22): 26 peak days × 16 = 416 ON, 304 OFF of 720 hours. Forwards
    // ON 25 (the midday solar glut), OFF 35: baseload (25 × 416 + 35 × 304) / 720 = 21 040 / 720.
    // 50 MW in hours beginning 9–16: 26 × 8 = 208 ON hours and 4 Sundays × 8 = 32 OFF, so capture
    // (25 × 208 + 35 × 32) / 240 = 6 320 / 240 and 12 000 MWh.
    const sun = Array.from({ length: 24 }, (_, h) => (h >= 9 && h <= 16 ? 50 : 0));
    const t = terms({
      hub: { iso: 'caiso', location: 'SP15' },
      start_date: '2026-04-01',
      end_date: '2026-04-30',
      profile_12x24: Array.from({ length: 12 }, () => sun),
      capacity_mw: 100,
      price_usd_mwh: 20,
    });
    const result = valueContract({ ...input(t, () => [25, 35]), asofYear: 2026, asofMonth: 3 });
    expect(result.periods[0]!.volume_mwh).toBe(12_000);
    expect(result.capture_price).toBeCloseTo(6_320 / 240, 12);
    expect(result.baseload_price).toBeCloseTo(21_040 / 720, 12);
    expect(result.capture_price!).toBeLessThan(result.baseload_price!);
    expect(result.shape_factor).toBeCloseTo(6_320 / 240 / (21_040 / 720), 12);
    expect(result.npv).toBeCloseTo((6_320 / 240 - 20) * 12_000, 6);
    expect(result.break_even_price).toBeCloseTo(6_320 / 240, 9);
    // The README's worked example: 76 000 $, and under the sensitivities.
    expect(result.npv).toBeCloseTo(76_000, 6);
    const s = sensitivities(
      { ...input(t, () => [25, 35]), asofYear: 2026, asofMonth: 3 },
      { curveShiftPct: 10, pLevel: 'P90', discountShiftBp: 100 },
    );
    expect(s.npv_curve_up).toBeCloseTo((1.1 * (6_320 / 240) - 20) * 12_000, 6);
    expect(s.npv_curve_up).toBeCloseTo(107_600, 6);
    expect(s.npv_curve_down).toBeCloseTo(44_400, 6);
    expect(s.npv_p_level).toBeCloseTo(68_400, 6);
    expect(s.npv_discount_rate_up).toBeCloseTo(76_000 * 1.01 ** (-1 / 12), 6);
  });

  it('P90 and P99 volumes scale the P50 volume by their factors', () => {
    const p90 = valueContract(input(terms({ ...YEAR_2026, price_usd_mwh: 40, p_level: 'P90' }), flat(50)));
    expect(p90.periods[0]!.volume_mwh).toBeCloseTo(900, 9);
    expect(p90.npv).toBeCloseTo(108_000, 6);
    const own = valueContract(
      input(terms({ ...YEAR_2026, price_usd_mwh: 40, p_level: 'P99', p99_factor: 0.8 }), flat(50)),
    );
    expect(own.npv).toBeCloseTo(96_000, 6);
  });

  it('escalates by contract year, across the calendar year boundary without a step', () => {
    const t = terms({
      start_date: '2026-07-01',
      end_date: '2027-12-31',
      fixed_mwh_per_month: 1000,
      price_usd_mwh: 40,
      escalator_pct_per_year: 2,
    });
    const result = valueContract({ ...input(t, flat(50)), asofYear: 2026, asofMonth: 6 });
    const price = (start: string) => result.periods.find((p) => p.period_start === start)!.contract_price;
    expect(price('2026-12-01')).toBe(40);
    expect(price('2027-01-01')).toBe(40);
    expect(price('2027-06-01')).toBe(40);
    expect(price('2027-07-01')).toBeCloseTo(40.8, 12);
    expect(price('2027-12-01')).toBeCloseTo(40.8, 12);
    // 12 months at 10 000, 6 at 9 200.
    expect(result.npv).toBeCloseTo(12 * 10_000 + 6 * 9_200, 6);
    // The break-even base price escalates the same way: 50 = P in year one, so P × 1.02 in year two.
    const be = result.break_even_price!;
    expect(be).toBeCloseTo((18 * 50_000) / (12 * 1000 + 6 * 1020), 9);
  });

  it('degrades volume by contract year and prorates a fixed monthly volume over partial months', () => {
    const t = terms({
      start_date: '2026-01-16',
      end_date: '2027-01-31',
      fixed_mwh_per_month: 3100,
      price_usd_mwh: 40,
      degradation_pct_per_year: 10,
    });
    const result = valueContract(input(t, flat(50)));
    expect(result.periods[0]).toMatchObject({ period_start: '2026-01-16', period_end: '2026-01-31' });
    expect(result.periods[0]!.volume_mwh).toBeCloseTo(1600, 9);
    expect(result.periods.at(-1)!.volume_mwh).toBeCloseTo(3100 * 0.9, 9);
  });

  it('discounts monthly: a month k months after the valuation month by (1 + r)^(−k/12)', () => {
    const result = valueContract(
      input(terms({ ...YEAR_2026, price_usd_mwh: 40 }), flat(50), { discountRate: 0.12 }),
    );
    expect(result.periods[0]!.discount_factor).toBeCloseTo(1.12 ** (-1 / 12), 12);
    expect(result.periods[11]!.discount_factor).toBeCloseTo(1 / 1.12, 12);
    const expected = Array.from({ length: 12 }, (_, i) => 10_000 * 1.12 ** (-(i + 1) / 12)).reduce(
      (a, b) => a + b,
    );
    expect(result.npv).toBeCloseTo(expected, 6);
  });

  it('an upfront payment makes the flows change sign, and the IRR is annual', () => {
    // −1 000 now, +100 a month for 12 months: the monthly IRR is 0.0292285…, 41.29990 % a year.
    const t = terms({ ...YEAR_2026, fixed_mwh_per_month: 10, price_usd_mwh: 40 });
    const result = valueContract(input(t, flat(50), { upfront: 1000 }));
    expect(result.irr).toBeCloseTo(0.412999, 5);
    expect(result.npv).toBeCloseTo(200, 6);
  });

  it('the sensitivities move the curve, the volume and the rate', () => {
    const base = input(terms({ ...YEAR_2026, price_usd_mwh: 40 }), flat(50));
    const s = sensitivities(base, { curveShiftPct: 10, pLevel: 'P90', discountShiftBp: 100 });
    expect(s.npv_curve_up).toBeCloseTo(12 * 1000 * 15, 6);
    expect(s.npv_curve_down).toBeCloseTo(12 * 1000 * 5, 6);
    expect(s.npv_p_level).toBeCloseTo(108_000, 6);
    const oneHundredBp = Array.from({ length: 12 }, (_, i) => 10_000 * 1.01 ** (-(i + 1) / 12)).reduce(
      (a, b) => a + b,
    );
    expect(s.npv_discount_rate_up).toBeCloseTo(oneHundredBp, 6);
  });
});

describe('the desk terms', () => {
  it('name each missing or invalid member as terms.<member>', () => {
    const read = readDeskTerms({
      hub: { iso: 'XYZ', location: 'WESTERN HUB' },
      start_date: '2026-02-30',
      end_date: '2026-12-31',
      structure: 'collar',
      floor_usd_mwh: 60,
      cap_usd_mwh: 50,
    });
    expect(read.ok).toBe(false);
    const fields = read.ok ? [] : read.issues.map((i) => i.field).sort();
    expect(fields).toEqual(
      expect.arrayContaining([
        'terms.hub.iso',
        'terms.start_date',
        'terms.baseload_mw',
        'terms.fixed_mwh_per_month',
      ]),
    );
    const collar = readDeskTerms({
      hub: { iso: 'PJM', location: 'X' },
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      structure: 'collar',
      floor_usd_mwh: 60,
      cap_usd_mwh: 50,
      baseload_mw: 1,
    });
    expect(collar.ok ? [] : collar.issues.map((i) => i.field)).toEqual(['terms.cap_usd_mwh']);
    const fixed = readDeskTerms({
      hub: { iso: 'PJM', location: 'X' },
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      baseload_mw: 1,
    });
    expect(fixed.ok ? [] : fixed.issues.map((i) => i.field)).toEqual(['terms.price_usd_mwh']);
  });
});

describe('the v1 formula (reference §1.5)', () => {
  const row = (contract_month: string, value: number) => ({
    contract_month,
    value,
    run_id: '00000000-0000-4000-8000-000000000001',
    curve_key: 'PJM.WESTERN_HUB.DA.ATC.PWR',
    tenor_type: 'MONTHLY',
    metric_unit: 'USD/MWh',
    version_hash: 'v1',
  });

  it('cashflows (value − price) × volume, NPV, and no IRR without a sign change', () => {
    const metrics = v1Metrics([row('2026-01-01', 50), row('2026-02-01', 55), row('2026-03-01', 45)], {
      ppa_price: 40,
      volume_mwh: 10,
      discount_rate: 0,
      upfront_cost: 0,
    });
    expect(metrics.map((m) => [m.metric, m.period_start, m.period_end, m.value, m.unit, m.currency])).toEqual(
      [
        ['cashflow', '2026-01-01', '2026-01-31', 100, 'USD', 'USD'],
        ['cashflow', '2026-02-01', '2026-02-28', 150, 'USD', 'USD'],
        ['cashflow', '2026-03-01', '2026-03-31', 50, 'USD', 'USD'],
        ['NPV', '2026-01-01', '2026-03-31', 300, 'USD', 'USD'],
      ],
    );
  });

  it('discounts with exponent = months since the first period + 1, and gives the IRR per period to 6 dp', () => {
    const rows = [row('2026-01-01', 50), row('2026-02-01', 55), row('2026-03-01', 45)];
    const metrics = v1Metrics(rows, {
      ppa_price: 40,
      volume_mwh: 10,
      discount_rate: 0.12,
      upfront_cost: 250,
    });
    const m = 1.12 ** (1 / 12);
    const npv = metrics.find((x) => x.metric === 'NPV')!.value;
    expect(npv).toBeCloseTo(-250 + 100 / m + 150 / m ** 2 + 50 / m ** 3, 4);
    // −250 + 100/(1+r) + 150/(1+r)² + 50/(1+r)³ = 0 at r = 0.1059978873…
    expect(metrics.find((x) => x.metric === 'IRR')).toMatchObject({ value: 0.105998, unit: 'ratio' });
    // A gap month keeps its calendar exponent: March is discounted three months, not two.
    const gap = v1Metrics([row('2026-01-01', 50), row('2026-03-01', 45)], {
      ppa_price: 40,
      volume_mwh: 10,
      discount_rate: 0.12,
      upfront_cost: 0,
    });
    expect(gap.find((x) => x.metric === 'NPV')!.value).toBeCloseTo(100 / m + 50 / m ** 3, 4);
  });

  it('IRR by bisection: undefined without a sign change, the root otherwise', () => {
    expect(irrByBisection([100, 200], [0, 1])).toBeUndefined();
    expect(irrByBisection([-100, 110], [0, 1])).toBeCloseTo(0.1, 7);
  });
});

describe('properties', () => {
  const scenario = fc.record({
    price: fc.double({ min: 0, max: 200, noNaN: true }),
    other: fc.double({ min: 0, max: 200, noNaN: true }),
    on: fc.double({ min: 1, max: 300, noNaN: true }),
    off: fc.double({ min: 1, max: 300, noNaN: true }),
    rate: fc.double({ min: 0, max: 0.3, noNaN: true }),
    escalator: fc.double({ min: -5, max: 10, noNaN: true }),
    seller: fc.boolean(),
    months: fc.integer({ min: 1, max: 24 }),
  });
  function termsOf(
    s: { months: number; escalator: number; seller: boolean },
    extra: Record<string, unknown> = {},
  ) {
    const endYear = 2026 + Math.floor((s.months - 1) / 12);
    const endMonth = ((s.months - 1) % 12) + 1;
    const end = `${endYear}-${String(endMonth).padStart(2, '0')}-${endMonth === 2 ? '28' : '30'}`;
    return terms({
      start_date: '2026-01-01',
      end_date: end,
      baseload_mw: 5,
      escalator_pct_per_year: s.escalator,
      perspective: s.seller ? 'seller' : 'buyer',
      ...extra,
    });
  }

  it('NPV falls with the contract price for a buyer and rises for a seller', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const [low, high] = s.price <= s.other ? [s.price, s.other] : [s.other, s.price];
        const at = (price: number) =>
          valueContract(
            input(termsOf(s, { price_usd_mwh: price }), () => [s.on, s.off], { discountRate: s.rate }),
          ).npv;
        if (s.seller) expect(at(high)).toBeGreaterThanOrEqual(at(low) - 1e-6);
        else expect(at(high)).toBeLessThanOrEqual(at(low) + 1e-6);
      }),
      { numRuns: 60 },
    );
  });

  it('valued at its break-even price, a contract’s NPV is within 0.01 of zero', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 1e5, noNaN: true }), (s, upfront) => {
        const t = termsOf(s, { price_usd_mwh: s.price });
        const base = input(t, () => [s.on, s.off], { discountRate: s.rate, upfront });
        const breakEven = valueContract(base).break_even_price!;
        const again = valueContract({ ...base, terms: asFixedPrice(t, breakEven) });
        expect(Math.abs(again.npv)).toBeLessThan(0.01);
      }),
      { numRuns: 60 },
    );
  });

  it('a collar’s settlement lies between the floor’s and the cap’s', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const [floor, cap] = s.price <= s.other ? [s.price, s.other] : [s.other, s.price];
        const t = termsOf(s, { structure: 'collar', floor_usd_mwh: floor, cap_usd_mwh: cap });
        const prices = () => [s.on, s.off] as [number, number];
        const collar = valueContract(input(t, prices)).periods;
        const atFloor = valueContract(input(asFixedPrice(t, floor), prices)).periods;
        const atCap = valueContract(input(asFixedPrice(t, cap), prices)).periods;
        collar.forEach((p, i) => {
          const [a, b] = [atFloor[i]!.settlement, atCap[i]!.settlement];
          expect(p.settlement).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-6);
          expect(p.settlement).toBeLessThanOrEqual(Math.max(a, b) + 1e-6);
        });
      }),
      { numRuns: 60 },
    );
  });
});
