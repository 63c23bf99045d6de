import { describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { routeAndPrincipal } from '#lib/http/middleware/route-and-principal';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const step = routeAndPrincipal(registry, 'curves', () =>
  testRuntime({ auth: { ...testRuntime().auth, adminGroups: ['ops'] } }),
);
type Outcome = {
  state?: ReturnType<typeof stackRequest>['internal']['aurum'];
  error?: { status: number; headers: Record<string, string> };
};
async function attempt(event: ReturnType<typeof gatewayEvent>): Promise<Outcome> {
  const request = stackRequest(event);
  try {
    await step.before!(request);
    return { state: request.internal.aurum };
  } catch (error) {
    return { error: error as Outcome['error'] };
  }
}
const reader = { sub: 'u', tenant: 'Acme', scope: 'curves:read' };

describe('route and principal', () => {
  it('resolves the route from the route key and the tenant from the token', async () => {
    const { state } = await attempt(gatewayEvent('GET /v1/curves', '/v1/curves', { claims: reader }));
    expect(state?.route?.id).toBe('listCurvesV1');
    expect(state?.principal).toMatchObject({ subject: 'u', tenant: 'acme' });
  });

  it('answers 401 without a token, 403 without a tenant, and 403 naming a missing permission', async () => {
    expect((await attempt(gatewayEvent('GET /v1/curves', '/v1/curves'))).error?.status).toBe(401);
    const noTenant = await attempt(gatewayEvent('GET /v1/curves', '/v1/curves', { claims: { sub: 'u' } }));
    expect(noTenant.error?.status).toBe(403);
    const noScope = await attempt(
      gatewayEvent('GET /v1/curves', '/v1/curves', { claims: { sub: 'u', tenant: 'a' } }),
    );
    expect(noScope.error?.status).toBe(403);
    expect(noScope.error?.headers['X-Required-Permission']).toBe('curves:read');
  });

  it('tells a wrong method (405 with Allow) from an unknown path (404), and refuses another domain’s route', async () => {
    const post = gatewayEvent('$default', '/v1/curves', { claims: reader });
    post.requestContext.http.method = 'POST';
    const refused = (await attempt(post)).error;
    expect(refused?.status).toBe(405);
    expect(refused?.headers.Allow).toBe('GET');
    expect((await attempt(gatewayEvent('$default', '/v1/nothing'))).error?.status).toBe(404);
    expect((await attempt(gatewayEvent('GET /ready', '/ready'))).error?.status).toBe(404);
  });
});
