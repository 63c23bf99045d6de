import { describe, expect, it } from 'vitest';
import { rateLimit } from '#lib/http/middleware/rate-limit';
import { defineRoute } from '#lib/http/route';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const route = (auth: 'public' | 'tenant') =>
  defineRoute({
    id: 'r',
    method: 'GET',
    path: '/v2/r',
    domain: 'd',
    version: 'v2',
    summary: 'r',
    auth,
    response: { kind: 'object' },
  });
const principal = { subject: 'u', tenant: 'acme', groups: [], isAdmin: false, source: 'jwt' as const };

describe('rate limit', () => {
  it('asks the limiter for the tenant’s bucket and keeps the decision for the headers', async () => {
    const asked: string[] = [];
    const limiter = {
      check: async (identity: string, path: string) => {
        asked.push(`${identity} ${path}`);
        return { allowed: true, limit: 30, remaining: 29, resetSeconds: 1 };
      },
    };
    const request = stackRequest(gatewayEvent('GET /v2/r', '/v2/r'), { route: route('tenant'), principal });
    await rateLimit(() => testRuntime({ limiter })).before!(request);
    expect(asked).toEqual(['tenant:acme /v2/r']);
    expect(request.internal.aurum!.rateLimit).toMatchObject({ remaining: 29 });
  });

  it('refuses an empty bucket with 429, Retry-After and the X-RateLimit headers', async () => {
    const limiter = { check: async () => ({ allowed: false, limit: 30, remaining: 0, resetSeconds: 3 }) };
    const request = stackRequest(gatewayEvent('GET /v2/r', '/v2/r'), { route: route('tenant'), principal });
    await expect(rateLimit(() => testRuntime({ limiter })).before!(request)).rejects.toMatchObject({
      status: 429,
      headers: { 'Retry-After': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '30' },
    });
  });

  it('never limits public routes, and lets requests through when the limiter fails', async () => {
    let calls = 0;
    const limiter = {
      check: async () => {
        calls++;
        throw new Error('redis down');
      },
    };
    const step = rateLimit(() => testRuntime({ limiter }));
    await step.before!(stackRequest(gatewayEvent('GET /v2/r', '/v2/r'), { route: route('public') }));
    expect(calls).toBe(0);
    const request = stackRequest(gatewayEvent('GET /v2/r', '/v2/r'), { route: route('tenant'), principal });
    await step.before!(request);
    expect(calls).toBe(1);
    expect(request.internal.aurum!.rateLimit).toBeUndefined();
  });
});
