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
