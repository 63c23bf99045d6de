import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { forbidden, unauthorized } from '#lib/http/problem';
import { normaliseTenant, requireValidTenant } from './tenant.ts';

export interface Principal {
  subject: string;
  tenant: string | null;
  groups: string[];
  isAdmin: boolean;
  source: 'jwt' | 'dev' | 'anonymous';
}

export interface AuthSettings {
  mode: 'jwt' | 'dev';
  /** Lower-cased admin group names; empty means nobody is admin. */
  adminGroups: string[];
}

export const ANONYMOUS: Principal = Object.freeze({
  subject: 'anonymous',
  tenant: null,
  groups: [],
  isAdmin: false,
  source: 'anonymous',
}) as Principal;

export function parseGroupList(raw: string | undefined): string[] {
  if (!raw) return [];
  return [
    ...new Set(
      raw
        .split(',')
        .map((g) => g.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function authSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  return {
    mode: env.AURUM_AUTH_MODE === 'dev' ? 'dev' : 'jwt',
    adminGroups: parseGroupList(env.AURUM_API_ADMIN_GROUP),
  };
}

/**
 * HTTP API JWT authorizers flatten array claims into strings such as `[a b]`; accept that, JSON arrays,
 * comma lists and real arrays.
 */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      return text
        .slice(1, -1)
        .split(/[\s,]+/)
        .filter(Boolean);
    }
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

function tenantFromClaims(claims: Record<string, unknown>): string | null {
  for (const name of ['tenant', 'custom:tenant', 'tenant_id', 'org']) {
    const value = claims[name];
    if (typeof value === 'string' && value.trim()) return requireValidTenant(value, `token claim ${name}`);
  }
  const email = claims.email;
  if (typeof email === 'string' && email.includes('@')) {
    return normaliseTenant(email.split('@')[1]?.split('.')[0]);
  }
  return null;
}

const isAdmin = (groups: string[], settings: AuthSettings) =>
  settings.adminGroups.length > 0 && groups.some((g) => settings.adminGroups.includes(g));

type Event = Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'headers'> & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

/** The caller, from the JWT authorizer's claims in Lambda or from development headers locally. */
export function resolvePrincipal(event: Event, settings: AuthSettings): Principal {
  if (settings.mode === 'dev') {
    const headers = event.headers ?? {};
    const tenantHeader = headers['x-aurum-tenant'];
    const groups =
      headers['x-aurum-groups'] !== undefined
        ? parseGroupList(headers['x-aurum-groups'])
        : settings.adminGroups.slice(0, 1);
    return {
      subject: headers['x-aurum-user']?.trim() || 'developer',
      tenant: tenantHeader === undefined ? 'demo' : requireValidTenant(tenantHeader, 'X-Aurum-Tenant'),
      groups,
      isAdmin: isAdmin(groups, settings),
      source: 'dev',
    };
  }
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) return ANONYMOUS;
  const groups = [...claimList(claims['cognito:groups']), ...claimList(claims.groups)].map((g) =>
    g.toLowerCase(),
  );
  return {
    subject: String(claims.sub ?? 'unknown'),
    tenant: tenantFromClaims(claims),
    groups,
    isAdmin: isAdmin(groups, settings),
    source: 'jwt',
  };
}

/** Applies a route's auth rule: 401 without a principal, 403 without a tenant or the admin group. */
export function authorize(principal: Principal, rule: 'public' | 'tenant' | 'admin'): void {
  if (rule === 'public') return;
  if (principal.source === 'anonymous') throw unauthorized('A bearer token is required');
  if (rule === 'admin' && !principal.isAdmin)
    throw forbidden('admin_required: this route needs the admin group');
  if (rule === 'tenant' && principal.tenant === null) throw forbidden('The token carries no tenant');
}

/** A `tenant_id` parameter may only repeat the principal's tenant; it never switches tenants. */
export function assertSameTenant(
  principal: Principal,
  requested: string | undefined,
  field = 'tenant_id',
): void {
  if (requested === undefined || requested === '') return;
  const tenant = requireValidTenant(requested, field);
  if (principal.isAdmin && principal.tenant === null) return;
  if (tenant !== principal.tenant) throw forbidden(`${field} does not match the tenant of the caller`);
}
