/**
 * The deterministic sample-data generator: a realistic `curve_observation` table (reference §2.2) in a local
 * DuckDB file, for `npm start`, the integration tests and the benchmarks.
 *
 * Same seed and options → the same rows, value for value (the file's bytes may differ: DuckDB's own layout).
 *
 * What the data holds (decisions taken here; the market universe and its conventions are in markets.ts):
 * - As-of dates: `businessDays` business days ending at `endDate` (Mon–Fri, skipping the six NERC holidays with
 *   federal observance: New Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas).
 * - Tenors per curve and as-of date: MONTHLY for the 36 months after the as-of month (`2025-10`, contract_month the
 *   1st), plus every strip whose months all fall inside that window: CALENDAR `Cal-2026` (Jan–Dec), QUARTER
 *   `Q3-2026`, SEASON `Sum-2026` (Jul–Aug) and `Win-2026` (Jan–Feb); a strip's contract_month is its first month
 *   and its mid/bid/ask are the plain averages of its months' mids/bids/asks.
 * - Prices: ISO level × location basis × seasonal shape × a mean-reverting random walk per location (shared by its
 *   blocks) and per contract month. ATC is the hour-weighted mean of ON_PEAK and OFF_PEAK, so ON > ATC > OFF.
 *   bid < mid < ask with a spread proportional to price and wider for far tenors; 4 decimals; `value` = mid.
 * - price_type `MID` for every curve (vendor end-of-day marks, ingested 21:30 UTC); the exchange-cleared curves
 *   (PJM WESTERN HUB, CAISO SP15, ERCOT HB_NORTH, ISONE MASS HUB on/off-peak DA, and Henry Hub) also carry
 *   `SETTLE` rows for monthly tenors, ingested earlier (19:05 UTC) so "latest per (curve_key, tenor_label)" stays
 *   the MID row; a settlement has no bid or ask, so those are NULL on SETTLE rows.
 * - Knowledge time: about 0.1% of MID monthly points are corrected the next morning (13:15 UTC): a second row with
 *   the same (curve_key, tenor_label, asof_date, price_type), a later `_ingest_ts`, a slightly different price,
 *   and `_r1` in its source file; the strips that contain a corrected month are re-issued with it too.
 * - Size: `rows` is a target. Locations are taken in priority order (each ISO's benchmark hub and Henry Hub
 *   always; then the gas hubs, the other tier-1 DA locations, tier-1 RT, tier 2, tier 3) until the target is met;
 *   when even the whole universe (290 curves, ~985k rows over 60 days) is short of it, more as-of dates are added going back.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { unitMapping } from '#lib/reference/units';
import { writeCurveLatest } from './curve-latest.ts';
import { writeDroughtSampleData } from './drought-sample-data.ts';
import { writeEiaSampleData } from './eia-sample-data.ts';
import { writeIsoSampleData } from './iso-sample-data.ts';
import {
  curveKey,
  GAS_HUBS,
  type GasHub,
  ISO_MARKETS,
  type IsoMarket,
  isoMarket,
  ON_PEAK_HOUR_SHARE,
  POWER_BLOCKS,
  POWER_LOCATIONS,
  type PowerLocation,
  PRODUCTS,
} from './markets.ts';

export interface SampleDataOptions {
  /** The DuckDB file to write. */
  path: string;
  /** PRNG seed (unsigned 32-bit). */
  seed?: number;
  /** Approximate number of rows wanted; see the module comment for how it scales. */
  rows?: number;
  /** Last as-of date, `YYYY-MM-DD`; a non-business day counts back to the previous business day. */
  endDate?: string;
  /** Number of as-of dates (at least; more are added when `rows` needs them). */
  businessDays?: number;
}

export interface SampleDataResult {
  path: string;
  rows: number;
  curves: number;
  asofDates: string[];
  seed: number;
  /** Rows that are next-morning corrections of an earlier row. */
  corrections: number;
  elapsedMs: number;
}

export type EnsureSampleDataResult =
  | ({ created: true } & SampleDataResult)
  | { created: false; path: string };

export const DEFAULT_SAMPLE_DATA_PATH = fileURLToPath(new URL('../../.data/aurum.duckdb', import.meta.url));
export const DEFAULT_SEED = 20250926;
export const DEFAULT_END_DATE = '2025-09-26';
export const DEFAULT_BUSINESS_DAYS = 60;
export const DEFAULT_ROWS = 350_000;
export const MONTHLY_TENORS = 36;
export const CORRECTION_RATE = 0.001;

