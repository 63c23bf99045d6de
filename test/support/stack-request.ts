import type { Principal } from '#lib/auth/principal';
import { ANONYMOUS } from '#lib/auth/principal';
import { CACHE_POLICIES } from '#lib/cache/policies';
import type { GatewayEvent } from '#lib/http/event';
import type { RequestState, StackRequest } from '#lib/http/request-state';
import type { RouteSpec } from '#lib/http/route';
import type { HttpRuntime } from '#lib/http/runtime';
import { CursorCodec } from '#lib/paging/cursor';
import { lambdaContext } from './events.ts';

/** A runtime with nothing configured but what every step needs; override what a test is about. */
export function testRuntime(overrides: Partial<HttpRuntime> = {}): HttpRuntime {
  return {
    auth: { mode: 'jwt', adminGroups: [] },
    cursors: new CursorCodec({ secret: 'middleware-test' }),
    policies: CACHE_POLICIES,
    compressionMinBytes: 1024,
    deadlineMarginMs: 250,
    defaultTimeoutMs: 10_000,
    ...overrides,
  };
}

/** A middy request as one middleware sees it: the event, and the state the earlier steps left. */
export function stackRequest(
  event: GatewayEvent,
  state: Partial<RequestState> & { route?: RouteSpec; principal?: Principal } = {},
): StackRequest {
  return {
    event,
    context: lambdaContext(),
    response: null,
    error: null,
    internal: {
      aurum: {
        requestId: 'req-1',
        correlationId: 'req-1',
        startedAt: Date.now(),
        deadline: Date.now() + 10_000,
        coldStart: false,
        instance: event.rawPath,
        principal: ANONYMOUS,
        ...state,
      },
    },
  } as StackRequest;
}
