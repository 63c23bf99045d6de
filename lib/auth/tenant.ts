import { type FieldError, HttpProblem } from '#lib/http/problem';

/**
 * The shape is checked on the text as given (ASCII only, either case) and only then lower-cased, so a
 * character that folds into ASCII (the Kelvin sign `K` → `k`, dotted `İ`) can never pass as a tenant.
 */
const TENANT_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Trims and lower-cases a tenant id; returns null when it is not a valid tenant. */
export function normaliseTenant(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const value = raw.trim();
  return TENANT_SHAPE.test(value) ? value.toLowerCase() : null;
}

export function requireValidTenant(raw: string, field: string): string {
  const tenant = normaliseTenant(raw);
  if (tenant === null) {
    const error: FieldError = {
      field,
      code: 'invalid_tenant',
      message: 'must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
    };
    throw new HttpProblem(400, 'validation-error', 'Validation Error', {
      detail: `Invalid tenant in ${field}`,
      errors: [error],
    });
  }
  return tenant;
}

/**
 * The tenant from a token's claim. A caller cannot fix a token by changing a parameter, so anything but
 * a valid tenant string is a 403, and the value is never echoed back. Untrimmed: a token is not typed by hand.
 */
export function tenantFromClaim(claims: Record<string, unknown>, claim: string): string {
  const value = claims[claim];
  if (value === undefined || value === null) throw tenantForbidden('The token carries no tenant claim');
  if (typeof value !== 'string' || !TENANT_SHAPE.test(value))
    throw tenantForbidden('The tenant claim of the token is not a valid tenant');
  return value.toLowerCase();
}

export const tenantForbidden = (detail: string) =>
  new HttpProblem(403, 'forbidden', 'Forbidden Error', { detail });
