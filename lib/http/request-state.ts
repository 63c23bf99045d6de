import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Principal } from '#lib/auth/principal';
import type { CacheScope } from '#lib/cache/policies';
import type { GatewayEvent, GatewayResult } from './event.ts';
import type { RouteSpec } from './route.ts';
import type { RouteResult } from './route-result.ts';
import type { RateLimitDecision } from './runtime.ts';

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
  /** The cache scope of this answer, when the route chooses it per request (`cache.scopeFor`). */
  cacheScope?: CacheScope;
  /** The route's answer, as the route call leaves it for the responder. */
  result?: RouteResult;
  /** An answer already rendered: a write's (rendered inside its transaction) or an idempotent replay. */
  answer?: GatewayResult;
}

export type StackRequest = middy.Request<GatewayEvent, GatewayResult, Error, Context, StackInternal>;
export type StackMiddleware = middy.MiddlewareObj<GatewayEvent, GatewayResult, Error, Context, StackInternal>;
export type StackInternal = Record<string, unknown> & { aurum?: RequestState };

/** Starts the request's state on middy's `request.internal`, where every step reads it. */
export function startState(request: StackRequest, state: RequestState): RequestState {
  request.internal.aurum = state;
  return state;
}

/** The request's state; the request-context step (first) made it. */
export function stateOf(request: StackRequest): RequestState {
  const state = request.internal.aurum;
  if (!state) throw new Error('request state missing');
  return state;
}

/** The state if the request got that far (an error in the first step leaves none). */
export const stateIfAny = (request: StackRequest): RequestState | undefined => request.internal.aurum;
