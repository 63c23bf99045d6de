import type { FlagKey } from '#lib/flags/document';
import { logger } from '#lib/observability/logger';
import { notFound, serviceUnavailable } from '../problem.ts';
import { type RequestState, type StackMiddleware, type StackRequest, stateOf } from '../request-state.ts';
import type { HttpRuntime } from '../runtime.ts';

/** A flag's answer for the caller; a flag fault never fails a request, it answers `fallback`. */
export async function flagFor(
  runtime: HttpRuntime,
  s: RequestState,
  key: FlagKey,
  fallback = true,
): Promise<boolean> {
  if (!runtime.flags) return fallback;
  try {
    return await runtime.flags.isEnabled(key, {
      tenant: s.principal.tenant ?? undefined,
      user: s.principal.subject,
    });
  } catch (error) {
    logger.warn('flag evaluation failed; using the default (on)', { flag: key, error: String(error) });
    return fallback;
  }
}

/** Step 4: the route's gate flag. Off is a 404 (or the route's declared 503). */
export function featureFlag(runtime: () => HttpRuntime): StackMiddleware {
  const featureFlagBefore = async (request: StackRequest) => {
    const s = stateOf(request);
    const flag = s.route?.flag;
    if (!flag || (await flagFor(runtime(), s, flag.key))) return;
    if (flag.whenOff === 'unavailable') throw serviceUnavailable('This feature is currently disabled');
    throw notFound(`No route matches ${s.route?.method} ${request.event.rawPath}`);
  };
  return { before: featureFlagBefore };
}
