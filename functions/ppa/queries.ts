import { empty, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';

/**
 * Every app-store statement names `tenant_id` explicitly (row-level security is the second wall, not the
 * first); every value is a parameter. Lists seek on `seq`, the order records were made in.
 */

export const CONTRACT_KEY: readonly KeyColumn[] = [{ name: 'seq', type: 'bigint' }];
export const VALUATION_KEY: readonly KeyColumn[] = [{ name: 'seq', type: 'bigint' }];
export const VALUATION_ROW_KEY: readonly KeyColumn[] = [
  { name: 'valuation_seq', type: 'bigint' },
  { name: 'seq', type: 'bigint' },
];

const CONTRACT_COLUMNS = sql`id, seq, tenant_id, instrument_id, terms, version, created_by, created_at, updated_by,
  updated_at`;

/** `%`, `_` and `\` taken literally inside a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const withSeek = (where: SqlQuery[], seek: Seek, key: readonly KeyColumn[]) => {
  const { predicate, order } = seekClause(key, seek);
  if (predicate !== empty) where.push(predicate);
  return order;
};

/* ---------------------------------------------------------------- contracts */

export function listContractsQuery(tenant: string, f: { counterparty?: string }, seek: Seek): SqlQuery {
  const where: SqlQuery[] = [sql`tenant_id = ${tenant}`];
  if (f.counterparty !== undefined)
    where.push(sql`coalesce(terms->>'counterparty', '') ILIKE ${`%${likeLiteral(f.counterparty)}%`}`);
  const order = withSeek(where, seek, CONTRACT_KEY);
  return sql`SELECT ${CONTRACT_COLUMNS} FROM ppa_contract WHERE ${join(where, ' AND ')}
ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function getContractQuery(tenant: string, id: string): SqlQuery {
  return sql`SELECT ${CONTRACT_COLUMNS} FROM ppa_contract WHERE tenant_id = ${tenant} AND id = ${id}`;
}

export function insertContractQuery(
  tenant: string,
  instrumentId: string | null,
  terms: Record<string, unknown>,
  actor: string,
): SqlQuery {
  return sql`INSERT INTO ppa_contract (tenant_id, instrument_id, terms, created_by, updated_by)
VALUES (${tenant}, ${instrumentId}, ${JSON.stringify(terms)}::jsonb, ${actor}, ${actor})
RETURNING ${CONTRACT_COLUMNS}`;
}

/** Zero rows back: the row is gone, or (with `version`, the If-Match) has moved on. */
export function updateContractQuery(
  tenant: string,
  id: string,
  instrumentId: string | null,
  terms: Record<string, unknown>,
  actor: string,
  version: number | undefined,
): SqlQuery {
  const onVersion = version === undefined ? empty : sql` AND version = ${version}`;
  return sql`UPDATE ppa_contract SET instrument_id = ${instrumentId}, terms = ${JSON.stringify(terms)}::jsonb,
  updated_by = ${actor}
WHERE tenant_id = ${tenant} AND id = ${id}${onVersion}
RETURNING ${CONTRACT_COLUMNS}`;
}

export function deleteContractQuery(tenant: string, id: string, version: number | undefined): SqlQuery {
  const onVersion = version === undefined ? empty : sql` AND version = ${version}`;
  return sql`DELETE FROM ppa_contract WHERE tenant_id = ${tenant} AND id = ${id}${onVersion} RETURNING id`;
}

/* ---------------------------------------------------------------- valuations */

export interface ValuationRecord {
  contractId: string;
  apiVersion: 'v1' | 'v2';
  asof: string;
  scenarioId: string | null;
  runId: string | null;
  currency: string;
  npv: number;
  irr: number | null;
  inputs: Record<string, unknown>;
  totals: Record<string, unknown>;
}

export function insertValuationQuery(tenant: string, v: ValuationRecord, actor: string): SqlQuery {
  return sql`INSERT INTO ppa_valuation (tenant_id, contract_id, api_version, asof_date, scenario_id, run_id, currency,
  npv, irr, inputs, totals, created_by)
VALUES (${tenant}, ${v.contractId}, ${v.apiVersion}, ${param.date(v.asof)}, ${v.scenarioId}::uuid, ${v.runId}::uuid,
  ${v.currency}, ${param.double(v.npv)}, ${param.double(v.irr)}, ${JSON.stringify(v.inputs)}::jsonb,
  ${JSON.stringify(v.totals)}::jsonb, ${actor})
RETURNING id, seq, created_at`;
}

export interface ValuationPeriodRecord {
  period_start: string;
  period_end: string;
  metric: string;
  value: number;
  cashflow: number | null;
  npv: number | null;
  irr: number | null;
  unit: string;
  curve_key: string | null;
  version_hash: string | null;
}

/** A valuation's rows in one statement: they travel as one jsonb parameter, numbered in order. */
export function insertValuationPeriodsQuery(
  tenant: string,
  valuation: { id: string; seq: number; contractId: string },
  periods: readonly ValuationPeriodRecord[],
): SqlQuery {
  return sql`INSERT INTO ppa_valuation_period (tenant_id, valuation_id, valuation_seq, contract_id, seq, period_start,
  period_end, metric, value, cashflow, npv, irr, unit, curve_key, version_hash)
SELECT ${tenant}, ${valuation.id}::uuid, ${param.bigint(valuation.seq)}, ${valuation.contractId}::uuid, p.ord,
  p.period_start, p.period_end, p.metric, p.value, p.cashflow, p.npv, p.irr, p.unit, p.curve_key, p.version_hash
FROM jsonb_to_recordset(${JSON.stringify(periods.map((p, i) => ({ ...p, ord: i + 1 })))}::jsonb) AS p(ord integer,
  period_start date, period_end date, metric text, value double precision, cashflow double precision,
  npv double precision, irr double precision, unit text, curve_key text, version_hash text)`;
}

export function listValuationRowsQuery(
  tenant: string,
  contractId: string,
  f: { scenario_id?: string; metric?: string },
  seek: Seek,
): SqlQuery {
  const where: SqlQuery[] = [];
  if (f.scenario_id !== undefined) where.push(sql`scenario_id = ${f.scenario_id}::uuid`);
  if (f.metric !== undefined) where.push(sql`metric = ${f.metric}`);
  const order = withSeek(where, seek, VALUATION_ROW_KEY);
  const filter = where.length === 0 ? empty : sql` WHERE ${join(where, ' AND ')}`;
  return sql`SELECT * FROM (
  SELECT p.valuation_id, p.valuation_seq, p.seq, v.asof_date, v.scenario_id, p.period_start, p.period_end, p.metric,
    p.value, p.cashflow, p.npv, p.irr, p.curve_key, p.version_hash, v.created_at AS ingested_at
  FROM ppa_valuation_period p JOIN ppa_valuation v ON v.tenant_id = p.tenant_id AND v.id = p.valuation_id
  WHERE p.tenant_id = ${tenant} AND p.contract_id = ${contractId}::uuid
) valuation_rows${filter}
ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function listValuationsQuery(
  tenant: string,
  contractId: string,
  f: { start_date?: string; end_date?: string },
  seek: Seek,
): SqlQuery {
  const where: SqlQuery[] = [sql`tenant_id = ${tenant}`, sql`contract_id = ${contractId}::uuid`];
  if (f.start_date !== undefined) where.push(sql`asof_date >= ${param.date(f.start_date)}`);
  if (f.end_date !== undefined) where.push(sql`asof_date <= ${param.date(f.end_date)}`);
  const order = withSeek(where, seek, VALUATION_KEY);
  return sql`SELECT id, seq, contract_id, api_version, asof_date, scenario_id, run_id, currency, npv, irr, created_at
FROM ppa_valuation WHERE ${join(where, ' AND ')}
ORDER BY ${order} LIMIT ${seek.fetch}`;
}

/* ---------------------------------------------------------------- prices */

/**
 * The MONTHLY `mid` outputs of the scenario's latest run (the run whose outputs were computed last), one row
 * per curve and contract month, in month order; only those of `asof` when given.
 */
export function latestScenarioOutputsQuery(tenant: string, scenarioId: string, asof?: string): SqlQuery {
  const onAsof = asof === undefined ? empty : sql` AND asof_date = ${param.date(asof)}`;
  return sql`WITH latest AS (
  SELECT run_id FROM scenario_output
  WHERE tenant_id = ${tenant} AND scenario_id = ${scenarioId}::uuid AND metric = 'mid' AND tenor_type = 'MONTHLY'${onAsof}
  ORDER BY computed_ts DESC, run_id DESC LIMIT 1
)
SELECT o.run_id, o.asof_date, o.curve_key, o.tenor_type, o.contract_month, o.tenor_label, o.value, o.metric_unit,
  o.version_hash
FROM scenario_output o JOIN latest l ON l.run_id = o.run_id
WHERE o.tenant_id = ${tenant} AND o.scenario_id = ${scenarioId}::uuid AND o.metric = 'mid' AND o.tenor_type = 'MONTHLY'
  AND o.contract_month IS NOT NULL${onAsof}
ORDER BY o.contract_month, o.curve_key, o.tenor_label`;
}

/**
 * A location's ON_PEAK and OFF_PEAK monthly forwards on one as-of date, from `first` to `last` month, the
 * latest ingestion of each point (a corrected re-ingestion replaces the first publication).
 */
export function blockForwardsQuery(q: {
  iso: string;
  location: string;
  market: string;
  asof: string;
  first: string;
  last: string;
}): SqlQuery {
  return sql`SELECT curve_key, block, contract_month, mid FROM (
  SELECT curve_key, block, contract_month, mid,
    row_number() OVER (PARTITION BY curve_key, tenor_label ORDER BY _ingest_ts DESC) AS rn
  FROM curve_observation
  WHERE iso = ${q.iso} AND upper(location) = ${q.location.toUpperCase()} AND market = ${q.market}
    AND block IN ('ON_PEAK', 'OFF_PEAK') AND tenor_type = 'MONTHLY' AND price_type = 'MID'
    AND asof_date = ${param.date(q.asof)}
    AND contract_month >= ${param.date(q.first)} AND contract_month <= ${param.date(q.last)}
) forwards WHERE rn = 1 AND mid IS NOT NULL
ORDER BY contract_month, block`;
}
