import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { forbidden, HttpProblem, serviceUnavailable } from '#lib/http/problem';
import { logger } from '#lib/observability/logger';
import type { JwksSource, JwtVerifier } from './jwt.ts';
import {
  type GroupPermissions,
  PERMISSIONS,
  type Permission,
  parseGroupPermissions,
  permissionsOf,
} from './permissions.ts';
import { requireValidTenant, tenantFromClaim } from './tenant.ts';
import { TokenRejected } from './token-rejected.ts';

export { type Permission, requirePermission } from './permissions.ts';

export interface Principal {
  subject: string;
  tenant: string | null;
  groups: string[];
  isAdmin: boolean;
  source: 'jwt' | 'dev' | 'anonymous';
  /** From the token's `scope` and the group map; `admin` brings every permission. */
  permissions?: Permission[];
}

export interface AuthSettings {
  mode: 'jwt' | 'dev';
  /** Lower-cased admin group names; empty means nobody is admin. */
  adminGroups: string[];
  /** `AURUM_TENANT_CLAIM`: the one claim the tenant is read from (default `tenant`). */
  tenantClaim?: string;
  /** `AURUM_GROUP_PERMISSIONS`: what members of each group may do. */
  groupPermissions?: GroupPermissions;
  /** `AURUM_SCOPE_PREFIX`: scopes count only with this prefix (a Cognito resource server's `aurum-api/`). */
  scopePrefix?: string;
  /**
   * Token checks in this process, for where no API Gateway authorizer runs (the local gateway): the
   * JWKS (`AURUM_JWKS_FILE` or `AURUM_JWKS_URL`), `AURUM_JWT_ISSUER`, `AURUM_JWT_AUDIENCE`.
   */
  jwt?: { jwks: JwksSource; issuer: string; audience: string[] };
}

export const DEFAULT_TENANT_CLAIM = 'tenant';

