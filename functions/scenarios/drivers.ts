/**
 * The scenario drivers and the uncertainty bands: plain arithmetic over one base curve point, so every
 * formula has a golden test and the worker only reads, calls this, and writes. The README documents each one.
 */

/** A curve point a run starts from, with what the drivers need to know about it. */
export interface BasePoint {
  curve_key: string;
  iso: string;
  block: string;
  asset_class: string;
  tenor_type: string;
  tenor_label: string;
  /** `YYYY-MM-DD`, the first of the delivery month; null for a price type without a month. */
  contract_month: string | null;
  /** The base price, USD/MWh. */
  mid: number;
  /** The Henry Hub forward for the same delivery month, USD/MMBtu (a percentage gas change applies to it). */
  gas_price: number | null;
}

export interface CurveShiftPayload {
  value: number;
  unit: 'USD/MWh' | 'percent';
  curve_key?: string;
  iso?: string;
  block?: string;
  tenor_label?: string;
  /** `YYYY-MM`: the first delivery month shifted. */
  from_month?: string;
  /** `YYYY-MM`: the last delivery month shifted. */
  to_month?: string;
}
export interface FuelPricePayload {
  change: number;
  unit: 'percent' | 'USD/MMBtu';
  /** MMBtu/MWh; default the ISO's (HEAT_RATES). */
  heat_rate?: number;
  /** USD/MMBtu the percentage applies to; default the Henry Hub forward of the month, else DEFAULT_GAS_PRICE. */
  gas_price?: number;
  iso?: string;
}
export interface LoadGrowthPayload {
  percent: number;
  /** Price change per unit of load change; default LOAD_ELASTICITY. */
  elasticity?: number;
  iso?: string;
}
export interface CarbonPricePayload {
  usd_per_ton: number;
  /** t CO2/MWh; default the ISO's marginal emission rate (EMISSION_RATES). */
  emission_rate?: number;
  iso?: string;
}
export interface PolicyPayload {
  name: PolicyName;
}

export type Assumption =
  | { driver_type: 'curve_shift'; payload: CurveShiftPayload; version?: string }
  | { driver_type: 'fuel_price'; payload: FuelPricePayload; version?: string }
  | { driver_type: 'load_growth'; payload: LoadGrowthPayload; version?: string }
  | { driver_type: 'carbon_price'; payload: CarbonPricePayload; version?: string }
  | { driver_type: 'policy'; payload: PolicyPayload; version?: string };

export const DRIVER_TYPES = ['curve_shift', 'fuel_price', 'load_growth', 'carbon_price', 'policy'] as const;

/** Marginal heat rates, MMBtu/MWh: the gas units a MWh burns at the margin in each ISO. */
export const HEAT_RATES: Readonly<Record<string, number>> = {
  PJM: 7.5,
  MISO: 7.8,
  ERCOT: 7.2,
  CAISO: 7.0,
  NYISO: 7.6,
  ISONE: 7.4,
  SPP: 8.0,
};
/** Marginal emission rates, t CO2/MWh. */
export const EMISSION_RATES: Readonly<Record<string, number>> = {
  PJM: 0.4,
  MISO: 0.55,
  ERCOT: 0.38,
  CAISO: 0.22,
  NYISO: 0.25,
  ISONE: 0.28,
  SPP: 0.5,
};
export const DEFAULT_HEAT_RATE = 7.5;
export const DEFAULT_EMISSION_RATE = 0.4;
/** USD/MMBtu, when no Henry Hub forward exists for the month and the payload names no gas price. */
export const DEFAULT_GAS_PRICE = 3.5;
export const LOAD_ELASTICITY = 1.2;

/** The named bundles a `policy` assumption stands for, applied in this order. */
export const POLICIES = {
  /** The example: gas +20 %, load +3 %, a $30/t carbon price. */
  clean_power_transition: [
    { driver_type: 'fuel_price', payload: { change: 20, unit: 'percent' } },
    { driver_type: 'load_growth', payload: { percent: 3 } },
    { driver_type: 'carbon_price', payload: { usd_per_ton: 30 } },
  ],
  carbon_tax_50: [{ driver_type: 'carbon_price', payload: { usd_per_ton: 50 } }],
  gas_supply_shock: [{ driver_type: 'fuel_price', payload: { change: 50, unit: 'percent' } }],
  electrification: [
    { driver_type: 'load_growth', payload: { percent: 8 } },
    { driver_type: 'fuel_price', payload: { change: 10, unit: 'percent' } },
  ],
} as const satisfies Record<string, readonly Assumption[]>;
export type PolicyName = keyof typeof POLICIES;
export const POLICY_NAMES = Object.keys(POLICIES) as [PolicyName, ...PolicyName[]];

const isPower = (p: BasePoint) => p.asset_class.toLowerCase() === 'power';
const inIso = (p: BasePoint, iso: string | undefined) => iso === undefined || iso.toUpperCase() === p.iso;

