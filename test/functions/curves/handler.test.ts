import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayResult } from '#lib/http/event';
import { gatewayEvent, lambdaContext } from '#test/support/events';

// The deployed configuration: principals come only from the JWT authorizer's claims.
process.env.AURUM_AUTH_MODE = 'jwt';
process.env.AURUM_API_ADMIN_GROUP = 'aurum-admins';

let handler: (
  event: ReturnType<typeof gatewayEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<GatewayResult>;
beforeAll(async () => {
  ({ handler } = await import('#functions/curves/handler'));
});

const body = (r: GatewayResult) => JSON.parse(r.body) as Record<string, unknown>;

describe('curves Lambda behind the JWT authorizer', () => {
  it('answers 401 problem+json when the event carries no claims', async () => {
    const res = await handler(
      gatewayEvent('GET /v1/curves', '/v1/curves', { query: { limit: '2' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(res.headers['WWW-Authenticate']).toBe('Bearer');
    expect(body(res).request_id).toBe('req-from-gateway');
  });

  it('serves the tenant from the token and ignores development headers', async () => {
    const event = gatewayEvent('GET /v2/curves', '/v2/curves', {
      query: { limit: '2', tenant_id: 'globex' },
      headers: { 'x-aurum-tenant': 'globex' },
      claims: { sub: 'user-1', tenant: 'acme', scope: 'curves:read' },
    });
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(403);
    const ok = await handler(
      gatewayEvent('GET /v2/curves', '/v2/curves', {
        query: { limit: '2' },
        claims: { sub: 'user-1', tenant: 'acme', scope: 'curves:read' },
      }),
      lambdaContext(),
    );
    expect(ok.statusCode).toBe(200);
    expect((body(ok).data as unknown[]).length).toBe(2);
  });

  it('refuses a token without a tenant on tenant routes', async () => {
    const res = await handler(
      gatewayEvent('GET /v1/curves', '/v1/curves', { claims: { sub: 'machine' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(403);
  });

  it('answers a route of another domain as 404, never runs it', async () => {
    const res = await handler(
      gatewayEvent('GET /health', '/health', { claims: { sub: 'u', tenant: 'acme' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(404);
  });
});
