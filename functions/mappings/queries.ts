import { empty, join, type SqlQuery, sql } from '#lib/data/sql';
import { type KeyColumn, type Seek, seekClause } from '#lib/paging/keyset';
import type { MappingInput } from './routes.ts';

/** The list order: the natural key of a mapping within a tenant (unique, so the keyset is total). */
export const MAPPING_KEY: readonly KeyColumn[] = [
  { name: 'external_provider', type: 'varchar' },
  { name: 'external_series_id', type: 'varchar' },
];

const COLUMNS = sql`id, external_provider, external_series_id, curve_key, mapping_confidence, mapping_method,
  mapping_notes, is_active, version, created_by, created_at, updated_by, updated_at`;

export interface MappingFilters {
  provider?: string;
  series_id?: string;
  curve_key?: string;
  is_active?: boolean;
  /** Admin view: provider in any case. */
  providerAnyCase?: string;
  /** Admin view: series ids containing this, in any case. */
  seriesContains?: string;
}

/** `%`, `_` and `\` taken literally inside a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The tenant's own rows, always by an explicit predicate (row-level security is the second wall, not the
 * first): every statement here names `tenant_id`.
 */
function predicates(tenant: string, f: MappingFilters): SqlQuery[] {
  const where: SqlQuery[] = [sql`tenant_id = ${tenant}`];
  if (f.provider !== undefined) where.push(sql`external_provider = ${f.provider}`);
  if (f.series_id !== undefined) where.push(sql`external_series_id = ${f.series_id}`);
  if (f.curve_key !== undefined) where.push(sql`curve_key = ${f.curve_key}`);
  if (f.is_active !== undefined) where.push(sql`is_active = ${f.is_active}`);
  if (f.providerAnyCase !== undefined)
    where.push(sql`lower(external_provider) = lower(${f.providerAnyCase})`);
  if (f.seriesContains !== undefined)
    where.push(sql`external_series_id ILIKE ${`%${likeLiteral(f.seriesContains)}%`}`);
  return where;
}

export function listMappingsQuery(tenant: string, f: MappingFilters, seek: Seek): SqlQuery {
  const { predicate, order } = seekClause(MAPPING_KEY, seek);
  const where = predicates(tenant, f);
  if (predicate !== empty) where.push(predicate);
  return sql`SELECT ${COLUMNS} FROM series_curve_mapping WHERE ${join(where, ' AND ')}
ORDER BY ${order} LIMIT ${seek.fetch}`;
}

export function countMappingsQuery(tenant: string, f: MappingFilters): SqlQuery {
  return sql`SELECT count(*) AS n FROM series_curve_mapping WHERE ${join(predicates(tenant, f), ' AND ')}`;
}

export function getMappingQuery(tenant: string, id: string): SqlQuery {
  return sql`SELECT ${COLUMNS} FROM series_curve_mapping WHERE tenant_id = ${tenant} AND id = ${id}`;
}

export function insertMappingQuery(tenant: string, input: MappingInput, actor: string): SqlQuery {
  return sql`INSERT INTO series_curve_mapping (tenant_id, external_provider, external_series_id, curve_key,
  mapping_confidence, mapping_method, mapping_notes, is_active, created_by, updated_by)
VALUES (${tenant}, ${input.external_provider}, ${input.external_series_id}, ${input.curve_key},
  ${input.mapping_confidence}, ${input.mapping_method}, ${input.mapping_notes ?? null}, ${input.is_active},
  ${actor}, ${actor})
RETURNING ${COLUMNS}`;
}

/**
 * Replaces the members of one row, only at `version` when given (the If-Match): zero rows back means the
 * row is gone or has moved on. The touch trigger moves `version` and `updated_at`.
 */
