import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

describe('liveness routes on the local gateway', () => {
  it.each([
    ['/health', 'ok'],
    ['/healthz', 'ok'],
    ['/health/live', 'ok'],
    ['/live', 'alive'],
    ['/livez', 'alive'],
  ])('%s answers {"status":"%s"} without a principal', async (path, status) => {
    const res = await fetch(`${api.url}${path}`, { headers: { 'X-Aurum-Tenant': 'bad tenant!' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
