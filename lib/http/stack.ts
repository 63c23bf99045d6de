import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  ANONYMOUS,
  assertSameTenant,
  authorize,
  type Principal,
  requirePermission,
  resolvePrincipalVerified,
} from '#lib/auth/principal';
import { loadSecretsIntoEnv } from '#lib/config/secrets';
import { logger } from '#lib/observability/logger';
import { flushMetrics } from '#lib/observability/metrics';
import { contentDigest } from './etag.ts';
import { type GatewayEvent, type GatewayResult, header, instanceOf, queryOf } from './event.ts';
import {
  badRequest,
  type FieldError,
  gatewayTimeout,
  HttpProblem,
  methodNotAllowed,
  notFound,
  serviceUnavailable,
  tooManyRequests,
  unprocessable,
} from './problem.ts';
import { problemBody, toProblem } from './problem-response.ts';
import type { RouteRegistry } from './registry.ts';
import { renderProblem, renderResult } from './render.ts';
import { type RouteImplementation, type RouteResult, type RouteSpec, routeKey } from './route.ts';
import { type HttpRuntime, type RateLimitDecision, rateLimitHeaders } from './runtime.ts';

/** What the stack knows about one request, built up by the `before` steps in order. */
export interface RequestState {
  requestId: string;
  correlationId: string;
  startedAt: number;
  deadline: number;
  coldStart: boolean;
  instance: string;
  route?: RouteSpec;
  principal: Principal;
  input?: { query: unknown; path: unknown; body: unknown };
  rateLimit?: RateLimitDecision;
  cacheStatus?: 'hit' | 'miss' | 'stale';
}

type Request = middy.Request<GatewayEvent, GatewayResult, Error, Context>;

/** Request state lives beside the event, so middlewares and the dispatching core read the same object. */
const states = new WeakMap<GatewayEvent, RequestState>();

// biome-ignore lint/suspicious/noExplicitAny: implementations are checked against their own spec by `implement`
export type ImplementationTable = Record<string, RouteImplementation<any>>;

export interface DomainHandlerOptions {
  domain: string;
  registry: RouteRegistry;
  /** Builds the route implementations once per container, on the first request (lazy I/O clients). */
  implementations: (runtime: HttpRuntime) => Promise<ImplementationTable> | ImplementationTable;
  runtime: () => HttpRuntime;
}

let coldStart = true;
let devModeAnnounced = false;
/** I/O is told to stop at the deadline; the backstop answers 504 only if it has not stopped shortly after. */
const DEADLINE_GRACE_MS = 100;

const state = (request: Pick<Request, 'event'>): RequestState => {
  const s = states.get(request.event);
  if (!s) throw new Error('request state missing');
  return s;
};

/** 1. Request context: ids, deadline, logger keys. */
const requestContext = (
  runtime: () => HttpRuntime,
  secretsLoaded: () => Promise<void>,
): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    // Secrets fill the environment the runtime is built from, so they come first (once per container).
    await secretsLoaded();
    const event = request.event;
    const incoming = header(event, 'x-request-id');
    const requestId =
      incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming)
        ? incoming
        : (event.requestContext?.requestId ?? randomUUID());
    const correlation = header(event, 'x-correlation-id');
    const startedAt = Date.now();
    const remaining = request.context?.getRemainingTimeInMillis?.();
    const rt = runtime();
    const deadline =
      typeof remaining === 'number'
        ? startedAt + Math.max(remaining - rt.deadlineMarginMs, 100)
        : startedAt + rt.defaultTimeoutMs;
    states.set(event, {
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
  },
});

/** 2. Route resolution and principal: 404/405 for unknown routes, 401/403 by the route's auth rule. */
const principalAndRoute = (
  registry: RouteRegistry,
  domain: string,
  runtime: () => HttpRuntime,
): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    const s = state(request as Request);
    const event = request.event;
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    let route = event.routeKey && event.routeKey !== '$default' ? registry.byKey(event.routeKey) : undefined;
    if (!route) {
      const match = registry.match(method, event.rawPath ?? '/');
      if (match.kind === 'method-not-allowed') {
        throw methodNotAllowed(`${method} is not allowed on ${event.rawPath}`, match.allow);
      }
      if (match.kind === 'not-found') throw notFound(`No route matches ${method} ${event.rawPath}`);
      route = match.route;
      event.pathParameters = { ...match.pathParameters, ...(event.pathParameters ?? {}) };
    }
    if (route.domain !== domain) throw notFound(`No route matches ${method} ${event.rawPath}`);
    s.route = route;
    const rt = runtime();
    // Public routes never depend on who calls them, so a bad credential header cannot break them.
    s.principal = route.auth === 'public' ? ANONYMOUS : await resolvePrincipalVerified(event, rt.auth);
    if (s.principal.source === 'dev' && !devModeAnnounced) {
      devModeAnnounced = true;
      logger.warn(
        'AURUM_AUTH_MODE=dev: principals come from X-Aurum-Tenant / X-Aurum-Groups headers, not tokens',
      );
    }
    authorize(s.principal, route.auth);
    requirePermission(s.principal, route.permission);
    if (s.principal.tenant) logger.appendKeys({ tenant: s.principal.tenant });
  },
});

