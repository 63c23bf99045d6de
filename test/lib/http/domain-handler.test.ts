import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { GatewayResult } from '#lib/http/event';
import { HttpProblem } from '#lib/http/problem';
import { defineDomain, RouteRegistry } from '#lib/http/registry';
import { type Bindings, defineRoute } from '#lib/http/route';
import type { HttpRuntime } from '#lib/http/runtime';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { testRuntime } from '#test/support/stack-request';

const domain = defineDomain({
  name: 'd',
  description: 'a test domain',
  routes: [
    defineRoute({
      id: 'hang',
      method: 'GET',
      path: '/v2/hang',
      domain: 'd',
      version: 'v2',
      summary: 'hangs',
      auth: 'public',
      response: { kind: 'object' },
    }),
    defineRoute({
      id: 'boom',
      method: 'GET',
      path: '/v2/boom',
      domain: 'd',
      version: 'v2',
      summary: 'throws',
      auth: 'public',
      response: { kind: 'object' },
    }),
    defineRoute({
      id: 'limited',
      method: 'GET',
      path: '/v2/limited',
      domain: 'd',
      version: 'v2',
      summary: 'rate limited and validated',
      auth: 'tenant',
      request: { query: z.object({ n: z.string().check(z.regex(/^\d+$/)) }) },
      response: { kind: 'object' },
    }),
    defineRoute({
      id: 'gated',
      method: 'GET',
      path: '/v2/gated',
      domain: 'd',
      version: 'v2',
      summary: 'flagged',
      auth: 'public',
      flag: { key: 'scenario-outputs', whenOff: 'unavailable' },
      response: { kind: 'object' },
    }),
  ],
});

function build(overrides: Partial<HttpRuntime> = {}, impl: Partial<Bindings<typeof domain.routes>> = {}) {
  const runtime = testRuntime(overrides);
  return createDomainHandler({
    domain,
    runtime: () => runtime,
    bind: () => ({
      hang: () => new Promise<never>(() => undefined),
      boom: async () => {
        throw new Error('connection to 10.0.0.7 failed: SELECT secret FROM vault');
      },
      limited: async () => ({ data: { ok: true } }),
      gated: async () => ({ data: { ok: true } }),
      ...impl,
    }),
  });
}

const body = (r: GatewayResult) => JSON.parse(r.body) as Record<string, unknown>;

describe('the middleware stack', () => {
  it('answers 504 when work ignores the deadline, well before the Lambda would time out', async () => {
    const started = Date.now();
    const res = await build()(gatewayEvent('GET /v2/hang', '/v2/hang'), lambdaContext(700));
    expect(res.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(700);
    expect(body(res).type).toBe('https://api.aurum.dev/problems/request-timeout');
  });

  it('turns an unexpected error into a generic 500 that reveals nothing', async () => {
    const res = await build()(gatewayEvent('GET /v2/boom', '/v2/boom'), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(body(res)).toMatchObject({
      type: 'about:blank',
      title: 'Internal Server Error',
      detail: 'An unexpected error occurred',
    });
    expect(res.body).not.toMatch(/10\.0\.0\.7|SELECT|vault/);
    expect(res.headers['Cache-Control']).toBe('no-store');
  });

  it('checks the rate limit before validating, so a limited caller learns nothing from its input', async () => {
    const limiter = { check: async () => ({ allowed: false, limit: 1, remaining: 0, resetSeconds: 1 }) };
    const res = await build({ limiter })(
      gatewayEvent('GET /v2/limited', '/v2/limited', {
        query: { n: 'x' },
        claims: { sub: 'u', tenant: 'acme' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(429);
    expect(res.headers['Retry-After']).toBe('1');
    expect(res.headers['X-RateLimit-Remaining']).toBe('0');
  });

  it('absorbs a limiter that throws', async () => {
    const limiter = { check: async () => Promise.reject(new Error('redis down')) };
    const res = await build({ limiter })(
      gatewayEvent('GET /v2/limited', '/v2/limited', {
        query: { n: '1' },
        claims: { sub: 'u', tenant: 'acme' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
  });

  it('answers a flag that is off with the route’s declared 503, and a flag fault with the route on', async () => {
    const off = { isEnabled: async () => false, explain: async () => Promise.reject(new Error('unused')) };
    expect(
      (await build({ flags: off as never })(gatewayEvent('GET /v2/gated', '/v2/gated'), lambdaContext()))
        .statusCode,
    ).toBe(503);
    const broken = {
      isEnabled: async () => Promise.reject(new Error('appconfig down')),
      explain: off.explain,
    };
    expect(
      (await build({ flags: broken as never })(gatewayEvent('GET /v2/gated', '/v2/gated'), lambdaContext()))
        .statusCode,
    ).toBe(200);
  });

  it('keeps an HttpProblem’s status, headers and extension members', async () => {
    const res = await build(
      {},
      {
        boom: async () => {
          throw new HttpProblem(503, 'service-unavailable', 'Service Unavailable Error', {
            detail: 'not ready',
            headers: { 'Retry-After': '7' },
            extensions: { checks: { cache: { status: 'failed' } } },
          });
        },
      },
    )(gatewayEvent('GET /v2/boom', '/v2/boom'), lambdaContext());
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('7');
    expect(body(res).checks).toEqual({ cache: { status: 'failed' } });
  });

  it('opens a fallback registry only for a request that is not one of its own routes', async () => {
    let opened = 0;
    const other = defineDomain({
      name: 'o',
      description: 'another domain',
      routes: [
        defineRoute({
          id: 'elsewhere',
          method: 'GET',
          path: '/v2/elsewhere',
          domain: 'o',
          version: 'v2',
          summary: 'served by another function',
          auth: 'public',
          response: { kind: 'object' },
        }),
      ],
    });
    const runtime = testRuntime();
    const handler = createDomainHandler({
      domain,
      runtime: () => runtime,
      fallbackRegistry: () => {
        opened += 1;
        return new RouteRegistry().add(domain, other);
      },
      bind: () => ({
        hang: async () => ({ data: 1 }),
        boom: async () => ({ data: 2 }),
        limited: async () => ({ data: 3 }),
        gated: async () => ({ data: 4 }),
      }),
    });
    const own = await handler(gatewayEvent('GET /v2/boom', '/v2/boom'), lambdaContext());
    expect(own.statusCode).toBe(200);
    expect(body(own).data).toBe(2);
    expect(opened).toBe(0);
    // The gateway's $default target: another function's path, and a path nobody serves.
    const foreign = await handler(gatewayEvent('$default', '/v2/elsewhere'), lambdaContext());
    expect(foreign.statusCode).toBe(404);
    const deleting = gatewayEvent('$default', '/v2/elsewhere');
    deleting.requestContext.http.method = 'DELETE';
    const wrongMethod = await handler(deleting, lambdaContext());
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.Allow).toBe('GET');
    expect(opened).toBe(1);
  });

  it('refuses to serve when a route has no implementation, rather than answering 500 per request', async () => {
    const handler = createDomainHandler({
      domain,
      runtime: () => testRuntime(),
      // The type forbids this; a JavaScript caller could still do it.
      bind: () => ({ hang: async () => ({ data: 1 }) }) as never,
    });
    const res = await handler(gatewayEvent('GET /v2/hang', '/v2/hang'), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/unbound|boom|gated/);
  });
});
