import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVE_COLUMNS } from '#functions/curves/routes';
import type { GatewayResult } from '#lib/http/event';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';

let trino: FakeTrino;
let handler: (
  event: ReturnType<typeof gatewayEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<GatewayResult>;

beforeAll(async () => {
  trino = await startFakeTrino();
  process.env.AURUM_AUTH_MODE = 'jwt';
  process.env.AURUM_TRINO_URL = trino.url;
  ({ handler } = await import('#functions/curves/handler'));
});
afterAll(async () => {
  await trino.close();
});

const claims = { sub: 'analyst', tenant: 'acme', scope: 'curves:read' };
const curves = (key: string) =>
  gatewayEvent('GET /v1/curves', '/v1/curves', { query: { curve_key: key, limit: '5' }, claims });
const COLUMNS = CURVE_COLUMNS.map((name) => ({
  name,
  type:
    name === 'contract_month' || name === 'asof_date'
      ? 'date'
      : ['mid', 'bid', 'ask'].includes(name)
        ? 'double'
        : 'varchar',
}));
const problem = (r: GatewayResult) => JSON.parse(r.body) as { status: number; detail: string; type: string };

describe('the curves Lambda over Trino, when Trino misbehaves', () => {
  it('serves rows that arrive over several pages', async () => {
    trino.script("'OK.KEY'", {
      columns: COLUMNS,
      steps: [
        { rows: [['OK.KEY', '2026-01', 'MONTHLY', '2026-01-01', '2025-09-26', 50.5, 50, 51, 'MID']] },
        { rows: [['OK.KEY', '2026-02', 'MONTHLY', '2026-02-01', '2025-09-26', 48.25, 48, 48.5, 'MID']] },
      ],
    });
    const res = await handler(curves('OK.KEY'), lambdaContext());
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { data: { tenor_label: string; mid: number }[] };
    expect(body.data.map((p) => [p.tenor_label, p.mid])).toEqual([
      ['2026-01', 50.5],
      ['2026-02', 48.25],
    ]);
    expect(trino.statements().at(-1)).toContain("curve_key = 'OK.KEY'");
  });

  it('answers 504 within the Lambda deadline when a page hangs, and cancels the query', async () => {
    trino.script("'SLOW.KEY'", { columns: COLUMNS, steps: [{ delayMs: 20_000 }] });
    const started = Date.now();
    const res = await handler(curves('SLOW.KEY'), lambdaContext(1_500));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(res.statusCode).toBe(504);
    expect(problem(res).detail).toBe('The data store did not answer within the request deadline');
    expect(trino.cancels.length).toBeGreaterThan(0);
  });

  it('answers 503 with Retry-After when Trino stays unavailable', async () => {
    trino.script("'DOWN.KEY'", {
      columns: COLUMNS,
      steps: [{ status: 503 }, { status: 503 }, { status: 503 }, { rows: [] }],
    });
    const res = await handler(curves('DOWN.KEY'), lambdaContext());
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('5');
  });

  it('answers a generic 500 for a failure after rows, without SQL or hosts', async () => {
    trino.script("'BROKEN.KEY'", {
      columns: COLUMNS,
      steps: [
        { rows: [['BROKEN.KEY', '2026-01', 'MONTHLY', '2026-01-01', '2025-09-26', 50.5, 50, 51, 'MID']] },
        {
          error: {
            message: "line 1:8: Column 'secret_col' cannot be resolved",
            errorName: 'GENERIC_INTERNAL_ERROR',
            errorType: 'INTERNAL_ERROR',
            errorCode: 65536,
          },
        },
      ],
    });
    const res = await handler(curves('BROKEN.KEY'), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(problem(res).detail).toBe('An unexpected error occurred');
    expect(res.body).not.toMatch(/secret_col|SELECT|127\.0\.0\.1|curve_observation/);
  });
});
