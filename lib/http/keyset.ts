import type { CursorBoundaryValue, CursorDirection } from './cursor.ts';

/** One page in ascending order, with the boundaries (not yet tokens) of the neighbouring pages. */
export interface KeysetPage<T> {
  rows: T[];
  /** Continue ascending after this key. */
  next?: readonly unknown[];
  /** Continue descending before this key. */
  prev?: readonly unknown[];
}

export interface AssemblePageOptions<T> {
  limit: number;
  /** 'first' and 'next' rows were fetched ascending after the boundary; 'prev' rows descending before it. */
  direction: CursorDirection | 'first';
  key: (row: T) => readonly CursorBoundaryValue[];
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
