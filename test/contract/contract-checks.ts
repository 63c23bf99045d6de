import type * as z from 'zod/mini';
import { ProblemSchema, responseBodySchema } from '#lib/http/envelope-schemas';
import type { OpenApiDocument, OpenApiOperation } from '#lib/http/openapi';
import { csvColumns, type RouteSpec } from '#lib/http/route';

/** One request the fuzzer sent and what came back, as plain data for checks and failure messages. */
export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Whether the request breaks the operation's schema (so a 4xx is owed). */
  invalid: boolean;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function describeExchange(x: Exchange): string {
  const sent = Object.entries(x.requestHeaders)
    .map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`)
    .join('; ');
  const url = x.url.length > 300 ? `${x.url.slice(0, 300)}…` : x.url;
  return `${x.invalid ? 'invalid' : 'valid'} request ${x.method} ${url} [${sent}]${x.requestBody ? ` body ${x.requestBody.slice(0, 200)}` : ''}\n  → ${x.status} ${x.headers['content-type'] ?? ''} ${x.body.slice(0, 400)}`;
}

const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** Internals that must never reach a client: engine names, file paths, stack frames. */
const LEAK = /duckdb|trino|node_modules|\.(?:ts|js|mjs):\d+|\/work\/|\bat async\b|TypeError|ReferenceError/i;

/** The documented response of `status` for the operation, with `$ref`s to shared responses resolved. */
export function documentedResponse(
  spec: OpenApiDocument,
  op: OpenApiOperation,
  status: number,
): Record<string, unknown> | undefined {
  const entry = (op.responses[String(status)] ?? op.responses.default) as Record<string, unknown> | undefined;
  if (!entry) return undefined;
  const ref = entry.$ref;
  if (typeof ref === 'string')
    return spec.components.responses?.[ref.split('/').pop()!] as Record<string, unknown> | undefined;
  return entry;
}

/** Keys of `value` that `schema` does not declare, at any depth: the document promises additionalProperties false. */
export function undeclaredKeys(schema: z.ZodMiniType, value: unknown, at = '$'): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return value === null || value === undefined
        ? []
        : undeclaredKeys(def.innerType as z.ZodMiniType, value, at);
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => undeclaredKeys(def.element as z.ZodMiniType, item, `${at}[${i}]`))
        : [];
    case 'object': {
      if (value === null || typeof value !== 'object') return [];
      const shape = def.shape as Record<string, z.ZodMiniType>;
      const catchall = def.catchall as z.ZodMiniType | undefined;
      const open =
        catchall !== undefined &&
        (catchall as unknown as { _zod: { def: { type: string } } })._zod.def.type !== 'never';
      const out: string[] = [];
      for (const [key, member] of Object.entries(value)) {
        if (shape[key]) out.push(...undeclaredKeys(shape[key], member, `${at}.${key}`));
        else if (!open) out.push(`${at}.${key}`);
      }
      return out;
    }
    default:
      return [];
  }
}

/**
 * Every check of one answer against the document and the registry. Returns the violations (empty when the
 * answer keeps the contract).
 */
export function contractViolations(
  spec: OpenApiDocument,
  op: OpenApiOperation,
  route: RouteSpec,
  x: Exchange,
): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const type = mediaType(x.headers['content-type']);
  const documented = documentedResponse(spec, op, x.status);

  // A 5xx is a failure unless the route answers it by design (readiness reports a failed dependency).
  if (x.status >= 500 && !(route.problems ?? []).includes(x.status)) fail(`server error ${x.status}`);
  if (!documented) fail(`status ${x.status} is not documented for ${op.operationId}`);
  if (x.invalid && (x.status < 400 || x.status >= 500))
    fail(`a request that breaks the schema got ${x.status}, not a 4xx`);
  if (!x.headers['x-request-id']) fail('no X-Request-Id header');

  if (x.status >= 400) {
    if (type !== 'application/problem+json')
      fail(`error with content type ${type}, not application/problem+json`);
    let body: unknown;
    try {
      body = JSON.parse(x.body);
    } catch {
      fail('problem body is not JSON');
      return problems;
    }
    const parsed = ProblemSchema.safeParse(body);
    if (!parsed.success) {
      fail(
        `problem body breaks the Problem schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
      return problems;
    }
    const p = parsed.data;
    if (p.status !== x.status) fail(`problem status ${p.status} differs from HTTP status ${x.status}`);
    if (p.request_id !== x.headers['x-request-id']) fail('problem request_id differs from X-Request-Id');
    if (p.instance.split('?')[0] !== new URL(x.url).pathname)
      fail(`problem instance ${p.instance} is not the request path`);
    if (p.type.endsWith('/validation-error') && !(p.errors && p.errors.length > 0))
      fail('validation problem without errors[]');
    const text = [p.title, p.detail, ...(p.errors ?? []).map((e) => `${e.field} ${e.message}`)].join(' ');
    if (LEAK.test(text)) fail(`problem leaks internals: ${text.slice(0, 200)}`);
    if (x.status === 429 && !x.headers['retry-after']) fail('429 without Retry-After');
    if (x.status === 401 && !x.headers['www-authenticate']) fail('401 without WWW-Authenticate');
    return problems;
  }

  if (x.status === 304) {
    const sent = x.requestHeaders['If-None-Match'];
    const etag = x.headers.etag;
    if (!sent) fail('304 without If-None-Match');
    else if (!etag) fail('304 without ETag');
    else if (sent.trim() !== '*' && !sent.includes(etag.replace(/^W\//, '')))
      fail(`304 although If-None-Match ${sent} does not match ETag ${etag}`);
    if (x.body !== '') fail('304 with a body');
    return problems;
  }

  // 2xx
  const content = (documented?.content ?? {}) as Record<string, unknown>;
  if (route.response.kind === 'empty') {
    if (x.body !== '') fail('empty answer with a body');
    return problems;
  }
  if (!(type in content)) fail(`content type ${type} is not documented (${Object.keys(content).join(', ')})`);
  if (route.method === 'GET' && x.status === 200 && !x.headers.etag) fail('GET 200 without ETag');
  if (!x.headers['cache-control']) fail('no Cache-Control');
  if (route.version === 'v1' && x.headers.deprecation !== 'true') fail('v1 answer without Deprecation: true');

  if (type === 'text/csv' && route.csv && route.response.kind === 'list') {
    const header = csvColumns(route).join(',');
    if (!x.body.startsWith(`${header}\r\n`)) fail(`CSV does not start with the header ${header}`);
    if (x.body.length > 0 && !x.body.endsWith('\r\n')) fail('CSV record not CRLF-terminated');
    return problems;
  }
  const schema = responseBodySchema(route);
  if (!schema) {
    if (x.body.length === 0) fail('empty text document');
    return problems;
  }
  let json: unknown;
  try {
    json = JSON.parse(x.body);
  } catch {
    fail('2xx JSON body does not parse');
    return problems;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    fail(
      `body breaks the response schema: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
    return problems;
  }
  const extra = undeclaredKeys(schema, json).slice(0, 5);
  if (extra.length > 0) fail(`body has undeclared members: ${extra.join(', ')}`);

  if (route.response.kind === 'list' || route.response.kind === 'object') {
    const envelope = json as {
      data: unknown;
      meta: Record<string, unknown>;
      links?: Record<string, string | null>;
    };
    if (envelope.meta.request_id !== x.headers['x-request-id'])
      fail('meta.request_id differs from X-Request-Id');
    if (route.response.kind === 'list') {
      const data = envelope.data as unknown[];
      if (envelope.meta.count !== data.length)
        fail(`meta.count ${envelope.meta.count} but ${data.length} items`);
      if (envelope.meta.has_more !== (envelope.meta.next_cursor !== null))
        fail('has_more disagrees with next_cursor');
      if (envelope.meta.next_cursor !== null && x.headers['x-next-cursor'] !== envelope.meta.next_cursor)
        fail('X-Next-Cursor differs from meta.next_cursor');
      if (envelope.links) {
        const sent = new URL(x.url);
        if (envelope.links.self !== `${sent.pathname}${sent.search}`)
          fail(`links.self ${envelope.links.self} is not the request`);
        if ((envelope.links.next === null) !== (envelope.meta.next_cursor === null))
          fail('links.next disagrees with next_cursor');
      }
    }
  }
  return problems;
}
