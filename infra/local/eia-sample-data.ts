/**
 * EIA sample data, in the same DuckDB file as the curves (called by sample-data.ts): the table production reads
 * through Trino, `eia_series` (`iceberg.market.eia_series`, reference §2.2, with the column names of the dbt
 * model `int_eia_series_enriched`), generated deterministically for a few datasets of the catalog.
 *
 * - `natural-gas/stor/wkly`: working gas in storage (Bcf), 52 weeks ending on the last Friday whose report was
 *   out by the end date (six days later, on Thursday), for the Lower 48 (`R48`) and its five regions (`R31` East … `R35` South Central, the `duoarea`
 *   facet); the Lower 48 is the sum of the regions, with the seasonal fill and draw.
 * - `natural-gas/pri/fut`: the Henry Hub spot price (`RNGWHHD`, $/MMBtu) on the 130 weekdays ending on the end
 *   date; `petroleum/pri/spt`: WTI Cushing spot (`RWTC`, $/bbl) on the same days.
 * - `electricity/electric-power-operational-data`: U.S. net generation of all sectors (`99`) by fuel (natural gas,
 *   coal, nuclear, wind, solar, conventional hydro), 36 months ending two months before the end date's month (EIA
 *   publishes with that lag), in thousand MWh.
 * - `electricity/rto/region-data`: hourly demand (type `D`, MWh) of PJM, ERCOT, CAISO and MISO for the 14 UTC days
 *   ending on the end date, and for the four UTC days around the last fall-back day before it, so a repeated
 *   hour is in the data. EIA labels an hour by its end in UTC: period `2025-09-26T05` is 04:00–05:00 UTC.
 *
 * Every row: `value` in the raw unit, `raw_value` the text EIA publishes, `canonical_value = value ×
 * conversion_factor` in the canonical unit (computed here once, so it holds exactly), `period_start` and
 * `period_end` the UTC instants the period starts and ends (end exclusive; local midnights of `time_zone` for
 * days, weeks and months), and `ingest_ts` when the row was loaded.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { formatUtc } from '#lib/time/iso-format';
import { addDays, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import { marketDayHourCount, marketDayStart } from '#lib/time/market-day';
import { wallClockAt } from '#lib/time/time-zone';
import { type ColumnType, writeTable } from './drought-sample-data.ts';

export interface EiaSampleOptions {
  seed: number;
  /** The last day of data, `YYYY-MM-DD` (the curves' last as-of date). */
  endDate: string;
}

export interface EiaSampleResult {
  rows: number;
  series: number;
}

