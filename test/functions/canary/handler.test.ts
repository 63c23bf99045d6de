import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanaryFailed, handler } from '#functions/canary/handler';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { deadUrl } from './api-double.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  delete process.env.AURUM_CANARY_BASE_URL;
  await api.close();
});

describe('the scheduled canary function', () => {
  it('completes with every probe passed against a healthy API', async () => {
    process.env.AURUM_CANARY_BASE_URL = api.url;
    const report = await handler();
    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(8);
  });

  it('fails its invocation with the readable report when the API is unreachable', async () => {
    const url = await deadUrl();
    process.env.AURUM_CANARY_BASE_URL = url;
    const failure = await handler().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CanaryFailed);
    const lines = (failure as Error).message.split('\n');
    expect(lines[0]).toBe(`canary ${url}: FAIL (5 of 8 probes failed)`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ready\s+FAIL\s+\d+ ms\s+request failed \(ECONNREFUSED\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^check-engine\s+PASS/));
  });

  it('fails when it does not know where the API is', async () => {
    delete process.env.AURUM_CANARY_BASE_URL;
    await expect(handler()).rejects.toThrow('AURUM_CANARY_BASE_URL is not set');
  });
});
