/**
 * PPA valuation as plain arithmetic over prices, hours and terms: no I/O, no clock. The v2 desk model
 * (`valueContract`) and the original's v1 formula (`v1Metrics`), with the IRR both use.
 */
import { type MonthBlockHours, offPeakHours, onPeakHours } from './block-hours.ts';
import type { DeskTerms } from './terms.ts';

/* ---------------------------------------------------------------- IRR */

const hasSignChange = (flows: readonly number[]) => {
  const signs = flows.filter((f) => f !== 0).map(Math.sign);
  return signs.some((s) => s !== signs[0]);
};

/**
 * The rate per period at which the flows' present value is zero, by bisection on [−0.9999, 10] (80 steps,
 * stopping when |NPV| < 1e-6); undefined when the flows never change sign or the bracket holds no root.
 * `periods[i]` is flow i's exponent.
 */
export function irrByBisection(flows: readonly number[], periods: readonly number[]): number | undefined {
  if (!hasSignChange(flows)) return undefined;
  const npv = (rate: number) => flows.reduce((acc, f, i) => acc + f / (1 + rate) ** periods[i]!, 0);
  let lo = -0.9999;
  let hi = 10;
  let fLo = npv(lo);
  const fHi = npv(hi);
  if (!Number.isFinite(fLo) || !Number.isFinite(fHi) || Math.sign(fLo) === Math.sign(fHi)) return undefined;
  let mid = (lo + hi) / 2;
  for (let i = 0; i < 80; i++) {
    mid = (lo + hi) / 2;
    const fMid = npv(mid);
    if (Math.abs(fMid) < 1e-6) return mid;
    if (Math.sign(fMid) === Math.sign(fLo)) {
      lo = mid;
      fLo = fMid;
    } else hi = mid;
  }
  return mid;
}

