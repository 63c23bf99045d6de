import { describe, expect, it } from 'vitest';
import { DuplicateRouteError, RouteRegistry } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';

const route = (method: 'GET' | 'POST', path: string, id: string) =>
  defineRoute({
    id,
    method,
    path,
    domain: 'test',
    version: 'v2',
    summary: id,
    auth: 'public',
    response: { kind: 'empty' },
  });

describe('RouteRegistry', () => {
  it('refuses the same method and path twice', () => {
    const r = new RouteRegistry().register(route('GET', '/v2/things', 'listThings'));
    expect(() => r.register(route('GET', '/v2/things', 'listThingsAgain'))).toThrow(DuplicateRouteError);
    expect(() => r.register(route('GET', '/v2/things', 'listThingsAgain'))).toThrow(
      'route already registered: GET /v2/things',
    );
  });

  it('refuses a duplicate operation id', () => {
    const r = new RouteRegistry().register(route('GET', '/v2/a', 'op'));
    expect(() => r.register(route('GET', '/v2/b', 'op'))).toThrow(DuplicateRouteError);
  });

  it('allows the same path with another method', () => {
    const r = new RouteRegistry().register(route('GET', '/v2/a', 'getA'), route('POST', '/v2/a', 'postA'));
    expect(r.routes).toHaveLength(2);
  });

  it('matches templates, prefers static paths, and tells 405 from 404', () => {
    const r = new RouteRegistry().register(
      route('GET', '/v2/curves/{curve_id}', 'one'),
      route('GET', '/v2/curves/export', 'export'),
      route('POST', '/v2/curves/{curve_id}/run', 'run'),
    );
    const m = r.match('GET', '/v2/curves/export');
    expect(m.kind === 'found' && m.route.id).toBe('export');
    const t = r.match('GET', '/v2/curves/PJM%20X');
    expect(t).toMatchObject({ kind: 'found', pathParameters: { curve_id: 'PJM X' } });
    expect(r.match('DELETE', '/v2/curves/abc')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(r.match('GET', '/v2/curves/abc/run')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(r.match('GET', '/v9/nothing')).toEqual({ kind: 'not-found' });
  });

  it('matches a greedy last parameter across slashes, after every more specific path', () => {
    const r = new RouteRegistry().register(
      route('GET', '/v2/datasets/{path+}', 'byPath'),
      route('GET', '/v2/datasets/{id}/meta', 'meta'),
      route('GET', '/v2/datasets/featured', 'featured'),
    );
    expect(r.match('GET', '/v2/datasets/natural-gas/stor/wkly')).toMatchObject({
      kind: 'found',
      route: { id: 'byPath' },
      pathParameters: { path: 'natural-gas/stor/wkly' },
    });
    // Slashes sent percent-encoded in one segment mean the same path.
    expect(r.match('GET', '/v2/datasets/natural-gas%2Fstor%2Fwkly')).toMatchObject({
      route: { id: 'byPath' },
      pathParameters: { path: 'natural-gas/stor/wkly' },
    });
    expect(r.match('GET', '/v2/datasets/featured')).toMatchObject({ route: { id: 'featured' } });
    expect(r.match('GET', '/v2/datasets/x/meta')).toMatchObject({ route: { id: 'meta' } });
    expect(r.match('GET', '/v2/datasets/')).toEqual({ kind: 'not-found' });
    expect(r.match('POST', '/v2/datasets/a/b')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
  });

  it('refuses a greedy parameter that is not the last segment', () => {
    expect(() => new RouteRegistry().register(route('GET', '/v2/{rest+}/tail', 'bad'))).toThrow(
      '/v2/{rest+}/tail: a greedy parameter must be the last segment',
    );
  });
});
