import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '#lib/data/create-engine';
import { sql } from '#lib/data/sql';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;
let curveKeys: string[];

beforeAll(async () => {
  api = await startLocalApi({ AURUM_STORE_URL: 'memory:' });
  const engine = await createEngine();
  curveKeys = (
    await engine.query(
      sql`SELECT DISTINCT curve_key FROM curve_observation WHERE iso = 'PJM' ORDER BY curve_key LIMIT 5`,
    )
  ).map((r) => String(r.curve_key));
});
afterAll(async () => {
  await api.close();
});

const BASE = '/v2/series-curve-mappings';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string; code?: string }[];
}
interface MappingOut {
  id: string;
  external_provider: string;
  external_series_id: string;
  curve_key: string;
  mapping_confidence: number;
  mapping_method: string;
  mapping_notes: string | null;
  is_active: boolean;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}

function call(
  method: string,
  path: string,
  options: { tenant?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers: Record<string, string> = { 'X-Aurum-Tenant': options.tenant ?? 'acme', ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return fetch(`${api.url}${path}`, { method, headers, body });
}

const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();
let seq = 0;
const series = () => `SERIES-${Date.now().toString(36)}-${seq++}`;

describe('series–curve mappings: the write path end to end', () => {
  it('creates, replays, refuses a reused key, honours If-Match, walls tenants off, and deletes', async () => {
    const body = { external_provider: 'EIA', external_series_id: series(), curve_key: curveKeys[0] };
    const key = `key-${series()}`;

    const created = await call('POST', BASE, { body, headers: { 'Idempotency-Key': key } });
    expect(created.status).toBe(201);
    const first = (await created.json()) as { data: MappingOut; meta: { request_id: string } };
    expect(first.data).toMatchObject({
      ...body,
      mapping_confidence: 1,
      mapping_method: 'manual',
      mapping_notes: null,
      is_active: true,
    });
    expect(created.headers.get('location')).toBe(`${BASE}/${first.data.id}`);
    const etag1 = created.headers.get('etag')!;
    expect(etag1).toMatch(/^"1-[A-Za-z0-9_-]{12}"$/);
    expect(created.headers.get('idempotent-replayed')).toBeNull();

    // The same request again: the first answer, flagged, and still one row.
    const replay = await call('POST', BASE, { body, headers: { 'Idempotency-Key': key } });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('etag')).toBe(etag1);
    expect(replay.headers.get('location')).toBe(created.headers.get('location'));
    expect(await replay.json()).toEqual(first);
    const listed = (await (
      await call('GET', `${BASE}?provider=EIA&series_id=${encodeURIComponent(body.external_series_id)}`)
    ).json()) as { data: MappingOut[] };
    expect(listed.data.map((m) => m.id)).toEqual([first.data.id]);

    // The same key with another body: 422, nothing created.
    const reused = await call('POST', BASE, {
      body: { ...body, external_series_id: series() },
      headers: { 'Idempotency-Key': key },
    });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await reused.json()) as Problem).type).toMatch(/idempotency-key-reused$/);

    const url = `${BASE}/${first.data.id}`;
    const fetched = await call('GET', url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('etag')).toBe(etag1);
    expect(fetched.headers.get('cache-control')).toBe('private, no-cache');
    expect((await call('GET', url, { headers: { 'If-None-Match': etag1 } })).status).toBe(304);

    // A stale If-Match: 412 and unchanged.
    const stale = await call('PUT', url, {
      body: { ...body, mapping_notes: 'stale' },
      headers: { 'If-Match': '"7-AAAAAAAAAAAA"' },
    });
    expect(stale.status).toBe(412);
    expect(((await (await call('GET', url)).json()) as { data: MappingOut }).data.mapping_notes).toBeNull();

    // The current one: 200 with a new ETag.
    const put = await call('PUT', url, {
      body: { ...body, mapping_notes: 'checked by hand', mapping_confidence: 0.9 },
      headers: { 'If-Match': etag1 },
    });
    expect(put.status).toBe(200);
    const etag2 = put.headers.get('etag')!;
    expect(etag2).not.toBe(etag1);
    expect(etag2).toMatch(/^"2-/);
    const updated = ((await put.json()) as { data: MappingOut }).data;
    expect(updated).toMatchObject({ mapping_notes: 'checked by hand', mapping_confidence: 0.9 });
    expect(updated.created_at).toBe(first.data.created_at);
    // The old tag is stale now.
    expect((await call('DELETE', url, { headers: { 'If-Match': etag1 } })).status).toBe(412);

    // Another tenant sees nothing and changes nothing.
    expect((await call('GET', url, { tenant: 'globex' })).status).toBe(404);
    expect((await call('PUT', url, { tenant: 'globex', body })).status).toBe(404);
    expect((await call('DELETE', url, { tenant: 'globex' })).status).toBe(404);
    expect((await call('GET', url)).headers.get('etag')).toBe(etag2);

    const deleted = await call('DELETE', url, { headers: { 'If-Match': etag2 } });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await call('GET', url)).status).toBe(404);
  });

  it('merges a JSON Merge Patch: members set, null clears, the rest kept', async () => {
    const created = await call('POST', BASE, {
      body: {
        external_provider: 'FRED',
        external_series_id: series(),
        curve_key: curveKeys[1],
        mapping_notes: 'first',
      },
    });
    const { data } = (await created.json()) as { data: MappingOut };
    const patched = await call('PATCH', `${BASE}/${data.id}`, {
      raw: JSON.stringify({ is_active: false, mapping_notes: null }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    const after = ((await patched.json()) as { data: MappingOut }).data;
    expect(after).toMatchObject({ is_active: false, mapping_notes: null, curve_key: curveKeys[1] });
    expect(after.external_series_id).toBe(data.external_series_id);

    const bad = await call('PATCH', `${BASE}/${data.id}`, {
      raw: JSON.stringify({ mapping_confidence: 3 }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(bad.status).toBe(422);
    expect(fields((await bad.json()) as Problem)).toEqual(['body.mapping_confidence']);
  });

  it('refuses an unknown curve (422 body.curve_key) and a duplicate series (409), writing nothing', async () => {
    const id = series();
    const unknown = await call('POST', BASE, {
      body: { external_provider: 'EIA', external_series_id: id, curve_key: 'NO_SUCH_CURVE' },
    });
    expect(unknown.status).toBe(422);
    expect(fields((await unknown.json()) as Problem)).toEqual(['body.curve_key']);

    const body = { external_provider: 'EIA', external_series_id: id, curve_key: curveKeys[2] };
    expect((await call('POST', BASE, { body })).status).toBe(201);
    const duplicate = await call('POST', BASE, { body: { ...body, curve_key: curveKeys[3] } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const rows = (await (await call('GET', `${BASE}?series_id=${id}`)).json()) as { data: MappingOut[] };
    expect(rows.data.map((m) => m.curve_key)).toEqual([curveKeys[2]]);
    // Another tenant may map the same series.
    expect((await call('POST', BASE, { tenant: 'globex', body })).status).toBe(201);
  });

  it('answers body problems: 400 invalid JSON, 415 wrong type, 413 too large, 422 naming unknown members', async () => {
    const invalid = await call('POST', BASE, {
      raw: '{"external_provider":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const form = await call('POST', BASE, {
      raw: 'external_provider=EIA',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);

    const big = await call('POST', BASE, {
      body: {
        external_provider: 'EIA',
        external_series_id: 'x',
        curve_key: 'y',
        mapping_notes: 'n'.repeat(300_000),
      },
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const extra = await call('POST', BASE, {
      body: {
        external_provider: 'EIA',
        external_series_id: series(),
        curve_key: curveKeys[0],
        colour: 'red',
        size: 1,
      },
    });
    expect(extra.status).toBe(422);
    expect(fields((await extra.json()) as Problem)).toEqual(['body.colour', 'body.size']);

    const missing = await call('POST', BASE, { body: { external_provider: 'EIA' } });
    expect(missing.status).toBe(422);
    expect(fields((await missing.json()) as Problem)).toEqual(['body.curve_key', 'body.external_series_id']);

    expect((await call('GET', `${BASE}/not-a-uuid`)).status).toBe(400);
  });

  it('walks the list with keyset cursors to the same rows as one large page', async () => {
    const provider = `WALK${seq++}`;
    for (let i = 0; i < 7; i++) {
      const res = await call('POST', BASE, {
        tenant: 'walker',
        body: {
          external_provider: provider,
          external_series_id: `S${i}`,
          curve_key: curveKeys[i % curveKeys.length],
        },
      });
      expect(res.status).toBe(201);
    }
    const all = (await (
      await call('GET', `${BASE}?provider=${provider}&limit=1000`, { tenant: 'walker' })
    ).json()) as {
      data: MappingOut[];
      meta: { total: number };
    };
    expect(all.meta.total).toBe(7);
    const walked: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await call(
        'GET',
        `${BASE}?provider=${provider}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { tenant: 'walker' },
      );
      const page = (await res.json()) as { data: MappingOut[]; meta: { next_cursor?: string | null } };
      walked.push(...page.data.map((m) => m.external_series_id));
      cursor = page.meta.next_cursor ?? undefined;
      if (!cursor) break;
    }
    expect(walked).toEqual(all.data.map((m) => m.external_series_id));
    expect(walked).toEqual(['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6']);

    const empty = await call('GET', `${BASE}?provider=NOBODY`, { tenant: 'walker' });
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as { data: unknown[] }).data).toEqual([]);
    const badCursor = await call('GET', `${BASE}?cursor=garbage`, { tenant: 'walker' });
    expect(badCursor.status).toBe(400);
    expect(fields((await badCursor.json()) as Problem)).toEqual(['query.cursor']);
    expect((await call('GET', `${BASE}?tenant_id=someone-else`, { tenant: 'walker' })).status).toBe(403);
  });

  it('suggests curves by trigram similarity, leaving out curves the series is mapped to', async () => {
    const target = curveKeys[0]!;
    const res = await call(
      'GET',
      `/v2/series-mapping-suggestions?provider=EIA&series_id=${encodeURIComponent(target.toLowerCase())}&units=USD/MWh&limit=5`,
      { tenant: 'suggest' },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { curve_key: string; similarity_score: number; confidence_score: number; reasoning: string }[];
    };
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.length).toBeLessThanOrEqual(5);
    expect(body.data[0]!.curve_key).toBe(target);
    for (const s of body.data) {
      expect(s.similarity_score).toBeGreaterThan(0);
      expect(s.similarity_score).toBeLessThanOrEqual(1);
      expect(s.confidence_score).toBeLessThanOrEqual(1);
      expect(s.reasoning).toMatch(/similarity/);
    }
    await call('POST', BASE, {
      tenant: 'suggest',
      body: { external_provider: 'EIA', external_series_id: target.toLowerCase(), curve_key: target },
    });
    const again = (await (
      await call(
        'GET',
        `/v2/series-mapping-suggestions?provider=EIA&series_id=${encodeURIComponent(target.toLowerCase())}&limit=5`,
        { tenant: 'suggest' },
      )
    ).json()) as { data: { curve_key: string }[] };
    expect(again.data.map((s) => s.curve_key)).not.toContain(target);

    const missing = await call('GET', '/v2/series-mapping-suggestions?provider=EIA', { tenant: 'suggest' });
    expect(missing.status).toBe(400);
    expect(fields((await missing.json()) as Problem)).toEqual(['query.series_id']);
  });
});

describe('admin mapping routes', () => {
  const admin = { 'X-Aurum-Groups': 'aurum-admins' };

  it('need the admin group', async () => {
    const analyst = { 'X-Aurum-Groups': 'analysts' };
    expect((await call('GET', '/v1/admin/mappings', { headers: analyst })).status).toBe(403);
    expect((await call('GET', '/v2/admin/mappings', { headers: analyst })).status).toBe(403);
    const post = await call('POST', '/v1/admin/mappings', {
      headers: analyst,
      body: { external_provider: 'EIA', external_series_id: 'X', curve_key: curveKeys[0] },
    });
    expect(post.status).toBe(403);
  });

  it('create, get, update, search, list and delete through v1, and list through v2', async () => {
    const sid = `ADMIN-${series()}`;
    const created = await call('POST', '/v1/admin/mappings', {
      tenant: 'adm',
      headers: admin,
      body: {
        external_provider: 'ISO',
        external_series_id: sid,
        curve_key: curveKeys[4],
        mapping_method: 'rule',
      },
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: MappingOut };
    expect(created.headers.get('location')).toBe(`/v1/admin/mappings/${data.id}`);
    const url = `/v1/admin/mappings/${data.id}`;
    expect((await call('GET', url, { tenant: 'adm', headers: admin })).status).toBe(200);
    const put = await call('PUT', url, {
      tenant: 'adm',
      headers: { ...admin, 'If-Match': created.headers.get('etag')! },
      body: { external_provider: 'ISO', external_series_id: sid, curve_key: curveKeys[4], is_active: false },
    });
    expect(put.status).toBe(200);

    const search = (await (
      await call('GET', `/v1/admin/mappings/search?q=${encodeURIComponent(sid.slice(0, 12))}`, {
        tenant: 'adm',
        headers: admin,
      })
    ).json()) as { data: MappingOut[] };
    expect(search.data.map((m) => m.id)).toContain(data.id);

    const v1 = (await (
      await call('GET', '/v1/admin/mappings?provider=ISO', { tenant: 'adm', headers: admin })
    ).json()) as {
      data: MappingOut[];
    };
    expect(v1.data.map((m) => m.id)).toEqual([data.id]);

    const v2 = await call(
      'GET',
      `/v2/admin/mappings?provider_filter=iso&series_filter=${encodeURIComponent(sid.slice(6))}`,
      {
        tenant: 'adm',
        headers: admin,
      },
    );
    expect(v2.status).toBe(200);
    const v2body = (await v2.json()) as {
      data: {
        provider: string;
        series_id: string;
        curve_key: string;
        mapping_type: string;
        meta: { id: string };
      }[];
      meta: { filters: Record<string, string> };
    };
    expect(v2body.data).toEqual([
      expect.objectContaining({
        provider: 'ISO',
        series_id: sid,
        curve_key: curveKeys[4],
        mapping_type: 'manual',
      }),
    ]);
    expect(v2body.data[0]!.meta.id).toBe(data.id);
    expect(v2body.meta.filters).toEqual({ provider_filter: 'iso', series_filter: sid.slice(6) });

    expect((await call('DELETE', url, { tenant: 'adm', headers: admin })).status).toBe(204);
    expect((await call('GET', url, { tenant: 'adm', headers: admin })).status).toBe(404);
  });
});
