import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { sql } from '#lib/data/sql';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { GatewayResult } from '#lib/http/event';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { beginIdempotency, requestFingerprint } from '#lib/store/idempotency';
import { migrate } from '#lib/store/migrate';
import { PgliteStore } from '#lib/store/pglite-store';
import { rowEtag } from '#lib/store/row-etag';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { testRuntime } from '#test/support/stack-request';

/**
 * The kit's write semantics over a real (in-memory) PostgreSQL: a test domain whose create writes two rows
 * of the mappings table, and fails between them when asked to.
 */
const body = z.strictObject({
  series: z.string().check(z.minLength(1)),
  fail_after_first: z._default(z.boolean(), false),
});
const domain = defineDomain({
  name: 'w',
  description: 'write test domain',
  routes: [
    defineRoute({
      id: 'createPair',
      method: 'POST',
      path: '/v2/pairs',
      domain: 'w',
      version: 'v2',
      summary: 'writes two rows',
      auth: 'tenant',
      request: { body },
      response: { kind: 'object', status: 201 },
      write: { idempotent: true },
    }),
  ],
});

let store: PgliteStore;
let calls = 0;
const insert = (tenant: string, series: string) => sql`INSERT INTO series_curve_mapping
  (tenant_id, external_provider, external_series_id, curve_key, created_by, updated_by)
  VALUES (${tenant}, 'T', ${series}, 'K', 'u', 'u') RETURNING id, version`;

const handler = createDomainHandler({
  domain,
  runtime: () => testRuntime(),
  store: async () => store,
  bind: () => ({
    createPair: async ({ tx, body: input }) => {
      calls++;
      const [first] = await tx.query(insert(tx.tenant, `${input.series}-a`));
      if (input.fail_after_first) throw new Error('injected failure between the two writes');
      await tx.query(insert(tx.tenant, `${input.series}-b`));
      return {
        data: { series: input.series, call: calls },
        etag: rowEtag({ id: String(first!.id), version: Number(first!.version) }),
        location: `/v2/pairs/${input.series}`,
      };
    },
  }),
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  handler(
    gatewayEvent('POST /v2/pairs', '/v2/pairs', {
      claims: { sub: 'u', tenant: 'acme' },
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    }),
    lambdaContext(),
  ) as Promise<GatewayResult>;

const rowsOf = async (prefix: string, tenant = 'acme') =>
  (
    await store.query(
      tenant,
      sql`SELECT external_series_id FROM series_curve_mapping WHERE external_series_id LIKE ${`${prefix}%`}
          ORDER BY external_series_id`,
    )
  ).map((r) => r.external_series_id);

beforeAll(async () => {
  store = await PgliteStore.open();
  await migrate(store);
});
afterAll(async () => {
  await store.close();
});

describe('write routes in the kit', () => {
  it('leaves nothing written when the implementation fails halfway, and gives the key back', async () => {
    const failed = await post({ series: 'half', fail_after_first: true }, { 'idempotency-key': 'k-half' });
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('injected');
    expect(await rowsOf('half')).toEqual([]);
    // The key was released with the failed write: the retry runs and writes both rows.
    const retried = await post({ series: 'half', fail_after_first: true }, { 'idempotency-key': 'k-half' });
    expect(retried.statusCode).toBe(500);
    const ok = await post({ series: 'half' }, { 'idempotency-key': 'k-half-2' });
    expect(ok.statusCode).toBe(201);
    expect(await rowsOf('half')).toEqual(['half-a', 'half-b']);
  });

  it('replays the stored first answer byte for byte, with its Location and ETag, and runs nothing again', async () => {
    const first = await post({ series: 'replay' }, { 'idempotency-key': 'k-replay' });
    expect(first.statusCode).toBe(201);
    const before = calls;
    const again = await post({ series: 'replay' }, { 'idempotency-key': 'k-replay' });
    expect(calls).toBe(before);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.headers.Location).toBe('/v2/pairs/replay');
    expect(again.headers.ETag).toBe(first.headers.ETag);
    // The replay carries this exchange's own request id header, not the first one's.
    expect(again.headers['X-Request-Id']).toBeDefined();
    expect(await rowsOf('replay')).toEqual(['replay-a', 'replay-b']);
    // The same key with a body in another member order is the same request.
    const reordered = await post(
      { fail_after_first: false, series: 'replay' },
      { 'idempotency-key': 'k-replay' },
    );
    expect(reordered.headers['Idempotent-Replayed']).toBe('true');
  });

  it('answers 409 while the key’s first request is still in flight, and writes nothing', async () => {
    const payload = { series: 'inflight', fail_after_first: false };
    await beginIdempotency(store, 'acme', {
      route: 'POST /v2/pairs',
      key: 'k-inflight',
      fingerprint: requestFingerprint({
        method: 'POST',
        path: JSON.stringify({ params: {}, route: '/v2/pairs' }),
        body: payload,
      }),
    });
    const res = await post(payload, { 'idempotency-key': 'k-inflight' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(res.headers['Retry-After']).toBe('1');
    expect(await rowsOf('inflight')).toEqual([]);
  });

  it('refuses a malformed key with a 400 naming the header', async () => {
    const res = await post({ series: 'badkey' }, { 'idempotency-key': 'has space' });
    expect(res.statusCode).toBe(400);
    expect((JSON.parse(res.body) as { errors: { field: string }[] }).errors[0]!.field).toBe(
      'header.Idempotency-Key',
    );
    expect(await rowsOf('badkey')).toEqual([]);
  });

  it('keeps keys per tenant: another tenant’s same key is its own request', async () => {
    await post({ series: 'tenant-a' }, { 'idempotency-key': 'shared' });
    const other = await handler(
      gatewayEvent('POST /v2/pairs', '/v2/pairs', {
        claims: { sub: 'v', tenant: 'globex' },
        headers: { 'content-type': 'application/json', 'idempotency-key': 'shared' },
        body: JSON.stringify({ series: 'tenant-b' }),
      }),
      lambdaContext(),
    );
    expect(other.statusCode).toBe(201);
    expect(other.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(await rowsOf('tenant-b', 'globex')).toEqual(['tenant-b-a', 'tenant-b-b']);
    expect(await rowsOf('tenant-b')).toEqual([]);
  });
});