export const ANONYMOUS: Principal = Object.freeze({
  subject: 'anonymous',
  tenant: null,
  groups: [],
  isAdmin: false,
  source: 'anonymous',
  permissions: [],
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

function jwtSettingsFromEnv(env: NodeJS.ProcessEnv): AuthSettings['jwt'] {
  const file = env.AURUM_JWKS_FILE?.trim();
  const url = env.AURUM_JWKS_URL?.trim();
  if (!file && !url) return undefined;
  const issuer = env.AURUM_JWT_ISSUER?.trim();
  const audience = (env.AURUM_JWT_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!issuer || audience.length === 0)
    throw new Error('AURUM_JWKS_FILE/AURUM_JWKS_URL need AURUM_JWT_ISSUER and AURUM_JWT_AUDIENCE as well');
  return { jwks: url ? { url } : { file: file! }, issuer, audience };
}

export function authSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const mode = env.AURUM_AUTH_MODE === 'dev' ? 'dev' : 'jwt';
  const jwt = mode === 'jwt' ? jwtSettingsFromEnv(env) : undefined;
  return {
    mode,
    adminGroups: parseGroupList(env.AURUM_API_ADMIN_GROUP),
    tenantClaim: env.AURUM_TENANT_CLAIM?.trim() || DEFAULT_TENANT_CLAIM,
    groupPermissions: parseGroupPermissions(env.AURUM_GROUP_PERMISSIONS),
    scopePrefix: env.AURUM_SCOPE_PREFIX?.trim() ?? '',
    ...(jwt ? { jwt } : {}),
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

/**
 * The one principal builder, for API Gateway's authorizer claims and for claims this process verified
 * itself: subject, the tenant from its one claim (no fallback to e-mail or anything else), groups, and
 * permissions from `scope` and the group map. A tenant claim that is present but not a valid tenant is a 403.
 */
export function principalFromClaims(claims: Record<string, unknown>, settings: AuthSettings): Principal {
  const claim = settings.tenantClaim ?? DEFAULT_TENANT_CLAIM;
  const tenant = claims[claim] === undefined ? null : tenantFromClaim(claims, claim);
  const groups = [...claimList(claims['cognito:groups']), ...claimList(claims.groups)].map((g) =>
    g.toLowerCase(),
  );
  const permissions = permissionsOf(typeof claims.scope === 'string' ? claimList(claims.scope) : [], groups, {
    scopePrefix: settings.scopePrefix,
    groupPermissions: settings.groupPermissions,
    adminGroups: settings.adminGroups,
  });
  return {
    subject: typeof claims.sub === 'string' && claims.sub ? claims.sub : 'unknown',
    tenant,
    groups,
    isAdmin: permissions.includes('admin'),
    source: 'jwt',
    permissions,
  };
}

type Event = Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'headers'> & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};

function devPrincipal(event: Event, settings: AuthSettings): Principal {
  const headers = event.headers ?? {};
  const tenantHeader = headers['x-aurum-tenant'];
  const groups =
    headers['x-aurum-groups'] !== undefined
      ? parseGroupList(headers['x-aurum-groups'])
      : settings.adminGroups.slice(0, 1);
  const isAdmin = settings.adminGroups.length > 0 && groups.some((g) => settings.adminGroups.includes(g));
  return {
    subject: headers['x-aurum-user']?.trim() || 'developer',
    tenant: tenantHeader === undefined ? 'demo' : requireValidTenant(tenantHeader, 'X-Aurum-Tenant'),
    groups,
    isAdmin,
    source: 'dev',
    // Development callers may do everything but admin, which still follows the admin group.
    permissions: PERMISSIONS.filter((p) => p !== 'admin' || isAdmin),
  };
}

/** The caller, from the JWT authorizer's claims in Lambda or from development headers locally. */
export function resolvePrincipal(event: Event, settings: AuthSettings): Principal {
  if (settings.mode === 'dev') return devPrincipal(event, settings);
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) return ANONYMOUS;
  return principalFromClaims(claims, settings);
}

/** RFC 6750: no credentials is a bare challenge; a token that fails its checks says `invalid_token`. */
export const missingToken = () =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', {
    detail: 'A bearer token is required',
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

export const invalidToken = () =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', {
    detail: 'The bearer token is not valid',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });

function bearerToken(event: Event): string | undefined {
  const value = event.headers?.authorization ?? event.headers?.Authorization;
  if (value === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(value);
  // An Authorization header that is not a bearer token is a token that was sent and is bad.
  if (!match) throw invalidToken();
  return match[1];
}

/**
 * `resolvePrincipal`, and where no authorizer has verified the token (the local gateway in jwt mode with a
 * JWKS configured), verifies the bearer token here and builds the principal from its claims.
 */
export async function resolvePrincipalVerified(
  event: Event,
  settings: AuthSettings,
  verifier?: JwtVerifier,
): Promise<Principal> {
  if (settings.mode === 'dev' || event.requestContext.authorizer?.jwt?.claims || !settings.jwt)
    return resolvePrincipal(event, settings);
  const token = bearerToken(event);
  if (token === undefined) return ANONYMOUS;
  // jose loads with the first token this code verifies: behind API Gateway's authorizer that is never.
  const v = verifier ?? (await import('./jwt.ts')).verifierFor(settings.jwt);
  let claims: Record<string, unknown>;
  try {
    claims = await v.verify(token);
  } catch (error) {
    if (error instanceof TokenRejected) {
      logger.info('bearer token rejected', { reason: error.message });
      throw invalidToken();
    }
    logger.error('the JWKS could not be read', { error: String(error) });
    throw serviceUnavailable('Tokens cannot be checked right now', 5);
  }
  return principalFromClaims(claims, settings);
}

/** Applies a route's auth rule: 401 without a principal, 403 without a tenant or the admin group. */
export function authorize(principal: Principal, rule: 'public' | 'tenant' | 'admin'): void {
  if (rule === 'public') return;
  if (principal.source === 'anonymous') throw missingToken();
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
