import { empty, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';

/**
 * ISO LMP SQL over `market.iso_lmp_timeseries` (one row per published interval, UTC timestamps,
 * `delivery_date` the market date). Every read takes the latest ingestion of each interval. The SQL is the
 * subset Trino and DuckDB share; time-zone work (market days, hour endings) is done by lib/time, not SQL.
 */

const EPOCH = sql`TIMESTAMP '1970-01-01 00:00:00'`;
const seconds = (column: SqlQuery) => sql`date_diff('second', ${EPOCH}, ${column})`;

const varchar = (...names: string[]): KeyColumn[] => names.map((name) => ({ name, type: 'varchar' }));

/** Newest interval first: keysets sort ascending, so the start descends as its negated epoch second. */
export const POINT_KEY: readonly KeyColumn[] = [
  { name: 'start_desc', type: 'bigint' },
  ...varchar('iso_code', 'market', 'location_id'),
];
/** Lowest price first, then the earliest interval. */
export const NEGATIVE_KEY: readonly KeyColumn[] = [
  { name: 'price_total', type: 'double' },
  { name: 'start_asc', type: 'bigint' },
  ...varchar('iso_code', 'market', 'location_id'),
];
export const V2_POINT_KEY: readonly KeyColumn[] = [
  { name: 'start_desc', type: 'bigint' },
  ...varchar('market', 'location_id'),
];
export const HOURLY_KEY = POINT_KEY;
export const DAILY_KEY: readonly KeyColumn[] = [
  { name: 'day_desc', type: 'bigint' },
  ...varchar('iso_code', 'market', 'location_id'),
];
export const V2_HOURLY_KEY: readonly KeyColumn[] = [
  { name: 'start_asc', type: 'bigint' },
  ...varchar('market', 'location_id'),
];
export const V2_DAILY_KEY: readonly KeyColumn[] = varchar('market', 'location_id');

export interface LmpFilter {
  iso?: string;
  market?: string;
  locationId?: string;
  /** Raw intervals starting at or after this UTC instant (`YYYY-MM-DDTHH:MM:SS`). */
  from?: string;
  /** Raw intervals starting before this UTC instant. */
  until?: string;
  /** Only these market dates per ISO: `[iso, first, last]`, any of them. */
  dates?: readonly (readonly [string, string, string])[];
}

function predicates(f: LmpFilter): SqlQuery[] {
  const p: SqlQuery[] = [];
  if (f.iso !== undefined) p.push(sql`t.iso_code = ${f.iso}`);
  if (f.market !== undefined) p.push(sql`t.market = ${f.market}`);
  if (f.locationId !== undefined) p.push(sql`upper(t.location_id) = ${f.locationId}`);
  if (f.from !== undefined) p.push(sql`t.interval_start >= ${param.timestamp(f.from)}`);
  if (f.until !== undefined) p.push(sql`t.interval_start < ${param.timestamp(f.until)}`);
  if (f.dates !== undefined) {
    const any = f.dates.map(
      ([iso, first, last]) =>
        sql`(t.iso_code = ${iso} AND t.delivery_date BETWEEN ${param.date(first)} AND ${param.date(last)})`,
    );
    p.push(any.length === 0 ? sql`1 = 0` : sql`(${join(any, ' OR ')})`);
  }
  return p;
}

const where = (p: SqlQuery[]) => (p.length === 0 ? empty : sql` WHERE ${join(p, ' AND ')}`);

const POINT_COLUMNS = sql`iso_code, market, delivery_date, interval_start, interval_end, interval_minutes, location_id,
       location_name, location_type, price_total, price_energy, price_congestion, price_loss, currency, uom,
       settlement_point, source_run_id, _ingest_ts, record_hash, metadata`;

/** The latest ingestion of every interval the filters select, with its rank (rn = 1 is the latest). */
function ranked(f: LmpFilter): SqlQuery {
  return sql`SELECT ${POINT_COLUMNS},
         row_number() OVER (PARTITION BY iso_code, market, location_id, interval_start ORDER BY _ingest_ts DESC) AS rn
  FROM market.iso_lmp_timeseries t${where(predicates(f))}`;
}

/** The newest interval end among the filtered rows: the anchor of "the last 24 hours" and "the last 7 days". */
function anchor(f: LmpFilter): SqlQuery {
  return sql`(SELECT max(t.interval_end) FROM market.iso_lmp_timeseries t${where(predicates(f))})`;
}

function page(inner: SqlQuery, key: readonly KeyColumn[], seek: Seek, extra: SqlQuery = empty): SqlQuery {
  const { predicate, order } = seekClause(key, seek);
  const conditions = [extra, predicate].filter((c) => c !== empty);
  return sql`SELECT *
FROM (${inner}) paged${where(conditions)}
ORDER BY ${order}
LIMIT ${param.bigint(seek.fetch)}`;
}

export type Window = 'last-24h' | 'negative-7d';

/** Raw intervals of the window ending at the newest interval; `negative-7d` keeps prices below zero. */
export function pointsQuery(f: LmpFilter, window: Window, key: readonly KeyColumn[], seek: Seek): SqlQuery {
  const span = window === 'last-24h' ? sql`INTERVAL '1' DAY` : sql`INTERVAL '7' DAY`;
  const negative = window === 'negative-7d' ? sql` AND price_total < 0` : empty;
  const inner = sql`SELECT *, -${seconds(sql`interval_start`)} AS start_desc, ${seconds(sql`interval_start`)} AS start_asc
  FROM (${ranked(f)}) r
  WHERE rn = 1 AND interval_start >= ${anchor(f)} - ${span}${negative}`;
  return page(inner, key, seek);
}

const AGGREGATES = sql`min(currency) AS currency, min(uom) AS uom, avg(price_total) AS price_avg,
         min(price_total) AS price_min, max(price_total) AS price_max, stddev_samp(price_total) AS price_stddev,
         count(*) AS sample_count`;

/** Clock-hour aggregates of the latest ingestions (every ISO's market hours are whole UTC hours). */
export function hourlyQuery(f: LmpFilter, key: readonly KeyColumn[], seek: Seek): SqlQuery {
  const inner = sql`SELECT iso_code, market, location_id, bucket AS interval_start, min(delivery_date) AS delivery_date,
         ${AGGREGATES}, -${seconds(sql`bucket`)} AS start_desc, ${seconds(sql`bucket`)} AS start_asc
  FROM (SELECT *, date_trunc('hour', interval_start) AS bucket FROM (${ranked(f)}) r WHERE rn = 1) b
  GROUP BY iso_code, market, location_id, bucket`;
  return page(inner, key, seek);
}

/** Market-day aggregates of the latest ingestions: `delivery_date` is the market date. */
export function dailyQuery(f: LmpFilter, key: readonly KeyColumn[], seek: Seek): SqlQuery {
  const inner = sql`SELECT iso_code, market, location_id, delivery_date, ${AGGREGATES},
         -date_diff('day', DATE '1970-01-01', delivery_date) AS day_desc
  FROM (${ranked(f)}) r
  WHERE rn = 1
  GROUP BY iso_code, market, location_id, delivery_date`;
  return page(inner, key, seek);
}

/** The hourly mean price of one location and market between two instants, oldest hour first (block averages). */
export function hourlyPricesQuery(f: LmpFilter): SqlQuery {
  return sql`SELECT ${seconds(sql`bucket`)} AS start_s, avg(price_total) AS price, count(*) AS samples,
       min(currency) AS currency, min(uom) AS uom
FROM (SELECT *, date_trunc('hour', interval_start) AS bucket FROM (${ranked(f)}) r WHERE rn = 1) b
GROUP BY bucket
ORDER BY bucket`;
}
