import type { Boundary, CursorCodec } from '#lib/paging/cursor';
import { type GatewayEvent, queryOf } from './event.ts';
import type { RequestState } from './request-state.ts';
import type { RouteSpec } from './route.ts';
import type { RouteResult } from './route-result.ts';

/**
 * The answer envelopes: v1 `{meta, data}`, v2 `{data, meta, links}`, built per answer. Their schemas, which
 * only the OpenAPI document and the contract tests read, are in `envelope-schemas.ts`, so a function that
 * answers requests never builds them.
 */

export function successStatus(route: RouteSpec): number {
  return route.response.status ?? (route.response.kind === 'empty' ? 204 : 200);
}

/** Cursor tokens are minted per response from the page's boundaries, so cached pages never expire them. */
export function tokens(
  result: { next?: Boundary; prev?: Boundary; filterHash?: string },
  cursors: CursorCodec,
) {
  const mint = (b: Boundary | undefined, d: 'next' | 'prev') =>
    b === undefined ? null : cursors.encode(b, d, result.filterHash ?? '');
  return { next: mint(result.next, 'next'), prev: mint(result.prev, 'prev') };
}

/** `self`, `next` and `prev` links that keep every other query parameter and replace only the cursor. */
function links(event: GatewayEvent, next: string | null, prev: string | null) {
  const query = queryOf(event);
  const build = (cursor: string | null | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k !== 'cursor' && k !== 'since_cursor' && k !== 'prev_cursor') params.set(k, v);
    }
    if (cursor) params.set('cursor', cursor);
    const qs = params.toString();
    return `${event.rawPath}${qs ? `?${qs}` : ''}`;
  };
  const self = event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
  return { self, next: next ? build(next) : null, prev: prev ? build(prev) : null };
}

/** The body of a list or object answer, and the cursor tokens minted for it. */
export function envelope(
  event: GatewayEvent,
  s: RequestState,
  route: RouteSpec,
  result: RouteResult,
  cursors: CursorCodec,
) {
  const elapsed = Date.now() - s.startedAt;
  if (result.kind === 'list') {
    const t = tokens(result, cursors);
    const page = {
      count: result.data.length,
      has_more: result.next !== undefined,
      next_cursor: t.next,
      prev_cursor: t.prev,
    };
    if (route.version === 'v1') {
      return {
        t,
        body: {
          meta: { request_id: s.requestId, query_time_ms: elapsed, ...page, ...result.meta },
          data: result.data,
        },
      };
    }
    return {
      t,
      body: {
        data: result.data,
        meta: { request_id: s.requestId, processing_time_ms: elapsed, ...page, ...result.meta },
        links: links(event, t.next, t.prev),
      },
    };
  }
  if (result.kind === 'object') {
    const meta =
      route.version === 'v1'
        ? { request_id: s.requestId, query_time_ms: elapsed, ...result.meta }
        : { request_id: s.requestId, processing_time_ms: elapsed, ...result.meta };
    return {
      t: { next: null, prev: null },
      body: route.version === 'v1' ? { meta, data: result.data } : { data: result.data, meta },
    };
  }
  return { t: { next: null, prev: null }, body: result.kind === 'document' ? result.body : undefined };
}
