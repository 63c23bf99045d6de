import { cacheControl, mergeVary } from './cache-control.ts';
import { type BodyParts, compressBody, compressParts, negotiateEncoding, ReusedText } from './compression.ts';
import { csvFilename, toCsv } from './csv.ts';
import { V1_DEPRECATION_HEADERS } from './deprecation.ts';
import { envelope } from './envelope.ts';
import { computeEtag, contentDigest, etagMatches } from './etag.ts';
import { type GatewayEvent, type GatewayResult, header, queryOf } from './event.ts';
import type { HttpProblem } from './problem.ts';
import type { RequestState } from './request-state.ts';
import { csvColumns } from './route.ts';
import type { RouteResult } from './route-result.ts';
import { type HttpRuntime, rateLimitHeaders } from './runtime.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json';

/**
 * The JSON of each page's or object's `data`, kept per value with the body parts built on it: a cache hit
 * answers with the very value the cache decoded once, so its rows are serialised once, not on every hit, and
 * their compressed forms are built once (see `ReusedText`). Values are never mutated after a route returns
 * them, and a WeakMap lets them go with the entry.
 */
interface SerialisedData {
  json: string;
  /** `{"data":<json>`: the fixed part of a body whose `data` comes first (v2). */
  first?: ReusedText;
  /** `<json>}`: the fixed part of a body whose `data` comes last (v1). */
  last?: ReusedText;
}
const serialisedData = new WeakMap<object, SerialisedData>();

function serialised(data: object): SerialisedData {
  let known = serialisedData.get(data);
  if (known === undefined) {
    known = { json: JSON.stringify(data) };
    serialisedData.set(data, known);
  }
  return known;
}

/**
 * `JSON.stringify(body)` as three parts: an envelope's `data` member (its first or last, as the v1 and v2
 * envelopes have it) with the braces beside it is the fixed part, the same text for every answer on that
 * value; the per-answer members are the head (v1) or tail (v2). Any other shape is a plain string.
 */
export function bodyParts(body: unknown): BodyParts | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  const { data, ...rest } = body as Record<string, unknown>;
  if (data === null || typeof data !== 'object') return JSON.stringify(body);
  const keys = Object.keys(body);
  const first = keys[0] === 'data';
  if (!first && keys.at(-1) !== 'data') return JSON.stringify(body);
  const known = serialised(data);
  const others = JSON.stringify(rest).slice(1, -1);
  if (first || others === '') {
    known.first ??= new ReusedText(`{"data":${known.json}`);
    return { head: '', fixed: known.first.use(), tail: others === '' ? '}' : `,${others}}` };
  }
  known.last ??= new ReusedText(`${known.json}}`);
  return { head: `{${others},"data":`, fixed: known.last.use(), tail: '' };
}

/** `JSON.stringify(body)`, byte for byte, with an envelope's `data` serialised once per value. */
export function bodyJson(body: unknown): string {
  const parts = bodyParts(body);
  return typeof parts === 'string' ? parts : parts.head + parts.fixed.text + parts.tail;
}

/** The parts a rendered answer's body was joined from (with that body), so compression can reuse the fixed one. */
const bodyPartsOf = new WeakMap<GatewayResult, { body: string; parts: BodyParts }>();

/** The ETag of each cached page or object, by representation: a hit derives it without hashing again. */
const etags = new WeakMap<RouteResult, { json?: string; csv?: string }>();

function routeEtag(result: RouteResult & { kind: 'list' | 'object' }, csv: boolean): string {
  let known = etags.get(result);
  const cached = csv ? known?.csv : known?.json;
  if (cached !== undefined) return cached;
  const etag =
    result.kind === 'list'
      ? computeEtag({
          digest:
            result.digest ??
            contentDigest({ data: result.data, next: result.next ?? null, prev: result.prev ?? null }),
          csv,
        })
      : computeEtag({ digest: result.digest ?? contentDigest({ data: result.data }) });
  if (!known) {
    known = {};
    etags.set(result, known);
  }
  if (csv) known.csv = etag;
  else known.json = etag;
  return etag;
}

const VARY = mergeVary(undefined, 'Accept', 'Accept-Encoding');

/** Headers every answer carries, success or problem. */
function baseHeaders(s: RequestState | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (s) {
    headers['X-Request-Id'] = s.requestId;
    headers['X-Correlation-Id'] = s.correlationId;
    if (s.route?.version === 'v1') Object.assign(headers, V1_DEPRECATION_HEADERS);
    if (s.rateLimit) Object.assign(headers, rateLimitHeaders(s.rateLimit));
  }
  headers.Vary = VARY;
  return headers;
}

function finish(event: GatewayEvent, runtime: HttpRuntime, result: GatewayResult): GatewayResult {
  if (result.statusCode === 304 || result.statusCode === 204 || result.body === '') return result;
  const encoding = negotiateEncoding(header(event, 'accept-encoding'));
  if (encoding === 'identity') return result;
  const split = bodyPartsOf.get(result);
  const compressed =
    split !== undefined && split.body === result.body
      ? compressParts(split.parts, encoding, runtime.compressionMinBytes)
      : compressBody(result.body, encoding, runtime.compressionMinBytes);
  if (compressed.encoding === 'identity') return result;
  return {
    ...result,
    headers: { ...result.headers, 'Content-Encoding': compressed.encoding },
    body: compressed.body.toString('base64'),
    isBase64Encoded: true,
  };
}

export function renderResult(
  event: GatewayEvent,
  s: RequestState,
  result: RouteResult,
  runtime: HttpRuntime,
): GatewayResult {
  const answer = renderPlain(event, s, result, runtime);
  return answer.statusCode === 304 || answer.isBase64Encoded ? answer : finish(event, runtime, answer);
}

