import { describe, expect, it } from 'vitest';
import { resultOf, routeCall } from '#lib/http/middleware/route-call';
import { defineRoute } from '#lib/http/route';
import type { ResponseCache } from '#lib/http/runtime';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const list = defineRoute({
  id: 'list',
  method: 'GET',
  path: '/v2/list',
  domain: 'd',
  version: 'v2',
  summary: 'list',
  auth: 'tenant',
  response: { kind: 'list' },
  cache: { scope: 'curves-v2', visibility: 'private' },
  variants: ['curves-latest-corrections'],
});
const principal = { subject: 'u', tenant: 'acme', groups: [], isAdmin: false, source: 'jwt' as const };
const input = { query: { limit: 2 }, path: {}, body: undefined };

/** A cache that records each key it is asked for and answers from a Map. */
function recordingCache() {
  const keys: unknown[] = [];
  const stored = new Map<string, unknown>();
  const cache = {
    scopes: ['curves-v2'],
    async through<T>(scope: string, key: unknown, load: () => Promise<T>) {
      keys.push({ scope, key });
      const id = JSON.stringify({ scope, key });
      if (stored.has(id)) return { value: stored.get(id) as T, status: 'hit' as const };
      const value = await load();
      stored.set(id, value);
      return { value, status: 'miss' as const };
    },
  } as unknown as ResponseCache;
  return { cache, keys };
}

describe('route call', () => {
  it('passes validated input, the caller, typed flag answers and the deadline to the implementation', async () => {
    const calls: unknown[] = [];
    const step = routeCall(
      async () => ({
        list: async (call) => {
          calls.push({
            query: call.query,
            tenant: call.principal.tenant,
            flags: call.flags,
            signal: call.io.signal.aborted,
          });
          return { rows: [{ n: 1 }], filterHash: 'h' };
        },
      }),
      () => testRuntime(),
    );
    const request = stackRequest(gatewayEvent('GET /v2/list', '/v2/list'), { route: list, principal, input });
    await step.before!(request);
    expect(calls).toEqual([
      { query: { limit: 2 }, tenant: 'acme', flags: { 'curves-latest-corrections': true }, signal: false },
    ]);
    expect(request.internal.aurum!.result).toMatchObject({ kind: 'list', data: [{ n: 1 }], filterHash: 'h' });
  });

  it('caches private answers per tenant, and marks the second call a hit without calling again', async () => {
    const { cache, keys } = recordingCache();
    let loads = 0;
    const step = routeCall(
      async () => ({
        list: async () => {
          loads++;
          return { rows: [], filterHash: 'h' };
        },
      }),
      () => testRuntime({ cache }),
    );
    const call = async (tenant: string) => {
      const request = stackRequest(gatewayEvent('GET /v2/list', '/v2/list'), {
        route: list,
        principal: { ...principal, tenant },
        input,
      });
      await step.before!(request);
      return request.internal.aurum!.cacheStatus;
    };
    expect(await call('acme')).toBe('miss');
    expect(await call('acme')).toBe('hit');
    expect(await call('zenith')).toBe('miss');
    expect(loads).toBe(2);
    expect(keys.map((k) => (k as { key: { tenant: string } }).key.tenant)).toEqual([
      'acme',
      'acme',
      'zenith',
    ]);
  });

  it('turns a file answer into a document with the route’s file name and a continuation boundary', () => {
    const file = defineRoute({
      id: 'file',
      method: 'GET',
      path: '/v2/file',
      domain: 'd',
      version: 'v2',
      summary: 'file',
      auth: 'tenant',
      response: { kind: 'file', contentType: 'text/csv; charset=utf-8' },
      csv: { filename: (q) => `rows_${q.day ?? 'all'}.csv` },
    });
    expect(resultOf(file, { body: 'a\r\n', next: ['k'], filterHash: 'h' }, { day: '2025-01-02' })).toEqual({
      kind: 'document',
      body: 'a\r\n',
      contentType: 'text/csv; charset=utf-8',
      headers: { 'Content-Disposition': 'attachment; filename="rows_2025-01-02.csv"' },
      next: ['k'],
      filterHash: 'h',
    });
  });
});

const tile = defineRoute({
  id: 'tile',
  method: 'GET',
  path: '/v1/tile',
  domain: 'd',
  version: 'v1',
  summary: 'tile',
  auth: 'tenant',
  request: {},
  response: { kind: 'file', contentType: 'image/png' },
  cache: {
    scope: 'drought-tiles',
    visibility: 'public',
    scopeFor: ({ query }: { query: { fresh?: boolean } }) =>
      query.fresh ? 'drought-tiles-today' : 'drought-tiles',
  },
});

describe('route call for binary files and per-request scopes', () => {
  it('turns a byte body into a base64 document and caches it under the scope the input chooses', async () => {
    const { cache, keys } = recordingCache();
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const step = routeCall(
      async () => ({ tile: async () => ({ body: bytes }) }),
      () => testRuntime({ cache }),
    );
    for (const fresh of [false, true]) {
      const request = stackRequest(gatewayEvent('GET /v1/tile', '/v1/tile'), {
        route: tile,
        principal,
        input: { query: { fresh }, path: {}, body: undefined },
      });
      await step.before!(request);
      const state = request.internal.aurum!;
      expect(state.cacheScope).toBe(fresh ? 'drought-tiles-today' : 'drought-tiles');
      expect(state.result).toMatchObject({ kind: 'document', base64: true, contentType: 'image/png' });
      const body = (state.result as { body: string }).body;
      expect([...Buffer.from(body, 'base64')]).toEqual([...bytes]);
    }
    expect(keys.map((k) => (k as { scope: string }).scope)).toEqual(['drought-tiles', 'drought-tiles-today']);
  });

  it('keeps text file bodies as they are', () => {
    const result = resultOf(tile, { body: 'a,b\r\n' }, {});
    expect(result).toMatchObject({ kind: 'document', body: 'a,b\r\n' });
    expect('base64' in result).toBe(false);
  });
});
