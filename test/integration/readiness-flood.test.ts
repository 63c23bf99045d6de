import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/** The bounded load: this many connections, each sending its next request when the last is answered. */
const CONNECTIONS = 50;
const FLOOD_MS = 5_000;
/** Longer than the flood, so the whole flood falls in one readiness period of this container. */
const REUSE_MS = 60_000;

let trino: FakeTrino;
let api: LocalApi;
beforeAll(async () => {
  trino = await startFakeTrino();
  trino.script('SELECT 1', { columns: [{ name: 'ok', type: 'integer' }], steps: [{ rows: [[1]] }] });
  api = await startLocalApi({ AURUM_TRINO_URL: trino.url, AURUM_READY_REUSE_MS: String(REUSE_MS) });
});
afterAll(async () => {
  await api.close();
  await trino.close();
});

describe('a flood of /ready', () => {
  it(`costs the data store one statement per readiness period (${CONNECTIONS} connections, ${FLOOD_MS / 1000} s)`, async () => {
    const before = trino.statements().length;
    const statuses = new Map<number, number>();
    const stopAt = Date.now() + FLOOD_MS;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < stopAt) {
          const res = await fetch(`${api.url}/ready`);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(sent).toBeGreaterThan(CONNECTIONS);
    expect([...statuses.keys()]).toEqual([200]);
    expect(trino.statements().length - before).toBe(1);
  }, 30_000);
});
