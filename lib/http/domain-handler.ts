import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { secretsRefresher } from '#lib/config/secrets';
import { lazy } from '#lib/lazy';
import type { AppStore } from '#lib/store/store';
import type { GatewayEvent, GatewayResult } from './event.ts';
import { featureFlag } from './middleware/feature-flag.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestContext } from './middleware/request-context.ts';
import { responder } from './middleware/responder.ts';
import { routeAndPrincipal } from './middleware/route-and-principal.ts';
import { type BoundRoutes, routeCall } from './middleware/route-call.ts';
import { validation } from './middleware/validation.ts';
import { type DomainRoutes, RouteRegistry } from './registry.ts';
import type { StackInternal } from './request-state.ts';
import type { Bindings, RouteSpec } from './route.ts';
import { type HttpRuntime, runtimeFromEnv } from './runtime.ts';

export interface DomainHandlerOptions<R extends readonly RouteSpec[]> {
  /** The routes this function serves. */
  domain: DomainRoutes<R>;
  /**
   * Binds every route to the domain's service: built once per container, on the first request that needs
   * it, so importing the handler opens no client.
   */
  bind: (runtime: HttpRuntime) => NoInfer<Bindings<R>> | Promise<NoInfer<Bindings<R>>>;
  /** The per-container runtime (cache, limiter, flags, cursors); default: from the environment. */
  runtime?: () => HttpRuntime;
  /**
   * The routes unknown paths are matched against, for 404 and 405 (with Allow); default the domain's own.
   * The `$default` target (health) matches against the whole API. Resolved on the first request (and kept),
   * so a function can import the whole API's routes only when a request needs them.
   */
  fallbackRegistry?: () => RouteRegistry | Promise<RouteRegistry>;
  /** The app store write routes run their transactions on (opened on first use). */
  store?: () => Promise<AppStore>;
}

/**
 * One Lambda per domain: the stack in the order of the architecture (context, route and principal, rate
 * limit, flag, validation, cache and route call, response; errors last), dispatching on the route key.
 */
export function createDomainHandler<R extends readonly RouteSpec[]>(options: DomainHandlerOptions<R>) {
  let runtimeInstance: HttpRuntime | undefined;
  const runtime = () => {
    runtimeInstance ??= (options.runtime ?? (() => runtimeFromEnv()))();
    return runtimeInstance;
  };
  const bindings = lazy(async () => {
    const bound = (await options.bind(runtime())) as unknown as BoundRoutes;
    const missing = options.domain.routes.filter((route) => typeof bound[route.id] !== 'function');
    if (missing.length > 0) throw new Error(`unbound routes: ${missing.map((r) => r.id).join(', ')}`);
    return bound;
  });
  const fallback = options.fallbackRegistry;
  const wider = fallback ? lazy(async () => fallback()) : undefined;
  const secretsLoaded = secretsRefresher();

  return middy<GatewayEvent, GatewayResult, Error, Context, StackInternal>({ timeoutEarlyInMillis: 0 })
    .use(responder(runtime))
    .use(requestContext(runtime, secretsLoaded))
    .use(routeAndPrincipal(new RouteRegistry().add(options.domain), options.domain.name, runtime, wider))
    .use(rateLimit(runtime))
    .use(featureFlag(runtime))
    .use(validation())
    .use(routeCall(bindings, runtime, options.store));
}
