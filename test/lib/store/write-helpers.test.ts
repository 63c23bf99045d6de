import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '#lib/data/sql';
import { actorName, auditForCreate, auditForUpdate, auditOf } from '#lib/store/audit';
import {
  beginIdempotency,
  completeIdempotency,
  type IdempotencyRequest,
  purgeExpiredIdempotency,
  releaseIdempotency,
  requestFingerprint,
  runIdempotent,
} from '#lib/store/idempotency';
import { applyMergePatch, mergePatchPaths } from '#lib/store/merge-patch';
import { migrate } from '#lib/store/migrate';
import { ifMatchSatisfied, parseEntityTags, rowEtag, versionFromIfMatch } from '#lib/store/row-etag';
import type { ManagedStore } from '#lib/store/store';
import { STORE_TARGETS, type StoreFixture, uniqueTenant } from '#test/support/app-store';

describe.each(STORE_TARGETS)('idempotency records on $name', (target) => {
  let fixture: StoreFixture;
  let store: ManagedStore;
  beforeAll(async () => {
    fixture = await target.fresh();
    store = fixture.store;
    await migrate(store);
  });
  afterAll(() => fixture?.dispose());

  const route = 'POST /v2/series-curve-mappings';
  const requestFor = (key: string, body: unknown): IdempotencyRequest => ({
    route,
    key,
    fingerprint: requestFingerprint({ method: 'post', path: '/v2/series-curve-mappings', body }),
  });
  const answer = { status: 201, headers: { location: '/v2/series-curve-mappings/1' }, body: '{"data":{}}' };

  /** A write and its answer in one transaction, as a creating route does it. */
  const write = (tenant: string, request: IdempotencyRequest, fail = false) =>
    store.transaction(tenant, async (tx) => {
      await tx.execute(sql`
        insert into series_curve_mapping (tenant_id, external_provider, external_series_id, curve_key, created_by, updated_by)
        values (${tx.tenant}, 'eia', ${request.key}, 'C', 'me', 'me')`);
      if (fail) throw new Error('injected');
      await completeIdempotency(tx, request, answer);
    });

  it('claims a new key, then replays the stored answer for the same request', async () => {
    const tenant = uniqueTenant('i');
    const request = requestFor('k1', { a: 1, b: 2 });
    await expect(beginIdempotency(store, tenant, request)).resolves.toEqual({ outcome: 'claimed' });
    await write(tenant, request);
    // The same body in another member order is the same request.
    const again = requestFor('k1', { b: 2, a: 1 });
    await expect(beginIdempotency(store, tenant, again)).resolves.toEqual({ outcome: 'replay', answer });
  });

  it('answers in-flight while the first request is still being answered, mismatch for another request', async () => {
    const tenant = uniqueTenant('i');
    const request = requestFor('k2', { a: 1 });
    await beginIdempotency(store, tenant, request);
    await expect(beginIdempotency(store, tenant, request)).resolves.toEqual({ outcome: 'in-flight' });
    await expect(beginIdempotency(store, tenant, requestFor('k2', { a: 2 }))).resolves.toEqual({
      outcome: 'mismatch',
    });
  });

  it('keeps keys per tenant and per route', async () => {
    const request = requestFor('shared-key', { a: 1 });
    const [a, b] = [uniqueTenant('a'), uniqueTenant('b')];
    await beginIdempotency(store, a, request);
    await write(a, request);
    await expect(beginIdempotency(store, b, request)).resolves.toEqual({ outcome: 'claimed' });
    await expect(beginIdempotency(store, a, { ...request, route: 'POST /v2/other' })).resolves.toEqual({
      outcome: 'claimed',
    });
  });

  it('stores no answer when the write fails, and a released key can be claimed again', async () => {
    const tenant = uniqueTenant('i');
    const request = requestFor('k3', { a: 1 });
    await beginIdempotency(store, tenant, request);
    await expect(write(tenant, request, true)).rejects.toThrow('injected');
    await expect(beginIdempotency(store, tenant, request)).resolves.toEqual({ outcome: 'in-flight' });
    await releaseIdempotency(store, tenant, request);
    await expect(beginIdempotency(store, tenant, request)).resolves.toEqual({ outcome: 'claimed' });
    const rows = await store.query(tenant, sql`select count(*)::int as n from series_curve_mapping`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('runs a creating write once: answered, then replayed with one row, and a failed write frees the key', async () => {
    const tenant = uniqueTenant('r');
    const request = requestFor('run-1', { s: 'X' });
    let writes = 0;
    const create = async (tx: Parameters<Parameters<typeof store.transaction>[1]>[0]) => {
      writes += 1;
      const [row] = await tx.query<{ id: string }>(sql`
        insert into series_curve_mapping (tenant_id, external_provider, external_series_id, curve_key, created_by, updated_by)
        values (${tx.tenant}, 'eia', 'X', 'C', 'me', 'me') returning id`);
      return { status: 201, headers: { location: `/m/${row!.id}` }, body: JSON.stringify(row) };
    };
    const first = await runIdempotent(store, tenant, request, create);
    expect(first.outcome).toBe('answered');
    const second = await runIdempotent(store, tenant, request, create);
    expect(second).toEqual({ outcome: 'replay', answer: (first as { answer: unknown }).answer });
    expect(writes).toBe(1);
    await expect(runIdempotent(store, tenant, requestFor('run-1', { s: 'Y' }), create)).resolves.toEqual({
      outcome: 'mismatch',
    });
    expect(await store.query(tenant, sql`select count(*)::int as n from series_curve_mapping`)).toEqual([
      { n: 1 },
    ]);

    const failing = requestFor('run-2', { s: 'Z' });
    await expect(
      runIdempotent(store, tenant, failing, async () => {
        throw new Error('injected');
      }),
    ).rejects.toThrow('injected');
    await expect(beginIdempotency(store, tenant, failing)).resolves.toEqual({ outcome: 'claimed' });
  });

  it('refuses to complete a key the request did not claim', async () => {
    const tenant = uniqueTenant('i');
    await expect(write(tenant, requestFor('never-claimed', {}))).rejects.toThrow(/not claimed/);
  });

  it('lets a key go after 24 hours, and an abandoned claim be taken over', async () => {
    const tenant = uniqueTenant('i');
    const old = requestFor('old', { a: 1 });
    const abandoned = requestFor('abandoned', { a: 1 });
    await beginIdempotency(store, tenant, old);
    await write(tenant, old);
    await beginIdempotency(store, tenant, abandoned);
    await store.execute(
      tenant,
      sql`update idempotency_record set expires_at = now() - interval '1 second' where key = ${'old'}`,
    );
    await store.execute(
      tenant,
      sql`update idempotency_record set created_at = now() - interval '5 minutes' where key = ${'abandoned'}`,
    );
    await expect(beginIdempotency(store, tenant, requestFor('old', { other: true }))).resolves.toEqual({
      outcome: 'claimed',
    });
    await expect(beginIdempotency(store, tenant, abandoned)).resolves.toEqual({ outcome: 'claimed' });
    await store.execute(tenant, sql`update idempotency_record set expires_at = now() - interval '1 second'`);
    await expect(purgeExpiredIdempotency(store, tenant)).resolves.toBe(2);
  });
});

describe('applyMergePatch (RFC 7396 appendix A)', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j patched with %j is %j', (target, patch, expected) => {
    const before = JSON.stringify(target);
    expect(applyMergePatch(target, patch)).toEqual(expected);
    expect(JSON.stringify(target)).toBe(before);
  });

  it('lists the members a patch touches', () => {
    expect(mergePatchPaths({ a: 1, b: { c: null, d: { e: 2 } } })).toEqual(['a', 'b.c', 'b.d.e']);
  });
});