export const round = (value: number, places: number) => {
  const f = 10 ** places;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

/* ---------------------------------------------------------------- v1: the original's formula */

export interface V1OutputRow {
  contract_month: string;
  value: number;
  run_id: string;
  curve_key: string;
  tenor_type: string;
  metric_unit: string;
  version_hash: string;
}

export interface V1Options {
  ppa_price: number;
  volume_mwh: number;
  discount_rate: number;
  upfront_cost: number;
}

export interface V1Metric {
  period_start: string;
  period_end: string;
  metric: 'cashflow' | 'NPV' | 'IRR';
  value: number;
  currency: string;
  unit: string;
  run_id: string;
  curve_key: string;
  tenor_type: string;
  version_hash: string;
}

const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

function lastDayOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${date.slice(0, 8)}${String(days).padStart(2, '0')}`;
}

/**
 * The original's valuation (reference §1.5), one MONTHLY `mid` row per contract month in month order:
 * cashflow = (value − ppa_price) × volume_mwh, discounted at the monthly rate (1 + r)^(1/12) − 1 with the
 * exponent months since the first period + 1; NPV = −upfront + Σ discounted cashflows; IRR per monthly period
 * over [−upfront, cf1, …] (6 dp, unit `ratio`), left out when the flows never change sign.
 */
export function v1Metrics(rows: readonly V1OutputRow[], options: V1Options): V1Metric[] {
  if (rows.length === 0) return [];
  const currency = rows[0]!.metric_unit.split('/')[0]!.trim() || 'USD';
  const monthlyRate = (1 + options.discount_rate) ** (1 / 12) - 1;
  const first = monthIndex(rows[0]!.contract_month);
  const metrics: V1Metric[] = [];
  const cashflows: number[] = [];
  let npv = -options.upfront_cost;
  for (const row of rows) {
    const cashflow = (row.value - options.ppa_price) * options.volume_mwh;
    const exponent = monthIndex(row.contract_month) - first + 1;
    npv += cashflow / (1 + monthlyRate) ** exponent;
    cashflows.push(cashflow);
    metrics.push({
      period_start: row.contract_month,
      period_end: lastDayOf(row.contract_month),
      metric: 'cashflow',
      value: round(cashflow, 4),
      currency,
      unit: currency,
      run_id: row.run_id,
      curve_key: row.curve_key,
      tenor_type: row.tenor_type,
      version_hash: row.version_hash,
    });
  }
  const span = {
    period_start: rows[0]!.contract_month,
    period_end: lastDayOf(rows[rows.length - 1]!.contract_month),
    currency,
    run_id: rows[0]!.run_id,
    curve_key: rows[0]!.curve_key,
    tenor_type: rows[0]!.tenor_type,
    version_hash: rows[0]!.version_hash,
  };
  metrics.push({ ...span, metric: 'NPV', value: round(npv, 4), unit: currency });
  const flows = [-options.upfront_cost, ...cashflows];
  const irr = irrByBisection(
    flows,
    flows.map((_, i) => i),
  );
  if (irr !== undefined) metrics.push({ ...span, metric: 'IRR', value: round(irr, 6), unit: 'ratio' });
  return metrics;
}

/* ---------------------------------------------------------------- v2: the desk model */

/** One delivery month as the market sees it: forwards at the settlement location and the block hours. */
export interface MonthMarket {
  year: number;
  month: number;
  /** ON_PEAK and OFF_PEAK monthly forwards, $/MWh, at the settlement location (basis included). */
  onPeak: number;
  offPeak: number;
  hours: MonthBlockHours;
}

export interface ValuationInput {
  terms: DeskTerms;
  months: readonly MonthMarket[];
  /** The valuation's month: a delivery month k months later is discounted by k months. */
  asofYear: number;
  asofMonth: number;
  /** Per year, compounded monthly. */
  discountRate: number;
  /** Paid at the valuation date by the perspective's holder (default 0). */
  upfront?: number;
}

export interface PeriodValue {
  period_start: string;
  period_end: string;
  /** The volume-weighted price the volume earns: the capture price for a shaped volume. */
  market_price: number;
  /** The hour-weighted average of the month's ON_PEAK and OFF_PEAK forwards. */
  baseload_price: number;
  contract_price: number;
  volume_mwh: number;
  /** (market − contract) × volume for a buyer, the opposite for a seller. */
  settlement: number;
  discount_factor: number;
  present_value: number;
}

export interface ValuationResult {
  periods: PeriodValue[];
  npv: number;
  /** Annual rate; undefined when the flows never change sign. */
  irr?: number;
  total_volume_mwh: number;
  capture_price: number | null;
  baseload_price: number | null;
  shape_factor: number | null;
  /** The fixed contract price (escalated like the contract's) at which NPV is zero. */
  break_even_price: number | null;
  /** Σ market × volume × df and Σ escalation × volume × df: NPV is linear in a fixed price through them. */
  marketLeg: number;
  priceLeg: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const sign = (t: DeskTerms) => (t.perspective === 'seller' ? -1 : 1);

export const pLevelFactor = (t: DeskTerms, level: DeskTerms['p_level'] = t.p_level) =>
  level === 'P90' ? t.p90_factor : level === 'P99' ? t.p99_factor : 1;

/** The months of the term from `start_date` through `end_date`. */
export function termMonths(t: DeskTerms): { year: number; month: number }[] {
  const first = monthIndex(t.start_date);
  const last = monthIndex(t.end_date);
  const months: { year: number; month: number }[] = [];
  for (let i = first; i <= last; i++) months.push({ year: Math.floor(i / 12), month: (i % 12) + 1 });
  return months;
}

/** The contract year a delivery month falls in (0 in the first twelve months from start_date's month). */
export const contractYear = (t: DeskTerms, year: number, month: number) =>
  Math.floor((year * 12 + month - 1 - monthIndex(t.start_date)) / 12);

/** The price the contract pays in a month with this market price, after escalator and structure. */
export function contractPrice(t: DeskTerms, market: number, escalation: number): number {
  if (t.structure === 'collar')
    return Math.min(Math.max(market, t.floor_usd_mwh! * escalation), t.cap_usd_mwh! * escalation);
  if (t.structure === 'discount') return market * (1 - t.discount_pct! / 100);
  return t.price_usd_mwh! * escalation;
}

/** The month's P50 volume and the price it earns (the capture price of a shaped volume). */
function monthVolume(t: DeskTerms, m: MonthMarket, baseload: number): { volume: number; price: number } {
  const on = onPeakHours(m.hours);
  const off = offPeakHours(m.hours);
  if (t.profile_12x24 !== undefined) {
    const mw = t.profile_12x24[m.month - 1]!;
    let volume = 0;
    let value = 0;
    for (let h = 0; h < 24; h++) {
      volume += mw[h]! * (m.hours.onPeakByHour[h]! + m.hours.offPeakByHour[h]!);
      value += mw[h]! * (m.hours.onPeakByHour[h]! * m.onPeak + m.hours.offPeakByHour[h]! * m.offPeak);
    }
    return { volume, price: volume > 0 ? value / volume : baseload };
  }
  if (t.baseload_mw !== undefined) return { volume: t.baseload_mw * (on + off), price: baseload };
  return { volume: t.fixed_mwh_per_month! * (m.hours.termDays / m.hours.monthDays), price: baseload };
}

/**
 * The contract valued month by month: market price, contract price after escalator and structure, volume
 * after P-level and degradation, settlement signed by perspective, discount factor (1 + r)^(−k/12) for a
 * month k months after the valuation month, present value; and the totals.
 */
export function valueContract(input: ValuationInput): ValuationResult {
  const t = input.terms;
  const s = sign(t);
  const monthly = (1 + input.discountRate) ** (1 / 12) - 1;
  const asof = input.asofYear * 12 + input.asofMonth - 1;
  const upfront = input.upfront ?? 0;
  const periods: PeriodValue[] = [];
  const flows: number[] = [-upfront];
  const exponents: number[] = [0];
  let npv = -upfront;
  let volumeTotal = 0;
  let marketValue = 0;
  let baseloadValue = 0;
  let hoursTotal = 0;
  let marketLeg = 0;
  let priceLeg = 0;
  for (const m of input.months) {
    const on = onPeakHours(m.hours);
    const off = offPeakHours(m.hours);
    const hours = on + off;
    const baseload = hours > 0 ? (m.onPeak * on + m.offPeak * off) / hours : (m.onPeak + m.offPeak) / 2;
    const year = contractYear(t, m.year, m.month);
    const escalation = (1 + t.escalator_pct_per_year / 100) ** year;
    const degradation = (1 - t.degradation_pct_per_year / 100) ** year;
    const p50 = monthVolume(t, m, baseload);
    const volume = p50.volume * degradation * pLevelFactor(t);
    const contract = contractPrice(t, p50.price, escalation);
    const settlement = s * (p50.price - contract) * volume;
    const k = m.year * 12 + m.month - 1 - asof;
    const df = (1 + monthly) ** -k;
    const pv = settlement * df;
    npv += pv;
    flows.push(settlement);
    exponents.push(k);
    volumeTotal += volume;
    marketValue += p50.price * volume;
    baseloadValue += baseload * hours;
    hoursTotal += hours;
    marketLeg += p50.price * volume * df;
    priceLeg += escalation * volume * df;
    const first = `${m.year}-${pad(m.month)}-01`;
    const last = `${m.year}-${pad(m.month)}-${pad(m.hours.monthDays)}`;
    periods.push({
      period_start: t.start_date > first ? t.start_date : first,
      period_end: t.end_date < last ? t.end_date : last,
      market_price: p50.price,
      baseload_price: baseload,
      contract_price: contract,
      volume_mwh: volume,
      settlement,
      discount_factor: df,
      present_value: pv,
    });
  }
  const monthlyIrr = irrByBisection(flows, exponents);
  const capture = volumeTotal > 0 ? marketValue / volumeTotal : null;
  const baseload = hoursTotal > 0 ? baseloadValue / hoursTotal : null;
  return {
    periods,
    npv,
    ...(monthlyIrr === undefined ? {} : { irr: (1 + monthlyIrr) ** 12 - 1 }),
    total_volume_mwh: volumeTotal,
    capture_price: capture,
    baseload_price: baseload,
    shape_factor: capture !== null && baseload !== null && baseload !== 0 ? capture / baseload : null,
    break_even_price: priceForNpv(t, { marketLeg, priceLeg }, 0, upfront),
    marketLeg,
    priceLeg,
  };
}

/**
 * The fixed contract price (escalated as the contract's) that makes NPV equal `target`: NPV = −upfront +
 * s·(marketLeg − price·priceLeg), so price = (marketLeg − s·(target + upfront)) / priceLeg.
 */
export function priceForNpv(
  t: DeskTerms,
  legs: { marketLeg: number; priceLeg: number },
  target: number,
  upfront: number,
): number | null {
  if (legs.priceLeg === 0) return null;
  return (legs.marketLeg - sign(t) * (target + upfront)) / legs.priceLeg;
}

/** The terms with a fixed price instead of their structure: what the solved prices are priced as. */
export const asFixedPrice = (t: DeskTerms, price: number): DeskTerms => ({
  ...t,
  structure: 'fixed',
  price_usd_mwh: price,
});

export interface Sensitivities {
  curve_shift_pct: number;
  npv_curve_up: number;
  npv_curve_down: number;
  p_level: DeskTerms['p_level'];
  npv_p_level: number;
  discount_rate_shift_bp: number;
  npv_discount_rate_up: number;
}

/** NPV with every forward ±shift %, with the volume at another P level, and at the discount rate + bp. */
export function sensitivities(
  input: ValuationInput,
  options: { curveShiftPct: number; pLevel: DeskTerms['p_level']; discountShiftBp: number },
): Sensitivities {
  const shifted = (factor: number) =>
    valueContract({
      ...input,
      months: input.months.map((m) => ({ ...m, onPeak: m.onPeak * factor, offPeak: m.offPeak * factor })),
    }).npv;
  return {
    curve_shift_pct: options.curveShiftPct,
    npv_curve_up: shifted(1 + options.curveShiftPct / 100),
    npv_curve_down: shifted(1 - options.curveShiftPct / 100),
    p_level: options.pLevel,
    npv_p_level: valueContract({ ...input, terms: { ...input.terms, p_level: options.pLevel } }).npv,
    discount_rate_shift_bp: options.discountShiftBp,
    npv_discount_rate_up: valueContract({
      ...input,
      discountRate: input.discountRate + options.discountShiftBp / 10_000,
    }).npv,
  };
}
