import { empty, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { once } from '#lib/lazy';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';
import { isoNodes } from '#lib/reference/iso-nodes';
import type { RunParameters, RunState } from './routes.ts';

/* ---------------------------------------------------------------- app store: scenarios */

/** Creation order, without clock ties. */
export const SCENARIO_KEY: readonly KeyColumn[] = [{ name: 'seq', type: 'bigint' }];
export const RUN_KEY: readonly KeyColumn[] = [{ name: 'seq', type: 'bigint' }];
export const OUTPUT_KEY: readonly KeyColumn[] = [
  { name: 'curve_key', type: 'varchar' },
  { name: 'tenor_label', type: 'varchar' },
  { name: 'contract_month', type: 'date', nullAs: '0001-01-01' },
  { name: 'metric', type: 'varchar' },
  { name: 'run_id', type: 'varchar' },
];
export const METRIC_KEY: readonly KeyColumn[] = [
  { name: 'metric', type: 'varchar' },
  { name: 'tenor_label', type: 'varchar' },
  { name: 'curve_key', type: 'varchar' },
];

const SCENARIO_COLUMNS = sql`id, seq, tenant_id, name, description, status, unique_key, assumptions, parameters, tags,
  version, created_by, created_at, updated_by, updated_at`;

export interface ScenarioFilters {
  status?: string;
  name?: string;
  tag?: string;
  created_after?: string;
  created_before?: string;
}

/** `%`, `_` and `\` taken literally inside a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function scenarioPredicates(tenant: string, f: ScenarioFilters): SqlQuery[] {
  const where = [sql`tenant_id = ${tenant}`];
  if (f.status !== undefined) where.push(sql`status = ${f.status}`);
  if (f.name !== undefined) where.push(sql`name ILIKE ${`%${likeLiteral(f.name)}%`}`);
  if (f.tag !== undefined) where.push(sql`tags ? ${f.tag}`);
  if (f.created_after !== undefined) where.push(sql`created_at >= ${f.created_after}::timestamptz`);
  if (f.created_before !== undefined) where.push(sql`created_at <= ${f.created_before}::timestamptz`);
  return where;
}

export function listScenariosQuery(tenant: string, f: ScenarioFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(SCENARIO_KEY, seek);
  const where = scenarioPredicates(tenant, f);
  if (predicate !== empty) where.push(predicate);
  return sql`SELECT ${SCENARIO_COLUMNS} FROM scenario WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function countScenariosQuery(tenant: string, f: ScenarioFilters): SqlQuery {
  return sql`SELECT count(*) AS n FROM scenario WHERE ${join(scenarioPredicates(tenant, f), ' AND ')}`;
}

export function getScenarioQuery(tenant: string, id: string): SqlQuery {
  return sql`SELECT ${SCENARIO_COLUMNS} FROM scenario WHERE tenant_id = ${tenant} AND id = ${id}`;
}

export function insertScenarioQuery(
  tenant: string,
  s: {
    name: string;
    description: string | null;
    uniqueKey: string;
    assumptions: unknown;
    parameters: unknown;
    tags: unknown;
  },
  actor: string,
): SqlQuery {
  return sql`INSERT INTO scenario (tenant_id, name, description, unique_key, assumptions, parameters, tags, created_by, updated_by)
VALUES (${tenant}, ${s.name}, ${s.description}, ${s.uniqueKey}, ${JSON.stringify(s.assumptions)}::jsonb,
  ${JSON.stringify(s.parameters)}::jsonb, ${JSON.stringify(s.tags)}::jsonb, ${actor}, ${actor})
RETURNING ${SCENARIO_COLUMNS}`;
}

export function scenarioNameTakenQuery(tenant: string, name: string): SqlQuery {
  return sql`SELECT id FROM scenario WHERE tenant_id = ${tenant} AND lower(name) = lower(${name})`;
}

export function deleteScenarioQuery(tenant: string, id: string): SqlQuery {
  return sql`DELETE FROM scenario WHERE tenant_id = ${tenant} AND id = ${id} RETURNING id`;
}

/* ---------------------------------------------------------------- app store: runs */

const RUN_COLUMNS = sql`id, seq, tenant_id, scenario_id, state, priority, code_version, seed, timeout_minutes,
  max_memory_mb, environment, parameters, max_retries, retry_count, idempotency_key, input_hash, run_key,
  progress_percent, error_message, checkpoint, version, created_by, created_at, updated_at, queued_at, started_at,
  completed_at, cancelled_at`;

export interface RunFilters {
  scenarioId: string;
  state?: string;
  created_after?: string;
  created_before?: string;
}

function runPredicates(tenant: string, f: RunFilters): SqlQuery[] {
  const where = [sql`tenant_id = ${tenant}`, sql`scenario_id = ${f.scenarioId}`];
  if (f.state !== undefined) where.push(sql`state = ${f.state}`);
  if (f.created_after !== undefined) where.push(sql`created_at >= ${f.created_after}::timestamptz`);
  if (f.created_before !== undefined) where.push(sql`created_at <= ${f.created_before}::timestamptz`);
  return where;
}

export function listRunsQuery(tenant: string, f: RunFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(RUN_KEY, seek);
  const where = runPredicates(tenant, f);
  if (predicate !== empty) where.push(predicate);
  return sql`SELECT ${RUN_COLUMNS} FROM scenario_run WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function countRunsQuery(tenant: string, f: RunFilters): SqlQuery {
  return sql`SELECT count(*) AS n FROM scenario_run WHERE ${join(runPredicates(tenant, f), ' AND ')}`;
}

export function getRunQuery(tenant: string, id: string, scenarioId?: string): SqlQuery {
  const scoped = scenarioId === undefined ? empty : sql` AND scenario_id = ${scenarioId}`;
  return sql`SELECT ${RUN_COLUMNS} FROM scenario_run WHERE tenant_id = ${tenant} AND id = ${id}${scoped}`;
}

/** The row locked for a transition, so two transitions of one run never interleave. */
export function lockRunQuery(tenant: string, id: string): SqlQuery {
  return sql`SELECT ${RUN_COLUMNS} FROM scenario_run WHERE tenant_id = ${tenant} AND id = ${id} FOR UPDATE`;
}

/** Serialises run creation per (scenario, inputs) inside the write's transaction. */
export function lockRunKeyQuery(runKey: string): SqlQuery {
  return sql`SELECT pg_advisory_xact_lock(hashtextextended(${runKey}, 0)) AS locked`;
}

/** An existing run with this body idempotency key, or with these inputs that has not failed. */
export function existingRunQuery(
  tenant: string,
  scenarioId: string,
  key: string | undefined,
  runKey: string,
): SqlQuery {
  const byKey = key === undefined ? sql`idempotency_key IS NULL AND false` : sql`idempotency_key = ${key}`;
  return sql`SELECT ${RUN_COLUMNS} FROM scenario_run
WHERE tenant_id = ${tenant} AND scenario_id = ${scenarioId}
  AND (${byKey} OR (run_key = ${runKey} AND state IN ('QUEUED', 'RUNNING', 'SUCCEEDED')))
ORDER BY (CASE WHEN ${byKey} THEN 0 ELSE 1 END), seq LIMIT 1`;
}

export interface NewRun {
  scenarioId: string;
  priority: string;
  codeVersion: string | null;
  seed: number | null;
  timeoutMinutes: number;
  maxMemoryMb: number;
  environment: unknown;
  parameters: unknown;
  maxRetries: number;
  idempotencyKey: string | null;
  inputHash: string;
  runKey: string;
}

export function insertRunQuery(tenant: string, r: NewRun, actor: string): SqlQuery {
  return sql`INSERT INTO scenario_run (tenant_id, scenario_id, priority, code_version, seed, timeout_minutes, max_memory_mb,
  environment, parameters, max_retries, idempotency_key, input_hash, run_key, created_by, updated_by)
VALUES (${tenant}, ${r.scenarioId}, ${r.priority}, ${r.codeVersion}, ${param.bigint(r.seed)}, ${param.bigint(r.timeoutMinutes)},
  ${param.bigint(r.maxMemoryMb)}, ${JSON.stringify(r.environment)}::jsonb, ${JSON.stringify(r.parameters)}::jsonb,
  ${param.bigint(r.maxRetries)}, ${r.idempotencyKey}, ${r.inputHash}, ${r.runKey}, ${actor}, ${actor})
RETURNING ${RUN_COLUMNS}`;
}

/**
 * Moves a run from one of `from` to `to`, stamping the times that state has; zero rows back means the run
 * was not in `from` (someone else moved it first), so nothing changed.
 */
export function transitionRunQuery(
  tenant: string,
  id: string,
  from: readonly RunState[],
  to: RunState,
  actor: string,
  extra: { errorMessage?: string | null; retry?: boolean; progress?: number } = {},
): SqlQuery {
  const stamps: SqlQuery[] = [sql`state = ${to}`, sql`updated_by = ${actor}`];
  if (to === 'RUNNING') stamps.push(sql`started_at = coalesce(started_at, now())`);
  if (to === 'SUCCEEDED' || to === 'FAILED' || to === 'TIMEOUT' || to === 'CANCELLED')
    stamps.push(sql`completed_at = now()`);
  if (to === 'CANCELLED') stamps.push(sql`cancelled_at = now()`);
  if (to === 'SUCCEEDED') stamps.push(sql`progress_percent = 100`);
  if (to === 'QUEUED')
    stamps.push(
      sql`queued_at = now()`,
      sql`started_at = NULL`,
      sql`completed_at = NULL`,
      sql`checkpoint = NULL`,
    );
  if (extra.retry) stamps.push(sql`retry_count = retry_count + 1`, sql`progress_percent = 0`);
  if (extra.errorMessage !== undefined) stamps.push(sql`error_message = ${extra.errorMessage}`);
  const states = join(
    from.map((s) => sql`${s}`),
    ', ',
  );
  return sql`UPDATE scenario_run SET ${join(stamps, ', ')}
WHERE tenant_id = ${tenant} AND id = ${id} AND state IN (${states})
RETURNING ${RUN_COLUMNS}`;
}

/** A checkpoint: how far the run got, only while it is still RUNNING (else zero rows: stop). */
export function checkpointRunQuery(
  tenant: string,
  id: string,
  checkpoint: unknown,
  progress: number,
): SqlQuery {
  return sql`UPDATE scenario_run SET checkpoint = ${JSON.stringify(checkpoint)}::jsonb,
  progress_percent = ${param.double(progress)}
WHERE tenant_id = ${tenant} AND id = ${id} AND state = 'RUNNING' RETURNING id`;
}

/* ---------------------------------------------------------------- app store: outputs */

export interface OutputRow {
  scenario_id: string;
  run_id: string;
  asof_date: string;
  curve_key: string;
  tenor_type: string;
  contract_month: string | null;
  tenor_label: string;
  metric: string;
  value: number;
  band_lower: number | null;
  band_upper: number | null;
  attribution: Record<string, number>;
  version_hash: string;
}

/** One chunk of a run's rows into its stage, as one jsonb parameter. */
export function stageOutputsQuery(tenant: string, rows: readonly OutputRow[]): SqlQuery {
  return sql`INSERT INTO scenario_output_stage (tenant_id, scenario_id, run_id, asof_date, curve_key, tenor_type,
  contract_month, tenor_label, metric, value, band_lower, band_upper, attribution, version_hash)
SELECT ${tenant}, r.scenario_id, r.run_id, r.asof_date, r.curve_key, r.tenor_type, r.contract_month, r.tenor_label,
  r.metric, r.value, r.band_lower, r.band_upper, coalesce(r.attribution, '{}'::jsonb), r.version_hash
FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(scenario_id uuid, run_id uuid, asof_date date,
  curve_key text, tenor_type text, contract_month date, tenor_label text, metric text, value double precision,
  band_lower double precision, band_upper double precision, attribution jsonb, version_hash text)`;
}

/** The staged rows published: the caller's transaction also marks the run SUCCEEDED. */
export function publishOutputsQuery(tenant: string, runId: string): SqlQuery {
  return sql`INSERT INTO scenario_output (tenant_id, scenario_id, run_id, asof_date, curve_key, tenor_type, contract_month,
  tenor_label, metric, value, band_lower, band_upper, attribution, version_hash, metric_unit)
SELECT tenant_id, scenario_id, run_id, asof_date, curve_key, tenor_type, contract_month, tenor_label, metric, value,
  band_lower, band_upper, attribution, version_hash, metric_unit
FROM scenario_output_stage WHERE tenant_id = ${tenant} AND run_id = ${runId}`;
}

export function clearStageQuery(tenant: string, runId: string): SqlQuery {
  return sql`DELETE FROM scenario_output_stage WHERE tenant_id = ${tenant} AND run_id = ${runId}`;
}

/** The scenario's latest SUCCEEDED run, or the one named (when it succeeded). */
function sourceRun(tenant: string, scenarioId: string, runId: string | undefined): SqlQuery {
  const named = runId === undefined ? empty : sql` AND id = ${runId}`;
  return sql`(SELECT id FROM scenario_run WHERE tenant_id = ${tenant} AND scenario_id = ${scenarioId}
  AND state = 'SUCCEEDED'${named} ORDER BY completed_at DESC, seq DESC LIMIT 1)`;
}

export interface OutputFilters {
  scenarioId: string;
  runId?: string;
  metric?: string;
  curve_key?: string;
  tenor_type?: string;
}

function outputPredicates(tenant: string, f: OutputFilters): SqlQuery[] {
  const where = [
    sql`tenant_id = ${tenant}`,
    sql`scenario_id = ${f.scenarioId}`,
    sql`run_id = ${sourceRun(tenant, f.scenarioId, f.runId)}`,
  ];
  if (f.metric !== undefined) where.push(sql`metric = ${f.metric}`);
  if (f.curve_key !== undefined) where.push(sql`curve_key = ${f.curve_key}`);
  if (f.tenor_type !== undefined) where.push(sql`tenor_type = ${f.tenor_type}`);
  return where;
}

const OUTPUT_COLUMNS = sql`tenant_id, scenario_id, run_id, asof_date, curve_key, tenor_type, contract_month, tenor_label,
  metric, value, band_lower, band_upper, attribution, version_hash, metric_unit, computed_ts`;

export function listOutputsQuery(tenant: string, f: OutputFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(OUTPUT_KEY, seek);
  const where = outputPredicates(tenant, f);
  if (predicate !== empty) where.push(predicate);
  return sql`SELECT ${OUTPUT_COLUMNS} FROM scenario_output WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function latestMetricsQuery(tenant: string, f: OutputFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(METRIC_KEY, seek);
  const where = outputPredicates(tenant, f);
  if (predicate !== empty) where.push(predicate);
  return sql`SELECT scenario_id, run_id, metric, curve_key, tenor_label, value AS latest_value,
  band_lower AS latest_band_lower, band_upper AS latest_band_upper, asof_date AS latest_asof_date
FROM scenario_output WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${seek.fetch}`;
}

/* ---------------------------------------------------------------- analytic engine: base curves */

/** Locations that are hubs in the ISO reference: the default scope is every power hub. */
const powerHubs = once((): readonly string[] => [
  ...new Set(
    isoNodes()
      .filter((n) => n.location_type === 'HUB')
      .map((n) => n.location_id),
  ),
]);
export const GAS_REFERENCE_CURVE = 'NG.HENRY_HUB.FWD.NG';

const inList = (column: 'curve_key' | 'iso' | 'location' | 'block' | 'market', values: readonly string[]) => {
  const columns = {
    curve_key: sql`curve_key`,
    iso: sql`iso`,
    location: sql`location`,
    block: sql`block`,
    market: sql`market`,
  };
  return sql`${columns[column]} IN (${join(
    values.map((v) => sql`${param.varchar(v)}`),
    ', ',
  )})`;
};

/** The run's scope as predicates: the parameters' filters, or every power hub. MONTHLY tenors by default. */
function scopePredicates(p: RunParameters): SqlQuery[] {
  const where = [sql`price_type = 'MID'`, sql`tenor_type = ${p.tenor_type ?? 'MONTHLY'}`];
  if (p.curve_key) where.push(inList('curve_key', p.curve_key));
  if (p.iso) where.push(inList('iso', p.iso));
  if (p.location) where.push(inList('location', p.location));
  if (p.block) where.push(inList('block', p.block));
  if (p.market) where.push(inList('market', p.market));
  if (!p.curve_key && !p.location) where.push(sql`asset_class = 'power'`, inList('location', powerHubs()));
  return where;
}

/** The latest as-of date with any curve in scope. */
export function latestAsofQuery(p: RunParameters): SqlQuery {
  return sql`SELECT max(asof_date) AS asof FROM curve_observation WHERE ${join(scopePredicates(p), ' AND ')}`;
}

/**
 * The base points at `asof` (the last ingestion of each, so a correction wins) with each tenor's daily
 * log-return volatility over every as-of date up to it, and the Henry Hub forward of the same month.
 */
export function basePointsQuery(p: RunParameters, asof: string): SqlQuery {
  const scope = join(scopePredicates(p), ' AND ');
  return sql`WITH history AS (
  SELECT curve_key, tenor_label, asof_date, mid,
    row_number() OVER (PARTITION BY curve_key, tenor_label, asof_date ORDER BY _ingest_ts DESC) AS rn
  FROM curve_observation WHERE ${scope} AND asof_date <= ${param.date(asof)} AND mid > 0
), returns AS (
  SELECT curve_key, tenor_label,
    ln(mid / lag(mid) OVER (PARTITION BY curve_key, tenor_label ORDER BY asof_date)) AS r
  FROM history WHERE rn = 1
), vol AS (
  SELECT curve_key, tenor_label, stddev_samp(r) AS daily_vol, count(r) AS n
  FROM returns GROUP BY curve_key, tenor_label
), base AS (
  SELECT curve_key, iso, block, asset_class, tenor_type, tenor_label, contract_month, mid,
    row_number() OVER (PARTITION BY curve_key, tenor_label ORDER BY _ingest_ts DESC) AS rn
  FROM curve_observation WHERE ${scope} AND asof_date = ${param.date(asof)}
), gas AS (
  SELECT contract_month, mid,
    row_number() OVER (PARTITION BY contract_month ORDER BY _ingest_ts DESC) AS rn
  FROM curve_observation
  WHERE curve_key = ${GAS_REFERENCE_CURVE} AND price_type = 'MID' AND tenor_type = 'MONTHLY'
    AND asof_date = ${param.date(asof)}
)
SELECT b.curve_key, b.iso, b.block, b.asset_class, b.tenor_type, b.tenor_label, b.contract_month, b.mid,
  v.daily_vol, g.mid AS gas_price
FROM base b
LEFT JOIN vol v ON v.curve_key = b.curve_key AND v.tenor_label = b.tenor_label
LEFT JOIN gas g ON g.contract_month = b.contract_month AND g.rn = 1
WHERE b.rn = 1
ORDER BY b.curve_key, b.tenor_label`;
}