/** Headers that belong to one exchange, not to the answer: a replay carries its own. */
const PER_REQUEST = /^(x-request-id|x-correlation-id|x-ratelimit-.*|vary|x-cache)$/i;

/** An answer as an idempotency record keeps it: status, the answer's own headers, the body uncompressed. */
export function storedAnswer(answer: GatewayResult): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers))
    if (!PER_REQUEST.test(name)) headers[name] = value;
  return { status: answer.statusCode, headers, body: answer.body };
}

/** A stored first answer sent again, with this exchange's own headers and `Idempotent-Replayed: true`. */
export function replayAnswer(
  event: GatewayEvent,
  s: RequestState,
  stored: { status: number; headers: Record<string, string>; body: string },
  runtime: HttpRuntime,
): GatewayResult {
  const headers = { ...baseHeaders(s), ...stored.headers, 'Idempotent-Replayed': 'true' };
  return finish(event, runtime, { statusCode: stored.status, headers, body: stored.body });
}

/** A rendered answer (write routes render theirs inside the transaction) compressed for the client. */
export function sendRendered(
  event: GatewayEvent,
  answer: GatewayResult,
  runtime: HttpRuntime,
): GatewayResult {
  return finish(event, runtime, answer);
}

/** The route's result as an HTTP answer before compression: envelope, ETag/304, Cache-Control. */
export function renderPlain(
  event: GatewayEvent,
  s: RequestState,
  result: RouteResult,
  runtime: HttpRuntime,
): GatewayResult {
  const route = s.route!;
  const headers = baseHeaders(s);
  if (s.cacheStatus) headers['X-Cache'] = s.cacheStatus;
  if (result.headers) Object.assign(headers, result.headers);
  if (result.kind === 'empty') {
    return { statusCode: route.response.status ?? 204, headers, body: '' };
  }
  // A shared cache (CDN, corporate proxy) may keep only what needs no token: anything else is private.
  const visibility = route.auth === 'public' ? 'public' : 'private';
  const ttl = route.cache ? runtime.policies[s.cacheScope ?? route.cache.scope].ttlSeconds : undefined;
  headers['Cache-Control'] =
    ttl === undefined
      ? 'no-store'
      : ttl >= 1
        ? cacheControl(ttl, visibility)
        : // A policy of 0 s (records that change under writes): keep, but revalidate with the ETag every time.
          `${visibility}, no-cache`;
  const status = result.kind === 'document' ? (result.status ?? 200) : (route.response.status ?? 200);

  const wantsCsv = route.csv !== undefined && queryOf(event).format?.toLowerCase() === 'csv';
  const { t, body } = envelope(event, s, route, result, runtime.cursors);
  if (t.next) headers['X-Next-Cursor'] = t.next;
  if (t.prev) headers['X-Prev-Cursor'] = t.prev;

  let text: string;
  let parts: BodyParts | undefined;
  if (wantsCsv && result.kind === 'list') {
    text = toCsv(csvColumns(route), result.data as Record<string, unknown>[]);
    headers['Content-Type'] = 'text/csv; charset=utf-8';
    const name = route.csv!.filename;
    headers['Content-Disposition'] = csvFilename(
      typeof name === 'function' ? name({ ...(s.input?.path ?? {}), ...(s.input?.query ?? {}) }) : name,
    );
  } else if (result.kind === 'document' && typeof result.body === 'string') {
    text = result.body;
    headers['Content-Type'] = result.contentType ?? 'text/plain; charset=utf-8';
  } else {
    const built = bodyParts(body);
    if (typeof built === 'string') text = built;
    else {
      parts = built;
      text = built.head + built.fixed.text + built.tail;
    }
    headers['Content-Type'] =
      result.kind === 'document' && result.contentType ? result.contentType : JSON_TYPE;
  }

  // A resource's own tag (its row version) on every answer that carries it, reads and writes alike.
  if (result.kind === 'object' && result.etag) headers.ETag = result.etag;
  // The ETag covers what the page is (rows and whether more exist on either side), never the per-request meta.
  if (route.method === 'GET' && status === 200) {
    const etag =
      result.kind === 'object' && result.etag
        ? result.etag
        : result.kind === 'list' || result.kind === 'object'
          ? routeEtag(result, result.kind === 'list' && wantsCsv)
          : computeEtag({ body: text });
    headers.ETag = etag;
    if (etagMatches(header(event, 'if-none-match'), etag)) {
      const kept: Record<string, string> = {};
      for (const name of [
        'X-Request-Id',
        'X-Correlation-Id',
        'ETag',
        'Cache-Control',
        'Vary',
        'X-Next-Cursor',
        'X-Prev-Cursor',
        'X-Cache',
      ]) {
        if (headers[name] !== undefined) kept[name] = headers[name];
      }
      if (route.version === 'v1') Object.assign(kept, V1_DEPRECATION_HEADERS);
      return { statusCode: 304, headers: kept, body: '' };
    }
  }
  // Binary bodies (images) go out base64-encoded as API Gateway expects, and are not compressed again.
  if (result.kind === 'document' && result.base64) {
    return { statusCode: status, headers, body: text, isBase64Encoded: true };
  }
  const answer = { statusCode: status, headers, body: text };
  if (parts) bodyPartsOf.set(answer, { body: text, parts });
  return answer;
}

export function renderProblem(
  event: GatewayEvent,
  s: RequestState | undefined,
  problem: HttpProblem,
  body: Record<string, unknown>,
  runtime: HttpRuntime,
): GatewayResult {
  const headers = {
    ...baseHeaders(s),
    ...problem.headers,
    'Content-Type': PROBLEM_TYPE,
    'Cache-Control': 'no-store',
  };
  return finish(event, runtime, { statusCode: problem.status, headers, body: JSON.stringify(body) });
}
