import { InvalidInputError } from '#lib/errors';
import { type Boundary, type CursorCodec, hashFilters } from './cursor.ts';

export interface PageRequest {
  direction: 'first' | 'next' | 'prev';
  boundary?: Boundary;
  filterHash: string;
}

/** Parameters that move through a result set rather than define it; they stay out of the filter hash. */
const PAGING_PARAMS = new Set([
  'cursor',
  'since_cursor',
  'prev_cursor',
  'limit',
  'format',
  'offset',
  'chunk_size',
  'tenant_id',
]);

/**
 * Reads the page position from `cursor` / `since_cursor` / `prev_cursor`. The token itself says which way
 * it points, so any of the three may carry it; two different tokens at once are refused. `list` names
 * the keyset (one per route): a token is only good for the list and the filters it was made for.
 */
export function pageRequest(list: string, query: Record<string, unknown>, cursors: CursorCodec): PageRequest {
  // The list's name is part of the hash: a cursor from one list is refused by every other list.
  const filters: Record<string, unknown> = { '#list': list };
  for (const [k, v] of Object.entries(query)) if (!PAGING_PARAMS.has(k)) filters[k] = v;
  const filterHash = hashFilters(filters);
  const given = (['cursor', 'since_cursor', 'prev_cursor'] as const).filter(
    (k) => typeof query[k] === 'string' && query[k] !== '',
  );
  const tokens = new Set(given.map((k) => query[k] as string));
  if (tokens.size > 1) {
    throw new InvalidInputError(
      'Pass one cursor at a time',
      given.map((field) => ({
        field: `query.${field}`,
        message: 'conflicts with another cursor',
        code: 'cursor_conflict',
      })),
    );
  }
  const offset = query.offset;
  if (typeof offset === 'string' && Number(offset) > 0) {
    throw new InvalidInputError('Offset paging was removed: follow next_cursor instead', [
      { field: 'query.offset', message: 'only 0 is accepted; use cursor', code: 'offset_removed' },
    ]);
  }
  if (given.length === 0) return { direction: 'first', filterHash };
  const field = `query.${given[0]}`;
  const decoded = cursors.decode([...tokens][0]!, filterHash, field);
  return { direction: decoded.direction, boundary: decoded.boundary, filterHash };
}
