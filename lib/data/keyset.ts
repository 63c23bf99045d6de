import type { Boundary } from '#lib/http/route';
import { empty, ident, join, param, type SqlParam, type SqlQuery, type SqlType, sql } from './sql.ts';

/** One column of a keyset sort order; nullable columns compare through a sentinel so NULLs sort first. */
export interface KeyColumn {
  name: string;
  type: Extract<SqlType, 'varchar' | 'date' | 'bigint' | 'double'>;
  nullAs?: string | number;
}

function typed(column: KeyColumn, value: unknown): SqlParam {
  const v = value === null || value === undefined ? (column.nullAs ?? null) : value;
  switch (column.type) {
    case 'date':
      return param.date(v === null ? null : String(v));
    case 'bigint':
      return param.bigint(v === null ? null : Number(v));
    case 'double':
      return param.double(v === null ? null : Number(v));
    default:
      return param.varchar(v === null ? null : String(v));
  }
}

function columnExpr(column: KeyColumn, qualifier?: string): SqlQuery {
  const allowed = [column.name];
  const ref = qualifier
    ? sql`${ident(`${qualifier}.${column.name}`, [`${qualifier}.${column.name}`])}`
    : sql`${ident(column.name, allowed)}`;
  return column.nullAs === undefined ? ref : sql`COALESCE(${ref}, ${typed(column, column.nullAs)})`;
}

/** The row's key with NULLs replaced by their sentinels, as stored in cursors. */
export function keyOf(columns: readonly KeyColumn[], row: Record<string, unknown>): Boundary {
  return columns.map((c) => {
    const v = row[c.name];
    return (v === null || v === undefined ? (c.nullAs ?? null) : v) as string | number | null;
  });
}

/**
 * `(a, b, c) > (x, y, z)` spelled out as OR-ed prefixes, which every engine plans well and which works
 * where row-value comparison is not supported.
 */
export function keysetPredicate(
  columns: readonly KeyColumn[],
  boundary: Boundary | undefined,
  op: '>' | '<',
  qualifier?: string,
): SqlQuery {
  if (!boundary) return empty;
  if (boundary.length !== columns.length) throw new TypeError('boundary does not fit the key');
  const alternatives = columns.map((column, i) => {
    const equalities = columns
      .slice(0, i)
      .map((c, j) => sql`${columnExpr(c, qualifier)} = ${typed(c, boundary[j])}`);
    const comparison =
      op === '>'
        ? sql`${columnExpr(column, qualifier)} > ${typed(column, boundary[i])}`
        : sql`${columnExpr(column, qualifier)} < ${typed(column, boundary[i])}`;
    return sql`(${join([...equalities, comparison], ' AND ')})`;
  });
  return sql`(${join(alternatives, ' OR ')})`;
}

export function keysetOrder(
  columns: readonly KeyColumn[],
  direction: 'ASC' | 'DESC',
  qualifier?: string,
): SqlQuery {
  return join(
    columns.map((c) =>
      direction === 'ASC' ? sql`${columnExpr(c, qualifier)} ASC` : sql`${columnExpr(c, qualifier)} DESC`,
    ),
    ', ',
  );
}
