import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#lib/errors';
import { responder } from '#lib/http/middleware/responder';
import { defineRoute } from '#lib/http/route';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const route = defineRoute({
  id: 'one',
  method: 'GET',
  path: '/v1/one',
  domain: 'd',
  version: 'v1',
  summary: 'one',
  auth: 'public',
  response: { kind: 'object' },
  cache: { scope: 'metadata', visibility: 'public' },
});

describe('responder', () => {
  it('answers the result in the v1 envelope with ETag, the policy’s Cache-Control and the deprecation headers', () => {
    const request = stackRequest(gatewayEvent('GET /v1/one', '/v1/one'), {
      route,
      result: { kind: 'object', data: { id: 1 } },
    });
    responder(testRuntime).after!(request);
    const response = request.response!;
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'Cache-Control': 'public, max-age=7200, stale-while-revalidate=600, stale-if-error=21600',
      Deprecation: 'true',
      'X-Request-Id': 'req-1',
    });
    expect(response.headers!.ETag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(JSON.parse(response.body!)).toMatchObject({ meta: { request_id: 'req-1' }, data: { id: 1 } });
  });

  it('answers a domain error as its problem, and an unknown one as a 500 that says nothing', () => {
    const invalid = stackRequest(gatewayEvent('GET /v1/one', '/v1/one'), { route });
    invalid.error = new InvalidInputError('bad cursor', [
      { field: 'query.cursor', message: 'bad', code: 'cursor_malformed' },
    ]);
    responder(testRuntime).onError!(invalid);
    expect(invalid.response!.statusCode).toBe(400);
    expect(invalid.response!.headers!['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(invalid.response!.body!).errors).toEqual([
      { field: 'query.cursor', message: 'bad', code: 'cursor_malformed' },
    ]);

    const crash = stackRequest(gatewayEvent('GET /v1/one', '/v1/one'), { route });
    crash.error = new Error('SELECT * FROM secrets at 10.1.2.3');
    responder(testRuntime).onError!(crash);
    expect(crash.response!.statusCode).toBe(500);
    expect(crash.response!.body).not.toMatch(/SELECT|10\.1\.2\.3/);
    expect(crash.response!.headers!['Cache-Control']).toBe('no-store');
  });
});

describe('responder for binary documents', () => {
  const png = defineRoute({
    id: 'png',
    method: 'GET',
    path: '/v1/png',
    domain: 'd',
    version: 'v1',
    summary: 'png',
    auth: 'tenant',
    response: { kind: 'file', contentType: 'image/png' },
    cache: { scope: 'drought-tiles', visibility: 'public' },
  });
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, ...Array.from({ length: 4000 }, (_, i) => i % 7)]);
  const answer = (headers: Record<string, string>, cacheScope?: 'drought-tiles-today') => {
    const request = stackRequest(gatewayEvent('GET /v1/png', '/v1/png', { headers }), {
      route: png,
      ...(cacheScope ? { cacheScope } : {}),
      result: { kind: 'document', body: bytes.toString('base64'), base64: true, contentType: 'image/png' },
    });
    responder(testRuntime).after!(request);
    return request.response!;
  };

  it('answers base64 with isBase64Encoded, uncompressed even when the client takes gzip', () => {
    const response = answer({ 'accept-encoding': 'gzip, br' });
    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(response.headers['Content-Type']).toBe('image/png');
    expect(response.headers['Content-Encoding']).toBeUndefined();
    expect(Buffer.from(response.body, 'base64').equals(bytes)).toBe(true);
    expect(response.headers['Cache-Control']).toBe(
      'private, max-age=86400, stale-while-revalidate=600, stale-if-error=86400',
    );
    const again = answer({ 'if-none-match': response.headers.ETag! });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('takes Cache-Control from the scope the request chose', () => {
    const response = answer({}, 'drought-tiles-today');
    expect(response.headers['Cache-Control']).toBe(
      'private, max-age=300, stale-while-revalidate=150, stale-if-error=900',
    );
  });
});
