/**
 * ISO LMP sample data, in the same DuckDB file as the curves (called by sample-data.ts): the table production
 * reads through Trino, `market.iso_lmp_timeseries` (reference §2.3: the §1.6 columns plus `tenant_id`, `zone`,
 * `hub`, `timezone` and `_ingest_ts`), one row per published interval, generated deterministically.
 *
 * - Markets: `RT` (real-time, 5-minute intervals) and `DA` (day-ahead, hourly intervals), in UTC
 *   (`interval_start`, `interval_end`), with `delivery_date` the market date on the ISO's market clock.
 * - Locations: the real hubs and zones of `lib/reference/iso-nodes.ts`. Day-ahead for `DA_CORE` every day from
 *   1 November of the year before `endDate` (so the span holds a fall-back and a spring-forward day) to
 *   `endDate`; real-time for `RT_LOCATIONS` on the last eight market days and on the two DST days, with their
 *   day-ahead prices on those days too.
 * - Prices in integer cents, so `price_total = price_energy + price_congestion + price_loss` exactly: an ISO
 *   level × season × weekday × hour-of-day shape plus an AR(1) walk; congestion by location (ERCOT West and
 *   SPP North go negative on windy nights, New York City carries a peak premium); CAISO's energy goes negative
 *   at spring middays (solar oversupply); losses a small share of energy; real time adds 5-minute noise
 *   and rare scarcity spikes.
 * - Knowledge time: DA rows are published 10.5 h before their market day starts, RT rows 2 minutes after
 *   their interval ends. About 0.3% of rows are re-published later with a corrected energy price (a second
 *   row with the same key, a later `_ingest_ts`, `source_run_id` ending `_r1`); the latest ingestion wins.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { findIsoNode, type IsoCode, type IsoNode } from '#lib/reference/iso-nodes';
import { addDays, datesFrom, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import { marketDayHourCount, marketDayHours } from '#lib/time/market-day';

export const ISO_LMP_TABLE = 'market.iso_lmp_timeseries';

/** Day-ahead every day of the span, at the locations analysts hedge against. */
export const DA_CORE: readonly (readonly [IsoCode, string])[] = [
  ['CAISO', 'NP15'],
  ['CAISO', 'SP15'],
  ['ERCOT', 'HB_NORTH'],
  ['ERCOT', 'HB_WEST'],
  ['ISONE', 'MASS HUB'],
  ['MISO', 'INDIANA HUB'],
  ['NYISO', 'ZONE J'],
  ['PJM', 'WESTERN HUB'],
  ['SPP', 'SPP NORTH HUB'],
];

/** Real-time (and day-ahead) on the recent and DST days. */
export const RT_LOCATIONS: readonly (readonly [IsoCode, string])[] = [
  ['CAISO', 'DLAP_SCE'],
  ['CAISO', 'NP15'],
  ['CAISO', 'SP15'],
  ['CAISO', 'ZP26'],
  ['ERCOT', 'HB_HOUSTON'],
  ['ERCOT', 'HB_NORTH'],
  ['ERCOT', 'HB_SOUTH'],
  ['ERCOT', 'HB_WEST'],
  ['ISONE', 'CT'],
  ['ISONE', 'MASS HUB'],
  ['ISONE', 'NEMA'],
  ['MISO', 'ILLINOIS HUB'],
  ['MISO', 'INDIANA HUB'],
  ['MISO', 'LOUISIANA HUB'],
  ['MISO', 'MINNESOTA HUB'],
  ['NYISO', 'ZONE A'],
  ['NYISO', 'ZONE G'],
  ['NYISO', 'ZONE J'],
  ['PJM', 'AEP-DAYTON HUB'],
  ['PJM', 'EASTERN HUB'],
  ['PJM', 'N ILLINOIS HUB'],
  ['PJM', 'WESTERN HUB'],
  ['SPP', 'SPP NORTH HUB'],
  ['SPP', 'SPP SOUTH HUB'],
];

/** Real-time days: the last `RECENT_DAYS` market days up to `endDate`. */
export const RECENT_DAYS = 8;
export const CORRECTION_RATE = 0.003;

export interface IsoSampleOptions {
  seed: number;
  /** The last market date with data, `YYYY-MM-DD`. */
  endDate: string;
}

