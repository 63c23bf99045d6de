import { empty, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';

/** The table production reads through Trino (`iceberg.market.eia_series`); the sample database has it too. */
const TABLE = sql`eia_series`;

/** The order of every series list: series_id, period_start (as epoch seconds, one type in every engine), period. */
export const SERIES_KEY: readonly KeyColumn[] = [
  { name: 'series_id', type: 'varchar' },
  { name: 'start_epoch', type: 'bigint' },
  { name: 'period', type: 'varchar' },
];

/** The nine filters, by the API's names; the unit filters read the enriched model's columns. */
export interface SeriesFilters {
  series_id?: string;
  frequency?: string;
  area?: string;
  sector?: string;
  dataset?: string;
  unit?: string;
  canonical_unit?: string;
  canonical_currency?: string;
  source?: string;
  /** Bounds on period_start, both included: UTC instants `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  start?: string;
  end?: string;
}

const timestamp = (instant: string) => param.timestamp(instant.slice(0, 23));

function predicates(f: SeriesFilters): SqlQuery[] {
  const p: SqlQuery[] = [];
  if (f.series_id !== undefined) p.push(sql`series_id = ${f.series_id}`);
  if (f.frequency !== undefined) p.push(sql`frequency = ${f.frequency}`);
  if (f.area !== undefined) p.push(sql`area = ${f.area}`);
  if (f.sector !== undefined) p.push(sql`sector = ${f.sector}`);
  if (f.dataset !== undefined) p.push(sql`dataset = ${f.dataset}`);
  if (f.unit !== undefined) p.push(sql`unit_raw = ${f.unit}`);
  if (f.canonical_unit !== undefined) p.push(sql`unit_normalized = ${f.canonical_unit}`);
  if (f.canonical_currency !== undefined) p.push(sql`currency_normalized = ${f.canonical_currency}`);
  if (f.source !== undefined) p.push(sql`source = ${f.source}`);
  if (f.start !== undefined) p.push(sql`period_start >= ${timestamp(f.start)}`);
  if (f.end !== undefined) p.push(sql`period_start <= ${timestamp(f.end)}`);
  return p;
}

const where = (p: SqlQuery[]) => (p.length === 0 ? empty : sql` WHERE ${join(p, ' AND ')}`);

/** One keyset page of observations. */
export function seriesQuery(f: SeriesFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(SERIES_KEY, seek);
  const inner = sql`SELECT series_id, period, period_start, period_end, frequency, value, raw_value, unit_raw,
         unit_normalized, currency_normalized, canonical_value, conversion_factor, area, sector,
         seasonal_adjustment, description, source, dataset, metadata, time_zone, ingest_ts,
         date_diff('second', TIMESTAMP '1970-01-01 00:00:00', period_start) AS start_epoch
  FROM ${TABLE}${where(predicates(f))}`;
  return sql`SELECT * FROM (${inner}) observations${predicate === empty ? empty : sql` WHERE ${predicate}`}
ORDER BY ${order}
LIMIT ${param.bigint(seek.fetch)}`;
}

/** The distinct combinations of the eight dimensions over the filtered series (one row per series at most). */
export function dimensionsQuery(f: SeriesFilters): SqlQuery {
  return sql`SELECT dataset, area, sector, unit_raw, unit_normalized, currency_normalized, frequency, source
FROM ${TABLE}${where(predicates(f))}
GROUP BY dataset, area, sector, unit_raw, unit_normalized, currency_normalized, frequency, source`;
}

/** When each dataset's series were last loaded. */
export const lastLoadedQuery = (): SqlQuery =>
  sql`SELECT dataset, max(ingest_ts) AS last_updated FROM ${TABLE} GROUP BY dataset`;
