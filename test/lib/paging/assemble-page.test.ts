import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorCodec, type CursorDirection, hashFilters } from '#lib/paging/cursor';
import { assemblePage, type KeysetPage } from '#lib/paging/keyset';

interface CurvePoint {
  curve_key: string;
  tenor: number;
}

type Key = readonly [string, number];
const curvePointKey = (row: CurvePoint): Key => [row.curve_key, row.tenor];

function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** `count` points in ascending key order, several tenors per curve. */
function curvePoints(count: number): CurvePoint[] {
  return Array.from({ length: count }, (_, i) => ({
    curve_key: `CURVE_${String(Math.floor(i / 4)).padStart(3, '0')}`,
    tenor: i % 4,
  }));
}

/** What a keyset query returns: limit+1 rows after the boundary ascending, or before it descending. */
function keysetQuery(
  table: readonly CurvePoint[],
  limit: number,
  direction: CursorDirection | 'first',
  boundary?: readonly unknown[],
): CurvePoint[] {
  if (direction === 'first') return table.slice(0, limit + 1);
  if (direction === 'next') {
    return table.filter((row) => compareKeys(curvePointKey(row), boundary!) > 0).slice(0, limit + 1);
  }
  return table
    .filter((row) => compareKeys(curvePointKey(row), boundary!) < 0)
    .reverse()
    .slice(0, limit + 1);
}

function fetchPage(
  table: readonly CurvePoint[],
  limit: number,
  direction: CursorDirection | 'first',
  boundary?: readonly unknown[],
): KeysetPage<CurvePoint> {
  return assemblePage(keysetQuery(table, limit, direction, boundary), {
    limit,
    direction,
    key: curvePointKey,
  });
}

/** Walks forward from the first page to the end, then back through prev, asserting each page is revisited exactly. */
function walkBothWays(table: readonly CurvePoint[], limit: number): KeysetPage<CurvePoint>[] {
  const forward = [fetchPage(table, limit, 'first')];
  for (let page = forward[0]!; page.next; ) {
    page = fetchPage(table, limit, 'next', page.next);
    forward.push(page);
  }
  for (let i = forward.length - 1; i > 0; i -= 1) {
    const back = fetchPage(table, limit, 'prev', forward[i]!.prev);
    expect(back).toEqual(forward[i - 1]);
  }
  return forward;
}

describe('assemblePage', () => {
  const points = curvePoints(12);

  it('first page: the first limit rows, next from the last row when more exist, no prev', () => {
    const page = assemblePage(points.slice(0, 6), { limit: 5, direction: 'first', key: curvePointKey });
    expect(page.rows).toEqual(points.slice(0, 5));
    expect(page.next).toEqual(curvePointKey(points[4]!));
    expect(page).not.toHaveProperty('prev');
  });

  it('first page that holds everything has neither next nor prev', () => {
    const page = assemblePage(points.slice(0, 3), { limit: 5, direction: 'first', key: curvePointKey });
    expect(page).toEqual({ rows: points.slice(0, 3) });
  });

  it('next page: prev from its first row, next only when more rows exist', () => {
    const middle = assemblePage(points.slice(5, 11), { limit: 5, direction: 'next', key: curvePointKey });
    expect(middle).toEqual({
      rows: points.slice(5, 10),
      next: curvePointKey(points[9]!),
      prev: curvePointKey(points[5]!),
    });
    const last = assemblePage(points.slice(10), { limit: 5, direction: 'next', key: curvePointKey });
    expect(last).toEqual({ rows: points.slice(10), prev: curvePointKey(points[10]!) });
  });

  it('prev page: rows fetched descending come back ascending, with next from the last row', () => {
    const descending = points.slice(4, 10).reverse();
    const page = assemblePage(descending, { limit: 5, direction: 'prev', key: curvePointKey });
    expect(page).toEqual({
      rows: points.slice(5, 10),
      next: curvePointKey(points[9]!),
      prev: curvePointKey(points[5]!),
    });
  });

  it('prev page reaching the start has no prev', () => {
    const page = assemblePage(points.slice(0, 5).reverse(), {
      limit: 5,
      direction: 'prev',
      key: curvePointKey,
    });
    expect(page).toEqual({ rows: points.slice(0, 5), next: curvePointKey(points[4]!) });
  });

  it.each(['first', 'next', 'prev'] as const)(
    'an empty %s fetch is an empty page without boundaries',
    (direction) => {
      expect(assemblePage([], { limit: 5, direction, key: curvePointKey })).toEqual({ rows: [] });
    },
  );

  it('does not modify the fetched array', () => {
    const fetched = points.slice(0, 6).reverse();
    const copy = [...fetched];
    assemblePage(fetched, { limit: 5, direction: 'prev', key: curvePointKey });
    expect(fetched).toEqual(copy);
  });

  it.each([0, -1, 2.5, Number.NaN])('rejects limit %s', (limit) => {
    expect(() => assemblePage(points, { limit, direction: 'first', key: curvePointKey })).toThrow(RangeError);
  });
});

describe('keyset walk', () => {
  it('walks 23 rows by 5 forwards and back, every prev page equal to the earlier page', () => {
    const table = curvePoints(23);
    const pages = walkBothWays(table, 5);
    expect(pages.map((page) => page.rows.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = pages.flatMap((page) => page.rows);
    expect(seen).toEqual(table);
    expect(new Set(seen.map((row) => curvePointKey(row).join('|'))).size).toBe(23);
    expect(pages.at(-1)).not.toHaveProperty('next');
  });

  it('walks the same way through signed cursor tokens', () => {
    const table = curvePoints(23);
    const codec = new CursorCodec({ secret: 'keyset-walk-secret' });
    const filters = hashFilters({ iso: 'PJM' });
    const forward = [fetchPage(table, 5, 'first')];
    for (let page = forward[0]!; page.next; ) {
      const cursor = codec.decode(codec.encode(page.next as Key, 'next', filters), filters);
      page = fetchPage(table, 5, cursor.direction, cursor.boundary);
      forward.push(page);
    }
    for (let i = forward.length - 1; i > 0; i -= 1) {
      const cursor = codec.decode(codec.encode(forward[i]!.prev as Key, 'prev', filters), filters);
      expect(cursor.direction).toBe('prev');
      expect(fetchPage(table, 5, cursor.direction, cursor.boundary)).toEqual(forward[i - 1]);
    }
    expect(forward.flatMap((page) => page.rows)).toEqual(table);
  });

  it('covers any table size and limit exactly once, and prev always returns the earlier page (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 12 }), (size, limit) => {
        const table = curvePoints(size);
        const pages = walkBothWays(table, limit);
        expect(pages.flatMap((page) => page.rows)).toEqual(table);
        expect(pages.length).toBe(Math.max(1, Math.ceil(size / limit)));
      }),
    );
  });
});