export interface IsoSampleResult {
  rows: number;
  corrections: number;
  /** The first and last market dates of the day-ahead span. */
  firstDate: string;
  lastDate: string;
  /** The US fall-back and spring-forward days inside the span (America/New_York). */
  dstDays: string[];
}

/** Dollars per MWh of each ISO's energy price before shapes. */
const LEVEL: Record<IsoCode, number> = {
  PJM: 38,
  NYISO: 40,
  ISONE: 44,
  MISO: 33,
  ERCOT: 30,
  SPP: 26,
  CAISO: 41,
};

/** Static basis (congestion, $/MWh) per location; windy-night and peak terms are added in `congestion`. */
const BASIS: Record<string, number> = {
  'PJM|EASTERN HUB': 2.4,
  'PJM|N ILLINOIS HUB': -3.1,
  'PJM|AEP-DAYTON HUB': -0.9,
  'NYISO|ZONE J': 6.5,
  'NYISO|ZONE A': -4.2,
  'NYISO|ZONE G': 1.8,
  'ISONE|CT': 0.6,
  'ISONE|NEMA': 0.9,
  'MISO|MINNESOTA HUB': -2.8,
  'MISO|LOUISIANA HUB': 1.2,
  'ERCOT|HB_HOUSTON': 1.5,
  'ERCOT|HB_WEST': -6,
  'SPP|SPP NORTH HUB': -2.5,
  'CAISO|NP15': 1.4,
  'CAISO|ZP26': -0.8,
  'CAISO|DLAP_SCE': 2.1,
};

const LOSS_SHARE: Partial<Record<IsoCode, number>> = { NYISO: 0.035, ISONE: 0.01, PJM: 0.015, MISO: 0.02 };

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const spring = (month: number) => month >= 3 && month <= 5;

function season(iso: IsoCode, month: number): number {
  if (month === 12 || month <= 2) return iso === 'ISONE' || iso === 'NYISO' ? 1.45 : 1.2;
  if (spring(month)) return 0.82;
  if (month >= 7 && month <= 8) return iso === 'ERCOT' ? 1.6 : 1.35;
  return 1;
}

/** The hour-of-day shape (hour beginning on the market clock); CAISO's duck belly goes below zero in spring. */
function hourShape(iso: IsoCode, hour: number, month: number): number {
  if (iso === 'CAISO' && hour >= 9 && hour <= 15) return spring(month) ? -0.42 : 0.55;
  if (hour <= 4) return 0.7;
  if (hour <= 6) return 0.82;
  if (hour <= 15) return 1.02;
  if (hour <= 20) return iso === 'ERCOT' && month >= 6 && month <= 9 ? 1.9 : 1.38;
  return 0.9;
}

/** Congestion, $/MWh: the location's basis, windy-night binding constraints, New York City's peak premium. */
function congestion(key: string, hour: number, month: number, rnd: () => number): number {
  let c = BASIS[key] ?? 0;
  if (key === 'ERCOT|HB_WEST' && (hour <= 6 || hour >= 22)) c -= 22 + 18 * rnd();
  if (key === 'ERCOT|HB_WEST' && spring(month) && hour >= 10 && hour <= 15) c -= 12 * rnd();
  if (key === 'SPP|SPP NORTH HUB' && (hour <= 5 || hour >= 23) && !(month >= 6 && month <= 8))
    c -= 20 + 15 * rnd();
  if (key === 'NYISO|ZONE J' && hour >= 7 && hour <= 21) c += 4 + 6 * rnd();
  return c + (rnd() - 0.5) * 1.5;
}

const cents = (dollars: number) => Math.round(dollars * 100);

interface Staged {
  node: number;
  market: 'DA' | 'RT';
  date: string;
  startMin: number;
  minutes: number;
  energy: number;
  congestion: number;
  loss: number;
  ingestMin: number;
  revision: number;
}

/** The first and last market dates of the span: 1 November of the previous year (or this one) to `endDate`. */
function span(endDate: MarketDate): [MarketDate, MarketDate] {
  const year = Number(endDate.slice(0, 4));
  const first = endDate.slice(5) >= '11-01' ? `${year}-11-01` : `${year - 1}-11-01`;
  return [parseMarketDate(first)!, endDate];
}

