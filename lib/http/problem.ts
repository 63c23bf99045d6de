/**
 * Errors are values with a status and a problem type; `toProblem` (in problem-mapping.ts) is the
 * one place that turns them into RFC 7807 bodies.
 */
export interface FieldError {
  field: string;
  message: string;
  code?: string;
  value?: unknown;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members placed on the problem body (for example `checks` on a readiness failure). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export const PROBLEM_BASE = 'https://api.aurum.dev/problems/';

export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(status: number, slug: string, title: string, options: ProblemOptions = {}) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions;
  }

  get type(): string {
    return this.slug === 'about:blank' ? 'about:blank' : `${PROBLEM_BASE}${this.slug}`;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'validation-error', 'Validation Error', { detail, errors });

export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(422, 'validation-error', 'Validation Error', { detail, errors });

export const unauthorized = (detail: string) =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', {
    detail,
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden Error', { detail });

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not Found Error', { detail });

export const methodNotAllowed = (detail: string, allow: string[]) =>
  new HttpProblem(405, 'method-not-allowed', 'Method Not Allowed', {
    detail,
    headers: { Allow: allow.join(', ') },
  });

export const tooManyRequests = (
  detail: string,
  retryAfterSeconds: number,
  headers: Record<string, string> = {},
) =>
  new HttpProblem(429, 'rate-limited', 'Too Many Requests', {
    detail,
    headers: { ...headers, 'Retry-After': String(retryAfterSeconds) },
  });

export const serviceUnavailable = (
  detail: string,
  retryAfterSeconds?: number,
  options: ProblemOptions = {},
) =>
  new HttpProblem(503, 'service-unavailable', 'Service Unavailable Error', {
    ...options,
    detail,
    headers: {
      ...(options.headers ?? {}),
      ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }),
    },
  });

export const gatewayTimeout = (detail: string) =>
  new HttpProblem(504, 'request-timeout', 'Request Timeout', { detail });

/** A 500 whose detail is always the generic sentence: internal messages never reach the client. */
export const internalError = (cause?: unknown) =>
  new HttpProblem(500, 'about:blank', 'Internal Server Error', {
    detail: 'An unexpected error occurred',
    cause,
  });
