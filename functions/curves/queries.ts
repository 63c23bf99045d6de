import { empty, ident, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';
import { CURVE_DIMENSIONS } from './routes.ts';

/** The order of a curve page and of its cursors (reference §2.2). NULL months and price types sort first. */
export const CURVE_KEY: readonly KeyColumn[] = [
  { name: 'curve_key', type: 'varchar' },
  { name: 'tenor_label', type: 'varchar' },
  { name: 'contract_month', type: 'date', nullAs: '0001-01-01' },
  { name: 'asof_date', type: 'date' },
  { name: 'price_type', type: 'varchar', nullAs: '' },
];

export const DIFF_KEY: readonly KeyColumn[] = [
  { name: 'curve_key', type: 'varchar' },
  { name: 'tenor_label', type: 'varchar' },
  { name: 'contract_month', type: 'date', nullAs: '0001-01-01' },
];

export const SUMMARY_KEY: readonly KeyColumn[] = [{ name: 'curve_key', type: 'varchar' }];

/** The dimension filters a query applies: values are parameters, columns come from CURVE_DIMENSIONS. */
export type CurveFilters = Partial<Record<(typeof CURVE_DIMENSIONS)[number], string>>;

function dimensionPredicates(filters: CurveFilters): SqlQuery[] {
  const predicates: SqlQuery[] = [];
  for (const name of CURVE_DIMENSIONS) {
    const value = filters[name];
    if (value === undefined) continue;
    // The column comes from the whitelist; only the value is user input, and it is a parameter.
    predicates.push(sql`${ident(name, CURVE_DIMENSIONS)} = ${name === 'iso' ? value.toUpperCase() : value}`);
  }
  return predicates;
}

const where = (predicates: SqlQuery[]) =>
  predicates.length === 0 ? empty : sql` WHERE ${join(predicates, ' AND ')}`;

/**
 * Partitions are whole (curve_key, tenor_label) groups, so a seek on those two columns can be applied
 * before the window function: later pages read less, never more, than the first.
 */
function partitionSeek(seek: Seek): SqlQuery[] {
  if (!seek.boundary || seek.direction === 'first') return [];
  const [key, label] = seek.boundary;
  const k = param.varchar(String(key));
  const l = param.varchar(String(label));
  return seek.direction === 'prev'
    ? [sql`(curve_key < ${k} OR (curve_key = ${k} AND tenor_label <= ${l}))`]
    : [sql`(curve_key > ${k} OR (curve_key = ${k} AND tenor_label >= ${l}))`];
}

export interface PointQuery {
  filters: CurveFilters;
  asof?: string;
  seek: Seek;
  /** true: a corrected re-ingestion replaces the first publication (the `curves-latest-corrections` flag). */
  latestCorrections: boolean;
}

/**
 * Curve points. Without `asof`, the latest point per (curve_key, tenor_label); with it, that day's points,
 * one per (curve_key, tenor_label, price_type) when a correction was re-ingested.
 */
export function curvePointsQuery(q: PointQuery): SqlQuery {
  if (q.asof === undefined) return latestPointsQuery(q);
  const ingestOrder = q.latestCorrections ? sql`_ingest_ts DESC` : sql`_ingest_ts ASC`;
  const partition =
    q.asof === undefined
      ? sql`PARTITION BY curve_key, tenor_label ORDER BY asof_date DESC, ${ingestOrder}`
      : sql`PARTITION BY curve_key, tenor_label, asof_date, price_type ORDER BY ${ingestOrder}`;
  const predicates = [...dimensionPredicates(q.filters), ...partitionSeek(q.seek)];
  if (q.asof !== undefined) predicates.push(sql`asof_date = ${param.date(q.asof)}`);
  const { predicate, order } = seekClause(CURVE_KEY, q.seek);
  const outer = predicate === empty ? sql`rn = 1` : sql`rn = 1 AND ${predicate}`;
  return sql`SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid, bid, ask, price_type
FROM (
  SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid, bid, ask, price_type,
         row_number() OVER (${partition}) AS rn
  FROM curve_observation${where(predicates)}
) points
WHERE ${outer}
ORDER BY ${order}
LIMIT ${param.bigint(q.seek.fetch)}`;
}

/**
 * The latest point per (curve_key, tenor_label), read from `curve_latest` (one row per pair and flag
 * variant, kept by the ingestion step): its size follows the number of curves and tenors, not the history.
 * A pair is unique in a variant, so ordering and seeking on (curve_key, tenor_label) alone gives the
 * CURVE_KEY order, on plain columns the table is sorted by: the scan skips row groups before the boundary
 * and stops after `fetch` rows.
 */
function latestPointsQuery(q: PointQuery): SqlQuery {
  const predicates = [
    sql`corrections = ${param.boolean(q.latestCorrections)}`,
    ...dimensionPredicates(q.filters),
  ];
  const { boundary, direction } = q.seek;
  if (boundary && direction !== 'first') {
    const k = param.varchar(String(boundary[0]));
    const l = param.varchar(String(boundary[1]));
    predicates.push(
      direction === 'prev'
        ? sql`(curve_key < ${k} OR (curve_key = ${k} AND tenor_label < ${l}))`
        : sql`(curve_key > ${k} OR (curve_key = ${k} AND tenor_label > ${l}))`,
    );
  }
  const order =
    direction === 'prev' ? sql`curve_key DESC, tenor_label DESC` : sql`curve_key ASC, tenor_label ASC`;
  return sql`SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid, bid, ask, price_type
FROM curve_latest${where(predicates)}
ORDER BY ${order}
LIMIT ${param.bigint(q.seek.fetch)}`;
}

export interface DiffQuery {
  filters: CurveFilters;
  asofA: string;
  asofB: string;
  seek: Seek;
  latestCorrections: boolean;
}

/** The two dates' points joined on (curve_key, tenor_label); only pairs present on both dates. */
export function curveDiffQuery(q: DiffQuery): SqlQuery {
  const ingestOrder = q.latestCorrections ? sql`_ingest_ts DESC` : sql`_ingest_ts ASC`;
  const side = (asof: string) => {
    const predicates = [
      ...dimensionPredicates(q.filters),
      ...partitionSeek(q.seek),
      sql`asof_date = ${param.date(asof)}`,
      sql`mid IS NOT NULL`,
    ];
    return sql`SELECT curve_key, tenor_label, tenor_type, contract_month, asof_date, mid,
           row_number() OVER (PARTITION BY curve_key, tenor_label ORDER BY ${ingestOrder}) AS rn
    FROM curve_observation${where(predicates)}`;
  };
  const { predicate, order } = seekClause(DIFF_KEY, q.seek, 'a');
  const seekPredicate = predicate === empty ? empty : sql` AND ${predicate}`;
  return sql`SELECT a.curve_key, a.tenor_label, a.tenor_type, a.contract_month,
       a.asof_date AS asof_a, a.mid AS mid_a, b.asof_date AS asof_b, b.mid AS mid_b
FROM (${side(q.asofA)}) a
JOIN (${side(q.asofB)}) b ON a.curve_key = b.curve_key AND a.tenor_label = b.tenor_label
WHERE a.rn = 1 AND b.rn = 1${seekPredicate}
ORDER BY ${order}
LIMIT ${param.bigint(q.seek.fetch)}`;
}

export interface SummaryQuery {
  nameFilter?: string;
  seek: Seek;
}

/** One row per curve with its number of points and its latest ingestion (the v2 curve list). */
export function curveSummaryQuery(q: SummaryQuery): SqlQuery {
  const predicates: SqlQuery[] = [];
  if (q.nameFilter !== undefined)
    predicates.push(sql`strpos(lower(curve_key), ${q.nameFilter.toLowerCase()}) > 0`);
  const { predicate, order } = seekClause(SUMMARY_KEY, q.seek);
  if (predicate !== empty) predicates.push(predicate);
  return sql`SELECT curve_key, count(*) AS data_points, max(_ingest_ts) AS created_at,
       arbitrary(asset_class) AS asset_class, arbitrary(iso) AS iso, arbitrary(location) AS location,
       arbitrary(market) AS market, arbitrary(product) AS product, arbitrary(block) AS block
FROM curve_observation${where(predicates)}
GROUP BY curve_key
ORDER BY ${order}
LIMIT ${param.bigint(q.seek.fetch)}`;
}