export const CURVE_OBSERVATION_COLUMNS = [
  'asof_date DATE',
  'source_file VARCHAR',
  'sheet_name VARCHAR',
  'asset_class VARCHAR',
  'region VARCHAR',
  'iso VARCHAR',
  'location VARCHAR',
  'market VARCHAR',
  'product VARCHAR',
  'block VARCHAR',
  'spark_location VARCHAR',
  'price_type VARCHAR',
  'units_raw VARCHAR',
  'currency VARCHAR',
  'per_unit VARCHAR',
  'tenor_type VARCHAR',
  'contract_month DATE',
  'tenor_label VARCHAR',
  'value DOUBLE',
  'bid DOUBLE',
  'ask DOUBLE',
  'mid DOUBLE',
  'curve_key VARCHAR',
  'version_hash VARCHAR',
  '_ingest_ts TIMESTAMP',
  'lineage_tags VARCHAR',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Calendar: UTC epoch days and absolute months (year * 12 + month index), so nothing depends on the host zone.

const DAY_MS = 86_400_000;

/** The priced quantity of a raw unit, from the units map the metadata routes serve. */
function perUnitOf(unitsRaw: string): string {
  const mapping = unitMapping(unitsRaw);
  if (mapping === undefined) throw new Error(`${unitsRaw} is not in lib/reference/units.ts`);
  return mapping.per_unit;
}

function epochDay(year: number, monthIndex: number, day: number): number {
  return Date.UTC(year, monthIndex, day) / DAY_MS;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function parseIsoDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) throw new RangeError(`endDate must be YYYY-MM-DD, got "${text}"`);
  const day = epochDay(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (isoDate(day) !== text) throw new RangeError(`endDate is not a calendar date: "${text}"`);
  return day;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function absoluteMonth(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function monthLabel(month: number): string {
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
}

function firstDayOfMonth(month: number): number {
  return epochDay(Math.floor(month / 12), month % 12, 1);
}

function nthWeekdayOfMonth(year: number, monthIndex: number, dayOfWeek: number, nth: number): number {
  const first = epochDay(year, monthIndex, 1);
  return first + ((dayOfWeek - weekday(first) + 7) % 7) + (nth - 1) * 7;
}

function lastWeekdayOfMonth(year: number, monthIndex: number, dayOfWeek: number): number {
  const last = epochDay(year, monthIndex + 1, 0);
  return last - ((weekday(last) - dayOfWeek + 7) % 7);
}

/** A fixed-date holiday on a Saturday is observed the Friday before, on a Sunday the Monday after. */
function observed(day: number): number {
  const dow = weekday(day);
  return dow === 6 ? day - 1 : dow === 0 ? day + 1 : day;
}

/** The NERC holidays of a year as observed dates `YYYY-MM-DD` (New Year's Day may fall on Dec 31 before). */
export function usMarketHolidays(year: number): string[] {
  return [
    observed(epochDay(year, 0, 1)),
    lastWeekdayOfMonth(year, 4, 1),
    observed(epochDay(year, 6, 4)),
    nthWeekdayOfMonth(year, 8, 1, 1),
    nthWeekdayOfMonth(year, 10, 4, 4),
    observed(epochDay(year, 11, 25)),
  ].map(isoDate);
}

function isBusinessDay(day: number, holidays: Set<string>): boolean {
  const dow = weekday(day);
  return dow !== 0 && dow !== 6 && !holidays.has(isoDate(day));
}

/** The last `count` business days up to and including `endDate`, oldest first. */
export function businessDaysEnding(endDate: string, count: number): string[] {
  const days: number[] = [];
  const holidays = new Set<string>();
  const holidayYears = new Set<number>();
  for (let day = parseIsoDate(endDate); days.length < count; day--) {
    const year = new Date(day * DAY_MS).getUTCFullYear();
    // Next year's list too: its New Year's Day can be observed on this year's Dec 31.
    for (const y of [year, year + 1]) {
      if (holidayYears.has(y)) continue;
      holidayYears.add(y);
      for (const holiday of usMarketHolidays(y)) holidays.add(holiday);
    }
    if (isBusinessDay(day, holidays)) days.push(day);
  }
  return days.reverse().map(isoDate);
}

// ---------------------------------------------------------------------------------------------------------------
// Tenors

type TenorType = 'MONTHLY' | 'CALENDAR' | 'SEASON' | 'QUARTER';

interface Tenor {
  id: number;
  type: TenorType;
  label: string;
  /** Absolute months the tenor delivers in; the first is its contract_month. */
  months: number[];
}

class TenorCatalog {
  readonly all: Tenor[] = [];
  private readonly byLabel = new Map<string, Tenor>();
  private readonly byAsofMonth = new Map<number, Tenor[]>();

  /** The tenors quoted on an as-of date in `asofMonth`: 36 monthlies, then the strips fully inside them. */
  forAsofMonth(asofMonth: number): Tenor[] {
    const cached = this.byAsofMonth.get(asofMonth);
    if (cached !== undefined) return cached;
    const first = asofMonth + 1;
    const last = asofMonth + MONTHLY_TENORS;
    const tenors: Tenor[] = [];
    for (let month = first; month <= last; month++)
      tenors.push(this.tenor('MONTHLY', monthLabel(month), [month]));
    const inWindow = (months: number[]) => months[0]! >= first && months[months.length - 1]! <= last;
    const range = (start: number, length: number) => Array.from({ length }, (_, i) => start + i);
    for (let year = Math.floor(first / 12); year <= Math.floor(last / 12); year++) {
      const calendar = range(year * 12, 12);
      if (inWindow(calendar)) tenors.push(this.tenor('CALENDAR', `Cal-${year}`, calendar));
      for (let quarter = 0; quarter < 4; quarter++) {
        const months = range(year * 12 + quarter * 3, 3);
        if (inWindow(months)) tenors.push(this.tenor('QUARTER', `Q${quarter + 1}-${year}`, months));
      }
      const winter = range(year * 12, 2);
      if (inWindow(winter)) tenors.push(this.tenor('SEASON', `Win-${year}`, winter));
      const summer = range(year * 12 + 6, 2);
      if (inWindow(summer)) tenors.push(this.tenor('SEASON', `Sum-${year}`, summer));
    }
    this.byAsofMonth.set(asofMonth, tenors);
    return tenors;
  }

  private tenor(type: TenorType, label: string, months: number[]): Tenor {
    let tenor = this.byLabel.get(label);
    if (tenor === undefined) {
      tenor = { id: this.all.length, type, label, months };
      this.all.push(tenor);
      this.byLabel.set(label, tenor);
    }
    return tenor;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32 seeded per price family, so a family's prices do not depend on which others are generated.

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the key, mixed with the seed. */
function familySeed(seed: number, key: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Curves and price families

interface CurveDefinition {
  id: number;
  curveKey: string;
  assetClass: 'power' | 'gas';
  region: string;
  iso: string | null;
  location: string;
  market: string;
  product: string;
  block: string | null;
  sparkLocation: string | null;
  unitsRaw: string;
  perUnit: string;
  settles: boolean;
  markFile: string;
  markSheet: string;
  settleFile: string | null;
  settleVendor: string | null;
  feed: string;
}

/** Curves priced together: a power location's three blocks (one walk), or one gas hub. */
type PriceFamily =
  | { kind: 'power'; key: string; location: PowerLocation; iso: IsoMarket; realTime: boolean }
  | { kind: 'gas'; key: string; hub: GasHub };

/** Share of each calendar month (Jan … Dec) in the summer peak, the winter peak and the spring/autumn lull. */
const SUMMER_WEIGHT = [0, 0, 0, 0, 0, 0.35, 1, 1, 0.35, 0, 0, 0];
const WINTER_WEIGHT = [1, 0.8, 0.2, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.6];
const SHOULDER_DIP = [0, 0, 0.05, 0.12, 0.1, 0, 0, 0, 0, 0.08, 0.04, 0];

/** Families in priority order: what a small `rows` keeps comes first. */
function priceFamiliesByPriority(): PriceFamily[] {
  const power = (location: PowerLocation, realTime: boolean): PriceFamily => ({
    kind: 'power',
    key: `${location.iso}|${location.location}|${realTime ? 'RT' : 'DA'}`,
    location,
    iso: isoMarket(location.iso),
    realTime,
  });
  const gas = (hub: GasHub): PriceFamily => ({ kind: 'gas', key: `NG|${hub.location}`, hub });
  // Alternate across ISOs so a cut keeps every ISO represented.
  const interleaved = (locations: PowerLocation[]): PowerLocation[] => {
    const queues = ISO_MARKETS.map((m) => locations.filter((l) => l.iso === m.iso));
    const out: PowerLocation[] = [];
    for (let i = 0; queues.some((q) => i < q.length); i++) {
      for (const queue of queues) if (i < queue.length) out.push(queue[i]!);
    }
    return out;
  };
  const benchmarks = ISO_MARKETS.map((m) => POWER_LOCATIONS.find((l) => l.iso === m.iso)!);
  const families: PriceFamily[] = [...benchmarks.map((l) => power(l, false)), gas(GAS_HUBS[0]!)];
  for (const tier of [1, 2, 3] as const) {
    const locations = POWER_LOCATIONS.filter((l) => l.tier === tier);
    families.push(...GAS_HUBS.filter((h) => h.tier === tier && h !== GAS_HUBS[0]).map(gas));
    families.push(
      ...interleaved(locations.filter((l) => !benchmarks.includes(l))).map((l) => power(l, false)),
    );
    families.push(...interleaved(locations.filter((l) => l.realTime)).map((l) => power(l, true)));
  }
  return families;
}

function curvesOf(family: PriceFamily, nextId: () => number): CurveDefinition[] {
  if (family.kind === 'gas') {
    const { hub } = family;
    const isBenchmark = hub.location === 'HENRY HUB';
    return [
      {
        id: nextId(),
        curveKey: curveKey({
          owner: 'NG',
          location: hub.location,
          market: 'FWD',
          block: null,
          commodity: 'NG',
        }),
        assetClass: 'gas',
        region: hub.region,
        iso: hub.iso,
        location: hub.location,
        market: 'FWD',
        product: PRODUCTS.gas,
        block: null,
        sparkLocation: null,
        unitsRaw: 'USD/MMBtu',
        perUnit: perUnitOf('USD/MMBtu'),
        settles: hub.settles,
        markFile: 'EOD_GasCurves',
        markSheet: isBenchmark ? 'NG_HenryHub' : 'NG_Regional',
        settleFile: hub.settles ? 'CME_NG_Settlements' : null,
        settleVendor: hub.settles ? 'CME' : null,
        feed: 'gas_forward',
      },
    ];
  }
  const { location, realTime } = family;
  const market = realTime ? 'RT' : 'DA';
  return POWER_BLOCKS.map((block) => {
    const settles = location.settles && !realTime && block !== 'ATC';
    return {
      id: nextId(),
      curveKey: curveKey({
        owner: location.iso,
        location: location.location,
        market,
        block,
        commodity: 'PWR',
      }),
      assetClass: 'power' as const,
      region: family.iso.region,
      iso: location.iso,
      location: location.location,
      market,
      product: realTime ? PRODUCTS.powerRealTime : PRODUCTS.powerDayAhead,
      block,
      sparkLocation: location.sparkLocation ?? null,
      unitsRaw: 'USD/MWh',
      perUnit: perUnitOf('USD/MWh'),
      settles,
      markFile: `EOD_PowerCurves_${location.iso}`,
      markSheet: `${location.iso}_${market}`,
      settleFile: settles ? 'ICE_Power_Settlements' : null,
      settleVendor: settles ? 'ICE' : null,
      feed: 'power_forward',
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Observations, column-wise while generated (typed arrays grow by doubling)

const PRICE_TYPE_MID = 0;
const PRICE_TYPE_SETTLE = 1;

class ObservationColumns {
  length = 0;
  curveId = new Int32Array(1 << 16);
  asofIndex = new Int32Array(1 << 16);
  tenorId = new Int32Array(1 << 16);
  priceType = new Uint8Array(1 << 16);
  revision = new Uint8Array(1 << 16);
  mid = new Float64Array(1 << 16);
  bid = new Float64Array(1 << 16);
  ask = new Float64Array(1 << 16);

  push(
    curveId: number,
    asofIndex: number,
    tenorId: number,
    priceType: number,
    revision: number,
    mid: number,
    bid: number,
    ask: number,
  ) {
    if (this.length === this.mid.length) this.grow();
    const i = this.length++;
    this.curveId[i] = curveId;
    this.asofIndex[i] = asofIndex;
    this.tenorId[i] = tenorId;
    this.priceType[i] = priceType;
    this.revision[i] = revision;
    this.mid[i] = mid;
    this.bid[i] = bid;
    this.ask[i] = ask;
  }

  private grow() {
    const size = this.mid.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.curveId = grown(this.curveId, (n) => new Int32Array(n));
    this.asofIndex = grown(this.asofIndex, (n) => new Int32Array(n));
    this.tenorId = grown(this.tenorId, (n) => new Int32Array(n));
    this.priceType = grown(this.priceType, (n) => new Uint8Array(n));
    this.revision = grown(this.revision, (n) => new Uint8Array(n));
    this.mid = grown(this.mid, (n) => new Float64Array(n));
    this.bid = grown(this.bid, (n) => new Float64Array(n));
    this.ask = grown(this.ask, (n) => new Float64Array(n));
  }
}

interface Quote {
  mid: number;
  bid: number;
  ask: number;
}

/** Half the bid–ask spread as a fraction of price: tighter for gas, wider the further out the month. */
function halfSpreadFraction(assetClass: 'power' | 'gas', monthsOut: number): number {
  return assetClass === 'power' ? 0.004 + 0.0004 * monthsOut : 0.002 + 0.0002 * monthsOut;
}

function quote(assetClass: 'power' | 'gas', mid: number, monthsOut: number): Quote {
  const half = Math.max(mid * halfSpreadFraction(assetClass, monthsOut), 0.0005);
  return { mid, bid: round4(mid - half), ask: round4(mid + half) };
}

function stripQuote(monthly: Quote[], firstMonth: number, months: number[]): Quote {
  let mid = 0;
  let bid = 0;
  let ask = 0;
  for (const month of months) {
    const q = monthly[month - firstMonth]!;
    mid += q.mid;
    bid += q.bid;
    ask += q.ask;
  }
  return {
    mid: round4(mid / months.length),
    bid: round4(bid / months.length),
    ask: round4(ask / months.length),
  };
}

interface WalkSettings {
  /** Daily mean reversion and volatility of the location's level (log). */
  levelReversion: number;
  levelVolatility: number;
  /** The same for each contract month's own deviation. */
  monthReversion: number;
  monthVolatility: number;
}

const POWER_WALK: WalkSettings = {
  levelReversion: 0.04,
  levelVolatility: 0.018,
  monthReversion: 0.08,
  monthVolatility: 0.006,
};
const GAS_WALK: WalkSettings = {
  levelReversion: 0.04,
  levelVolatility: 0.024,
  monthReversion: 0.08,
  monthVolatility: 0.007,
};

/**
 * One family's observations over every as-of date. Random draws happen in a fixed order (walks, then peak
 * ratios, settlements, corrections) from the family's own stream, so the output is a pure function of
 * (seed, family, as-of dates).
 */
function generateFamily(
  family: PriceFamily,
  curves: CurveDefinition[],
  asofMonths: number[],
  tenors: TenorCatalog,
  seed: number,
  out: ObservationColumns,
): void {
  const random = mulberry32(familySeed(seed, family.key));
  const normal = () => standardNormal(random);
  const walk = family.kind === 'power' ? POWER_WALK : GAS_WALK;
  let level = 0;
  const monthDeviation = new Map<number, number>();
  const stationaryMonthSpread = walk.monthVolatility / Math.sqrt(2 * walk.monthReversion);

  for (let asofIndex = 0; asofIndex < asofMonths.length; asofIndex++) {
    const asofMonth = asofMonths[asofIndex]!;
    const firstMonth = asofMonth + 1;
    level = level * (1 - walk.levelReversion) + walk.levelVolatility * normal();
    for (const month of monthDeviation.keys()) if (month < firstMonth) monthDeviation.delete(month);

    // monthly[curveIndex][monthsOut - 1]
    const monthly: Quote[][] = curves.map(() => []);
    for (let monthsOut = 1; monthsOut <= MONTHLY_TENORS; monthsOut++) {
      const month = asofMonth + monthsOut;
      const previous = monthDeviation.get(month);
      const deviation =
        previous === undefined
          ? stationaryMonthSpread * normal()
          : previous * (1 - walk.monthReversion) + walk.monthVolatility * normal();
      monthDeviation.set(month, deviation);
      const calendarMonth = month % 12;
      const shock = Math.exp(level + deviation);
      const yearsOut = monthsOut / 12;

      if (family.kind === 'gas') {
        const { hub } = family;
        const shape =
          1 + hub.winterAmplitude * WINTER_WEIGHT[calendarMonth]! + 0.04 * SUMMER_WEIGHT[calendarMonth]!;
        const price = hub.base * (shape - 0.5 * SHOULDER_DIP[calendarMonth]!) * (1 + 0.02 * yearsOut) * shock;
        monthly[0]!.push(quote('gas', round4(price), monthsOut));
        continue;
      }
      const { iso, location } = family;
      const summer = SUMMER_WEIGHT[calendarMonth]!;
      const shape =
        1 +
        iso.summerAmplitude * summer +
        iso.winterAmplitude * WINTER_WEIGHT[calendarMonth]! -
        SHOULDER_DIP[calendarMonth]!;
      const atc =
        iso.baseAtc * location.basis * (family.realTime ? 1.015 : 1) * shape * (1 + 0.01 * yearsOut) * shock;
      const peakRatio = Math.max(
        1.05,
        (iso.peakRatio + iso.summerPeakRatioBump * summer) * Math.exp(0.02 * normal()),
      );
      const offPeak = round4(atc / (ON_PEAK_HOUR_SHARE * peakRatio + (1 - ON_PEAK_HOUR_SHARE)));
      const onPeak = round4(offPeak * peakRatio);
      const allHours = round4(ON_PEAK_HOUR_SHARE * onPeak + (1 - ON_PEAK_HOUR_SHARE) * offPeak);
      // POWER_BLOCKS order: ON_PEAK, OFF_PEAK, ATC.
      monthly[0]!.push(quote('power', onPeak, monthsOut));
      monthly[1]!.push(quote('power', offPeak, monthsOut));
      monthly[2]!.push(quote('power', allHours, monthsOut));
    }

    const quoted = tenors.forAsofMonth(asofMonth);
    const strips = quoted.filter((t) => t.type !== 'MONTHLY');
    curves.forEach((curve, c) => {
      const quotes = monthly[c]!;
      for (const tenor of quoted) {
        const q =
          tenor.type === 'MONTHLY'
            ? quotes[tenor.months[0]! - firstMonth]!
            : stripQuote(quotes, firstMonth, tenor.months);
        out.push(curve.id, asofIndex, tenor.id, PRICE_TYPE_MID, 0, q.mid, q.bid, q.ask);
      }
    });

    curves.forEach((curve, c) => {
      if (!curve.settles) return;
      monthly[c]!.forEach((q, i) => {
        const settle = round4(q.mid * (1 + 0.0015 * normal()));
        out.push(curve.id, asofIndex, quoted[i]!.id, PRICE_TYPE_SETTLE, 0, settle, Number.NaN, Number.NaN);
      });
    });

    curves.forEach((curve, c) => {
      const corrected: number[] = [];
      const quotes = monthly[c]!.slice();
      quotes.forEach((q, i) => {
        if (random() >= CORRECTION_RATE) return;
        const direction = random() < 0.5 ? -1 : 1;
        const mid = round4(q.mid * (1 + direction * (0.002 + 0.01 * random())));
        quotes[i] = quote(curve.assetClass, mid, i + 1);
        corrected.push(firstMonth + i);
      });
      if (corrected.length === 0) return;
      for (const month of corrected) {
        const q = quotes[month - firstMonth]!;
        out.push(curve.id, asofIndex, quoted[month - firstMonth]!.id, PRICE_TYPE_MID, 1, q.mid, q.bid, q.ask);
      }
      for (const strip of strips) {
        if (!strip.months.some((m) => corrected.includes(m))) continue;
        const q = stripQuote(quotes, firstMonth, strip.months);
        out.push(curve.id, asofIndex, strip.id, PRICE_TYPE_MID, 1, q.mid, q.bid, q.ask);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sizing

interface Plan {
  asofDates: string[];
  families: PriceFamily[];
}

function rowsPerCurve(asofMonths: number[], tenors: TenorCatalog): { mid: number; settle: number } {
  let mid = 0;
  for (const month of asofMonths) mid += tenors.forAsofMonth(month).length;
  return { mid, settle: asofMonths.length * MONTHLY_TENORS };
}

function familyRows(family: PriceFamily, perCurve: { mid: number; settle: number }): number {
  if (family.kind === 'gas') return perCurve.mid + (family.hub.settles ? perCurve.settle : 0);
  const settling = family.location.settles && !family.realTime ? 2 : 0;
  return 3 * perCurve.mid + settling * perCurve.settle;
}

function plan(targetRows: number, endDate: string, businessDays: number, tenors: TenorCatalog): Plan {
  const all = priceFamiliesByPriority();
  let days = businessDays;
  for (;;) {
    const asofDates = businessDaysEnding(endDate, days);
    const perCurve = rowsPerCurve(
      asofDates.map((d) => absoluteMonth(parseIsoDate(d))),
      tenors,
    );
    const families: PriceFamily[] = [];
    let rows = 0;
    for (const family of all) {
      // The eight benchmarks (one hub per ISO, Henry Hub) are always in.
      if (families.length >= ISO_MARKETS.length + 1 && rows >= targetRows) break;
      families.push(family);
      rows += familyRows(family, perCurve);
    }
    if (rows >= targetRows || families.length < all.length) return { asofDates, families };
    days = Math.max(days + 1, Math.ceil((days * targetRows) / rows));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

function assertOptions(seed: number, rows: number, businessDays: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError('seed must be an unsigned 32-bit integer');
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError('rows must be a positive integer');
  if (!Number.isInteger(businessDays) || businessDays < 1)
    throw new RangeError('businessDays must be a positive integer');
}

/** Generates the table into a temporary file beside `path`, then renames it over `path` (atomic on one filesystem). */
export async function generateSampleData(options: SampleDataOptions): Promise<SampleDataResult> {
  const started = performance.now();
  const path = resolve(options.path);
  const seed = options.seed ?? DEFAULT_SEED;
  const targetRows = options.rows ?? DEFAULT_ROWS;
  const businessDays = options.businessDays ?? DEFAULT_BUSINESS_DAYS;
  const endDate = options.endDate ?? DEFAULT_END_DATE;
  assertOptions(seed, targetRows, businessDays);

  const tenors = new TenorCatalog();
  const { asofDates, families } = plan(targetRows, endDate, businessDays, tenors);
  const asofMonths = asofDates.map((d) => absoluteMonth(parseIsoDate(d)));
  let curveCount = 0;
  const curves: CurveDefinition[] = [];
  const observations = new ObservationColumns();
  for (const family of families) {
    const familyCurves = curvesOf(family, () => curveCount++);
    curves.push(...familyCurves);
    generateFamily(family, familyCurves, asofMonths, tenors, seed, observations);
  }

  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(temporary);
  let rows = 0;
  let corrections = 0;
  try {
    const connection = await instance.connect();
    try {
      await loadStaging(connection, curves, asofDates, tenors, observations);
      await connection.run(`CREATE TABLE curve_observation (${CURVE_OBSERVATION_COLUMNS.join(', ')})`);
      await connection.run(INSERT_OBSERVATIONS);
      await connection.run(
        'DROP TABLE staging_observation; DROP TABLE staging_curve; DROP TABLE staging_asof; DROP TABLE staging_tenor',
      );
      await writeCurveLatest(connection);
      await writeDroughtSampleData(connection, { seed, endDate });
      await writeEiaSampleData(connection, { seed, endDate });
      await writeIsoSampleData(connection, { seed, endDate });
      await connection.run('CHECKPOINT');
      const counts = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS total,
                count(*) FILTER (WHERE _ingest_ts >= asof_date + INTERVAL 1 DAY)::INTEGER AS corrections
         FROM curve_observation`,
      );
      const [total, corrected] = counts.getRows()[0] as [number, number];
      rows = total;
      corrections = corrected;
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    instance.closeSync();
    await removeDatabaseFiles(temporary);
    throw error;
  }
  instance.closeSync();
  // A WAL left beside an older file at `path` would be replayed into the new one.
  await rm(`${path}.wal`, { force: true });
  await rename(temporary, path);
  await removeDatabaseFiles(temporary);
  return {
    path,
    rows,
    curves: curves.length,
    asofDates,
    seed,
    corrections,
    elapsedMs: Math.round(performance.now() - started),
  };
}

async function removeDatabaseFiles(databasePath: string): Promise<void> {
  await rm(databasePath, { force: true });
  await rm(`${databasePath}.wal`, { force: true });
  await rm(`${databasePath}.tmp`, { force: true, recursive: true });
}

async function loadStaging(
  connection: DuckDBConnection,
  curves: CurveDefinition[],
  asofDates: string[],
  tenors: TenorCatalog,
  observations: ObservationColumns,
): Promise<void> {
  await connection.run(`
    CREATE TEMP TABLE staging_curve (curve_id INTEGER, curve_key VARCHAR, asset_class VARCHAR, region VARCHAR,
      iso VARCHAR, location VARCHAR, market VARCHAR, product VARCHAR, block VARCHAR, spark_location VARCHAR,
      units_raw VARCHAR, per_unit VARCHAR, mark_file VARCHAR, mark_sheet VARCHAR, settle_file VARCHAR,
      settle_vendor VARCHAR, feed VARCHAR);
    CREATE TEMP TABLE staging_asof (asof_index INTEGER, asof_text VARCHAR);
    CREATE TEMP TABLE staging_tenor (tenor_id INTEGER, tenor_type VARCHAR, tenor_label VARCHAR, contract_month_text VARCHAR);
    CREATE TEMP TABLE staging_observation (curve_id INTEGER, asof_index INTEGER, tenor_id INTEGER,
      price_type UTINYINT, revision UTINYINT, mid DOUBLE, bid DOUBLE, ask DOUBLE);
  `);

  const appendText = (
    appender: { appendVarchar(v: string): void; appendNull(): void },
    value: string | null,
  ) => (value === null ? appender.appendNull() : appender.appendVarchar(value));

  const curveAppender = await connection.createAppender('staging_curve');
  for (const c of curves) {
    curveAppender.appendInteger(c.id);
    for (const value of [
      c.curveKey,
      c.assetClass,
      c.region,
      c.iso,
      c.location,
      c.market,
      c.product,
      c.block,
      c.sparkLocation,
      c.unitsRaw,
      c.perUnit,
      c.markFile,
      c.markSheet,
      c.settleFile,
      c.settleVendor,
      c.feed,
    ]) {
      appendText(curveAppender, value);
    }
    curveAppender.endRow();
  }
  curveAppender.closeSync();

  const asofAppender = await connection.createAppender('staging_asof');
  asofDates.forEach((date, index) => {
    asofAppender.appendInteger(index);
    asofAppender.appendVarchar(date);
    asofAppender.endRow();
  });
  asofAppender.closeSync();

  const tenorAppender = await connection.createAppender('staging_tenor');
  for (const tenor of tenors.all) {
    tenorAppender.appendInteger(tenor.id);
    tenorAppender.appendVarchar(tenor.type);
    tenorAppender.appendVarchar(tenor.label);
    tenorAppender.appendVarchar(isoDate(firstDayOfMonth(tenor.months[0]!)));
    tenorAppender.endRow();
  }
  tenorAppender.closeSync();

  const o = observations;
  const appender = await connection.createAppender('staging_observation');
  for (let i = 0; i < o.length; i++) {
    appender.appendInteger(o.curveId[i]!);
    appender.appendInteger(o.asofIndex[i]!);
    appender.appendInteger(o.tenorId[i]!);
    appender.appendUTinyInt(o.priceType[i]!);
    appender.appendUTinyInt(o.revision[i]!);
    appender.appendDouble(o.mid[i]!);
    const bid = o.bid[i]!;
    const ask = o.ask[i]!;
    if (Number.isNaN(bid)) appender.appendNull();
    else appender.appendDouble(bid);
    if (Number.isNaN(ask)) appender.appendNull();
    else appender.appendDouble(ask);
    appender.endRow();
  }
  appender.closeSync();
}

/** Joins the generated numbers to their dimensions, derives provenance, and writes in keyset order. */
const INSERT_OBSERVATIONS = `
  INSERT INTO curve_observation
  WITH observation AS (
    SELECT
      CAST(a.asof_text AS DATE) AS asof_date,
      replace(a.asof_text, '-', '') AS asof_compact,
      o.revision,
      CASE o.price_type WHEN ${PRICE_TYPE_SETTLE} THEN 'SETTLE' ELSE 'MID' END AS price_type,
      CASE
        WHEN o.price_type = ${PRICE_TYPE_SETTLE} THEN CAST(a.asof_text AS DATE) + INTERVAL 19 HOUR + INTERVAL 5 MINUTE
        WHEN o.revision > 0 THEN CAST(a.asof_text AS DATE) + INTERVAL 1 DAY + INTERVAL 13 HOUR + INTERVAL 15 MINUTE
        ELSE CAST(a.asof_text AS DATE) + INTERVAL 21 HOUR + INTERVAL 30 MINUTE
      END AS ingest_ts,
      c.*, t.tenor_type, t.tenor_label, CAST(t.contract_month_text AS DATE) AS contract_month,
      o.mid, o.bid, o.ask
    FROM staging_observation o
    JOIN staging_curve c USING (curve_id)
    JOIN staging_asof a USING (asof_index)
    JOIN staging_tenor t USING (tenor_id)
  )
  SELECT
    asof_date,
    CASE price_type
      WHEN 'SETTLE' THEN settle_file || '_' || asof_compact || '.csv'
      ELSE mark_file || '_' || asof_compact || CASE WHEN revision > 0 THEN '_r' || revision ELSE '' END || '.xlsx'
    END AS source_file,
    CASE price_type WHEN 'SETTLE' THEN 'Settlements' ELSE mark_sheet END AS sheet_name,
    asset_class, region, iso, location, market, product, block, spark_location, price_type,
    units_raw, 'USD' AS currency, per_unit, tenor_type, contract_month, tenor_label,
    mid AS value, bid, ask, mid, curve_key,
    sha256(concat_ws('|', curve_key, tenor_label, CAST(asof_date AS VARCHAR), price_type,
      CAST(mid AS VARCHAR), coalesce(CAST(bid AS VARCHAR), ''), coalesce(CAST(ask AS VARCHAR), ''))) AS version_hash,
    ingest_ts AS _ingest_ts,
    '{"vendor":"' || CASE price_type WHEN 'SETTLE' THEN settle_vendor ELSE 'EOD_MARKS' END
      || '","feed":"' || feed
      || '","ingest_job":"' || feed || '-' || asof_compact || CASE WHEN revision > 0 THEN '-r' || revision ELSE '' END
      || '","revision":' || revision || '}' AS lineage_tags
  FROM observation
  ORDER BY curve_key, tenor_label, contract_month, asof_date, price_type, _ingest_ts
`;

// ---------------------------------------------------------------------------------------------------------------
// Ensure (for `npm start` and the integration tests, which may race each other across processes)

const LOCK_STALE_MS = 5 * 60_000;
const LOCK_POLL_MS = 100;
const inFlight = new Map<string, Promise<EnsureSampleDataResult>>();

/** Generates the sample data only when no file exists at `path`; concurrent callers wait for one generation. */
export function ensureSampleData(
  path: string = DEFAULT_SAMPLE_DATA_PATH,
  options: Omit<SampleDataOptions, 'path'> = {},
): Promise<EnsureSampleDataResult> {
  const target = resolve(path);
  const running = inFlight.get(target);
  if (running !== undefined) return running;
  const ensured = ensureUnderLock(target, options).finally(() => inFlight.delete(target));
  inFlight.set(target, ensured);
  return ensured;
}

async function ensureUnderLock(
  path: string,
  options: Omit<SampleDataOptions, 'path'>,
): Promise<EnsureSampleDataResult> {
  if (existsSync(path)) return { created: false, path };
  await mkdir(dirname(path), { recursive: true });
  const lockPath = `${path}.lock`;
  for (;;) {
    if (existsSync(path)) return { created: false, path };
    try {
      const lock = await open(lockPath, 'wx');
      await lock.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lockPath).catch(() => null);
      // A lock left by a crashed generator would otherwise block every later start.
      if (held !== null && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(lockPath, { force: true });
      else await new Promise((done) => setTimeout(done, LOCK_POLL_MS));
    }
  }
  try {
    if (existsSync(path)) return { created: false, path };
    return { created: true, ...(await generateSampleData({ ...options, path })) };
  } finally {
    await rm(lockPath, { force: true });
  }
}
