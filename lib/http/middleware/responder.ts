import { randomUUID } from 'node:crypto';
import { logger } from '#lib/observability/logger';
import { flushMetrics } from '#lib/observability/metrics';
import { instanceOf } from '../event.ts';
import { problemBody, toProblem } from '../problem-mapping.ts';
import { renderProblem, renderResult, sendRendered } from '../render.ts';
import {
  type RequestState,
  type StackMiddleware,
  type StackRequest,
  stateIfAny,
  stateOf,
} from '../request-state.ts';
import { routeKey } from '../route.ts';
import type { HttpRuntime } from '../runtime.ts';

function logAccess(s: RequestState, status: number): void {
  logger.info('request completed', {
    route: s.route ? routeKey(s.route) : undefined,
    status,
    duration_ms: Date.now() - s.startedAt,
    cold_start: s.coldStart,
    cache: s.cacheStatus,
  });
  logger.resetKeys();
}

/**
 * Steps 8 and 9, used first so it runs last: the route's result as the HTTP answer (envelope, ETag/304,
 * Cache-Control, compression), and every error as problem+json that reveals nothing internal.
 */
export function responder(runtime: () => HttpRuntime): StackMiddleware {
  const responderAfter = (request: StackRequest) => {
    const s = stateOf(request);
    request.response = s.answer
      ? sendRendered(request.event, s.answer, runtime())
      : renderResult(request.event, s, s.result!, runtime());
    logAccess(s, request.response.statusCode ?? 200);
    // The request's one EMF document (a 304 included), or none when nothing was counted.
    flushMetrics();
  };
  const responderOnError = (request: StackRequest) => {
    const s = stateIfAny(request);
    const problem = toProblem(request.error);
    if (problem.status >= 500) {
      logger.error('request failed', { error: request.error as Error, status: problem.status });
    }
    const requestId = s?.requestId ?? request.event.requestContext?.requestId ?? randomUUID();
    request.response = renderProblem(
      request.event,
      s,
      problem,
      problemBody(problem, s?.instance ?? instanceOf(request.event), requestId),
      runtime(),
    );
    if (s) logAccess(s, problem.status);
    // Also when the request failed before it had a state: what was counted still leaves, once.
    flushMetrics();
  };
  return { after: responderAfter, onError: responderOnError };
}
