import type { CursorCodec } from './cursor.ts';
import { assemblePage, type KeyColumn, keyOf } from './keyset.ts';
import type { Page } from './list.ts';
import { pageRequest } from './page-request.ts';

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Compares two keys column by column in code point order, as the lists are sorted. */
function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = byCode(String(a[i]), String(b[i]));
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * One keyset page of reference data held in memory, sorted by `key` in code point order: the same cursors as
 * a SQL list (bound to the list's name and filters, so a bad one is a 400 naming its field), never an offset.
 */
export function memoryPage<T extends Record<string, unknown>>(options: {
  list: string;
  key: readonly KeyColumn[];
  items: readonly T[];
  parameters: Record<string, unknown>;
  cursors: CursorCodec;
  size: number;
  meta?: Record<string, unknown>;
}): Page<T> {
  const at = pageRequest(options.list, options.parameters, options.cursors);
  const keyed = (row: T) => keyOf(options.key, row);
  const sorted = [...options.items].sort((a, b) => compareKeys(keyed(a), keyed(b)));
  const fetch = options.size + 1;
  const boundary = at.boundary ?? [];
  const fetched =
    at.direction === 'first'
      ? sorted.slice(0, fetch)
      : at.direction === 'next'
        ? sorted.filter((row) => compareKeys(keyed(row), boundary) > 0).slice(0, fetch)
        : sorted
            .filter((row) => compareKeys(keyed(row), boundary) < 0)
            .reverse()
            .slice(0, fetch);
  const page = assemblePage(fetched, { limit: options.size, direction: at.direction, key: keyed });
  return {
    rows: page.rows,
    ...(page.next ? { next: page.next } : {}),
    ...(page.prev ? { prev: page.prev } : {}),
    filterHash: at.filterHash,
    meta: { limit: options.size, ...options.meta },
  };
}
