import { empty, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';

/**
 * Newest first: the keysets sort ascending, so a date descends as its negated day number (or second, for
 * events), computed in the same expression in Trino and DuckDB.
 */
const DAY_DESC = sql`-date_diff('day', DATE '1970-01-01', valid_date)`;
const START_DESC = sql`-date_diff('second', TIMESTAMP '1970-01-01 00:00:00', valid_start)`;

export const INDEX_KEY: readonly KeyColumn[] = [
  { name: 'day_desc', type: 'bigint' },
  { name: 'series_id', type: 'varchar' },
];

export const USDM_KEY: readonly KeyColumn[] = [
  { name: 'day_desc', type: 'bigint' },
  { name: 'region_type', type: 'varchar' },
  { name: 'region_id', type: 'varchar' },
];

export const EVENT_KEY: readonly KeyColumn[] = [
  { name: 'start_desc', type: 'bigint' },
  { name: 'layer', type: 'varchar' },
  { name: 'event_id', type: 'varchar' },
];

export interface RegionFilter {
  regionType?: string;
  regionId?: string;
  start?: string;
  end?: string;
}

export interface IndexFilter extends RegionFilter {
  dataset?: string;
  index?: string;
  timescale?: string;
}

export interface LayerFilter extends RegionFilter {
  layer?: string;
}

function regionPredicates(f: RegionFilter, dated: 'valid_date' | 'overlap'): SqlQuery[] {
  const p: SqlQuery[] = [];
  if (f.regionType !== undefined) p.push(sql`t.region_type = ${f.regionType}`);
  if (f.regionId !== undefined) p.push(sql`t.region_id = ${f.regionId}`);
  if (dated === 'valid_date') {
    if (f.start !== undefined) p.push(sql`t.valid_date >= ${param.date(f.start)}`);
    if (f.end !== undefined) p.push(sql`t.valid_date <= ${param.date(f.end)}`);
  } else {
    // An event counts when its validity overlaps [start, end]; an open end is still valid.
    if (f.start !== undefined)
      p.push(sql`(t.valid_end IS NULL OR t.valid_end >= CAST(${param.date(f.start)} AS TIMESTAMP))`);
    if (f.end !== undefined)
      p.push(sql`t.valid_start < CAST(${param.date(f.end)} AS TIMESTAMP) + INTERVAL '1' DAY`);
  }
  return p;
}

const where = (predicates: SqlQuery[]) =>
  predicates.length === 0 ? empty : sql` WHERE ${join(predicates, ' AND ')}`;

/** The keyset seek and order over a ranked inner query: only its latest ingestion (rn = 1) counts. */
function paged(inner: SqlQuery, key: readonly KeyColumn[], seek: Seek, columns: SqlQuery): SqlQuery {
  const { predicate, order } = seekClause(key, seek);
  const outer = predicate === empty ? sql`rn = 1` : sql`rn = 1 AND ${predicate}`;
  return sql`SELECT ${columns}
FROM (${inner}) ranked
WHERE ${outer}
ORDER BY ${order}
LIMIT ${param.bigint(seek.fetch)}`;
}

const REGION_COLUMNS = sql`region_type, region_id, region_name, parent_region_id`;
const GEOGRAPHY_JOIN = sql`LEFT JOIN ref.geographies g ON g.region_type = t.region_type AND g.region_id = t.region_id`;

/** Index values: the latest ingestion per (series_id, valid_date), newest valid date first. */
export function indexValuesQuery(f: IndexFilter, seek: Seek): SqlQuery {
  const p = regionPredicates(f, 'valid_date');
  if (f.dataset !== undefined) p.push(sql`t.dataset = ${f.dataset}`);
  if (f.index !== undefined) p.push(sql`t."index" = ${f.index}`);
  if (f.timescale !== undefined) p.push(sql`t.timescale = ${f.timescale}`);
  const inner = sql`SELECT t.series_id, t.dataset, t."index" AS "index", t.timescale, t.valid_date, t.as_of, t.value,
         t.unit, t.poc, t.region_type, t.region_id, g.region_name, g.parent_region_id, t.source_url, t.metadata,
         ${DAY_DESC} AS day_desc,
         row_number() OVER (PARTITION BY t.series_id, t.valid_date ORDER BY t._ingest_ts DESC) AS rn
  FROM environment.drought_index t ${GEOGRAPHY_JOIN}${where(p)}`;
  return paged(
    inner,
    INDEX_KEY,
    seek,
    sql`series_id, dataset, "index", timescale, valid_date, as_of, value, unit, poc, ${REGION_COLUMNS},
       source_url, metadata, day_desc`,
  );
}

/** USDM statistics: the latest ingestion per (region, valid_date), newest week first. */
export function usdmAreaQuery(f: RegionFilter, seek: Seek): SqlQuery {
  const inner = sql`SELECT t.region_type, t.region_id, g.region_name, g.parent_region_id, t.valid_date, t.as_of,
         t.d0_frac, t.d1_frac, t.d2_frac, t.d3_frac, t.d4_frac, t.none_frac, t.source_url, t.metadata,
         ${DAY_DESC} AS day_desc,
         row_number() OVER (PARTITION BY t.region_type, t.region_id, t.valid_date ORDER BY t._ingest_ts DESC) AS rn
  FROM environment.usdm_area t ${GEOGRAPHY_JOIN}${where(regionPredicates(f, 'valid_date'))}`;
  return paged(
    inner,
    USDM_KEY,
    seek,
    sql`${REGION_COLUMNS}, valid_date, as_of, d0_frac, d1_frac, d2_frac, d3_frac, d4_frac, none_frac,
       source_url, metadata, day_desc`,
  );
}

/** Layer events: the latest ingestion per (layer, event_id), latest start first. */
export function layerEventsQuery(f: LayerFilter, seek: Seek): SqlQuery {
  const p = regionPredicates(f, 'overlap');
  if (f.layer !== undefined) p.push(sql`t.layer = ${f.layer}`);
  const inner = sql`SELECT t.layer, t.event_id, t.region_type, t.region_id, g.region_name, g.parent_region_id,
         t.valid_start, t.valid_end, t.value, t.unit, t.category, t.severity, t.source_url, t.geometry_wkt,
         t.properties, ${START_DESC} AS start_desc,
         row_number() OVER (PARTITION BY t.layer, t.event_id ORDER BY t._ingest_ts DESC) AS rn
  FROM environment.vector_events t ${GEOGRAPHY_JOIN}${where(p)}`;
  return paged(
    inner,
    EVENT_KEY,
    seek,
    sql`layer, event_id, ${REGION_COLUMNS}, valid_start, valid_end, value, unit, category, severity,
       source_url, geometry_wkt, properties, start_desc`,
  );
}