function generate(options: IsoSampleOptions) {
  const endDate = parseMarketDate(options.endDate);
  if (endDate === null) throw new RangeError(`endDate must be YYYY-MM-DD, got "${options.endDate}"`);
  const [firstDate, lastDate] = span(endDate);
  const allDates = datesFrom(firstDate, lastDate);
  const dstDays = allDates.filter((d) => marketDayHourCount('America/New_York', d) !== 24);
  const rtDates = new Set<string>([...datesFrom(addDays(lastDate, 1 - RECENT_DAYS), lastDate), ...dstDays]);

  const nodes: IsoNode[] = [];
  const nodeIndex = new Map<string, number>();
  const indexOf = (iso: IsoCode, id: string) => {
    const key = `${iso}|${id}`;
    let i = nodeIndex.get(key);
    if (i === undefined) {
      const node = findIsoNode(iso, id);
      if (node === undefined) throw new Error(`${key} is not in lib/reference/iso-nodes.ts`);
      i = nodes.length;
      nodes.push(node);
      nodeIndex.set(key, i);
    }
    return i;
  };
  const core = new Set(DA_CORE.map(([iso, id]) => indexOf(iso, id)));
  const rt = new Set(RT_LOCATIONS.map(([iso, id]) => indexOf(iso, id)));

  const rows: Staged[] = [];
  const correct = prng(options.seed ^ 0x15011);
  const push = (row: Staged) => {
    rows.push(row);
    if (correct() < CORRECTION_RATE) {
      const delta = cents((correct() - 0.5) * 6) || 37;
      rows.push({
        ...row,
        energy: row.energy + delta,
        ingestMin: row.ingestMin + (row.market === 'DA' ? 24 * 60 : 75),
        revision: 1,
      });
    }
  };

  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n]!;
    const key = `${node.iso}|${node.location_id}`;
    const rnd = prng(options.seed ^ hashText(key));
    const lossShare = LOSS_SHARE[node.iso] ?? 0.012;
    const lossSign = hashText(`${key}|loss`) % 3 === 0 ? -1 : 1;
    let walk = 0;
    let rtWalk = 0;
    const dates = core.has(n) ? allDates : allDates.filter((d) => rtDates.has(d) && rt.has(n));
    for (const date of dates) {
      const month = Number(date.slice(5, 7));
      const weekend = isoWeekday(date) >= 6 ? 0.86 : 1;
      const hours = marketDayHours(node.timezone, date);
      const dayStartMin = hours[0]!.startEpochMs / 60_000;
      const level = LEVEL[node.iso] * season(node.iso, month) * weekend;
      const withRt = rt.has(n) && rtDates.has(date);
      for (const hour of hours) {
        walk = 0.85 * walk + (rnd() - 0.5) * 5;
        const energyDa = level * hourShape(node.iso, hour.hourBeginning, month) + walk;
        const startMin = hour.startEpochMs / 60_000;
        const e = cents(energyDa);
        push({
          node: n,
          market: 'DA',
          date,
          startMin,
          minutes: 60,
          energy: e,
          congestion: cents(congestion(key, hour.hourBeginning, month, rnd)),
          loss: lossSign * cents(Math.abs(energyDa) * lossShare * (0.6 + 0.8 * rnd())),
          ingestMin: dayStartMin - 630,
          revision: 0,
        });
        if (!withRt) continue;
        for (let k = 0; k < 12; k++) {
          rtWalk = 0.7 * rtWalk + (rnd() - 0.5) * 8;
          const spike = rnd() < 0.003 ? 100 + 300 * rnd() : 0;
          const energyRt = energyDa + rtWalk + spike;
          push({
            node: n,
            market: 'RT',
            date,
            startMin: startMin + 5 * k,
            minutes: 5,
            energy: cents(energyRt),
            congestion: cents(congestion(key, hour.hourBeginning, month, rnd) * (0.8 + 0.5 * rnd())),
            loss: lossSign * cents(Math.abs(energyRt) * lossShare * (0.6 + 0.8 * rnd())),
            ingestMin: startMin + 5 * k + 5 + 2,
            revision: 0,
          });
        }
      }
    }
  }
  return { nodes, rows, firstDate, lastDate, dstDays };
}

