import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_SCOPES } from '#lib/cache/policies';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

const post = (path: string, init: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
const xcache = async (path: string) => {
  const res = await fetch(`${api.url}${path}`);
  await res.arrayBuffer();
  return res.headers.get('x-cache');
};

describe('admin cache routes', () => {
  it('are for admins only', async () => {
    const res = await post('/v1/admin/cache/curves/invalidate', {
      headers: { 'X-Aurum-Groups': 'analysts' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^admin_required/);
  });

  it('invalidate curves: the next curves request is a miss', async () => {
    const path = '/v1/curves?iso=ERCOT&limit=3';
    await xcache(path);
    expect(await xcache(path)).toBe('hit');
    const res = await post('/v1/admin/cache/curves/invalidate');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { scope: string; version: number }[] };
    expect(body.data.map((d) => d.scope)).toEqual(['curves', 'curves-diff', 'curves-strips', 'curves-v2']);
    expect(body.data.every((d) => d.version >= 1)).toBe(true);
    expect(await xcache(path)).toBe('miss');
  });

  it('v2 invalidate answers the original shape', async () => {
    const res = await post('/v2/admin/cache/curves/invalidate?tenant_id=demo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      cache_type: string;
      keys_purged: number;
      meta: { tenant_id: string; version: string };
    };
    expect(body).toMatchObject({
      cache_type: 'curves',
      keys_purged: 0,
      meta: { tenant_id: 'demo', version: 'v2' },
    });
  });

  it('scenario invalidation is a 204 with the original headers, and refuses a bad id', async () => {
    const id = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
    const v2 = await post(`/v2/admin/cache/scenario/${id}/invalidate?tenant_id=demo`);
    expect(v2.status).toBe(204);
    expect(v2.headers.get('x-tenant-id')).toBe('demo');
    expect(v2.headers.get('x-keys-purged')).toBe('0');
    expect(v2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post(`/v1/admin/cache/scenario/${id}/invalidate`)).status).toBe(204);
    const bad = await post('/v1/admin/cache/scenario/not-a-uuid/invalidate');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('path.scenario_id');
  });

  it('metadata invalidation keeps the original errors', async () => {
    expect((await post('/v1/admin/cache/metadata/units/invalidate')).status).toBe(200);
    expect((await post('/v1/admin/cache/metadata/locations/invalidate?iso=pjm')).status).toBe(200);
    expect((await post('/v1/admin/cache/metadata/weather/invalidate')).status).toBe(404);
    expect((await post('/v1/admin/cache/metadata/constructor/invalidate')).status).toBe(404);
    const notApplicable = await post('/v1/admin/cache/metadata/units/invalidate?iso=PJM');
    expect(notApplicable.status).toBe(400);
    expect(((await notApplicable.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
      'iso_not_applicable',
    );
    const invalidIso = await post('/v1/admin/cache/metadata/locations/invalidate?iso=XX');
    expect(((await invalidIso.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('invalid_iso');
  });

  it('warm-up fills the curves scope through the API, so the next request is a hit', async () => {
    await post('/v1/admin/cache/curves/invalidate');
    const res = await post('/v1/admin/cache/warm', { body: { scopes: ['curves', 'curves-v2', 'nonsense'] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { scope: string; ok: boolean; error?: string }[] };
    const byScope = Object.fromEntries(body.data.map((d) => [d.scope, d]));
    expect(byScope.curves!.ok).toBe(true);
    expect(byScope['curves-v2']!.ok).toBe(true);
    expect(byScope.nonsense).toMatchObject({ ok: false, error: 'unknown cache scope' });
    expect(await xcache('/v1/curves?iso=PJM&limit=200')).toBe('hit');
  });

  it('warm-up takes each scope once and at most as many scopes as there are', async () => {
    const twice = await post('/v1/admin/cache/warm', { body: { scopes: ['curves', 'curves-v2', 'curves'] } });
    expect(twice.status).toBe(422);
    expect(((await twice.json()) as { errors: { field: string; code: string }[] }).errors).toEqual([
      { field: 'body.scopes', message: 'each scope may be named only once', code: 'duplicate_scope' },
    ]);
    const many = Array.from({ length: CACHE_SCOPES.length + 1 }, (_, i) => `scope-${i}`);
    const tooMany = await post('/v1/admin/cache/warm', { body: { scopes: many } });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as { errors: { field: string; code: string }[] }).errors[0]).toMatchObject(
      {
        field: 'body.scopes',
        code: 'too_big',
      },
    );
    const all = await post('/v1/admin/cache/warm', { body: { scopes: many.slice(1) } });
    expect(all.status).toBe(200);
  });

  it('validates bodies: 422 for a wrong shape, 400 for broken JSON, 415 for another media type', async () => {
    const shape = await post('/v1/admin/cache/warm', { body: { scopes: [] } });
    expect(shape.status).toBe(422);
    expect(((await shape.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('body.scopes');
    expect((await post('/v1/admin/cache/warm', { raw: '{"scopes": [' })).status).toBe(400);
    expect(
      (
        await post('/v1/admin/cache/warm', {
          raw: 'scopes=curves',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
  });
});
