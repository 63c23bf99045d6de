import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMappingsHandler } from '#functions/mappings/handler';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { sql } from '#lib/data/sql';
import type { GatewayResult } from '#lib/http/event';
import { migrate } from '#lib/store/migrate';
import { PgliteStore } from '#lib/store/pglite-store';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { testRuntime } from '#test/support/stack-request';

/**
 * Two tenants write through the mappings function in random interleavings; whatever the order, neither
 * ever reads, changes or deletes a row of the other (each foreign attempt is a 404 and leaves the row as
 * it was), and each tenant's list holds exactly its own rows.
 */
let store: PgliteStore;
let engine: SqlEngine;
let curveKey: string;
let handler: ReturnType<typeof createMappingsHandler>;

beforeAll(async () => {
  store = await PgliteStore.open();
  await migrate(store);
  engine = await createEngine();
  curveKey = String((await engine.query(sql`SELECT min(curve_key) AS k FROM curve_observation`))[0]!.k);
  handler = createMappingsHandler({ store: async () => store, engine, runtime: () => testRuntime() });
});
afterAll(async () => {
  await store.close();
});

const TENANTS = ['alpha', 'beta'] as const;
type Tenant = (typeof TENANTS)[number];

async function send(tenant: Tenant, method: string, path: string, template: string, payload?: unknown) {
  const [rawPath, search] = path.split('?') as [string, string | undefined];
  const id = rawPath.split('/')[3];
  const res = (await handler(
    gatewayEvent(`${method} ${template}`, rawPath, {
      query: Object.fromEntries(new URLSearchParams(search ?? '')),
      claims: { sub: `${tenant}-user`, tenant, scope: 'mappings:read mappings:write' },
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      pathParameters: id ? { mapping_id: id } : undefined,
    }),
    lambdaContext(),
  )) as GatewayResult;
  return {
    status: res.statusCode,
    etag: res.headers.ETag,
    body: res.body ? JSON.parse(res.body) : undefined,
  };
}

const BASE = '/v2/series-curve-mappings';
const ITEM = '/v2/series-curve-mappings/{mapping_id}';

type Op =
  | { kind: 'create'; tenant: Tenant; series: number }
  | { kind: 'get' | 'put' | 'delete'; tenant: Tenant; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    tenant: fc.constantFrom(...TENANTS),
    series: fc.nat(30),
  }),
  fc.record({
    kind: fc.constantFrom('get' as const, 'put' as const, 'delete' as const),
    tenant: fc.constantFrom(...TENANTS),
    pick: fc.nat(),
  }),
);

describe('mappings: tenants walled off under random interleavings', () => {
  it('finds no row of one tenant readable or writable by the other', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        run++;
        // id → owner and ETag, as the model expects them
        const rows = new Map<string, { owner: Tenant; etag: string }>();
        for (const op of ops) {
          if (op.kind === 'create') {
            const res = await send(op.tenant, 'POST', BASE, BASE, {
              external_provider: `P${run}`,
              external_series_id: `S${op.series}`,
              curve_key: curveKey,
            });
            // The same series twice in one tenant is that tenant's own conflict, never the other's.
            const taken = [...rows.values()].some(
              (r) => r.owner === op.tenant && r.etag.startsWith(`S${op.series}|`),
            );
            expect(res.status).toBe(taken ? 409 : 201);
            if (res.status === 201)
              rows.set(res.body.data.id, { owner: op.tenant, etag: `S${op.series}|${res.etag}` });
            continue;
          }
          const ids = [...rows.keys()];
          if (ids.length === 0) continue;
          const id = ids[op.pick % ids.length]!;
          const row = rows.get(id)!;
          const own = row.owner === op.tenant;
          const path = `${BASE}/${id}`;
          const series = row.etag.split('|')[0]!;
          const res =
            op.kind === 'get'
              ? await send(op.tenant, 'GET', path, ITEM)
              : op.kind === 'put'
                ? await send(op.tenant, 'PUT', path, ITEM, {
                    external_provider: `P${run}`,
                    external_series_id: series,
                    curve_key: curveKey,
                    mapping_notes: `by ${op.tenant}`,
                  })
                : await send(op.tenant, 'DELETE', path, ITEM);
          if (!own) {
            expect(res.status).toBe(404);
            // The owner still sees its row exactly as it was.
            const seen = await send(row.owner, 'GET', path, ITEM);
            expect(seen.status).toBe(200);
            expect(`${series}|${seen.etag}`).toBe(row.etag);
            continue;
          }
          expect(res.status).toBe(op.kind === 'delete' ? 204 : 200);
          if (op.kind === 'delete') rows.delete(id);
          if (op.kind === 'put') {
            expect(res.body.data.mapping_notes).toBe(`by ${op.tenant}`);
            rows.set(id, { owner: row.owner, etag: `${series}|${res.etag}` });
          }
        }
        for (const tenant of TENANTS) {
          const listed = await send(tenant, 'GET', `${BASE}?provider=P${run}&limit=1000`, BASE);
          const mine = [...rows.entries()].filter(([, r]) => r.owner === tenant).map(([id]) => id);
          expect(listed.body.data.map((m: { id: string }) => m.id).sort()).toEqual(mine.sort());
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
