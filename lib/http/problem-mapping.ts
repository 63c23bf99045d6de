import { CacheStoreError } from '#lib/cache/store';
import { SecretsUnavailableError } from '#lib/config/secrets';
import { DataAccessError } from '#lib/data/engine';
import {
  AnswerTooLargeError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from '#lib/errors';
import { NotReadyError } from '#lib/health/not-ready';
import { StoreConflictError } from '#lib/store/errors';
import {
  badRequest,
  gatewayTimeout,
  HttpProblem,
  internalError,
  notFound,
  serviceUnavailable,
  unprocessable,
} from './problem.ts';

// biome-ignore lint/suspicious/noExplicitAny: error classes of any constructor signature
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;
type Mapping = { kind: ErrorClass<Error>; map: (error: never) => HttpProblem };

const mappings: Mapping[] = [];

/**
 * Says which problem an error class becomes. The module that introduces an error kind registers it, so
 * lib/http needs no edit for a new one; the most recent registration of a class wins.
 */
export function registerProblem<E extends Error>(kind: ErrorClass<E>, map: (error: E) => HttpProblem): void {
  mappings.unshift({ kind, map: map as (error: never) => HttpProblem });
}

/** Maps any thrown value to an HttpProblem; unknown errors become a generic 500 that reveals nothing. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  for (const { kind, map } of mappings) if (error instanceof kind) return map(error as never);
  if (error instanceof Error && error.name === 'TimeoutError') {
    return gatewayTimeout('The request did not complete within its deadline');
  }
  return internalError(error);
}

registerProblem(InvalidInputError, (e) => badRequest(e.message, [...e.issues]));
registerProblem(UnprocessableError, (e) => unprocessable(e.message, [...e.issues]));
registerProblem(NotFoundError, (e) => notFound(e.message));
registerProblem(
  AnswerTooLargeError,
  (e) =>
    new HttpProblem(422, 'answer-too-large', 'Answer Too Large', {
      detail: e.message,
      extensions: { limit_bytes: e.limitBytes },
    }),
);
registerProblem(ConflictError, (e) => new HttpProblem(409, 'conflict', 'Conflict', { detail: e.message }));
registerProblem(NotReadyError, (e) =>
  serviceUnavailable(e.message, e.retryAfterSeconds, { extensions: { checks: e.checks } }),
);
registerProblem(DataAccessError, (e) => {
  switch (e.kind) {
    case 'timeout':
      return gatewayTimeout('The data store did not answer within the request deadline');
    case 'unavailable':
      return serviceUnavailable('The data store is unavailable; retry shortly', e.retryAfterSeconds ?? 5);
    default:
      return internalError(e);
  }
});
// After DataAccessError, so the subclass wins: a unique constraint is the caller's conflict, not a 500.
registerProblem(
  StoreConflictError,
  () =>
    new HttpProblem(409, 'conflict', 'Conflict', {
      detail: 'The record conflicts with one that already exists',
    }),
);
registerProblem(
  PreconditionFailedError,
  (e) => new HttpProblem(412, 'precondition-failed', 'Precondition Failed', { detail: e.message }),
);
registerProblem(SecretsUnavailableError, () =>
  serviceUnavailable('The service is starting and cannot read its configuration; retry shortly', 5),
);
// Reads absorb cache faults; only operations that must reach the cache (invalidation) surface them.
registerProblem(CacheStoreError, () => serviceUnavailable('The cache is unavailable; retry shortly', 5));

export function problemBody(
  problem: HttpProblem,
  instance: string,
  requestId: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...(problem.extensions ?? {}),
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail ?? problem.title,
    instance,
    request_id: requestId,
    timestamp: new Date().toISOString(),
  };
  if (problem.errors && problem.errors.length > 0) body.errors = problem.errors;
  return body;
}