/** Writes `market.iso_lmp_timeseries` into an open sample database. */
export async function writeIsoSampleData(
  connection: DuckDBConnection,
  options: IsoSampleOptions,
): Promise<IsoSampleResult> {
  const { nodes, rows, firstDate, lastDate, dstDays } = generate(options);
  await connection.run(`CREATE SCHEMA IF NOT EXISTS market;
    CREATE TEMP TABLE staging_iso_node (node INTEGER, iso_code VARCHAR, location_id VARCHAR, location_name VARCHAR,
      location_type VARCHAR, settlement_point VARCHAR, zone VARCHAR, hub VARCHAR, timezone VARCHAR);
    CREATE TEMP TABLE staging_iso_lmp (node INTEGER, market VARCHAR, delivery_date VARCHAR, start_min INTEGER,
      minutes INTEGER, energy INTEGER, congestion INTEGER, loss INTEGER, ingest_min INTEGER, revision INTEGER)`);
  const nodeAppender = await connection.createAppender('staging_iso_node');
  nodes.forEach((node, i) => {
    nodeAppender.appendInteger(i);
    for (const v of [
      node.iso,
      node.location_id,
      node.location_name,
      node.location_type,
      node.iso_name,
      node.zone,
      node.hub,
      node.timezone,
    ]) {
      if (v === null) nodeAppender.appendNull();
      else nodeAppender.appendVarchar(v);
    }
    nodeAppender.endRow();
  });
  nodeAppender.closeSync();
  const appender = await connection.createAppender('staging_iso_lmp');
  for (const r of rows) {
    appender.appendInteger(r.node);
    appender.appendVarchar(r.market);
    appender.appendVarchar(r.date);
    appender.appendInteger(r.startMin);
    appender.appendInteger(r.minutes);
    appender.appendInteger(r.energy);
    appender.appendInteger(r.congestion);
    appender.appendInteger(r.loss);
    appender.appendInteger(r.ingestMin);
    appender.appendInteger(r.revision);
    appender.endRow();
  }
  appender.closeSync();
  await connection.run(`CREATE TABLE ${ISO_LMP_TABLE} (
      iso_code VARCHAR, market VARCHAR, delivery_date DATE, interval_start TIMESTAMP, interval_end TIMESTAMP,
      interval_minutes INTEGER, location_id VARCHAR, location_name VARCHAR, location_type VARCHAR, zone VARCHAR,
      hub VARCHAR, timezone VARCHAR, price_total DOUBLE, price_energy DOUBLE, price_congestion DOUBLE,
      price_loss DOUBLE, currency VARCHAR, uom VARCHAR, settlement_point VARCHAR, source_run_id VARCHAR,
      record_hash VARCHAR, metadata VARCHAR, tenant_id VARCHAR, _ingest_ts TIMESTAMP);
    INSERT INTO ${ISO_LMP_TABLE}
    SELECT n.iso_code, s.market, CAST(s.delivery_date AS DATE),
           epoch_ms(CAST(s.start_min AS BIGINT) * 60000),
           epoch_ms(CAST(s.start_min + s.minutes AS BIGINT) * 60000),
           s.minutes, n.location_id, n.location_name, n.location_type, n.zone, n.hub, n.timezone,
           CAST(s.energy + s.congestion + s.loss AS DOUBLE) / 100, CAST(s.energy AS DOUBLE) / 100,
           CAST(s.congestion AS DOUBLE) / 100, CAST(s.loss AS DOUBLE) / 100, 'USD', 'MWh', n.settlement_point,
           run_id, md5(concat_ws('|', n.iso_code, s.market, n.location_id, CAST(s.start_min AS VARCHAR), run_id)),
           CASE WHEN s.revision = 0 THEN '{}' ELSE '{"revision":' || s.revision || ',"corrects":"' || base_run || '"}' END,
           'aurum', epoch_ms(CAST(s.ingest_min AS BIGINT) * 60000)
    FROM (SELECT *,
                 lower(market) || '-' || strftime(CAST(delivery_date AS DATE), '%Y%m%d') AS base_run,
                 lower(market) || '-' || strftime(CAST(delivery_date AS DATE), '%Y%m%d')
                   || CASE WHEN revision = 0 THEN '' ELSE '_r' || revision END AS run_id
          FROM staging_iso_lmp) s
    JOIN staging_iso_node n ON n.node = s.node
    ORDER BY n.iso_code, s.market, n.location_id, s.start_min, s.revision;
    DROP TABLE staging_iso_lmp; DROP TABLE staging_iso_node`);
  return {
    rows: rows.length,
    corrections: rows.filter((r) => r.revision > 0).length,
    firstDate,
    lastDate,
    dstDays,
  };
}
