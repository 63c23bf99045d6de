import { type FieldError, HttpProblem } from '#lib/http/problem';

const TENANT_SHAPE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Trims and lower-cases a tenant id; returns null when it is not a valid tenant. */
export function normaliseTenant(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const value = raw.trim().toLowerCase();
  return TENANT_SHAPE.test(value) ? value : null;
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