export function updateMappingQuery(
  tenant: string,
  id: string,
  input: MappingInput,
  actor: string,
  version: number | undefined,
): SqlQuery {
  const onVersion = version === undefined ? empty : sql` AND version = ${version}`;
  return sql`UPDATE series_curve_mapping SET external_provider = ${input.external_provider},
  external_series_id = ${input.external_series_id}, curve_key = ${input.curve_key},
  mapping_confidence = ${input.mapping_confidence}, mapping_method = ${input.mapping_method},
  mapping_notes = ${input.mapping_notes ?? null}, is_active = ${input.is_active}, updated_by = ${actor}
WHERE tenant_id = ${tenant} AND id = ${id}${onVersion}
RETURNING ${COLUMNS}`;
}

export function deleteMappingQuery(tenant: string, id: string, version: number | undefined): SqlQuery {
  const onVersion = version === undefined ? empty : sql` AND version = ${version}`;
  return sql`DELETE FROM series_curve_mapping WHERE tenant_id = ${tenant} AND id = ${id}${onVersion} RETURNING id`;
}

/** Mappings whose curve key or series id resembles `q`, most similar first (the trigram index serves it). */
export function searchMappingsQuery(tenant: string, q: string, provider: string | undefined, limit: number) {
  const where = [sql`tenant_id = ${tenant}`];
  if (provider !== undefined) where.push(sql`external_provider = ${provider}`);
  const needle = q.toLowerCase();
  where.push(sql`(lower(curve_key) % ${needle} OR lower(external_series_id) % ${needle}
    OR strpos(lower(curve_key), ${needle}) > 0 OR strpos(lower(external_series_id), ${needle}) > 0)`);
  return sql`SELECT ${COLUMNS},
  greatest(similarity(lower(curve_key), ${needle}), similarity(lower(external_series_id), ${needle})) AS score
FROM series_curve_mapping WHERE ${join(where, ' AND ')}
ORDER BY score DESC, external_provider, external_series_id LIMIT ${limit}`;
}

/** The series' curves already mapped, which suggestions leave out. */
export function mappedCurvesQuery(tenant: string, provider: string, seriesId: string): SqlQuery {
  return sql`SELECT curve_key FROM series_curve_mapping
WHERE tenant_id = ${tenant} AND external_provider = ${provider} AND external_series_id = ${seriesId}`;
}

/* ---------------------------------------------------------------- the curve catalog (analytic store) */

/** Every curve with the dimensions suggestions compare against: one row per curve_key. */
export function curveCatalogQuery(): SqlQuery {
  return sql`SELECT curve_key, max(asset_class) AS asset_class, max(iso) AS iso, max(location) AS location,
  max(market) AS market, max(product) AS product, max(block) AS block, max(units_raw) AS units_raw
FROM curve_observation WHERE curve_key IS NOT NULL GROUP BY curve_key ORDER BY curve_key`;
}

/** Whether a curve exists (for a key newer than the cached catalog). */
export function curveExistsQuery(curveKey: string): SqlQuery {
  return sql`SELECT curve_key FROM curve_observation WHERE curve_key = ${curveKey} LIMIT 1`;
}

export interface CatalogCurve {
  curve_key: string;
  /** The curve's dimensions as words: what a series name is compared with. */
  words: string;
  units: string;
  iso: string;
}

/**
 * Ranks the catalog against the series text in the app store with pg_trgm: each curve's best of the
 * similarity of its key and of its words to the series text. The catalog travels as one jsonb parameter.
 */
export function rankCurvesQuery(
  catalog: readonly CatalogCurve[],
  seriesText: string,
  exclude: readonly string[],
  limit: number,
): SqlQuery {
  return sql`WITH c AS (
  SELECT * FROM jsonb_to_recordset(${JSON.stringify(catalog)}::jsonb)
    AS c(curve_key text, words text, units text, iso text)
), scored AS (
  SELECT curve_key, units, iso,
    greatest(similarity(lower(curve_key), ${seriesText}), similarity(lower(words), ${seriesText}),
             word_similarity(lower(words), ${seriesText})) AS score
  FROM c
  WHERE NOT (curve_key = ANY (SELECT jsonb_array_elements_text(${JSON.stringify(exclude)}::jsonb)))
)
SELECT curve_key, units, iso, score FROM scored WHERE score > 0
ORDER BY score DESC, curve_key LIMIT ${limit}`;
}
