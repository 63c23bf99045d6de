import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { registry } from '#functions/registry';
import { RouteRegistry } from '#lib/http/registry';
import { defineRoute, type RouteSpec } from '#lib/http/route';

const unbuilt = (target: object, key: string) =>
  typeof Object.getOwnPropertyDescriptor(target, key)?.get === 'function';

describe('route schemas', () => {
  it('are not built by importing, registering or matching the whole API', () => {
    const routes = registry.routes;
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) {
      const concrete = route.path.replace(/\{[^}]+\}/g, 'x');
      const match = registry.match(route.method, concrete);
      expect(match.kind).toBe('found');
    }
    expect(registry.match('DELETE', '/v1/curves').kind).toBe('method-not-allowed');
    const lazyRequests = routes.filter((r) => unbuilt(r, 'request'));
    // Every domain declares its request schemas as getters, and none ran above.
    expect(lazyRequests.length).toBeGreaterThan(50);
    expect(new Set(lazyRequests.map((r) => r.domain)).size).toBeGreaterThanOrEqual(8);
  });

  it('are built once, on first read, and only for the route read', () => {
    let builds = 0;
    const a = defineRoute({
      id: 'lazyA',
      method: 'GET',
      path: '/lazy/a',
      domain: 'lazy',
      version: 'v2',
      summary: 'a',
      auth: 'public',
      get request() {
        builds += 1;
        return { query: z.object({ limit: z.string() }) };
      },
      response: {
        kind: 'object',
        get schema() {
          builds += 10;
          return z.object({ id: z.string() });
        },
      },
    });
    const b = defineRoute({
      id: 'lazyB',
      path: '/lazy/b',
      method: 'GET',
      domain: 'lazy',
      version: 'v2',
      summary: 'b',
      auth: 'public',
      response: { kind: 'empty' },
    });
    new RouteRegistry().register(a, b);
    expect(builds).toBe(0);
    const first = a.request.query;
    expect(a.request.query).toBe(first);
    expect(builds).toBe(1);
    expect(first.safeParse({ limit: '3' }).success).toBe(true);
    expect(first.safeParse({}).success).toBe(false);
    expect(a.response.schema).toBe(a.response.schema);
    expect(builds).toBe(11);
    expect((b as RouteSpec).request).toBeUndefined();
  });
});
