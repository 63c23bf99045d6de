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
  status: number;
  errors?: { field: string; code: string }[];
}

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${api.url}${path}`, { headers });
  return { res, body: (await res.json()) as Problem };
};

describe('a scalar parameter given twice', () => {
  it('is a 400 naming it, not a silently joined value', async () => {
    const { res, body } = await get('/v1/curves?iso=PJM&iso=ERCOT&limit=5');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body.errors).toEqual([
      { field: 'query.iso', message: 'must be given at most once', code: 'repeated_parameter' },
    ]);
  });

  it('names every repeated parameter at once, on v2 routes too', async () => {
    const { res, body } = await get('/v2/curves?limit=3&limit=4&name_filter=a&name_filter=b', {
      'x-aurum-tenant': 'acme',
    });
    expect(res.status).toBe(400);
    expect(body.errors!.map((e) => e.field).sort()).toEqual(['query.limit', 'query.name_filter']);
  });

  it('still answers the same parameter given once', async () => {
    const { res } = await get('/v1/curves?iso=PJM&limit=5');
    expect(res.status).toBe(200);
  });
});
