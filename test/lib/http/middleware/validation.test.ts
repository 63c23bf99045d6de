import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { validation } from '#lib/http/middleware/validation';
import { dateSpan, intParam, queryRules } from '#lib/http/params';
import type { HttpProblem } from '#lib/http/problem';
import { defineRoute } from '#lib/http/route';
import { gatewayEvent } from '#test/support/events';
import { stackRequest } from '#test/support/stack-request';

const route = defineRoute({
  id: 'span',
  method: 'POST',
  path: '/v2/span/{id}',
  domain: 'd',
  version: 'v2',
  summary: 'a span',
  auth: 'tenant',
  request: {
    path: z.object({ id: z.string().check(z.regex(/^\d+$/)) }),
    query: z
      .object({ from: z.string(), to: z.string(), limit: intParam({ min: 1, max: 10, default: 5 }) })
      .check(z.superRefine(queryRules(dateSpan('from', 'to', 30)))),
    body: z.strictObject({ name: z.string() }),
    rules: ({ path, query }) =>
      path.id === '0' && query.limit > 1
        ? [{ field: 'query.limit', message: 'one for id 0', code: 'rule' }]
        : [],
  },
  response: { kind: 'object' },
});

const principal = { subject: 'u', tenant: 'acme', groups: [], isAdmin: false, source: 'jwt' as const };
const run = (query: Record<string, string>, body: unknown = { name: 'x' }, id = '1') => {
  const request = stackRequest(
    gatewayEvent('POST /v2/span/{id}', `/v2/span/${id}`, {
      query,
      pathParameters: { id },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
    { route, principal },
  );
  try {
    validation().before!(request);
    return { ok: true as const, input: request.internal.aurum!.input };
  } catch (error) {
    return { ok: false as const, problem: error as HttpProblem };
  }
};

describe('validation', () => {
  it('leaves the parsed input, defaults applied, on the request state', () => {
    const result = run({ from: '2025-01-01', to: '2025-01-02' });
    expect(result).toMatchObject({
      ok: true,
      input: { query: { limit: 5 }, path: { id: '1' }, body: { name: 'x' } },
    });
  });

  it('names every bad parameter at once as query.<name> and path.<name>', () => {
    const result = run({ from: '2025-01-01', to: '2025-01-02', limit: '99' }, {}, 'x');
    expect(result.ok).toBe(false);
    expect(result.ok || result.problem.status).toBe(400);
    const fields = result.ok ? [] : result.problem.errors!.map((e) => e.field);
    expect(fields.sort()).toEqual(['path.id', 'query.limit']);
  });

  it('answers a refinement with its own code and sentence', () => {
    const result = run({ from: '2025-01-01', to: '2025-06-01' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.detail).toBe('Date range too large: 151 days. Maximum allowed: 30 days');
    expect(result.problem.errors).toEqual([
      { field: 'query.to', message: 'at most 30 days from from', code: 'range_too_large' },
    ]);
  });

  it('runs the route’s rules across path and query once each part is valid', () => {
    const result = run({ from: '2025-01-01', to: '2025-01-02', limit: '3' }, { name: 'x' }, '0');
    expect(result.ok || result.problem.errors).toEqual([
      { field: 'query.limit', message: 'one for id 0', code: 'rule' },
    ]);
  });

  it('answers a bad body with 422 naming body.<member>, and broken JSON with 400', () => {
    const shape = run({ from: '2025-01-01', to: '2025-01-02' }, { name: 'x', extra: 1 });
    expect(shape.ok || [shape.problem.status, shape.problem.errors]).toEqual([
      422,
      [{ field: 'body.extra', message: 'is not a member of this resource', code: 'unknown_member' }],
    ]);
    const broken = run({ from: '2025-01-01', to: '2025-01-02' }, '{nope');
    expect(broken.ok || [broken.problem.status, broken.problem.errors![0]!.field]).toEqual([400, 'body']);
  });

  it('refuses a tenant_id other than the caller’s with 403, never switching tenant', () => {
    const tenantRoute = { ...route, request: { query: z.object({ tenant_id: z.optional(z.string()) }) } };
    const request = stackRequest(gatewayEvent('GET /x', '/x', { query: { tenant_id: 'other' } }), {
      route: tenantRoute,
      principal,
    });
    expect(() => validation().before!(request)).toThrow(expect.objectContaining({ status: 403 }));
    expect(request.internal.aurum!.input).toBeUndefined();
  });
});
