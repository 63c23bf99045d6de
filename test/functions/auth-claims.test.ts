import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { PERMISSIONS } from '#lib/auth/permissions';
import type { GatewayResult } from '#lib/http/event';
import type { RouteSpec } from '#lib/http/route';
import { gatewayEvent, lambdaContext } from '#test/support/events';

// As deployed: API Gateway's JWT authorizer verified the token and hands the claims over flattened, every
// value a string and arrays as `[a b]`; the handler maps them with the same builder as the local path.
process.env.AURUM_AUTH_MODE = 'jwt';
process.env.AURUM_API_ADMIN_GROUP = 'aurum-admins';
process.env.AURUM_GROUP_PERMISSIONS = 'analysts=curves:read metadata:read';
process.env.AURUM_API_RATE_LIMIT_RPS = '100000';

type Handler = (
  event: ReturnType<typeof gatewayEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<GatewayResult>;
const handlers: Record<string, Handler> = {};
beforeAll(async () => {
  for (const domain of registry.domains) {
    handlers[domain] = ((await import(`#functions/${domain}/handler`)) as { handler: Handler }).handler;
  }
});

const curves = (claims: Record<string, string>, query: Record<string, string> = {}) =>
  handlers.curves!(
    gatewayEvent('GET /v1/curves', '/v1/curves', { query: { limit: '2', ...query }, claims }),
    lambdaContext(),
  );
const problem = (res: GatewayResult) => {
  expect(res.headers?.['Content-Type']).toBe('application/problem+json');
  return JSON.parse(res.body) as { status: number; detail: string };
};

describe('the claims matrix through the Lambda handler (API Gateway v2 events)', () => {
  const forbidden: [string, Record<string, string>][] = [
    ['no tenant claim', { sub: 'u', scope: 'curves:read' }],
    ['tenant claim empty', { sub: 'u', tenant: '', scope: 'curves:read' }],
    [
      'tenant claim an array, as API Gateway flattens it',
      { sub: 'u', tenant: '[acme globex]', scope: 'curves:read' },
    ],
    ['tenant claim non-ASCII', { sub: 'u', tenant: 'acme\u212A', scope: 'curves:read' }],
    ['tenant claim over-long', { sub: 'u', tenant: 'a'.repeat(65), scope: 'curves:read' }],
    ['tenant only in email', { sub: 'u', email: 'ana@acme.evil.io', scope: 'curves:read' }],
    ['tenant only in custom:tenant', { sub: 'u', 'custom:tenant': 'acme', scope: 'curves:read' }],
  ];
  for (const [name, claims] of forbidden) {
    it(`${name}: 403`, async () => {
      const res = await curves(claims);
      expect(res.statusCode).toBe(403);
      expect(problem(res).detail).toMatch(/tenant/);
    });
  }

  it('a tenant from a configured claim, and only from it', async () => {
    process.env.AURUM_TENANT_CLAIM = 'custom:tenant';
    try {
      // The runtime reads the environment once per container; a fresh module graph sees the new claim.
      const { createCurvesHandler } = await import('#functions/curves/handler');
      const { runtimeFromEnv } = await import('#lib/http/runtime');
      const handler = createCurvesHandler({ runtime: () => runtimeFromEnv() });
      const call = (claims: Record<string, string>) =>
        handler(gatewayEvent('GET /v1/curves', '/v1/curves', { claims }), lambdaContext());
      expect((await call({ sub: 'u', 'custom:tenant': 'acme', scope: 'curves:read' })).statusCode).not.toBe(
        403,
      );
      expect((await call({ sub: 'u', tenant: 'acme', scope: 'curves:read' })).statusCode).toBe(403);
    } finally {
      delete process.env.AURUM_TENANT_CLAIM;
    }
  });

  it('a valid token without the permission: 403 with X-Required-Permission', async () => {
    const res = await curves({ sub: 'u', tenant: 'acme', scope: 'metadata:read' });
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['X-Required-Permission']).toBe('curves:read');
    expect(problem(res).detail).toBe('This route requires the curves:read permission');
  });

  it('with the permission from scope, or from a flattened group list: 200', async () => {
    const byScope = await curves({ sub: 'u', tenant: 'ACME', scope: 'openid curves:read' });
    expect(byScope.statusCode).toBe(200);
    expect((JSON.parse(byScope.body) as { data: unknown[] }).data).toHaveLength(2);
    const byGroup = await curves({ sub: 'u', tenant: 'acme', 'cognito:groups': '[viewers analysts]' });
    expect(byGroup.statusCode).toBe(200);
  });

  it('admin routes: the admin group passes, a reader is refused', async () => {
    const call = (claims: Record<string, string>) =>
      handlers.admin!(gatewayEvent('GET /v2/admin/flags', '/v2/admin/flags', { claims }), lambdaContext());
    expect((await call({ sub: 'u', tenant: 'acme', scope: 'curves:read' })).statusCode).toBe(403);
    expect((await call({ sub: 'ops', 'cognito:groups': '[aurum-admins]' })).statusCode).toBe(200);
  });
});

const TENANT = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
/**
 * The other tenant, whose id must never come back: prefixed, so it cannot also be a word of the public
 * reference data an answer may carry (a tenant named `t` is every answer listing the unit `t`).
 */
const OTHER_TENANT = TENANT.map((t) => `other-${t}`);
const PATH_VALUES: Record<string, string> = {
  curve_id: 'PJM_WEST_ON',
  scenario_id: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  scope: 'units',
};
/** Values for the required query parameters of every route, so a request is refused for its tenant, not its form. */
const REQUIRED_QUERY = { from_timestamp: '2024-01-01', to_timestamp: '2024-01-02' };
const tenantRoutes = registry.routes.filter((r) => r.auth !== 'public').map((r) => r.id);

function eventFor(route: RouteSpec, claims: Record<string, string>, other: string) {
  const pathParameters: Record<string, string> = {};
  const rawPath = route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    pathParameters[name] = PATH_VALUES[name] ?? 'x';
    return pathParameters[name]!;
  });
  return gatewayEvent(`${route.method} ${route.path}`, rawPath, {
    query: { ...(route.warm?.[0] ?? {}), ...REQUIRED_QUERY, tenant_id: other, limit: '2' },
    claims,
    pathParameters,
  });
}

const takesTenantId = (route: RouteSpec) => Boolean(route.request?.query?.shape?.tenant_id);

describe('property: a token of one tenant never reads or writes another’s records', () => {
  it('for any two tenants and any route, naming the other tenant is refused and nothing of it comes back', async () => {
    const everyPermission = PERMISSIONS.filter((p) => p !== 'admin').join(' ');
    await fc.assert(
      fc.asyncProperty(
        TENANT,
        OTHER_TENANT,
        fc.constantFrom(...tenantRoutes),
        fc.boolean(),
        async (mine, theirs, id, admin) => {
          fc.pre(mine !== theirs);
          const route = registry.routes.find((r) => r.id === id)!;
          const claims: Record<string, string> = {
            sub: 'u',
            tenant: mine,
            ...(admin ? { 'cognito:groups': '[aurum-admins]' } : { scope: everyPermission }),
          };
          const res = await handlers[route.domain]!(eventFor(route, claims, theirs), lambdaContext());
          if (takesTenantId(route) || (route.auth === 'admin' && !admin)) expect(res.statusCode).toBe(403);
          if (res.statusCode < 400 && route.domain !== 'admin')
            expect(res.body ?? '').not.toContain(`"${theirs}"`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
