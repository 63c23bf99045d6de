import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { SqlQuery } from '#lib/data/sql';
import type { Boundary, CursorCodec } from './cursor.ts';
import { assemblePage, type KeyColumn, keyOf, type Seek } from './keyset.ts';
import { type PageRequest, pageRequest } from './page-request.ts';

/**
 * One page of a list, in the list's order, with the boundaries (not yet tokens) of its neighbours. The kit
 * mints cursor tokens from them when it answers, so a cached page never holds an expiring token.
 */
export interface Page<T> {
  rows: T[];
  next?: Boundary;
  prev?: Boundary;
  /** The hash of the filters the page was read for; cursors are bound to it. */
  filterHash: string;
  /** Members the list adds to `meta` (for example the effective `limit`). */
  meta?: Record<string, unknown>;
}

export interface KeysetListSpec<F, T> {
  /** The list's name: part of the filter hash, so a cursor of one list is refused by every other. */
  name: string;
  /** The sort key, as the query orders by it and as cursors store it. */
  key: readonly KeyColumn[];
  /** The SQL for a seek: the filters, ordered by `key`, starting after (or before) the boundary. */
  query: (filters: F, seek: Seek) => SqlQuery;
  /** A result row in the domain's shape. */
  row: (row: Row) => T;
}

export interface PageOptions {
  /** Rows on one page. */
  size: number;
  /** Members added to the page's `meta`. */
  meta?: Record<string, unknown>;
}

export interface KeysetList<F, T> {
  readonly name: string;
  readonly key: readonly KeyColumn[];
  /** Where the caller's cursor parameters point, checked against this list and these parameters. */
  position(parameters: Record<string, unknown>, cursors: CursorCodec): PageRequest;
  /** Reads one page: decodes the cursor in `parameters`, seeks, and assembles the page. */
  page(
    ports: { engine: SqlEngine; cursors: CursorCodec },
    parameters: Record<string, unknown>,
    filters: F,
    options: PageOptions & QueryOptions,
  ): Promise<Page<T>>;
}

/**
 * A keyset-paged list, declared by its sort key, its name, its seek SQL and its row mapper. Page 500 costs
 * what page 1 costs: every page is one indexed seek, never an OFFSET.
 */
export function keysetList<F, T>(spec: KeysetListSpec<F, T>): KeysetList<F, T> {
  return {
    name: spec.name,
    key: spec.key,
    position: (parameters, cursors) => pageRequest(spec.name, parameters, cursors),
    async page(ports, parameters, filters, options) {
      const at = pageRequest(spec.name, parameters, ports.cursors);
      const fetched = await ports.engine.query(
        spec.query(filters, { direction: at.direction, boundary: at.boundary, fetch: options.size + 1 }),
        options,
      );
      const page = assemblePage(fetched, {
        limit: options.size,
        direction: at.direction,
        key: (row) => keyOf(spec.key, row),
      });
      return {
        rows: page.rows.map(spec.row),
        ...(page.next ? { next: page.next } : {}),
        ...(page.prev ? { prev: page.prev } : {}),
        filterHash: at.filterHash,
        ...(options.meta ? { meta: options.meta } : {}),
      };
    },
  };
}