/** 3. Rate limit per tenant (or identity), with X-RateLimit-* headers; a limiter fault is absorbed. */
const rateLimit = (runtime: () => HttpRuntime): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    const s = state(request as Request);
    const limiter = runtime().limiter;
    if (!limiter || !s.route || s.route.auth === 'public') return;
    const identity = s.principal.tenant ? `tenant:${s.principal.tenant}` : `sub:${s.principal.subject}`;
    let decision: RateLimitDecision;
    try {
      decision = await limiter.check(identity, s.route.path, s.principal.tenant ?? undefined);
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
  },
});

/** 4. The route's feature flag: off is a 404 (or the route's declared 503); a flag fault never fails a request. */
const featureFlag = (runtime: () => HttpRuntime): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: async (request) => {
    const s = state(request as Request);
    const flags = runtime().flags;
    const flag = s.route?.flag;
    if (!flags || !flag) return;
    let enabled = true;
    try {
      enabled = await flags.isEnabled(flag.key, {
        tenant: s.principal.tenant ?? undefined,
        user: s.principal.subject,
      });
    } catch (error) {
      logger.warn('flag evaluation failed; using the route default (on)', {
        flag: flag.key,
        error: String(error),
      });
    }
    if (enabled) return;
    if (flag.whenOff === 'unavailable') throw serviceUnavailable('This feature is currently disabled');
    throw notFound(`No route matches ${s.route?.method} ${request.event.rawPath}`);
  },
});

function fieldErrors(where: 'query' | 'path' | 'body', error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

function parseBody(event: GatewayEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const type = header(event, 'content-type') ?? 'application/json';
  if (!/^application\/(.+\+)?json/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported Media Type', {
      detail: 'Request bodies must be application/json',
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON', [
      { field: 'body', message: 'invalid JSON', code: 'invalid_json' },
    ]);
  }
}

/** 5. Validation of path, query and body with the route's schemas; every bad field is named. */
const validation = (): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  before: (request) => {
    const s = state(request as Request);
    const route = s.route!;
    const event = request.event;
    const errors: FieldError[] = [];
    const parse = (where: 'query' | 'path', schema: z.ZodType | undefined, raw: unknown) => {
      if (!schema) return {};
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      errors.push(...fieldErrors(where, result.error));
      return undefined;
    };
    const path = parse('path', route.request?.path, event.pathParameters ?? {});
    const query = parse('query', route.request?.query, queryOf(event));
    if (errors.length > 0) throw badRequest(`Invalid ${errors.map((e) => e.field).join(', ')}`, errors);
    let body: unknown;
    if (route.request?.body) {
      const result = route.request.body.safeParse(parseBody(event));
      if (!result.success) {
        const bodyErrors = fieldErrors('body', result.error);
        throw unprocessable(`Invalid ${bodyErrors.map((e) => e.field).join(', ')}`, bodyErrors);
      }
      body = result.data;
    }
    const tenantId = (query as { tenant_id?: string } | undefined)?.tenant_id;
    assertSameTenant(s.principal, tenantId);
    s.input = { query, path, body };
  },
});

/** 8 and 9. The response (envelope, ETag/304, Cache-Control, compression) and, last, problem+json for every error. */
const responder = (runtime: () => HttpRuntime): middy.MiddlewareObj<GatewayEvent, GatewayResult> => ({
  after: (request) => {
    const s = state(request as Request);
    const result = request.response as unknown as RouteResult;
    request.response = renderResult(request.event, s, result, runtime());
    logAccess(s, request.response.statusCode, runtime());
  },
  onError: (request) => {
    const s = states.get(request.event);
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
    if (s) logAccess(s, problem.status, runtime());
  },
});

