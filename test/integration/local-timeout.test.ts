import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVE_COLUMNS } from '#functions/curves/routes';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

const COLUMNS = CURVE_COLUMNS.map((name) => ({ name, type: 'varchar' }));

let trino: FakeTrino;
let api: LocalApi;
beforeAll(async () => {
  trino = await startFakeTrino();
  api = await startLocalApi({ AURUM_TRINO_URL: trino.url, AURUM_REQUEST_TIMEOUT_MS: '1000' });
});
afterAll(async () => {
  await api.close();
  await trino.close();
});

describe('the local gateway honours AURUM_REQUEST_TIMEOUT_MS as Lambda honours its timeout', () => {
  it('answers a 504 problem, and cancels the query, when the data store is slower than the budget', async () => {
    trino.script("'SLOW.LOCAL'", { columns: COLUMNS, steps: [{ delayMs: 4_000 }] });
    const res = await fetch(`${api.url}/v1/curves?curve_key=SLOW.LOCAL&limit=5`);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { status: number; type: string };
    expect(body.status).toBe(504);
    await expect.poll(() => trino.cancels.length).toBeGreaterThan(0);
  });

  it('still answers 200 when the data store answers within the budget', async () => {
    trino.script("'FAST.LOCAL'", {
      columns: COLUMNS,
      steps: [
        { rows: [['FAST.LOCAL', '2026-01', 'MONTHLY', '2026-01-01', '2025-09-26', '1', '1', '1', 'MID']] },
      ],
    });
    const res = await fetch(`${api.url}/v1/curves?curve_key=FAST.LOCAL&limit=5`);
    expect(res.status).toBe(200);
  });
});
