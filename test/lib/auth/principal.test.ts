import { describe, expect, it } from 'vitest';
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

  it('falls back to the email domain for the tenant', () => {
    expect(resolvePrincipal(event({ sub: 'u', email: 'ana@globex.com' }), jwt).tenant).toBe('globex');
  });

  it('is anonymous without claims: 401 on tenant routes, fine on public ones', () => {
    const p = resolvePrincipal(event(), jwt);
    expect(p.source).toBe('anonymous');
    expect(status(() => authorize(p, 'tenant'))).toBe(401);
    expect(status(() => authorize(p, 'public'))).toBe(0);
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
