import { describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { routeAndPrincipal } from '#lib/http/middleware/route-and-principal';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const step = routeAndPrincipal(registry, 'curves', () =>
  testRuntime({ auth: { mode: 'jwt', adminGroups: ['ops'] } }),
);
const attempt = (event: ReturnType<typeof gatewayEvent>) => {
  const request = stackRequest(event);
  try {
    step.before!(request);
    return { state: request.internal.aurum! };
  } catch (error) {
    return { error: error as { status: number; headers: Record<string, string> } };
  }
};

describe('route and principal', () => {
  it('resolves the route from the route key and the tenant from the token', () => {
    const { state } = attempt(
      gatewayEvent('GET /v1/curves', '/v1/curves', { claims: { sub: 'u', tenant: 'Acme' } }),
    );
    expect(state?.route?.id).toBe('listCurvesV1');
    expect(state?.principal).toMatchObject({ subject: 'u', tenant: 'acme' });
  });

  it('answers 401 without a token and 403 with a token that has no tenant', () => {
    expect(attempt(gatewayEvent('GET /v1/curves', '/v1/curves')).error?.status).toBe(401);
    expect(
      attempt(gatewayEvent('GET /v1/curves', '/v1/curves', { claims: { sub: 'u' } })).error?.status,
    ).toBe(403);
  });

  it('tells a wrong method (405 with Allow) from an unknown path (404), and refuses another domain’s route', () => {
    const wrong = attempt(gatewayEvent('$default', '/v1/curves', { claims: { sub: 'u', tenant: 'a' } }));
    expect(wrong.error?.status).toBeUndefined();
    const post = gatewayEvent('$default', '/v1/curves');
    post.requestContext.http.method = 'POST';
    const refused = attempt(post).error;
    expect(refused?.status).toBe(405);
    expect(refused?.headers.Allow).toBe('GET');
    expect(attempt(gatewayEvent('$default', '/v1/nothing')).error?.status).toBe(404);
    expect(attempt(gatewayEvent('GET /ready', '/ready')).error?.status).toBe(404);
  });
});
