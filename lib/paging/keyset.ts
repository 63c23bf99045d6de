import { empty, ident, join, param, type SqlParam, type SqlQuery, type SqlType, sql } from '#lib/data/sql';
import type { Boundary, CursorDirection } from './cursor.ts';

/** Where a keyset query starts and how many rows it reads: the page size plus one, to learn whether more exist. */
export interface Seek {
  direction: 'first' | 'next' | 'prev';
  boundary?: Boundary;
  fetch: number;
}

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

/** One page in ascending order, with the boundaries (not yet tokens) of the neighbouring pages. */
export interface KeysetPage<T> {
  rows: T[];
  /** Continue ascending after this key. */
  next?: Boundary;
  /** Continue descending before this key. */
  prev?: Boundary;
}

export interface AssemblePageOptions<T> {
  limit: number;
  /** 'first' and 'next' rows were fetched ascending after the boundary; 'prev' rows descending before it. */
  direction: CursorDirection | 'first';
  key: (row: T) => Boundary;
}

/**
 * Turns the `limit + 1` rows a keyset query fetched into one page. The extra row only says whether
 * more rows exist in the fetch direction; following `prev` from page k gives back page k-1 exactly.
 */
export function assemblePage<T>(fetched: T[], options: AssemblePageOptions<T>): KeysetPage<T> {
  const { limit, direction, key } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Page limit must be a positive integer, got ${limit}`);
  }
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return { rows: [] };

  if (direction === 'prev') {
    // Fetched descending: `first` is the row nearest the boundary, so it ends the ascending page.
    rows.reverse();
    const page: KeysetPage<T> = { rows, next: key(first) };
    if (more) page.prev = key(last);
    return page;
  }

  const page: KeysetPage<T> = { rows };
  if (more) page.next = key(last);
  if (direction === 'next') page.prev = key(first);
  return page;
}

/** The WHERE predicate and ORDER BY of one seek along `key`: after the boundary ascending, before it descending. */
export function seekClause(
  key: readonly KeyColumn[],
  seek: Seek,
  qualifier?: string,
): { predicate: SqlQuery; order: SqlQuery } {
  const descending = seek.direction === 'prev';
  return {
    predicate:
      seek.direction === 'first'
        ? empty
        : keysetPredicate(key, seek.boundary, descending ? '<' : '>', qualifier),
    order: keysetOrder(key, descending ? 'DESC' : 'ASC', qualifier),
  };
}
