import { ANONYMOUS, authorize, requirePermission, resolvePrincipalVerified } from '#lib/auth/principal';
import { logger } from '#lib/observability/logger';
import { methodNotAllowed, notFound } from '../problem.ts';
import type { RouteRegistry } from '../registry.ts';
import { type StackMiddleware, type StackRequest, stateOf } from '../request-state.ts';
import type { HttpRuntime } from '../runtime.ts';

let devModeAnnounced = false;

/**
 * Step 2: which route this is (404, or 405 with Allow, for none) and who calls it (401/403 by the route's
 * auth rule). Public routes never depend on who calls them, so a bad credential cannot break them.
 */
export function routeAndPrincipal(
  /** The function's own routes: a request whose route key is one of them never opens `fallback`. */
  own: RouteRegistry,
  domain: string,
  runtime: () => HttpRuntime,
  /**
   * The wider routes other requests are matched against for 404 and 405 (the health function's `$default`
   * target: the whole API), opened on the first request that needs them (memoised by the caller); default
   * the function's own.
   */
  fallback?: () => Promise<RouteRegistry>,
): StackMiddleware {
  const routeAndPrincipalBefore = async (request: StackRequest) => {
    const s = stateOf(request);
    const event = request.event;
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const key = event.routeKey && event.routeKey !== '$default' ? event.routeKey : undefined;
    let route = key ? own.byKey(key) : undefined;
    if (!route) {
      const registry = fallback ? await fallback() : own;
      route = key ? registry.byKey(key) : undefined;
      if (!route) {
        const match = registry.match(method, event.rawPath ?? '/');
        if (match.kind === 'method-not-allowed') {
          throw methodNotAllowed(`${method} is not allowed on ${event.rawPath}`, match.allow);
        }
        if (match.kind === 'not-found') throw notFound(`No route matches ${method} ${event.rawPath}`);
        route = match.route;
        event.pathParameters = { ...match.pathParameters, ...(event.pathParameters ?? {}) };
      }
    }
    if (route.domain !== domain) throw notFound(`No route matches ${method} ${event.rawPath}`);
    s.route = route;
    s.principal = route.auth === 'public' ? ANONYMOUS : await resolvePrincipalVerified(event, runtime().auth);
    if (s.principal.source === 'dev' && !devModeAnnounced) {
      devModeAnnounced = true;
      logger.warn(
        'AURUM_AUTH_MODE=dev: principals come from X-Aurum-Tenant / X-Aurum-Groups headers, not tokens',
      );
    }
    authorize(s.principal, route.auth);
    requirePermission(s.principal, route.permission);
    if (s.principal.tenant) logger.appendKeys({ tenant: s.principal.tenant });
  };
  return { before: routeAndPrincipalBefore };
}
