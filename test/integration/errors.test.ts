import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  timestamp: string;
  errors?: { field: string; message: string; code?: string }[];
}

async function problem(path: string, init: RequestInit = {}): Promise<{ res: Response; body: Problem }> {
  const res = await fetch(`${api.url}${path}`, init);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Problem;
  for (const member of [
    'type',
    'title',
    'status',
    'detail',
    'instance',
    'request_id',
    'timestamp',
  ] as const) {
    expect(body[member], `${path} lacks ${member}`).toBeDefined();
  }
  expect(body.status).toBe(res.status);
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  return { res, body };
}

describe('problem+json for every error', () => {
  it('answers an unknown route with 404', async () => {
    const { res, body } = await problem('/v1/nothing-here?x=1');
    expect(res.status).toBe(404);
    expect(body.type).toBe('https://api.aurum.dev/problems/not-found');
    expect(body.instance).toBe('/v1/nothing-here?x=1');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const { res } = await problem('/v1/curves', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('keeps the caller’s X-Request-Id', async () => {
    const { body } = await problem('/v1/curves?limit=0', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(body.request_id).toBe('trace-123');
  });

  it.each([
    ['/v1/curves?limit=0', 'query.limit'],
    ['/v1/curves?limit=1001', 'query.limit'],
    ['/v1/curves?limit=ten', 'query.limit'],
    ['/v1/curves?limit=1e3', 'query.limit'],
    ['/v1/curves?asof=2025-02-30', 'query.asof'],
    ['/v1/curves?asof=yesterday', 'query.asof'],
    ['/v1/curves?tenor_type=WEEKLY', 'query.tenor_type'],
    ['/v1/curves?curve_key=bad%20key!', 'query.curve_key'],
    ['/v1/curves?iso=', 'query.iso'],
    ['/v1/curves?format=xml', 'query.format'],
    ['/v1/curves?limit=600', 'query.limit'],
    ['/v1/curves/diff?asof_b=2025-09-02&iso=PJM', 'query.asof_a'],
    ['/v1/curves/strips?type=WEEKLY', 'query.type'],
    ['/v1/curves/strips', 'query.type'],
    ['/v2/curves?limit=101', 'query.limit'],
    ['/v2/curves/export?chunk_size=50', 'query.chunk_size'],
    ['/v2/curves/X/diff?from_timestamp=2025-09-02', 'query.to_timestamp'],
    ['/v2/curves/X/diff?from_timestamp=nope&to_timestamp=2025-09-02', 'query.from_timestamp'],
    ['/v2/curves?tenant_id=bad%20tenant!', 'query.tenant_id'],
  ])('%s is a 400 naming %s', async (path, field) => {
    const { res, body } = await problem(path);
    expect(res.status).toBe(400);
    expect(body.type).toBe('https://api.aurum.dev/problems/validation-error');
    expect(body.errors?.map((e) => e.field)).toContain(field);
  });

  it('names every invalid field at once', async () => {
    const { body } = await problem('/v1/curves?limit=0&asof=x&tenor_type=Y');
    expect(body.errors?.map((e) => e.field).sort()).toEqual([
      'query.asof',
      'query.limit',
      'query.tenor_type',
    ]);
  });

  it('refuses a development tenant header that is not a tenant', async () => {
    const { res } = await problem('/v1/curves', { headers: { 'X-Aurum-Tenant': 'bad tenant!' } });
    expect(res.status).toBe(400);
  });
});

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    "' OR '1'='1",
    "PJM'; DROP TABLE curve_observation; --",
    'PJM /* comment */',
    '\\x00\\',
    '%27%20OR%201%3D1',
    'ÉÖ漢字🙂',
    'a'.repeat(5000),
    "'); SELECT * FROM information_schema.tables; --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input here
    '${1}',
    '$1',
  ),
);

describe('hostile strings in every string filter', () => {
  const filters = ['curve_key', 'asset_class', 'iso', 'location', 'market', 'product', 'block'];
  it('are answered 200 or 4xx, never 5xx, on every curves route', async () => {
    const routes = [
      '/v1/curves?',
      '/v1/curves/diff?asof_a=2025-09-02&asof_b=2025-09-26&',
      '/v1/curves/strips?type=CALENDAR&',
      '/v2/curves/export?',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...filters, 'name_filter', 'cursor'),
        hostile,
        async (route, filter, value) => {
          const path =
            route.startsWith('/v2/curves/export') && filter === 'name_filter' ? '/v2/curves?' : route;
          const res = await fetch(`${api.url}${path}${filter}=${encodeURIComponent(value)}&limit=5`);
          await res.arrayBuffer();
          expect(res.status, `${path}${filter}=${JSON.stringify(value)}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
        },
      ),
      { numRuns: 120, seed: 20250926 },
    );
  });
});
