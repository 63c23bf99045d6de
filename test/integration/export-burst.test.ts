import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/** One export a second per tenant, three at once; everything else effectively unlimited. */
const EXPORT_LIMIT = '1:2';
const BURST = 12;

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({
    AURUM_API_RATE_LIMIT_EXPORT: EXPORT_LIMIT,
    AURUM_API_RATE_LIMIT_RPS: '100000',
  });
});
afterAll(async () => {
  await api.close();
});

const get = (path: string, tenant: string) =>
  fetch(`${api.url}${path}`, { headers: { 'x-aurum-tenant': tenant } });

describe('exports have their own per-tenant rate limit', () => {
  it('a burst of exports from one tenant gets 429s while another tenant’s list requests answer 200', async () => {
    const [exports, others] = await Promise.all([
      Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          get(`/v2/curves/export?iso=SPP&chunk_size=${100 + i}`, 'burst'),
        ),
      ),
      Promise.all(Array.from({ length: BURST }, (_, i) => get(`/v2/curves?limit=${1 + i}`, 'quiet'))),
    ]);
    const exportStatuses = exports.map((r) => r.status);
    const refused = exports.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(BURST - 3 - 2);
    expect(exportStatuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(exportStatuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const res of refused) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
    }
    expect(others.map((r) => r.status)).toEqual(Array(BURST).fill(200));
    // The exporting tenant's own list requests draw from another bucket too.
    expect((await get('/v2/curves?limit=2', 'burst')).status).toBe(200);
    await Promise.all([...exports, ...others].map((r) => r.arrayBuffer()));
  });
});
