import type * as z from 'zod/mini';
import type { Permission, Principal } from '#lib/auth/principal';
import type { CacheScope } from '#lib/cache/policies';
import type { RateLimitClass } from '#lib/cache/rate-limit';
import type { InputIssue } from '#lib/errors';
import type { FlagKey } from '#lib/flags/document';
import type { Boundary } from '#lib/paging/cursor';
import type { Page } from '#lib/paging/list';
import type { StoreTransaction } from '#lib/store/store';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** public: no token; tenant: a token whose tenant scopes the request; admin: a token in the admin group. */
export type AuthRule = 'public' | 'tenant' | 'admin';
export type ApiVersion = 'v1' | 'v2' | 'unversioned';
/**
 * How the answer is shaped: a page of items, one object, a document as-is, a file with an optional
 * continuation cursor, or nothing (204).
 */
export type ResponseKind = 'list' | 'object' | 'document' | 'file' | 'empty';

// biome-ignore lint/suspicious/noExplicitAny: zod objects of any shape are accepted here
type AnyZodObject = z.ZodMiniObject<any>;

export interface RouteSpec {
  /** operationId: unique, camelCase. */
  id: string;
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v2/curves/{curve_id}/diff`. */
  path: string;
  domain: string;
  version: ApiVersion;
  summary: string;
  description?: string;
  auth: AuthRule;
  /** The permission a caller needs beyond the auth rule (token `scope` or the group map); 403 without it. */
  permission?: Permission;
  request?: {
    path?: AnyZodObject;
    query?: AnyZodObject;
    body?: z.ZodMiniType;
    /**
     * Rules across the path and the query (rules within one part are refinements of its schema). Each
     * issue is a field-named 400 before the service runs.
     */
    // biome-ignore lint/suspicious/noExplicitAny: the validated parts of this route
    rules?: (input: { path: any; query: any }) => readonly InputIssue[];
  };
  response: {
    kind: ResponseKind;
    status?: number;
    /** The schema of `data` (one item for lists) or of the whole document. */
    schema?: z.ZodMiniType;
    /** Members the route adds to `meta`, for the OpenAPI document. */
    meta?: AnyZodObject;
    /** Documents and files: the media type of the body (default JSON for objects, text for strings). */
    contentType?: string;
    /** Headers every answer of the route carries. */
    headers?: Readonly<Record<string, string>>;
  };
  /**
   * Lists: `format=csv` support, with the download's file name (or a function of the validated path and
   * query parameters); the columns are the row schema's. Files: the file name, from the query.
   */
  csv?: { filename: string | ((query: Record<string, unknown>) => string) };
  /**
   * Named cache policy (lib/cache: the TTL lives there), and whether the server cache shares one answer
   * across tenants (`public`) or keys it per tenant (`private`). Cache-Control says `private` on every
   * route that needs a token, whatever this says.
   */
  cache?: {
    scope: CacheScope;
    visibility: 'public' | 'private';
    /** false: send Cache-Control but keep the answer out of the server cache (large bodies). */
    store?: boolean;
    /**
     * The scope of one answer, when its freshness depends on the input (a past day's map tile keeps longer
     * than today's): used for the server cache and Cache-Control instead of `scope`.
     */
    // biome-ignore lint/suspicious/noExplicitAny: the validated parts of this route
    scopeFor?: (input: { path: any; query: any }) => CacheScope;
  };
  /** Problem statuses the route answers by design beyond those its rule and features imply (readiness: 503). */
  problems?: readonly number[];
  /** A rate-limit class with its own per-tenant bucket and limit (`export`: AURUM_API_RATE_LIMIT_EXPORT). */
  rateLimit?: RateLimitClass;
  /** Representative queries the cache warm-up replays through the API to fill the route's scope. */
  warm?: readonly Record<string, string>[];
  /** Flags whose answer changes the body: evaluated per request, part of the cache key, given to the route. */
  variants?: readonly FlagKey[];
  /** A feature flag that gates the route: off answers 404, or 503 where the route says so. */
  flag?: { key: FlagKey; whenOff: 'not-found' | 'unavailable' };
  /**
   * A write to the app store: the kit runs the whole implementation in one tenant transaction (given to it
   * as `tx`), so a failure anywhere leaves nothing written. `idempotent`: a creating POST that honours
   * `Idempotency-Key` (the first answer is stored in the same transaction and replayed for 24 hours).
   * `conditional`: the route honours `If-Match` (a stale tag is a 412 and writes nothing).
   */
  write?: { idempotent?: boolean; conditional?: boolean };
}

/** What a route's `rules` receive: its validated path and query (typed where a `get request()` declares them). */
export type RuleInput = Parameters<NonNullable<NonNullable<RouteSpec['request']>['rules']>>[0];

export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>) => `${spec.method} ${spec.path}`;

/** The I/O limits of one request, passed to every engine, store and HTTP call. */
export interface Io {
  /** Absolute deadline (epoch ms). */
  deadline: number;
  signal: AbortSignal;
}

type Infer<T> = T extends z.ZodMiniType ? z.output<T> : undefined;
type Parts<S extends RouteSpec> = NonNullable<S['request']>;

/** The answers of a route's variant flags for this caller, one boolean per declared flag. */
export type FlagAnswers<S extends RouteSpec> = {
  readonly [K in NonNullable<S['variants']>[number]]: boolean;
};

/** Everything a route's implementation receives: validated input, the caller, its flags and its I/O limits. */
export interface RouteCall<S extends RouteSpec = RouteSpec> {
  query: Infer<Parts<S>['query']>;
  path: Infer<Parts<S>['path']>;
  body: Infer<Parts<S>['body']>;
  principal: Principal;
  requestId: string;
  headers: Readonly<Record<string, string | undefined>>;
  flags: FlagAnswers<S>;
  io: Io;
  /** Write routes: the tenant transaction the whole call runs in (committed when the answer is ready). */
  tx: S['write'] extends object ? StoreTransaction : undefined;
  /**
   * Write routes: runs `task` once the transaction has committed (a message that must not be seen before
   * the row it names). A failing task is logged, never turned into the answer: the write has happened.
   */
  afterCommit: (task: () => Promise<void>) => void;
}

/** One resource, with members for `meta`. */
export interface ObjectAnswer {
  data: unknown;
  meta?: Record<string, unknown>;
  /** The resource's own strong ETag (its row version); without one, GETs get a digest of `data`. */
  etag?: string;
  /** Where the resource lives (sent as `Location`, as a 201 should). */
  location?: string;
}

/** A file body, text or bytes (sent base64-encoded); `next` is where a continuation starts (sent as X-Next-Cursor). */
export interface FileAnswer {
  body: string | Uint8Array;
  next?: Boundary;
  filterHash?: string;
}

/** A 204, with headers the route's contract names. */
export interface EmptyAnswer {
  headers?: Record<string, string>;
}

interface AnswerByKind {
  list: Page<unknown>;
  object: ObjectAnswer;
  /** The document itself: a JSON value, or text in the route's content type. */
  document: unknown;
  file: FileAnswer;
  empty: EmptyAnswer | undefined;
}

export type RouteAnswer<S extends RouteSpec> = AnswerByKind[S['response']['kind']];

export type RouteImplementation<S extends RouteSpec> = (call: RouteCall<S>) => Promise<RouteAnswer<S>>;

/**
 * One implementation per route of a domain, keyed by operation id. The type is derived from the route
 * list, so a route without an implementation, or one taking the wrong input, does not compile.
 */
export type Bindings<R extends readonly RouteSpec[]> = {
  [S in R[number] as S['id']]: RouteImplementation<S>;
};

/**
 * A getter that runs once: the first read replaces it with the value it built, so later reads are plain
 * property reads. A plain value is left as it is.
 */
function buildOnFirstRead(target: object, key: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  const build = descriptor?.get;
  if (!build) return;
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value: unknown = build.call(target);
      Object.defineProperty(target, key, { value, enumerable: true, configurable: false, writable: false });
      return value;
    },
  });
}

/**
 * Keeps the literal types of a route declaration so implementations get typed input. A route declares
 * its schemas as getters (`get request() {…}`, `response: { kind, get schema() {…} }`), so importing a
 * domain builds none of them: matching, 404/405 and path listings read only the plain members, and a
 * request builds (once) the schemas of the route it serves.
 */
export const defineRoute = <const S extends RouteSpec>(spec: S): S => {
  buildOnFirstRead(spec, 'request');
  buildOnFirstRead(spec.response, 'schema');
  buildOnFirstRead(spec.response, 'meta');
  return spec;
};

/** The columns of a CSV download: the members of the route's row schema, in order. */
export function csvColumns(route: RouteSpec): string[] {
  const shape = (route.response.schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}
