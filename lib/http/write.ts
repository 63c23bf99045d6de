import { canonicalJson } from '#lib/canonical-json';
import { logger } from '#lib/observability/logger';
import {
  beginIdempotency,
  completeIdempotency,
  type IdempotencyRequest,
  releaseIdempotency,
  requestFingerprint,
} from '#lib/store/idempotency';
import type { AppStore, StoreTransaction } from '#lib/store/store';
import { type GatewayEvent, type GatewayResult, header } from './event.ts';
import { badRequest, forbidden, HttpProblem } from './problem.ts';
import { renderPlain, replayAnswer, storedAnswer } from './render.ts';
import type { RequestState } from './request-state.ts';
import { type RouteSpec, routeKey } from './route.ts';
import type { RouteResult } from './route-result.ts';
import type { HttpRuntime } from './runtime.ts';

/** Printable ASCII without spaces, as the IETF draft and the common APIs take it. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The route's `Idempotency-Key`, checked; undefined when the client sent none. */
export function idempotencyKeyOf(event: GatewayEvent): string | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces', [
      {
        field: 'header.Idempotency-Key',
        message: 'must be 1 to 255 printable ASCII characters',
        code: 'invalid_key',
      },
    ]);
  }
  return key;
}

export interface WriteArgs {
  event: GatewayEvent;
  state: RequestState;
  route: RouteSpec;
  runtime: HttpRuntime;
  store: AppStore;
  /** Calls the route's implementation inside the transaction and shapes its answer. */
  invoke: (tx: StoreTransaction, afterCommit: (task: () => Promise<void>) => void) => Promise<RouteResult>;
}

/**
 * A write route's call (architecture §13): the implementation runs in one tenant transaction, its answer is
 * rendered before the commit, and for a creating POST with an `Idempotency-Key` that answer is stored with
 * the request's fingerprint in the same transaction, so it exists exactly when the write does. A replay is
 * the stored answer with `Idempotent-Replayed: true`; the key with another request is a 422; the key still
 * being answered is a 409. Answers the rendered (uncompressed) response.
 */
export async function runWrite(args: WriteArgs): Promise<GatewayResult> {
  const { event, state, route, runtime, store } = args;
  const tenant = state.principal.tenant;
  // Every app-store row belongs to a tenant: a caller without one has nothing it may write.
  if (tenant === null) throw forbidden('This route needs a token that names a tenant');
  const options = { deadline: state.deadline };
  const key = route.write?.idempotent ? idempotencyKeyOf(event) : undefined;
  const request: IdempotencyRequest | undefined = key
    ? {
        route: routeKey(route),
        key,
        fingerprint: requestFingerprint({
          method: route.method,
          path: canonicalJson({ route: route.path, params: state.input?.path ?? {} }),
          body: state.input?.body,
        }),
      }
    : undefined;

  if (request) {
    const begun = await beginIdempotency(store, tenant, request, options);
    if (begun.outcome === 'replay') return replayAnswer(event, state, begun.answer, runtime);
    if (begun.outcome === 'mismatch') {
      throw new HttpProblem(422, 'idempotency-key-reused', 'Idempotency Key Reused', {
        detail: 'This Idempotency-Key was used with a different request; use a new key for a new request',
      });
    }
    if (begun.outcome === 'in-flight') {
      throw new HttpProblem(409, 'idempotency-key-in-flight', 'Request In Progress', {
        detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
        headers: { 'Retry-After': '1' },
      });
    }
  }

  const committed: (() => Promise<void>)[] = [];
  try {
    const rendered = await store.transaction(
      tenant,
      async (tx) => {
        const answer = renderPlain(
          event,
          state,
          await args.invoke(tx, (task) => committed.push(task)),
          runtime,
        );
        if (request) await completeIdempotency(tx, request, storedAnswer(answer));
        return answer;
      },
      options,
    );
    for (const task of committed) {
      await task().catch((error: unknown) =>
        logger.error('a task after the commit failed', { error: String(error), route: routeKey(route) }),
      );
    }
    return rendered;
  } catch (error) {
    // The claim goes with the failed write, so the client's retry can try again; a claim left behind by a
    // crash is taken over after a minute.
    if (request) await releaseIdempotency(store, tenant, request).catch(() => {});
    throw error;
  }
}
