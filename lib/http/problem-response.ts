import { CacheStoreError } from '#lib/cache/store';
import { SecretsUnavailableError } from '#lib/config/secrets';
import { DataAccessError } from '#lib/data/engine';
import { gatewayTimeout, HttpProblem, internalError, serviceUnavailable } from './problem.ts';

/** Maps any thrown value to an HttpProblem; unknown errors become a generic 500 that reveals nothing. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DataAccessError) {
    switch (error.kind) {
      case 'timeout':
        return gatewayTimeout('The data store did not answer within the request deadline');
      case 'unavailable':
        return serviceUnavailable(
          'The data store is unavailable; retry shortly',
          error.retryAfterSeconds ?? 5,
        );
      default:
        return internalError(error);
    }
  }
  if (error instanceof SecretsUnavailableError) {
    return serviceUnavailable('The service is starting and cannot read its configuration; retry shortly', 5);
  }
  if (error instanceof CacheStoreError) {
    // Reads absorb cache faults; only operations that must reach the cache (invalidation) surface them.
    return serviceUnavailable('The cache is unavailable; retry shortly', 5);
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return gatewayTimeout('The request did not complete within its deadline');
  }
  return internalError(error);
}

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