function logAccess(s: RequestState, status: number, runtime: HttpRuntime): void {
  logger.info('request completed', {
    route: s.route ? routeKey(s.route) : undefined,
    status,
    duration_ms: Date.now() - s.startedAt,
    cold_start: s.coldStart,
    cache: s.cacheStatus,
  });
  logger.resetKeys();
  flushMetrics();
  runtime.afterRequest();
}

/**
 * One Lambda per domain: the stack in the order of the architecture (context, principal, rate limit,
 * flag, validation, cache + service, response; errors last), dispatching on the API Gateway route key.
 */
export function createDomainHandler(options: DomainHandlerOptions) {
  let table: Promise<ImplementationTable> | undefined;
  const implementations = () => {
    table ??= Promise.resolve(options.implementations(runtime())).catch((error) => {
      table = undefined;
      throw error;
    });
    return table;
  };
  let secrets: Promise<void> | undefined;
  const secretsLoaded = () => {
    secrets ??= loadSecretsIntoEnv().catch((error) => {
      secrets = undefined;
      throw error;
    });
    return secrets;
  };
  let runtimeInstance: HttpRuntime | undefined;
  const runtime = () => {
    runtimeInstance ??= options.runtime();
    return runtimeInstance;
  };

  /** 6 and 7: the cache policy around the service call, with the deadline passed down. */
  const dispatch = async (event: GatewayEvent): Promise<GatewayResult> => {
    const s = state({ event });
    const route = s.route!;
    const impl = (await implementations())[route.id];
    if (!impl) throw new Error(`route ${route.id} has no implementation`);
    const flags = await variantFlags(route, s, runtime());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, s.deadline - Date.now()));
    try {
      const call = () =>
        impl({
          ...(s.input as { query: unknown; path: unknown; body: unknown }),
          principal: s.principal,
          requestId: s.requestId,
          deadline: s.deadline,
          signal: controller.signal,
          headers: event.headers ?? {},
          flags,
        }).then(withDigest);
      // A backstop for work that ignores the signal: past the deadline the caller gets a 504, not silence.
      let backstop: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        backstop = setTimeout(
          () => reject(gatewayTimeout('The request did not complete within its deadline')),
          Math.max(0, s.deadline + DEADLINE_GRACE_MS - Date.now()),
        );
      });
      expired.catch(() => undefined);
      const cache = runtime().cache;
      let work: Promise<RouteResult>;
      if (route.cache && route.cache.store !== false && cache && route.method === 'GET') {
        const key = {
          route: routeKey(route),
          flags,
          path: s.input?.path,
          query: withoutFormat(s.input?.query),
          tenant: route.cache.visibility === 'private' ? s.principal.tenant : undefined,
        };
        work = cache.through(route.cache.scope, key, call).then((cached) => {
          s.cacheStatus = cached.status;
          return cached.value;
        });
      } else {
        work = call();
      }
      const result = await Promise.race([work, expired]).finally(() => clearTimeout(backstop));
      // The responder (an `after` step) turns the route result into the HTTP answer.
      return result as unknown as GatewayResult;
    } finally {
      clearTimeout(timer);
    }
  };

  return middy<GatewayEvent, GatewayResult, Error, Context>(dispatch, { timeoutEarlyInMillis: 0 })
    .use(responder(runtime))
    .use(requestContext(runtime, secretsLoaded))
    .use(principalAndRoute(options.registry, options.domain, runtime))
    .use(rateLimit(runtime))
    .use(featureFlag(runtime))
    .use(validation());
}

/**
 * The content digest of a page or object, computed once when it is loaded and cached with it, so a cache
 * hit derives its ETag without serialising the rows again.
 */
function withDigest(result: RouteResult): RouteResult {
  if (result.kind === 'list') {
    return {
      ...result,
      digest: contentDigest({ data: result.data, next: result.next ?? null, prev: result.prev ?? null }),
    };
  }
  if (result.kind === 'object') return { ...result, digest: contentDigest({ data: result.data }) };
  return result;
}

async function variantFlags(
  route: RouteSpec,
  s: RequestState,
  runtime: HttpRuntime,
): Promise<Record<string, boolean>> {
  const answers: Record<string, boolean> = {};
  for (const key of route.variants ?? []) {
    try {
      answers[key] = runtime.flags
        ? await runtime.flags.isEnabled(key, {
            tenant: s.principal.tenant ?? undefined,
            user: s.principal.subject,
          })
        : true;
    } catch {
      answers[key] = true;
    }
  }
  return answers;
}

/** `format` changes the representation, not the data, so JSON and CSV share one cache entry. */
function withoutFormat(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  const { format: _format, ...rest } = query as Record<string, unknown>;
  return rest;
}