/** The table's columns, in order (documented in the README). */
export const EIA_SERIES_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['series_id', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['period_start', 'TIMESTAMP'],
  ['period_end', 'TIMESTAMP'],
  ['frequency', 'VARCHAR'],
  ['value', 'DOUBLE'],
  ['raw_value', 'VARCHAR'],
  ['unit_raw', 'VARCHAR'],
  ['unit_normalized', 'VARCHAR'],
  ['currency_normalized', 'VARCHAR'],
  ['canonical_value', 'DOUBLE'],
  ['conversion_factor', 'DOUBLE'],
  ['area', 'VARCHAR'],
  ['sector', 'VARCHAR'],
  ['seasonal_adjustment', 'VARCHAR'],
  ['description', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['dataset', 'VARCHAR'],
  ['metadata', 'VARCHAR'],
  ['time_zone', 'VARCHAR'],
  ['ingest_ts', 'TIMESTAMP'],
];

/** How a raw unit converts to its canonical one: `canonical = value × factor`. */
interface Conversion {
  raw: string;
  canonical: string;
  currency: string | null;
  factor: number;
}

/** 1 Bcf of dry gas at EIA's average heat content, 1.036 MMBtu per Mcf, is 1 036 000 MMBtu. */
const BCF_TO_MMBTU: Conversion = { raw: 'BCF', canonical: 'MMBtu', currency: null, factor: 1_036_000 };
const USD_PER_MMBTU: Conversion = { raw: '$/MMBTU', canonical: 'USD/MMBtu', currency: 'USD', factor: 1 };
const USD_PER_BBL: Conversion = { raw: '$/BBL', canonical: 'USD/bbl', currency: 'USD', factor: 1 };
const THOUSAND_MWH: Conversion = {
  raw: 'thousand megawatthours',
  canonical: 'MWh',
  currency: null,
  factor: 1000,
};
const MWH: Conversion = { raw: 'megawatthours', canonical: 'MWh', currency: null, factor: 1 };

const EASTERN = 'America/New_York';

interface Series {
  id: string;
  dataset: string;
  frequency: 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY';
  area: string;
  sector: string | null;
  description: string;
  conversion: Conversion;
  timeZone: string;
  /** The facets EIA's API v2 selects the series by. */
  facets: Record<string, string>;
}

type Cell = string | number | null;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const sqlTimestamp = (epochMs: number) => formatUtc(epochMs).slice(0, 19).replace('T', ' ');

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function row(
  s: Series,
  period: string,
  startMs: number,
  endMs: number,
  value: number,
  places: number,
  ingestMs: number,
): Cell[] {
  const rawValue = value.toFixed(places);
  const v = Number(rawValue);
  return [
    s.id,
    period,
    sqlTimestamp(startMs),
    sqlTimestamp(endMs),
    s.frequency,
    v,
    rawValue,
    s.conversion.raw,
    s.conversion.canonical,
    s.conversion.currency,
    v * s.conversion.factor,
    s.conversion.factor,
    s.area,
    s.sector,
    'NSA',
    s.description,
    'EIA',
    s.dataset,
    JSON.stringify({ facets: s.facets, route: `/v2/${s.dataset}/data` }),
    s.timeZone,
    sqlTimestamp(ingestMs),
  ];
}

const STORAGE_REGIONS = [
  ['R31', 'East', 0.22],
  ['R32', 'Midwest', 0.27],
  ['R33', 'Mountain', 0.07],
  ['R34', 'Pacific', 0.08],
  ['R35', 'South Central', 0.36],
] as const;

function storage(end: MarketDate, random: () => number, out: Cell[][]): number {
  // The last week released by the end date (each report comes out six days after its Friday); the report
  // week is Saturday through that Friday.
  let friday = addDays(end, -6);
  while (isoWeekday(friday) !== 5) friday = addDays(friday, -1);
  const series = (area: string, name: string): Series => ({
    id: `NG.NW2_EPG0_SWO_${area}_BCF.W`,
    dataset: 'natural-gas/stor/wkly',
    frequency: 'WEEKLY',
    area,
    sector: null,
    description: `Weekly ${name} Natural Gas Working Underground Storage (Billion Cubic Feet)`,
    conversion: BCF_TO_MMBTU,
    timeZone: EASTERN,
    facets: { duoarea: area, process: 'SWO', product: 'EPG0' },
  });
  const lower48 = series('R48', 'Lower 48 States');
  const regions = STORAGE_REGIONS.map(([area, name, share]) => ({ s: series(area, name), share }));
  const noise = regions.map(() => 0);
  for (let w = 51; w >= 0; w--) {
    const day = addDays(friday, -7 * w);
    const startMs = marketDayStart(EASTERN, addDays(day, -6));
    const endMs = marketDayStart(EASTERN, addDays(day, 1));
    // Inventories trough in late March and peak in early November: a cosine over the day of the year.
    const dayOfYear =
      (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${day.slice(0, 4)}-01-01T00:00:00Z`)) / DAY_MS;
    const level = 2600 - 1050 * Math.cos((2 * Math.PI * (dayOfYear - 85)) / 365);
    // Released on Thursday 10:30 Eastern (14:30 UTC), six days after the week ends.
    const ingestMs = Date.parse(`${addDays(day, 6)}T14:35:00Z`);
    let total = 0;
    regions.forEach(({ s, share }, i) => {
      noise[i] = 0.8 * noise[i]! + normal(random) * 4;
      const value = Math.round(level * share + noise[i]!);
      total += value;
      out.push(row(s, day, startMs, endMs, value, 0, ingestMs));
    });
    out.push(row(lower48, day, startMs, endMs, total, 0, ingestMs));
  }
  return regions.length + 1;
}

function weekdaysEnding(end: MarketDate, count: number): MarketDate[] {
  const days: MarketDate[] = [];
  for (let d = end; days.length < count; d = addDays(d, -1)) if (isoWeekday(d) <= 5) days.push(d);
  return days.reverse();
}

function spotPrices(end: MarketDate, random: () => number, out: Cell[][]): number {
  const henryHub: Series = {
    id: 'NG.RNGWHHD.D',
    dataset: 'natural-gas/pri/fut',
    frequency: 'DAILY',
    area: 'HENRY HUB',
    sector: null,
    description: 'Henry Hub Natural Gas Spot Price (Dollars per Million Btu)',
    conversion: USD_PER_MMBTU,
    timeZone: 'America/Chicago',
    facets: { duoarea: 'RGC', process: 'PS0', product: 'EPG0', series: 'RNGWHHD' },
  };
  const wti: Series = {
    id: 'PET.RWTC.D',
    dataset: 'petroleum/pri/spt',
    frequency: 'DAILY',
    area: 'CUSHING',
    sector: null,
    description: 'Cushing, OK WTI Spot Price FOB (Dollars per Barrel)',
    conversion: USD_PER_BBL,
    timeZone: 'America/Chicago',
    facets: { duoarea: 'YCUOK', process: 'PF4', product: 'EPCWTI', series: 'RWTC' },
  };
  let gas = 2.9;
  let oil = 68;
  for (const day of weekdaysEnding(end, 130)) {
    gas = Math.max(1.2, gas + 0.04 * (3.0 - gas) + normal(random) * 0.09);
    oil = Math.max(40, oil + 0.03 * (66 - oil) + normal(random) * 1.1);
    const ingestMs = Date.parse(`${addDays(day, 1)}T21:00:00Z`);
    for (const [s, value] of [
      [henryHub, gas],
      [wti, oil],
    ] as const) {
      const startMs = marketDayStart(s.timeZone, day);
      const endMs = marketDayStart(s.timeZone, addDays(day, 1));
      out.push(row(s, day, startMs, endMs, value, 2, ingestMs));
    }
  }
  return 2;
}

const FUELS = [
  ['NG', 'natural gas', 150_000, 0.35],
  ['COW', 'coal', 60_000, 0.25],
  ['NUC', 'nuclear', 65_000, 0.06],
  ['WND', 'wind', 38_000, -0.15],
  ['SUN', 'solar', 25_000, 0.45],
  ['HYC', 'conventional hydroelectric', 21_000, -0.1],
] as const;

function generation(end: MarketDate, random: () => number, out: Cell[][]): number {
  const [year, month] = [Number(end.slice(0, 4)), Number(end.slice(5, 7))];
  const last = year * 12 + (month - 1) - 2;
  for (const [code, name, base, summerSwing] of FUELS) {
    const s: Series = {
      id: `ELEC.GEN.${code}-US-99.M`,
      dataset: 'electricity/electric-power-operational-data',
      frequency: 'MONTHLY',
      area: 'US',
      sector: '99',
      description: `Net generation : ${name} : United States : all sectors : monthly (thousand megawatthours)`,
      conversion: THOUSAND_MWH,
      timeZone: EASTERN,
      facets: { location: 'US', sectorid: '99', fueltypeid: code },
    };
    for (let m = last - 35; m <= last; m++) {
      const y = Math.floor(m / 12);
      const mo = (m % 12) + 1;
      const first = parseMarketDate(`${y}-${String(mo).padStart(2, '0')}-01`)!;
      const next = parseMarketDate(
        `${Math.floor((m + 1) / 12)}-${String(((m + 1) % 12) + 1).padStart(2, '0')}-01`,
      )!;
      const season = Math.cos((2 * Math.PI * (mo - 7.5)) / 12);
      const value = base * (1 + summerSwing * season) * (1 + normal(random) * 0.03);
      const ingestMs = Date.parse(`${addDays(next, 54)}T15:00:00Z`);
      out.push(
        row(
          s,
          first.slice(0, 7),
          marketDayStart(EASTERN, first),
          marketDayStart(EASTERN, next),
          value,
          3,
          ingestMs,
        ),
      );
    }
  }
  return FUELS.length;
}

/** EIA-930 respondents, with the market clock of their ISO (MISO's is EST all year, as lib/time says). */
const RESPONDENTS = [
  ['PJM', 'PJM Interconnection, LLC', 'America/New_York', 95_000],
  ['ERCO', 'Electric Reliability Council of Texas, Inc.', 'America/Chicago', 55_000],
  ['CISO', 'California Independent System Operator', 'America/Los_Angeles', 28_000],
  ['MISO', 'Midcontinent Independent System Operator, Inc.', 'Etc/GMT+5', 80_000],
] as const;

/** The last day before `end` on which US Eastern time falls back (a 25-hour day). */
function lastFallBack(end: MarketDate): MarketDate {
  let d = addDays(end, -1);
  while (marketDayHourCount(EASTERN, d) !== 25) d = addDays(d, -1);
  return d;
}

function demand(end: MarketDate, random: () => number, out: Cell[][]): number {
  const fallBack = lastFallBack(end);
  const windows: [MarketDate, number][] = [
    [addDays(fallBack, -2), 4],
    [addDays(end, -13), 14],
  ];
  for (const [code, name, zone, peak] of RESPONDENTS) {
    const s: Series = {
      id: `EBA.${code}-ALL.D.H`,
      dataset: 'electricity/rto/region-data',
      frequency: 'HOURLY',
      area: code,
      sector: null,
      description: `Demand for ${name} (${code}), hourly - UTC time`,
      conversion: MWH,
      timeZone: zone,
      facets: { respondent: code, type: 'D' },
    };
    let noise = 0;
    for (const [first, days] of windows) {
      const fromMs = Date.parse(`${first}T00:00:00Z`);
      for (let h = 0; h < days * 24; h++) {
        const startMs = fromMs + h * HOUR_MS;
        const endMs = startMs + HOUR_MS;
        const localHour = wallClockAt(zone, startMs).hour;
        // Load bottoms out before dawn and peaks late afternoon, local time.
        const shape = 0.72 + 0.28 * Math.max(0, Math.sin((Math.PI * (localHour - 5)) / 16));
        noise = 0.7 * noise + normal(random) * 0.01;
        const value = Math.round(peak * (shape + noise));
        // EIA labels the hour by its end, in UTC: 2025-09-26T05 is 04:00–05:00 UTC.
        const period = formatUtc(endMs).slice(0, 13);
        out.push(row(s, period, startMs, endMs, value, 0, endMs + 75 * 60_000));
      }
    }
  }
  return RESPONDENTS.length;
}

/** Writes `eia_series` into an open sample database. */
export async function writeEiaSampleData(
  connection: DuckDBConnection,
  options: EiaSampleOptions,
): Promise<EiaSampleResult> {
  const end = parseMarketDate(options.endDate);
  if (end === null) throw new RangeError(`endDate must be YYYY-MM-DD, got "${options.endDate}"`);
  const random = mulberry32(options.seed ^ 0x0e1a2025);
  const rows: Cell[][] = [];
  const series =
    storage(end, random, rows) +
    spotPrices(end, random, rows) +
    generation(end, random, rows) +
    demand(end, random, rows);
  await writeTable(connection, 'eia_series', EIA_SERIES_COLUMNS, rows, 'series_id, period_start, period');
  return { rows: rows.length, series };
}
