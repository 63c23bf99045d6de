import { logger } from '#lib/observability/logger';
import { tooManyRequests } from '../problem.ts';
import { type StackMiddleware, type StackRequest, stateOf } from '../request-state.ts';
import { type HttpRuntime, type RateLimitDecision, rateLimitHeaders } from '../runtime.ts';

/** Step 3: the caller's token bucket (per tenant, else per subject); a limiter fault lets the request through. */
export function rateLimit(runtime: () => HttpRuntime): StackMiddleware {
  const rateLimitBefore = async (request: StackRequest) => {
    const s = stateOf(request);
    const limiter = runtime().limiter;
    if (!limiter || !s.route || s.route.auth === 'public') return;
    const identity = s.principal.tenant ? `tenant:${s.principal.tenant}` : `sub:${s.principal.subject}`;
    let decision: RateLimitDecision;
    try {
      decision = await limiter.check(
        identity,
        s.route.path,
        s.principal.tenant ?? undefined,
        s.route.rateLimit,
      );
    } catch (error) {
      logger.warn('rate limiter failed; allowing the request', { error: String(error) });
      return;
    }
    s.rateLimit = decision;
    if (!decision.allowed) {
      throw tooManyRequests(
        'Rate limit exceeded for this tenant; retry after the reset',
        Math.max(1, decision.resetSeconds),
        rateLimitHeaders(decision),
      );
    }
  };
  return { before: rateLimitBefore };
}