describe('row ETags', () => {
  const row = { id: '6f1c4f36-8f3e-4d59-9d61-0a1b2c3d4e5f', version: 3 };

  it('are strong, move with the version and differ between rows', () => {
    expect(rowEtag(row)).toMatch(/^"3-[A-Za-z0-9_-]{12}"$/);
    expect(rowEtag({ ...row, version: 4 })).not.toBe(rowEtag(row));
    expect(rowEtag({ ...row, id: 'other' })).not.toBe(rowEtag(row));
  });

  it('match If-Match by strong comparison, with * for any row and no header for no condition', () => {
    const tag = rowEtag(row);
    expect(ifMatchSatisfied(undefined, row)).toBe(true);
    expect(ifMatchSatisfied('*', row)).toBe(true);
    expect(ifMatchSatisfied(`"x", ${tag}`, row)).toBe(true);
    expect(ifMatchSatisfied(`W/${tag}`, row)).toBe(false);
    expect(ifMatchSatisfied(rowEtag({ ...row, version: 2 }), row)).toBe(false);
    expect(parseEntityTags(`W/"a", "b" ,*`)).toEqual(['W/"a"', '"b"', '*']);
  });

  it('give back the version an If-Match names for this row only', () => {
    expect(versionFromIfMatch(rowEtag(row), row.id)).toBe(3);
    expect(versionFromIfMatch(rowEtag(row), 'other')).toBeUndefined();
    expect(versionFromIfMatch('"garbage"', row.id)).toBeUndefined();
  });
});

describe('audit fields', () => {
  it('come from the actor, with one timestamp for a create', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(auditForCreate({ subject: ' alice ' }, now)).toEqual({
      created_by: 'alice',
      updated_by: 'alice',
      created_at: '2026-12-01T10:00:00.000Z',
      updated_at: '2026-12-01T10:00:00.000Z',
    });
    expect(auditForUpdate({ subject: 'bob' }, now)).toEqual({
      updated_by: 'bob',
      updated_at: '2026-12-01T10:00:00.000Z',
    });
    expect(actorName({ subject: '' })).toBe('anonymous');
    expect(actorName({ subject: 'x'.repeat(300) })).toHaveLength(256);
    expect(
      auditOf({ created_by: 'a', updated_by: 'b', created_at: 't1', updated_at: 't2', other: 1 }),
    ).toEqual({ created_by: 'a', updated_by: 'b', created_at: 't1', updated_at: 't2' });
  });
});
