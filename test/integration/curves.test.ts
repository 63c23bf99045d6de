import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

interface Page<T> {
  meta: {
    next_cursor: string | null;
    prev_cursor: string | null;
    has_more: boolean;
    count: number;
    request_id: string;
  };
  data: T[];
}
interface Point {
  curve_key: string;
  tenor_label: string;
  contract_month: string | null;
  asof_date: string;
  price_type: string | null;
  tenor_type: string | null;
  mid: number | null;
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

async function json<T>(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; body: T }> {
  const res = await get(path, headers);
  return { res, body: (await res.json()) as T };
}

/** A signed cursor: base64url payload, a dot, base64url signature. */
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

const identity = (p: Point) => `${p.curve_key}|${p.tenor_label}|${p.asof_date}|${p.price_type}`;

describe('GET /v1/curves', () => {
  it('answers {meta, data} with ETag and Cache-Control, and 304 with an empty body on If-None-Match', async () => {
    const { res, body } = await json<Page<Point>>('/v1/curves?limit=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.data).toHaveLength(5);
    expect(body.meta.request_id).toBe(res.headers.get('x-request-id'));
    expect(body.meta.has_more).toBe(true);
    expect(res.headers.get('cache-control')).toBe(
      'private, max-age=300, stale-while-revalidate=150, stale-if-error=900',
    );
    expect(res.headers.get('vary')).toBe('Accept, Accept-Encoding');
    expect(res.headers.get('deprecation')).toBe('true');
    expect(res.headers.get('sunset')).toBe('Wed, 31 Dec 2025 23:59:59 GMT');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const again = await get('/v1/curves?limit=5', { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toContain('max-age=300');
    expect(again.headers.get('x-next-cursor')).toMatch(TOKEN);

    const other = await get('/v1/curves?limit=5', { 'If-None-Match': '"something-else"' });
    expect(other.status).toBe(200);
  });

  it('pages a filtered query through next_cursor to exactly the rows of one large page, and back through prev_cursor', async () => {
    const filter = 'iso=ERCOT&block=ON_PEAK';
    const { body: whole } = await json<Page<Point>>(`/v1/curves?${filter}&limit=500`);
    expect(whole.meta.has_more).toBe(false);
    expect(whole.data.length).toBeGreaterThan(100);

    const pages: Page<Point>[] = [];
    let next: string | null = null;
    do {
      const cursor: string = next ? `&cursor=${encodeURIComponent(next)}` : '';
      const { res, body } = await json<Page<Point>>(`/v1/curves?${filter}&limit=37${cursor}`);
      expect(res.status).toBe(200);
      pages.push(body);
      next = body.meta.next_cursor;
      expect(res.headers.get('x-next-cursor')).toBe(next);
    } while (next);
    const walked = pages.flatMap((p) => p.data);
    expect(walked.map(identity)).toEqual(whole.data.map(identity));
    expect(new Set(walked.map(identity)).size).toBe(walked.length);
    expect(pages[0]!.meta.prev_cursor).toBeNull();

    // Walk back from the last page: each prev page is the page before it, exactly.
    for (let i = pages.length - 1; i > 0; i--) {
      const prev = pages[i]!.meta.prev_cursor;
      expect(prev).toMatch(TOKEN);
      const { body } = await json<Page<Point>>(
        `/v1/curves?${filter}&limit=37&prev_cursor=${encodeURIComponent(prev!)}`,
      );
      expect(body.data.map(identity)).toEqual(pages[i - 1]!.data.map(identity));
      if (i === 1) expect(body.meta.prev_cursor).toBeNull();
    }
  });

  it('accepts since_cursor as an alias of cursor', async () => {
    const { body: first } = await json<Page<Point>>('/v1/curves?iso=PJM&limit=3');
    const a = await json<Page<Point>>(
      `/v1/curves?iso=PJM&limit=3&cursor=${encodeURIComponent(first.meta.next_cursor!)}`,
    );
    const b = await json<Page<Point>>(
      `/v1/curves?iso=PJM&limit=3&since_cursor=${encodeURIComponent(first.meta.next_cursor!)}`,
    );
    expect(b.body.data).toEqual(a.body.data);
  });

  it('answers an empty page as 200 with data [] (the original returned 500)', async () => {
    const { res, body } = await json<Page<Point>>('/v1/curves?iso=NOWHERE&limit=5');
    expect(res.status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.meta.next_cursor).toBeNull();
  });

  it('returns one as-of date when asof is given', async () => {
    const { body } = await json<Page<Point>>('/v1/curves?asof=2025-09-02&iso=PJM&limit=50');
    expect(body.data.length).toBeGreaterThan(0);
    expect(new Set(body.data.map((p) => p.asof_date))).toEqual(new Set(['2025-09-02']));
  });

  it('serves CSV with a header row, Content-Disposition, cursor headers and its own ETag', async () => {
    const res = await get('/v1/curves?iso=PJM&limit=4&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="curves.csv"');
    expect(res.headers.get('x-next-cursor')).toMatch(TOKEN);
    const text = await res.text();
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('curve_key,tenor_label,tenor_type,contract_month,asof_date,mid,bid,ask,price_type');
    expect(lines).toHaveLength(5);
    const etag = res.headers.get('etag')!;
    const jsonRes = await get('/v1/curves?iso=PJM&limit=4');
    expect(jsonRes.headers.get('etag')).not.toBe(etag);
    const revalidated = await get('/v1/curves?iso=PJM&limit=4&format=csv', { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
  });

  it('compresses bodies above 1 KB when the client accepts gzip', async () => {
    const res = await fetch(`${api.url}/v1/curves?limit=50`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = (await res.json()) as Page<Point>;
    expect(body.data).toHaveLength(50);
    const raw = await import('node:http').then(
      ({ get: httpGet }) =>
        new Promise<Buffer>((resolve) =>
          httpGet(`${api.url}/v1/curves?limit=50`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => resolve(Buffer.concat(chunks)));
          }),
        ),
    );
    expect(JSON.parse(gunzipSync(raw).toString()).data).toHaveLength(50);
  });
});

describe('cursor misuse', () => {
  it('refuses a tampered cursor, a cursor from other filters, a garbage cursor and two cursors at once', async () => {
    const { body } = await json<Page<Point>>('/v1/curves?iso=PJM&limit=3');
    const token = body.meta.next_cursor!;
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const [query, code] of [
      [`iso=PJM&limit=3&cursor=${encodeURIComponent(tampered)}`, 'cursor_'],
      [`iso=MISO&limit=3&cursor=${encodeURIComponent(token)}`, 'cursor_filter_mismatch'],
      ['iso=PJM&limit=3&cursor=not-a-cursor', 'cursor_'],
      [
        `iso=PJM&limit=3&cursor=${encodeURIComponent(token)}&prev_cursor=${encodeURIComponent(tampered)}`,
        'cursor_conflict',
      ],
    ] as const) {
      const res = await get(`/v1/curves?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as { errors: { field: string; code: string }[] };
      expect(problem.errors[0]!.field).toMatch(/^query\.(cursor|prev_cursor)$/);
      expect(problem.errors[0]!.code.startsWith(code)).toBe(true);
    }
  });

  it('refuses a cursor made by another list, even one with the same (empty) filters', async () => {
    const { body } = await json<Page<Point>>('/v1/curves?limit=1');
    const elsewhere = await get(`/v2/curves?cursor=${encodeURIComponent(body.meta.next_cursor!)}`);
    expect(elsewhere.status).toBe(400);
    const problem = (await elsewhere.json()) as { errors: { field: string; code: string }[] };
    expect(problem.errors[0]).toMatchObject({ field: 'query.cursor', code: 'cursor_filter_mismatch' });
  });

  it('refuses offset paging past 0 and points to the cursor', async () => {
    const res = await get('/v1/curves?limit=3&offset=10');
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors[0]!.field).toBe('query.offset');
  });
});

describe('GET /v1/curves/diff and /v1/curves/strips', () => {
  it('diffs two dates with diff_abs = b − a, and its next_cursor works (the original rejected it)', async () => {
    const base = '/v1/curves/diff?asof_a=2025-09-02&asof_b=2025-09-26&iso=PJM&limit=10';
    const { res, body } =
      await json<
        Page<{
          mid_a: number;
          mid_b: number;
          diff_abs: number;
          diff_pct: number | null;
          curve_key: string;
          tenor_label: string;
        }>
      >(base);
    expect(res.status).toBe(200);
    expect(body.data).toHaveLength(10);
    for (const row of body.data) {
      expect(row.diff_abs).toBeCloseTo(row.mid_b - row.mid_a, 6);
      expect(row.diff_pct).toBeCloseTo((row.mid_b - row.mid_a) / row.mid_a, 6);
    }
    const page2 = await json<Page<{ curve_key: string; tenor_label: string }>>(
      `${base}&cursor=${encodeURIComponent(body.meta.next_cursor!)}`,
    );
    expect(page2.res.status).toBe(200);
    const seen = new Set(body.data.map((r) => `${r.curve_key}|${r.tenor_label}`));
    for (const r of page2.body.data) expect(seen.has(`${r.curve_key}|${r.tenor_label}`)).toBe(false);
  });

  it('refuses equal dates, a range over 365 days and a diff without filters', async () => {
    const same = await json<{ detail: string }>(
      '/v1/curves/diff?asof_a=2025-09-02&asof_b=2025-09-02&iso=PJM',
    );
    expect(same.res.status).toBe(400);
    const far = await json<{ detail: string }>('/v1/curves/diff?asof_a=2024-01-01&asof_b=2025-09-02&iso=PJM');
    expect(far.res.status).toBe(400);
    expect(far.body.detail).toBe('Date range too large: 610 days. Maximum allowed: 365 days');
    const bare = await json<{ detail: string }>('/v1/curves/diff?asof_a=2025-09-01&asof_b=2025-09-02');
    expect(bare.res.status).toBe(400);
  });

  it('returns only the requested strip type', async () => {
    const { res, body } = await json<Page<Point>>('/v1/curves/strips?type=CALENDAR&iso=PJM&limit=100');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(body.data.length).toBeGreaterThan(0);
    expect(new Set(body.data.map((p) => p.tenor_type))).toEqual(new Set(['CALENDAR']));
  });
});

describe('v2 curves', () => {
  it('lists curves with links that carry the cursor and the other parameters', async () => {
    const { res, body } = await json<{
      data: { id: string; data_points: number }[];
      links: { self: string; next: string | null };
      meta: { next_cursor: string };
    }>('/v2/curves?limit=3&name_filter=ercot');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(body.data).toHaveLength(3);
    for (const c of body.data) expect(c.id.toLowerCase()).toContain('ercot');
    expect(body.links.next).toContain('name_filter=ercot');
    const next = await json<{ data: { id: string }[] }>(body.links.next!);
    expect(next.body.data[0]!.id > body.data[2]!.id).toBe(true);
  });

  it('answers 403 when tenant_id disagrees with the caller, and 200 when it agrees', async () => {
    const other = await json<{ status: number; type: string }>('/v2/curves?tenant_id=globex', {
      'X-Aurum-Tenant': 'acme',
    });
    expect(other.res.status).toBe(403);
    expect(other.res.headers.get('content-type')).toBe('application/problem+json');
    expect(other.body.type).toBe('https://api.aurum.dev/problems/forbidden');
    const same = await get('/v2/curves?tenant_id=%20ACME%20', { 'X-Aurum-Tenant': 'acme' });
    expect(same.status).toBe(200);
  });

  it('exports CSV of latest points', async () => {
    const res = await get('/v2/curves/export?iso=SPP&chunk_size=100');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="curve_export_all.csv"');
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('curve_key,tenor_label,tenor_type,contract_month,asof_date,mid,bid,ask,price_type');
    const list = await json<Page<Point>>('/v1/curves?iso=SPP&limit=500');
    expect(lines.length - 1).toBe(list.body.data.length);
  });

  it('diffs one curve between two timestamps', async () => {
    const { res, body } = await json<{
      data: { id: string; description: string; data_points: { curve_key: string }[] };
      meta: { version: string };
    }>(
      '/v2/curves/PJM.WESTERN_HUB.DA.ON_PEAK.PWR/diff?from_timestamp=2025-09-02T00:00:00Z&to_timestamp=2025-09-26',
    );
    expect(res.status).toBe(200);
    expect(body.data.id).toBe('PJM.WESTERN_HUB.DA.ON_PEAK.PWR');
    expect(body.data.description).toBe('Diff between 2025-09-02 and 2025-09-26');
    expect(body.data.data_points.length).toBeGreaterThan(30);
    expect(body.meta.version).toBe('v2');
  });
});
