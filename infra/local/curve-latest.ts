/**
 * The latest-point table of the curves domain: one row per (variant, curve_key, tenor_label), so a default
 * `/v1/curves` page is a keyset scan over a table whose size follows the number of curves and tenors, not
 * the length of the history.
 *
 * Two variants, because the `curves-latest-corrections` flag changes which row is latest on the newest
 * as-of date: `corrections = true` keeps the last ingested row (a corrected re-ingestion replaces the first
 * publication), `corrections = false` keeps the first ingested row. The ranking is the one the query over
 * `curve_observation` used before this table existed, with ties broken on the rest of the key.
 *
 * In production the ingestion job keeps the table in Trino with a MERGE after each load (see the README,
 * "Curves latest-point table"); locally the sample-data generator builds it here.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const CURVE_LATEST_TABLE = 'curve_latest';

/** The columns of `curve_latest`: the variant, the dimensions a page filters on, and the point itself. */
export const CURVE_LATEST_COLUMNS = [
  'corrections BOOLEAN NOT NULL',
  'curve_key VARCHAR NOT NULL',
  'tenor_label VARCHAR NOT NULL',
  'tenor_type VARCHAR',
  'contract_month DATE',
  'asof_date DATE NOT NULL',
  'mid DOUBLE',
  'bid DOUBLE',
  'ask DOUBLE',
  'price_type VARCHAR',
  'asset_class VARCHAR',
  'iso VARCHAR',
  'location VARCHAR',
  'market VARCHAR',
  'product VARCHAR',
  'block VARCHAR',
  '_ingest_ts TIMESTAMP',
] as const;

const NAMES = CURVE_LATEST_COLUMNS.map((c) => c.split(' ')[0]!);
const POINT_COLUMNS = NAMES.filter((n) => n !== 'corrections');

/** The latest row of each (curve_key, tenor_label) for one variant, ranked as the flag says. */
function latestOf(corrections: boolean): string {
  const ingest = corrections ? '_ingest_ts DESC' : '_ingest_ts ASC';
  return `SELECT ${corrections} AS corrections, ${POINT_COLUMNS.join(', ')}
    FROM curve_observation
    QUALIFY row_number() OVER (
      PARTITION BY curve_key, tenor_label
      ORDER BY asof_date DESC, ${ingest}, price_type, contract_month
    ) = 1`;
}

/**
 * Builds `curve_latest` from `curve_observation`, written in (corrections, curve_key, tenor_label) order so
 * a keyset seek on that order skips whole row groups by their min/max statistics.
 */
export async function writeCurveLatest(connection: DuckDBConnection): Promise<number> {
  await connection.run(`DROP TABLE IF EXISTS ${CURVE_LATEST_TABLE}`);
  await connection.run(`CREATE TABLE ${CURVE_LATEST_TABLE} (${CURVE_LATEST_COLUMNS.join(', ')})`);
  await connection.run(
    `INSERT INTO ${CURVE_LATEST_TABLE}
     SELECT * FROM (${latestOf(true)} UNION ALL ${latestOf(false)}) latest
     ORDER BY corrections, curve_key, tenor_label`,
  );
  const counted = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM ${CURVE_LATEST_TABLE}`);
  return counted.getRows()[0]![0] as number;
}