function shiftMatches(p: BasePoint, s: CurveShiftPayload): boolean {
  if (s.curve_key !== undefined && s.curve_key !== p.curve_key) return false;
  if (!inIso(p, s.iso)) return false;
  if (s.block !== undefined && s.block.toUpperCase() !== p.block) return false;
  if (s.tenor_label !== undefined && s.tenor_label !== p.tenor_label) return false;
  const month = p.contract_month?.slice(0, 7);
  if ((s.from_month !== undefined || s.to_month !== undefined) && month === undefined) return false;
  if (s.from_month !== undefined && month! < s.from_month) return false;
  if (s.to_month !== undefined && month! > s.to_month) return false;
  return true;
}

/** One driver's change to a price that previous drivers have already moved to `price`. */
function delta(driver: Exclude<Assumption, { driver_type: 'policy' }>, p: BasePoint, price: number): number {
  switch (driver.driver_type) {
    case 'curve_shift': {
      const s = driver.payload;
      if (!shiftMatches(p, s)) return 0;
      return s.unit === 'percent' ? (price * s.value) / 100 : s.value;
    }
    case 'fuel_price': {
      const f = driver.payload;
      if (!isPower(p) || !inIso(p, f.iso)) return 0;
      const heatRate = f.heat_rate ?? HEAT_RATES[p.iso] ?? DEFAULT_HEAT_RATE;
      const gas = f.gas_price ?? p.gas_price ?? DEFAULT_GAS_PRICE;
      const gasChange = f.unit === 'percent' ? (gas * f.change) / 100 : f.change;
      return heatRate * gasChange;
    }
    case 'load_growth': {
      const l = driver.payload;
      if (!isPower(p) || !inIso(p, l.iso)) return 0;
      return (price * (l.elasticity ?? LOAD_ELASTICITY) * l.percent) / 100;
    }
    case 'carbon_price': {
      const c = driver.payload;
      if (!isPower(p) || !inIso(p, c.iso)) return 0;
      return c.usd_per_ton * (c.emission_rate ?? EMISSION_RATES[p.iso] ?? DEFAULT_EMISSION_RATE);
    }
  }
}

/** The attribution key of a driver: its type, or `policy.<name>.<type>` for a policy's parts. */
function expand(assumptions: readonly Assumption[]) {
  const steps: { key: string; driver: Exclude<Assumption, { driver_type: 'policy' }> }[] = [];
  for (const a of assumptions) {
    if (a.driver_type === 'policy') {
      for (const part of POLICIES[a.payload.name] as readonly Assumption[]) {
        steps.push({
          key: `policy.${a.payload.name}.${part.driver_type}`,
          driver: part as Exclude<Assumption, { driver_type: 'policy' }>,
        });
      }
    } else steps.push({ key: a.driver_type, driver: a });
  }
  return steps;
}

export interface Applied {
  base: number;
  mid: number;
  /** Each driver's contribution; they sum to `mid − base`. */
  attribution: Record<string, number>;
}

/** The assumptions applied in order: each sees the price the ones before it left. */
export function applyAssumptions(point: BasePoint, assumptions: readonly Assumption[]): Applied {
  let price = point.mid;
  const attribution: Record<string, number> = {};
  for (const step of expand(assumptions)) {
    const change = delta(step.driver, point, price);
    attribution[step.key] = (attribution[step.key] ?? 0) + change;
    price += change;
  }
  return { base: point.mid, mid: price, attribution };
}

/** The z-score of the 90th percentile of a standard normal. */
export const Z_P90 = 1.2815515655446004;
export const TRADING_DAYS_PER_YEAR = 252;

/** Years from the as-of date to the start of delivery (never below one day). */
export function yearsToDelivery(asof: string, contractMonth: string | null): number {
  if (contractMonth === null) return 1 / 365.25;
  const days = (Date.parse(`${contractMonth}T00:00:00Z`) - Date.parse(`${asof}T00:00:00Z`)) / 86_400_000;
  return Math.max(days, 1) / 365.25;
}

/**
 * P10 and P90 around `mid`: the tenor's daily log-return volatility, annualised (× √252) and scaled by
 * √(years to delivery), as a lognormal band: mid·e^(∓z·σ·√T) (for a negative mid, the same widths
 * around it). A tenor without history gets no band.
 */
export function band(
  mid: number,
  dailyVolatility: number | null,
  years: number,
): { lower: number | null; upper: number | null } {
  if (dailyVolatility === null || !Number.isFinite(dailyVolatility)) return { lower: null, upper: null };
  const width = Z_P90 * dailyVolatility * Math.sqrt(TRADING_DAYS_PER_YEAR) * Math.sqrt(years);
  const scale = Math.abs(mid);
  return { lower: mid - scale * (1 - Math.exp(-width)), upper: mid + scale * (Math.exp(width) - 1) };
}

/** Sample standard deviation of the log returns of a price series in date order (null under 2 returns). */
export function logReturnVolatility(prices: readonly number[]): number | null {
  const returns: number[] = [];
  for (let i = 1; i < prices.length; i++) {
    const a = prices[i - 1]!;
    const b = prices[i]!;
    if (a > 0 && b > 0) returns.push(Math.log(b / a));
  }
  if (returns.length < 2) return null;
  const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance);
}
