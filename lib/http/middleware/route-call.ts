import type { FlagKey } from '#lib/flags/document';
import type { AppStore, StoreTransaction } from '#lib/store/store';
import { withinDeadline } from '../deadline.ts';
import { contentDigest } from '../etag.ts';
import type { RequestState, StackMiddleware, StackRequest } from '../request-state.ts';
import { stateOf } from '../request-state.ts';
import { type ObjectAnswer, type RouteCall, type RouteSpec, routeKey } from '../route.ts';
import type { RouteResult } from '../route-result.ts';
import type { HttpRuntime } from '../runtime.ts';
import { runWrite } from '../write.ts';
import { flagFor } from './feature-flag.ts';

/** What a domain binds: an implementation per operation id, called with the validated request. */
// biome-ignore lint/suspicious/noExplicitAny: each implementation is typed by its own route in `Bindings`
export type BoundRoutes = Record<string, (call: RouteCall<any>) => Promise<any>>;

/** The route's declaration turns the implementation's answer into the stack's result. */
export function resultOf(route: RouteSpec, answer: unknown, query: unknown): RouteResult {
  const kind = route.response.kind;
  if (kind === 'list') {
    const page = answer as { rows: unknown[]; next?: never; prev?: never; filterHash: string; meta?: never };
    return {
      kind,
      data: page.rows,
      next: page.next,
      prev: page.prev,
      filterHash: page.filterHash,
      meta: page.meta,
    };
  }
  if (kind === 'object') {
    const object = answer as ObjectAnswer;
    return {
      kind,
      data: object.data,
      meta: object.meta,
      ...(object.etag ? { etag: object.etag } : {}),
      ...(object.location ? { headers: { Location: object.location } } : {}),
    };
  }
  if (kind === 'empty') {
    return { kind, headers: (answer as { headers?: Record<string, string> } | undefined)?.headers };
  }
  const headers = { ...(route.response.headers ?? {}) };
  if (kind === 'file') {
    const file = answer as { body: string | Uint8Array; next?: never; filterHash?: string };
    const name = route.csv?.filename;
    const filename = typeof name === 'function' ? name((query ?? {}) as Record<string, unknown>) : name;
    if (filename) headers['Content-Disposition'] = `attachment; filename="${filename}"`;
    // Bytes travel (and are cached) as base64, as API Gateway wants binary answers.
    const binary = file.body instanceof Uint8Array;
    return {
      kind: 'document',
      body: binary ? Buffer.from(file.body as Uint8Array).toString('base64') : file.body,
      ...(binary ? { base64: true } : {}),
      contentType: route.response.contentType,
      headers,
      next: file.next,
      filterHash: file.filterHash,
    };
  }
  return { kind: 'document', body: answer, contentType: route.response.contentType, headers };
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

async function variantFlags(route: RouteSpec, s: RequestState, runtime: HttpRuntime) {
  const answers: Partial<Record<FlagKey, boolean>> = {};
  for (const key of route.variants ?? []) answers[key] = await flagFor(runtime, s, key);
  return answers;
}

/** `format` changes the representation, not the data, so JSON and CSV share one cache entry. */
function withoutFormat(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  const { format: _format, ...rest } = query as Record<string, unknown>;
  return rest;
}

/**
 * Steps 6 and 7: the cache policy around the implementation, which gets the request's deadline and signal.
 * The answer is left on the request state for the responder.
 */
export function routeCall(
  bindings: () => Promise<BoundRoutes>,
  runtime: () => HttpRuntime,
  store?: () => Promise<AppStore>,
): StackMiddleware {
  const routeCallBefore = async (request: StackRequest) => {
    const s = stateOf(request);
    const route = s.route!;
    const implementation = (await bindings())[route.id];
    if (!implementation) throw new Error(`route ${route.id} has no implementation`);
    const rt = runtime();
    const flags = await variantFlags(route, s, rt);
    const input = s.input!;
    const scope = route.cache?.scopeFor?.({ path: input.path, query: input.query }) ?? route.cache?.scope;
    if (route.cache?.scopeFor) s.cacheScope = scope;
    // One call shape for reads and writes: only a write's transaction differs.
    const invoke = (
      signal: AbortSignal,
      tx?: StoreTransaction,
      afterCommit: (task: () => Promise<void>) => void = () => {
        throw new Error(`route ${route.id} is not a write: nothing commits`);
      },
    ) =>
      implementation({
        query: input.query,
        path: input.path,
        body: input.body,
        principal: s.principal,
        requestId: s.requestId,
        headers: request.event.headers ?? {},
        flags,
        io: { deadline: s.deadline, signal },
        tx,
        afterCommit,
      }).then((answer) => withDigest(resultOf(route, answer, input.query)));
    if (route.write) {
      if (!store) throw new Error(`route ${route.id} writes but its domain has no app store`);
      const opened = await store();
      s.answer = await withinDeadline(s.deadline, (signal) =>
        runWrite({
          event: request.event,
          state: s,
          route,
          runtime: rt,
          store: opened,
          invoke: (tx, afterCommit) => invoke(signal, tx, afterCommit),
        }),
      );
      return;
    }
    s.result = await withinDeadline(s.deadline, (signal) => {
      const call = () => invoke(signal);
      const cache = rt.cache;
      if (!route.cache || route.cache.store === false || !cache || route.method !== 'GET') return call();
      const key = {
        route: routeKey(route),
        flags,
        path: input.path,
        query: withoutFormat(input.query),
        tenant: route.cache.visibility === 'private' ? s.principal.tenant : undefined,
      };
      return cache.through(scope!, key, call).then((cached) => {
        s.cacheStatus = cached.status;
        return cached.value;
      });
    });
  };
  return { before: routeCallBefore };
}
