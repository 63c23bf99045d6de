import { describe, expect, it } from 'vitest';
import { parseGroupPermissions, requirePermission } from '#lib/auth/permissions';
import { assertSameTenant, authorize, parseGroupList, resolvePrincipal } from '#lib/auth/principal';
import { normaliseTenant } from '#lib/auth/tenant';
import type { HttpProblem } from '#lib/http/problem';

const jwt = { mode: 'jwt' as const, adminGroups: ['aurum-admins'] };
const event = (claims?: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  headers,
  requestContext: claims ? { authorizer: { jwt: { claims } } } : {},
});

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as HttpProblem).status;
  }
  return 0;
};

describe('tenant normalisation', () => {
  it('trims and lower-cases, and refuses what is not a tenant', () => {
    expect(normaliseTenant(' Tenant-ABC ')).toBe('tenant-abc');
    expect(normaliseTenant('bad tenant!')).toBeNull();
    expect(normaliseTenant('-leading')).toBeNull();
    expect(normaliseTenant('a'.repeat(65))).toBeNull();
    expect(normaliseTenant('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('checks the shape before folding case: the Kelvin sign never becomes k', () => {
    expect('\u212A'.toLowerCase()).toBe('k');
    expect(normaliseTenant('\u212Aelvin')).toBeNull();
    expect(normaliseTenant('acme\u0130')).toBeNull();
  });
});

describe('admin groups', () => {
  it('parses a comma list, trimmed and lower-cased', () => {
    expect(parseGroupList('TeamA, TeamB  ')).toEqual(['teama', 'teamb']);
    expect(parseGroupList('')).toEqual([]);
  });

  it('makes nobody admin when no group is configured', () => {
    const p = resolvePrincipal(event({ sub: 'u', tenant: 'acme', 'cognito:groups': '[admins]' }), {
      mode: 'jwt',
      adminGroups: [],
    });
    expect(p.isAdmin).toBe(false);
    expect(status(() => authorize(p, 'admin'))).toBe(403);
  });
});

describe('principal from JWT claims', () => {
  it('reads tenant and groups, including the flattened array form HTTP APIs pass', () => {
    const p = resolvePrincipal(
      event({ sub: 'u1', tenant: 'ACME', 'cognito:groups': '[aurum-admins analysts]' }),
      jwt,
    );
    expect(p).toMatchObject({
      subject: 'u1',
      tenant: 'acme',
      groups: ['aurum-admins', 'analysts'],
      isAdmin: true,
      source: 'jwt',
    });
  });

  it('never takes the tenant from the e-mail domain, org or tenant_id claims', () => {
    for (const claims of [
      { sub: 'u', email: 'ana@globex.com' },
      { sub: 'u', email: 'attacker@acme.evil.io', org: 'acme', tenant_id: 'acme', 'custom:tenant': 'acme' },
    ]) {
      const p = resolvePrincipal(event(claims), jwt);
      expect(p.tenant).toBeNull();
      expect(status(() => authorize(p, 'tenant'))).toBe(403);
    }
  });

  it('is anonymous without claims: 401 on tenant routes, fine on public ones', () => {
    const p = resolvePrincipal(event(), jwt);
    expect(p.source).toBe('anonymous');
    expect(status(() => authorize(p, 'tenant'))).toBe(401);
    expect(status(() => authorize(p, 'public'))).toBe(0);
  });

  it('refuses a tenant claim that is present but not a tenant with 403, without echoing it', () => {
    for (const tenant of ['', ' acme', '[acme globex]', 'acme\u212A', 'a'.repeat(65), 42, ['acme'], null]) {
      let problem: HttpProblem | undefined;
      try {
        resolvePrincipal(event({ sub: 'u', tenant }), jwt);
      } catch (e) {
        problem = e as HttpProblem;
      }
      expect(problem?.status, JSON.stringify(tenant)).toBe(403);
      if (typeof tenant === 'string' && tenant.length > 2) expect(problem?.detail).not.toContain(tenant);
    }
  });

  it('reads the tenant from the configured claim only', () => {
    const settings = { ...jwt, tenantClaim: 'custom:tenant' };
    expect(resolvePrincipal(event({ sub: 'u', 'custom:tenant': 'Acme' }), settings).tenant).toBe('acme');
    expect(resolvePrincipal(event({ sub: 'u', tenant: 'acme' }), settings).tenant).toBeNull();
  });

  it('ignores development headers outside dev mode', () => {
    const p = resolvePrincipal(
      event({ sub: 'u', tenant: 'acme' }, { 'x-aurum-tenant': 'globex', 'x-aurum-groups': 'aurum-admins' }),
      jwt,
    );
    expect(p.tenant).toBe('acme');
    expect(p.isAdmin).toBe(false);
  });
});

describe('development principal', () => {
  const dev = { mode: 'dev' as const, adminGroups: ['aurum-admins'] };
  it('defaults to tenant demo in the admin group', () => {
    expect(resolvePrincipal(event(), dev)).toMatchObject({ tenant: 'demo', isAdmin: true, source: 'dev' });
  });
  it('takes tenant and groups from headers', () => {
    const p = resolvePrincipal(
      event(undefined, { 'x-aurum-tenant': 'Acme', 'x-aurum-groups': 'analysts' }),
      dev,
    );
    expect(p).toMatchObject({ tenant: 'acme', isAdmin: false });
  });
  it('refuses an invalid tenant header with 400', () => {
    expect(status(() => resolvePrincipal(event(undefined, { 'x-aurum-tenant': 'bad tenant!' }), dev))).toBe(
      400,
    );
  });
});

describe('tenant_id parameter', () => {
  const p = resolvePrincipal(event({ sub: 'u', tenant: 'acme' }), jwt);
  it('may repeat the tenant, never switch it', () => {
    expect(status(() => assertSameTenant(p, 'ACME'))).toBe(0);
    expect(status(() => assertSameTenant(p, 'globex'))).toBe(403);
    expect(status(() => assertSameTenant(p, 'bad tenant!'))).toBe(400);
    expect(status(() => assertSameTenant(p, undefined))).toBe(0);
  });
});

describe('permissions', () => {
  const settings = {
    ...jwt,
    groupPermissions: parseGroupPermissions(
      'analysts=curves:read metadata:read; modellers=scenarios:read,scenarios:run',
    ),
    scopePrefix: 'aurum-api/',
  };
  it('come from prefixed scopes and the group map; admin brings every one', () => {
    const p = resolvePrincipal(
      event({
        sub: 'u',
        tenant: 'acme',
        scope: 'openid aurum-api/ppa:read other-api/admin curves:write',
        groups: '[Analysts]',
      }),
      settings,
    );
    expect(p.permissions).toEqual(['curves:read', 'metadata:read', 'ppa:read']);
    expect(p.isAdmin).toBe(false);
    const admin = resolvePrincipal(event({ sub: 'u', 'cognito:groups': '[aurum-admins]' }), settings);
    expect(admin.isAdmin).toBe(true);
    expect(admin.permissions).toContain('scenarios:delete');
  });

  it('a missing one is a 403 naming it in X-Required-Permission', () => {
    const p = resolvePrincipal(event({ sub: 'u', tenant: 'acme', scope: 'aurum-api/curves:read' }), settings);
    expect(() => requirePermission(p, 'curves:read')).not.toThrow();
    let problem: HttpProblem | undefined;
    try {
      requirePermission(p, 'scenarios:write');
    } catch (e) {
      problem = e as HttpProblem;
    }
    expect(problem?.status).toBe(403);
    expect(problem?.headers['X-Required-Permission']).toBe('scenarios:write');
  });

  it('the group map refuses unknown permissions and malformed entries', () => {
    expect(() => parseGroupPermissions('analysts=curves:raed')).toThrow(/unknown permission "curves:raed"/);
    expect(() => parseGroupPermissions('analysts')).toThrow(/not group=permission/);
    expect(parseGroupPermissions(' a = curves:read ;; A=ppa:read')).toEqual({
      a: ['curves:read', 'ppa:read'],
    });
  });

  it('the development principal holds every permission, admin only with the admin group', () => {
    const dev = { mode: 'dev' as const, adminGroups: ['aurum-admins'] };
    expect(resolvePrincipal(event(), dev).permissions).toContain('admin');
    const analyst = resolvePrincipal(event(undefined, { 'x-aurum-groups': 'analysts' }), dev);
    expect(analyst.permissions).toContain('scenarios:delete');
    expect(analyst.permissions).not.toContain('admin');
  });
});

describe('every route that needs a token declares its permission', () => {
  it('in the registry', async () => {
    const { registry } = await import('#functions/registry');
    for (const route of registry.routes) {
      if (route.auth === 'public') expect(route.permission, route.id).toBeUndefined();
      else if (route.auth === 'admin') expect(route.permission, route.id).toBe('admin');
      else expect(route.permission, route.id).toBeDefined();
    }
  });
});
