import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_NAMES } from '#functions/canary/metric-names';
import { type CanaryReport, formatReport, runCanary } from '#functions/canary/run-canary';
import type { HealthProvider } from '#lib/health/provider';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { type ApiDouble, startApiDouble } from './api-double.ts';

let api: LocalApi;
const doubles: ApiDouble[] = [];
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await api.close();
});

async function double(override: Parameters<typeof startApiDouble>[1]): Promise<ApiDouble> {
  const d = await startApiDouble(api.url, override);
  doubles.push(d);
  return d;
}

const byName = (report: CanaryReport, name: string) => report.results.find((r) => r.name === name)!;

describe('the canary against the local gateway', () => {
  it('passes every deep check and API probe when the API is healthy', async () => {
    const report = await runCanary({ baseUrl: api.url, providers: readinessProvidersFromEnv({}) });
    expect(report.results.map((r) => r.name)).toEqual([...PROBE_NAMES]);
    expect(report.results.filter((r) => !r.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(byName(report, 'curves').reason).toBe('5 points');
    expect(formatReport(report).split('\n')[0]).toBe(`canary ${api.url}: PASS (8 probes)`);
  });

  it('reaches the data store every run with a query no cache can answer', async () => {
    const d = await double(() => false);
    for (let run = 0; run < 2; run += 1) {
      const report = await runCanary({ baseUrl: d.url });
      expect(byName(report, 'data-path')).toMatchObject({ ok: true, reason: 'reached the data store' });
    }
    const uncached = d.seen.map((r) => r.path).filter((path) => path.includes('curve_key=CANARY.'));
    expect(uncached).toHaveLength(2);
    expect(new Set(uncached).size).toBe(2);
  });

  it('fails the data-path probe when its answer came from a cache', async () => {
    const d = await double((req, res) => {
      if (!req.url?.includes('curve_key=CANARY.')) return false;
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-cache': 'hit' })
        .end('{"meta":{},"data":[]}');
      return true;
    });
    const report = await runCanary({ baseUrl: d.url });
    expect(byName(report, 'data-path')).toMatchObject({
      ok: false,
      reason: '/v1/curves (uncached): X-Cache is hit, expected miss',
    });
  });

  it('sends the bearer token on every request when it has one', async () => {
    const d = await double(() => false);
    await runCanary({ baseUrl: d.url, token: 'canary-token' });
    expect(d.seen.length).toBeGreaterThanOrEqual(5);
    expect(d.seen.every((r) => r.authorization === 'Bearer canary-token')).toBe(true);
  });

  it('fails the malformed-request probe when the API accepts limit=0', async () => {
    const d = await double((req, res) => {
      if (!req.url?.includes('limit=0')) return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"meta":{},"data":[]}');
      return true;
    });
    const report = await runCanary({ baseUrl: d.url });
    expect(report.ok).toBe(false);
    expect(byName(report, 'malformed-request')).toMatchObject({
      ok: false,
      reason: '/v1/curves?limit=0: expected HTTP 400, got 200',
    });
    expect(report.results.filter((r) => !r.ok).map((r) => r.name)).toEqual(['malformed-request']);
    const lines = formatReport(report).split('\n');
    expect(lines[0]).toBe(`canary ${d.url}: FAIL (1 of 5 probes failed)`);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^malformed-request\s+FAIL\s+\d+ ms\s+\/v1\/curves\?limit=0: expected HTTP 400, got 200$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^curves\s+PASS\s+\d+ ms/));
  });

  it('fails the revalidation probe when the API ignores If-None-Match', async () => {
    const d = await double((req, res) => {
      if (!req.headers['if-none-match']) return false;
      res.writeHead(200, { 'content-type': 'application/json', etag: '"x"' }).end('{"meta":{},"data":[]}');
      return true;
    });
    const report = await runCanary({ baseUrl: d.url });
    expect(byName(report, 'etag-revalidation')).toMatchObject({
      ok: false,
      reason: '/v1/curves?limit=5 with If-None-Match: expected HTTP 304, got 200',
    });
  });

  it('fails the ready probe with the failed check when /ready answers 503', async () => {
    const d = await double((req, res) => {
      if (req.url !== '/ready') return false;
      res.writeHead(503, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          status: 503,
          checks: { cache: { status: 'failed', latency_ms: 3, detail: 'upstash: ping failed' } },
        }),
      );
      return true;
    });
    const report = await runCanary({ baseUrl: d.url });
    expect(byName(report, 'ready')).toMatchObject({
      ok: false,
      reason: '/ready: HTTP 503 (cache: upstash: ping failed)',
    });
  });

  it('fails a probe at its timeout when the API does not answer', async () => {
    const d = await double((req) => req.url === '/ready');
    const started = Date.now();
    const report = await runCanary({ baseUrl: d.url, probeTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(byName(report, 'ready')).toMatchObject({ ok: false, reason: 'timed out after 300 ms' });
    expect(byName(report, 'curves').ok).toBe(true);
  });

  it('fails every API probe, saying why, when nothing listens', async () => {
    const d = await double(() => false);
    await d.close();
    const report = await runCanary({ baseUrl: d.url });
    expect(report.ok).toBe(false);
    expect(report.results.map((r) => [r.name, r.ok, r.reason])).toEqual([
      ['ready', false, 'request failed (ECONNREFUSED)'],
      ['curves', false, 'request failed (ECONNREFUSED)'],
      ['data-path', false, 'request failed (ECONNREFUSED)'],
      ['etag-revalidation', false, 'request failed (ECONNREFUSED)'],
      ['malformed-request', false, 'request failed (ECONNREFUSED)'],
    ]);
  });

  it('fails on a failed deep check even when the API answers', async () => {
    const broken: HealthProvider = {
      name: 'cache',
      check: async () => ({ status: 'failed', latencyMs: 2, detail: 'upstash: unreachable' }),
    };
    const report = await runCanary({ baseUrl: api.url, providers: [broken] });
    expect(report.ok).toBe(false);
    expect(byName(report, 'check-cache')).toMatchObject({ ok: false, reason: 'upstash: unreachable' });
  });
});
