import { empty, ident, join, param, type SqlQuery, sql } from '#lib/data/sql';
import { DIMENSIONS, type Dimension } from './routes.ts';

export interface DimensionQuery {
  /** Only curves with these dimension values (ISO ignores case, as the curves routes do). */
  filters: Partial<Record<Dimension, string>>;
  asof?: string;
  /** Values per dimension at most. */
  perDimLimit: number;
  /** Case-insensitive start of every value. */
  prefix?: string;
  /** true: order each dimension by rows per value, most first; false: by value. */
  byCount: boolean;
}

const column = (name: Dimension) => ident(name, DIMENSIONS);

/**
 * The distinct values of the seven dimensions of `curve_observation` with their row counts, at most
 * `perDimLimit` per dimension, in one scan-per-dimension query (UNION ALL, ranked by a window function so
 * each dimension keeps its own limit). Columns come from the whitelist; every value is a parameter.
 */
export function dimensionValuesQuery(q: DimensionQuery): SqlQuery {
  const shared: SqlQuery[] = [];
  for (const name of DIMENSIONS) {
    const value = q.filters[name];
    if (value === undefined) continue;
    shared.push(sql`${column(name)} = ${name === 'iso' ? value.toUpperCase() : value}`);
  }
  if (q.asof !== undefined) shared.push(sql`asof_date = ${param.date(q.asof)}`);
  const branches = DIMENSIONS.map((name) => {
    const predicates = [sql`${column(name)} IS NOT NULL`, ...shared];
    if (q.prefix !== undefined)
      predicates.push(sql`strpos(lower(CAST(${column(name)} AS VARCHAR)), ${q.prefix.toLowerCase()}) = 1`);
    return sql`SELECT ${param.varchar(name)} AS dimension, CAST(${column(name)} AS VARCHAR) AS value, count(*) AS n
    FROM curve_observation WHERE ${join(predicates, ' AND ')}
    GROUP BY ${column(name)}`;
  });
  const order = q.byCount ? sql`n DESC, value ASC` : sql`value ASC`;
  return sql`SELECT dimension, value, n FROM (
  SELECT dimension, value, n, row_number() OVER (PARTITION BY dimension ORDER BY ${order}) AS rn
  FROM (${join(branches, '\n  UNION ALL\n  ')}) grouped
) ranked
WHERE rn <= ${param.bigint(q.perDimLimit)}
ORDER BY dimension, rn${empty}`;
}
