/**
 * What the real handlers write to stdout as CloudWatch metrics: at most one EMF document per request,
 * in namespace Aurum with `service` as its only dimension, carrying what the request counted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminHandler } from '#functions/admin/handler';
import { createCurvesHandler } from '#functions/curves/handler';
import { createHealthHandler } from '#functions/health/handler';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import type { GatewayEvent, GatewayResult } from '#lib/http/event';
import { type HttpRuntime, runtimeFromEnv } from '#lib/http/runtime';
import { captureStdout, type EmfDocument, type StdoutCapture, theOneEmfDocument } from '#test/support/emf';
import { gatewayEvent, lambdaContext } from '#test/support/events';

const SERVICE = 'aurum-curves';
const ENV = {
  AURUM_AUTH_MODE: 'dev',
  AURUM_API_ADMIN_GROUP: 'aurum-admins',
  AURUM_CURSOR_SECRET: 'metrics-test',
  AURUM_API_RATE_LIMIT_RPS: '1000',
  // Every answer compressed, so a hit takes the brotli path it takes in production.
  AURUM_API_GZIP_MIN_BYTES: '0',
};

let engine: SqlEngine;
let stdout: StdoutCapture;
beforeAll(async () => {
  // The suite disables Powertools metrics; here they are what is tested. Both are read on the first
  // metric, which no request has counted yet in this file's process.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', SERVICE);
  engine = await createEngine({});
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await engine.close();
});
afterEach(() => stdout?.restore());

/** One invocation, and the EMF documents it wrote (none of them may come from an earlier request). */
async function invoke(
  handler: (event: GatewayEvent, context: ReturnType<typeof lambdaContext>) => Promise<GatewayResult>,
  event: GatewayEvent,
): Promise<{ response: GatewayResult; documents: EmfDocument[] }> {
  stdout = captureStdout();
  try {
    const response = await handler(event, lambdaContext(5_000));
    return { response, documents: stdout.documents() };
  } finally {
    stdout.restore();
  }
}

/** The one document a request wrote, checked for namespace and dimensions; its values by metric name. */
function onlyDocument(documents: EmfDocument[]): Record<string, unknown> {
  return theOneEmfDocument(documents, SERVICE).values;
}

const curves = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  gatewayEvent('GET /v1/curves', '/v1/curves', {
    query,
    headers: { 'x-aurum-tenant': 'acme', 'accept-encoding': 'br', ...headers },
  });

describe('EMF documents per request', () => {
  let runtime: HttpRuntime;
  let handler: ReturnType<typeof createCurvesHandler>;
  beforeAll(() => {
    runtime = runtimeFromEnv({ ...ENV });
    handler = createCurvesHandler({ engine, runtime: () => runtime });
  });

  it('a miss writes one document: the miss, the backend latency and the flag the route evaluated', async () => {
    const { response, documents } = await invoke(handler, curves({ iso: 'PJM', limit: '3' }));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['X-Cache']).toBe('miss');
    const values = onlyDocument(documents);
    expect(values['CacheMisses.curves']).toBe(1);
    expect(values['CacheBackendLatency.curves']).toEqual(expect.any(Number));
    expect(values).not.toHaveProperty(['CacheHits.curves']);
    // The curves routes read the corrections flag on every request (the answer is its variant).
    const flags = Object.keys(values).filter((name) => name.startsWith('FlagEvaluations.'));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatch(/^FlagEvaluations\.curves-latest-corrections\.(on|off)$/);
    expect(values[flags[0]!]).toBe(1);
  });

  it('a hit writes one document with CacheHits 1 for its scope, and no backend latency', async () => {
    const { response, documents } = await invoke(handler, curves({ iso: 'PJM', limit: '3' }));
    expect(response.headers?.['X-Cache']).toBe('hit');
    expect(response.headers?.['Content-Encoding']).toBe('br');
    const values = onlyDocument(documents);
    expect(values['CacheHits.curves']).toBe(1);
    expect(Object.keys(values).filter((n) => n.startsWith('Cache'))).toEqual(['CacheHits.curves']);
  });

  it('a 304 revalidation writes one document too', async () => {
    const first = await invoke(handler, curves({ iso: 'ERCOT', limit: '2' }));
    const etag = first.response.headers?.ETag as string;
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    const { response, documents } = await invoke(
      handler,
      curves({ iso: 'ERCOT', limit: '2' }, { 'if-none-match': etag }),
    );
    expect(response.statusCode).toBe(304);
    expect(onlyDocument(documents)['CacheHits.curves']).toBe(1);
  });

  it('a 400 validation problem writes at most one document, and counts no cache event', async () => {
    const { response, documents } = await invoke(handler, curves({ limit: 'lots' }));
    expect(response.statusCode).toBe(400);
    expect(documents.length).toBeLessThanOrEqual(1);
    for (const doc of documents) {
      expect(Object.keys(onlyDocument([doc])).filter((n) => n.startsWith('Cache'))).toEqual([]);
    }
  });

  it('a request that counts nothing writes nothing: a 404 from the $default function', async () => {
    const health = createHealthHandler({ runtime: () => runtimeFromEnv({ ...ENV }) });
    const { response, documents } = await invoke(
      health,
      gatewayEvent('$default', '/v1/no-such-thing', { headers: { 'x-aurum-tenant': 'acme' } }),
    );
    expect(response.statusCode).toBe(404);
    expect(documents).toEqual([]);
  });

  it('a rate-limited 429 writes one document with the rejection under its rule', async () => {
    const limited = runtimeFromEnv({
      ...ENV,
      AURUM_API_RATE_LIMIT_RPS: '1',
      AURUM_API_RATE_LIMIT_BURST: '0',
    });
    const limitedHandler = createCurvesHandler({ engine, runtime: () => limited });
    expect((await invoke(limitedHandler, curves({ iso: 'MISO', limit: '1' }))).response.statusCode).toBe(200);
    const { response, documents } = await invoke(limitedHandler, curves({ iso: 'MISO', limit: '1' }));
    expect(response.statusCode).toBe(429);
    const values = onlyDocument(documents);
    expect(values['RateLimitRejections.default']).toBe(1);
    expect(Object.keys(values).filter((n) => n.startsWith('Cache'))).toEqual([]);
  });

  it('an admin invalidation of several scopes writes them all in one document, each scope in its name', async () => {
    const admin = createAdminHandler({ runtime: () => runtime });
    const { response, documents } = await invoke(
      admin,
      gatewayEvent('POST /v2/admin/cache/curves/invalidate', '/v2/admin/cache/curves/invalidate', {
        headers: { 'x-aurum-tenant': 'acme', 'x-aurum-groups': 'aurum-admins' },
      }),
    );
    expect(response.statusCode).toBe(200);
    const values = onlyDocument(documents);
    for (const scope of ['curves', 'curves-diff', 'curves-strips', 'curves-v2'])
      expect(values[`CacheInvalidations.${scope}`], scope).toBe(1);
    // And the next curves request is a miss again, in a document of its own.
    const next = await invoke(handler, curves({ iso: 'PJM', limit: '3' }));
    expect(next.response.headers?.['X-Cache']).toBe('miss');
    expect(onlyDocument(next.documents)['CacheMisses.curves']).toBe(1);
  });
});
