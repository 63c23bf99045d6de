import type * as z from 'zod';
import type { Permission, Principal } from '#lib/auth/principal';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** public: no token; tenant: a token whose tenant scopes the request; admin: a token in the admin group. */
export type AuthRule = 'public' | 'tenant' | 'admin';
export type ApiVersion = 'v1' | 'v2' | 'unversioned';
/** How the response body is shaped: a page of items, one object, a document as-is, or nothing (204). */
export type ResponseKind = 'list' | 'object' | 'document' | 'empty';

// biome-ignore lint/suspicious/noExplicitAny: zod objects of any shape are accepted here
type AnyZodObject = z.ZodObject<any>;

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
  request?: { path?: AnyZodObject; query?: AnyZodObject; body?: z.ZodType };
  response: {
    kind: ResponseKind;
    status?: number;
    /** The schema of `data` (one item for lists) or of the whole document. */
    schema?: z.ZodType;
    /** Members the route adds to `meta`, for the OpenAPI document. */
    meta?: AnyZodObject;
  };
  /** `format=csv` support: the file name and the column order. */
  csv?: { filename: string; columns: readonly string[] };
  /** Named cache policy (lib/cache) and whether shared caches may keep the answer. */
  cache?: {
    scope: string;
    maxAgeSeconds: number;
    visibility: 'public' | 'private';
    /** false: send Cache-Control but keep the answer out of the server cache (large bodies). */
    store?: boolean;
  };
  /** Problem statuses the route answers by design beyond those its rule and features imply (readiness: 503). */
  problems?: readonly number[];
  /** Representative queries the cache warm-up replays through the API to fill the route's scope. */
  warm?: readonly Record<string, string>[];
  /** Flags whose answer changes the body: evaluated per request, part of the cache key, given to the route. */
  variants?: readonly string[];
  /** A feature flag that gates the route: off answers 404, or 503 where the route says so. */
  flag?: { key: string; whenOff: 'not-found' | 'unavailable' };
}

export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>) => `${spec.method} ${spec.path}`;

/** Everything a route implementation receives: validated input, the principal, and the request's limits. */
export interface RouteInput<Q = unknown, P = unknown, B = unknown> {
  query: Q;
  path: P;
  body: B;
  principal: Principal;
  requestId: string;
  /** Absolute deadline (epoch ms) to pass to every I/O call. */
  deadline: number;
  signal: AbortSignal;
  headers: Readonly<Record<string, string | undefined>>;
  /** Answers of the route's variant flags for this caller. */
  flags: Readonly<Record<string, boolean>>;
}

export type Boundary = readonly (string | number | boolean | null)[];

export type RouteResult =
  | {
      kind: 'list';
      data: unknown[];
      /** Keyset boundaries: tokens are minted at response time so cached pages never hold expiring cursors. */
      next?: Boundary;
      prev?: Boundary;
      filterHash?: string;
      meta?: Record<string, unknown>;
      headers?: Record<string, string>;
      /** Content digest set by the stack when the result is loaded (see etag.ts `contentDigest`). */
      digest?: string;
    }
  | {
      kind: 'object';
      data: unknown;
      meta?: Record<string, unknown>;
      headers?: Record<string, string>;
      digest?: string;
    }
  | {
      kind: 'document';
      body: unknown;
      status?: number;
      contentType?: string;
      headers?: Record<string, string>;
    }
  | { kind: 'empty'; headers?: Record<string, string> };

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export type RouteImplementation<S extends RouteSpec> = (
  input: RouteInput<
    Infer<NonNullable<S['request']>['query']>,
    Infer<NonNullable<S['request']>['path']>,
    Infer<NonNullable<S['request']>['body']>
  >,
) => Promise<RouteResult>;

/** Keeps the literal types of a route declaration so implementations get typed input. */
export const defineRoute = <const S extends RouteSpec>(spec: S): S => spec;
