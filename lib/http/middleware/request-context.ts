import { randomUUID } from 'node:crypto';
import { ANONYMOUS } from '#lib/auth/principal';
import { logger } from '#lib/observability/logger';
import { header, instanceOf } from '../event.ts';
import { type StackMiddleware, type StackRequest, startState } from '../request-state.ts';
import type { HttpRuntime } from '../runtime.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
let coldStart = true;

/**
 * Step 1: the request's ids, start time, deadline and logger keys. Secrets fill the environment the runtime
 * is built from, so they are loaded first (once per container).
 */
export function requestContext(
  runtime: () => HttpRuntime,
  secretsLoaded: () => Promise<void>,
): StackMiddleware {
  const requestContextBefore = async (request: StackRequest) => {
    await secretsLoaded();
    const event = request.event;
    const incoming = header(event, 'x-request-id');
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : (event.requestContext?.requestId ?? randomUUID());
    const correlation = header(event, 'x-correlation-id');
    const startedAt = Date.now();
    const remaining = request.context?.getRemainingTimeInMillis?.();
    const rt = runtime();
    const deadline =
      typeof remaining === 'number'
        ? startedAt + Math.max(remaining - rt.deadlineMarginMs, 100)
        : startedAt + rt.defaultTimeoutMs;
    startState(request, {
      requestId,
      correlationId: correlation && correlation.length <= 128 ? correlation : requestId,
      startedAt,
      deadline,
      coldStart,
      instance: instanceOf(event),
      principal: ANONYMOUS,
    });
    coldStart = false;
    logger.appendKeys({ request_id: requestId, correlation_id: correlation ?? requestId });
  };
  return { before: requestContextBefore };
}
