import { randomUUID } from 'node:crypto';
import { ANONYMOUS } from '#lib/auth/principal';
import { logger } from '#lib/observability/logger';
import { header, instanceOf } from '../event.ts';
import { type StackMiddleware, type StackRequest, startState } from '../request-state.ts';
import type { HttpRuntime } from '../runtime.ts';

/** Longest request or correlation id kept; a longer one is replaced, never cut (a cut id matches nothing). */
export const MAX_ID_LENGTH = 128;
const REQUEST_ID = /^[A-Za-z0-9._:-]+$/;
/** Printable ASCII only: no controls, no bidi overrides, nothing a log viewer renders as something else. */
const CORRELATION_ID = /^[\x21-\x7e]+$/;

/** The caller's id when it is short and plain enough to log and echo; otherwise undefined. */
export function boundedId(raw: string | undefined, pattern: RegExp = CORRELATION_ID): string | undefined {
  return raw !== undefined && raw.length <= MAX_ID_LENGTH && pattern.test(raw) ? raw : undefined;
}
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
    const requestId =
      boundedId(header(event, 'x-request-id'), REQUEST_ID) ??
      boundedId(event.requestContext?.requestId, REQUEST_ID) ??
      randomUUID();
    const correlationId = boundedId(header(event, 'x-correlation-id')) ?? requestId;
    const startedAt = Date.now();
    const remaining = request.context?.getRemainingTimeInMillis?.();
    const rt = runtime();
    const deadline =
      typeof remaining === 'number'
        ? startedAt + Math.max(remaining - rt.deadlineMarginMs, 100)
        : startedAt + rt.defaultTimeoutMs;
    startState(request, {
      requestId,
      correlationId,
      startedAt,
      deadline,
      coldStart,
      instance: instanceOf(event),
      principal: ANONYMOUS,
    });
    coldStart = false;
    logger.appendKeys({ request_id: requestId, correlation_id: correlationId });
  };
  return { before: requestContextBefore };
}
