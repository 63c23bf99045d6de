import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '#lib/data/create-engine';
import { param, sql } from '#lib/data/sql';
import { appStore } from '#lib/store/create-store';
import { expandBlock } from '#lib/time/calendar-queries';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;
/** The latest as-of date of the sample curves. */
let asof: string;

beforeAll(async () => {
  api = await startLocalApi({ AURUM_STORE_URL: 'memory:' });
  const engine = await createEngine();
  const [latest] = await engine.query(sql`SELECT max(asof_date) AS d FROM curve_observation`);
  asof = String(latest!.d);
});
afterAll(async () => {
  await api.close();
});

const V1 = '/v1/ppa/contracts';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}
interface ContractOut {
  ppa_contract_id: string;
  tenant_id: string;
  instrument_id: string | null;
  terms: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}
interface Period {
  period_start: string;
  period_end: string;
  market_price: number;
  baseload_price: number;
  contract_price: number;
  volume_mwh: number;
  settlement: number;
  discount_factor: number;
  present_value: number;
}
interface ValuationOut {
  valuation_id: string;
  contract_id: string;
  source: {
    kind: string;
    asof: string;
    run_id: string | null;
    settlement_prices: string;
    hub_curve_keys: string[];
  };
  periods: Period[];
  totals: {
    npv: number;
    irr: number | null;
    total_volume_mwh: number;
    capture_price: number;
    baseload_price: number;
    shape_factor: number;
    break_even_price: number;
  };
  solve_for: { target: string; value: number; price_usd_mwh: number } | null;
  sensitivities: Record<string, number | string>;
}

function call(
  method: string,
  path: string,
  options: { tenant?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers: Record<string, string> = { 'X-Aurum-Tenant': options.tenant ?? 'acme', ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return fetch(`${api.url}${path}`, { method, headers, body });
}
const json = async <T>(res: Response) => (await res.json()) as T;
const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();
const patch = (path: string, body: unknown, headers: Record<string, string> = {}, tenant?: string) =>
  call('PATCH', path, {
    raw: JSON.stringify(body),
    headers: { 'Content-Type': 'application/merge-patch+json', ...headers },
    tenant,
  });

async function createContract(terms: Record<string, unknown>, tenant = 'acme', instrument_id?: string) {
  const res = await call('POST', V1, {
    tenant,
    body: { terms, ...(instrument_id ? { instrument_id } : {}) },
  });
  expect(res.status).toBe(201);
  return (await json<{ data: ContractOut }>(res)).data;
}

const HUB = { iso: 'PJM', location: 'WESTERN HUB' };

/** A scenario with runs whose outputs are written straight to the store, as the scenarios worker does. */
async function scenarioWithRuns(
  tenant: string,
  runs: {
    asof: string;
    computed: string;
    rows: { curve_key: string; month: string; value: number; tenor?: string }[];
  }[],
) {
  const store = await appStore();
  const scenarioId = randomUUID();
  const runIds: string[] = [];
  await store.transaction(tenant, async (tx) => {
    await tx.execute(sql`INSERT INTO scenario (id, tenant_id, name, unique_key, created_by, updated_by)
      VALUES (${scenarioId}::uuid, ${tenant}, ${`ppa test ${scenarioId}`}, ${scenarioId}, 'test', 'test')`);
    for (const run of runs) {
      const runId = randomUUID();
      runIds.push(runId);
      await tx.execute(sql`INSERT INTO scenario_run (id, tenant_id, scenario_id, state, input_hash, run_key,
        created_by, updated_by) VALUES (${runId}::uuid, ${tenant}, ${scenarioId}::uuid, 'SUCCEEDED', 'h', ${runId}, 'test', 'test')`);
      for (const r of run.rows) {
        const tenor = r.tenor ?? 'MONTHLY';
        await tx.execute(sql`INSERT INTO scenario_output (tenant_id, scenario_id, run_id, asof_date, curve_key, tenor_type,
          contract_month, tenor_label, metric, value, version_hash, metric_unit, computed_ts)
          VALUES (${tenant}, ${scenarioId}::uuid, ${runId}::uuid, ${param.date(run.asof)}, ${r.curve_key}, ${tenor},
            ${param.date(`${r.month}-01`)}, ${tenor === 'MONTHLY' ? r.month : `Cal-${r.month.slice(0, 4)}`}, 'mid',
            ${param.double(r.value)}, 'vh-1', 'USD/MWh', ${param.timestamp(run.computed)})`);
      }
    }
  });
  return { scenarioId, runIds };
}

const MONTHS_2026 = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
const blockRows = (value: number, months = MONTHS_2026) =>
  months.flatMap((month) => [
    { curve_key: 'PJM.WESTERN_HUB.DA.ON_PEAK.PWR', month, value },
    { curve_key: 'PJM.WESTERN_HUB.DA.OFF_PEAK.PWR', month, value },
  ]);

describe('PPA contracts: the write path', () => {
  it('creates, replays, refuses a reused key, gets with ETag and 304, merge-patches, honours If-Match, deletes', async () => {
    const terms = { ...HUB, counterparty: 'Sunny LLC', desk_note: { keep: ['as', 'written'] } };
    const key = `ppa-${randomUUID()}`;
    const created = await call('POST', V1, {
      body: { instrument_id: 'SOLAR-1', terms },
      headers: { 'Idempotency-Key': key },
    });
    expect(created.status).toBe(201);
    const first = await json<{ data: ContractOut }>(created);
    expect(first.data).toMatchObject({ tenant_id: 'acme', instrument_id: 'SOLAR-1', terms });
    const url = `${V1}/${first.data.ppa_contract_id}`;
    expect(created.headers.get('location')).toBe(url);
    const etag1 = created.headers.get('etag')!;
    expect(etag1).toMatch(/^"1-[A-Za-z0-9_-]{12}"$/);

    const replay = await call('POST', V1, {
      body: { instrument_id: 'SOLAR-1', terms },
      headers: { 'Idempotency-Key': key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(first);
    const reused = await call('POST', V1, { body: { terms: {} }, headers: { 'Idempotency-Key': key } });
    expect(reused.status).toBe(422);
    expect((await json<Problem>(reused)).type).toMatch(/idempotency-key-reused$/);

    const got = await call('GET', url);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(etag1);
    expect(got.headers.get('cache-control')).toMatch(/^private, max-age=60\b/);
    expect((await json<{ data: ContractOut }>(got)).data.terms).toEqual(terms);
    expect((await call('GET', url, { headers: { 'If-None-Match': etag1 } })).status).toBe(304);

    // Stale If-Match: 412, nothing changed.
    const stale = await patch(url, { terms: { price_usd_mwh: 1 } }, { 'If-Match': '"9-AAAAAAAAAAAA"' });
    expect(stale.status).toBe(412);
    expect((await json<{ data: ContractOut }>(await call('GET', url))).data.terms).toEqual(terms);

    // Merge patch: a member set, one removed (null), the unknown one kept as written.
    const patched = await patch(
      url,
      { terms: { price_usd_mwh: 42.5, counterparty: null } },
      { 'If-Match': etag1 },
    );
    expect(patched.status).toBe(200);
    const after = (await json<{ data: ContractOut }>(patched)).data;
    expect(after.terms).toEqual({ ...HUB, desk_note: { keep: ['as', 'written'] }, price_usd_mwh: 42.5 });
    expect(after.instrument_id).toBe('SOLAR-1');
    const etag2 = patched.headers.get('etag')!;
    expect(etag2).toMatch(/^"2-/);
    // A patch that makes a known member invalid: 422 naming it, nothing changed.
    const bad = await patch(url, { terms: { price_usd_mwh: 'cheap' } });
    expect(bad.status).toBe(422);
    expect(fields(await json<Problem>(bad))).toEqual(['body.terms.price_usd_mwh']);
    expect((await call('GET', url)).headers.get('etag')).toBe(etag2);

    // Another tenant: 404 on every route, and nothing changes.
    for (const res of [
      await call('GET', url, { tenant: 'globex' }),
      await patch(url, { instrument_id: 'X' }, {}, 'globex'),
      await call('DELETE', url, { tenant: 'globex' }),
      await call('GET', `${url}/valuations`, { tenant: 'globex' }),
      await call('GET', `/v2/ppa/contracts/${first.data.ppa_contract_id}/valuations`, { tenant: 'globex' }),
      await call('POST', '/v2/ppa/valuate', {
        tenant: 'globex',
        body: { contract_id: first.data.ppa_contract_id, asof },
      }),
      await call('POST', '/v1/ppa/valuate', {
        tenant: 'globex',
        body: { ppa_contract_id: first.data.ppa_contract_id, scenario_id: randomUUID() },
      }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await call('GET', url)).headers.get('etag')).toBe(etag2);

    expect((await call('DELETE', url, { headers: { 'If-Match': etag1 } })).status).toBe(412);
    const deleted = await call('DELETE', url, { headers: { 'If-Match': etag2 } });
    expect(deleted.status).toBe(204);
    expect((await call('GET', url)).status).toBe(404);
  });

  it('refuses bad bodies with field-named problems and writes nothing', async () => {
    const tenant = `bad-${randomUUID().slice(0, 8)}`;
    const typed = await call('POST', V1, {
      tenant,
      body: { terms: { price_usd_mwh: 'x', hub: { iso: 'NOPE' } } },
    });
    expect(typed.status).toBe(422);
    expect(fields(await json<Problem>(typed))).toEqual([
      'body.terms.hub.iso',
      'body.terms.hub.location',
      'body.terms.price_usd_mwh',
    ]);
    const extra = await call('POST', V1, { tenant, body: { terms: {}, colour: 'red' } });
    expect(extra.status).toBe(422);
    expect(fields(await json<Problem>(extra))).toEqual(['body.colour']);
    // PostgreSQL text cannot hold a NUL: refused by name, wherever it hides.
    const nul = await call('POST', V1, { tenant, body: { terms: { notes: { deep: ['ok', 'a\u0000b'] } } } });
    expect(nul.status).toBe(422);
    expect(fields(await json<Problem>(nul))).toEqual(['body.terms.notes.deep.1']);
    const nulFilter = await call('GET', '/v2/ppa/contracts?counterparty_filter=%00', { tenant });
    expect(nulFilter.status).toBe(400);
    expect(fields(await json<Problem>(nulFilter))).toEqual(['query.counterparty_filter']);
    expect((await call('GET', `${V1}/not-a-uuid`, { tenant })).status).toBe(400);
    const listed = await json<{ data: unknown[] }>(await call('GET', V1, { tenant }));
    expect(listed.data).toEqual([]);
  });

  it('lists v2 headline terms, filters by counterparty, and walks keyset pages to the same rows', async () => {
    const tenant = `walk-${randomUUID().slice(0, 8)}`;
    const made: ContractOut[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await createContract(
          {
            ...(i % 2 === 0 ? { counterparty: i === 0 ? 'Windy Co' : 'Sunny Windfarms' } : {}),
            capacity_mw: 100 + i,
            price_usd_mwh: 40 + i,
            start_date: '2026-01-01',
            end_date: '2030-12-31',
          },
          tenant,
          i === 1 ? 'WIND-2' : undefined,
        ),
      );
    }
    const whole = await json<{ data: { contract_id: string; name: string; counterparty: string }[] }>(
      await call('GET', '/v2/ppa/contracts?limit=100', { tenant }),
    );
    expect(whole.data.map((c) => c.contract_id)).toEqual(made.map((c) => c.ppa_contract_id));
    expect(whole.data[1]).toMatchObject({
      name: 'WIND-2',
      counterparty: 'unknown',
      capacity_mw: 101,
      price_usd_mwh: 41,
      start_date: '2026-01-01',
      end_date: '2030-12-31',
    });
    expect(whole.data[0]!.name).toBe(made[0]!.ppa_contract_id);
    const windy = await json<{ data: { counterparty: string }[] }>(
      await call('GET', '/v2/ppa/contracts?counterparty_filter=WIND', { tenant }),
    );
    expect(windy.data.map((c) => c.counterparty)).toEqual(['Windy Co', 'Sunny Windfarms', 'Sunny Windfarms']);

    const walked: string[] = [];
    let next: string | undefined;
    do {
      const res = await call(
        'GET',
        `/v2/ppa/contracts?limit=2${next ? `&cursor=${encodeURIComponent(next)}` : ''}`,
        {
          tenant,
        },
      );
      expect(res.status).toBe(200);
      const page = await json<{ data: { contract_id: string }[]; meta: { next_cursor?: string } }>(res);
      walked.push(...page.data.map((c) => c.contract_id));
      next = page.meta.next_cursor;
    } while (next);
    expect(walked).toEqual(made.map((c) => c.ppa_contract_id));
    // v1 too.
    const v1 = await json<{ data: ContractOut[]; meta: { next_cursor?: string } }>(
      await call('GET', `${V1}?limit=3`, { tenant }),
    );
    expect(v1.data.map((c) => c.ppa_contract_id)).toEqual(made.slice(0, 3).map((c) => c.ppa_contract_id));
    const rest = await json<{ data: ContractOut[] }>(
      await call('GET', `${V1}?limit=3&cursor=${encodeURIComponent(v1.meta.next_cursor!)}`, { tenant }),
    );
    expect(rest.data.map((c) => c.ppa_contract_id)).toEqual(made.slice(3).map((c) => c.ppa_contract_id));
    // Another tenant's list is empty, not an error.
    const other = await call('GET', '/v2/ppa/contracts', { tenant: `empty-${randomUUID().slice(0, 8)}` });
    expect(other.status).toBe(200);
    expect((await json<{ data: unknown[] }>(other)).data).toEqual([]);
  });
});

describe('POST /v2/ppa/valuate', () => {
  it('values a baseload contract against the curves at asof: block-hour weighting, NPV, break-even, sensitivities', async () => {
    const start = `${Number(asof.slice(0, 4)) + 1}-01-01`;
    const end = `${Number(asof.slice(0, 4)) + 1}-12-31`;
    const terms = { hub: HUB, start_date: start, end_date: end, baseload_mw: 10, price_usd_mwh: 45 };
    const contract = await createContract(terms);
    const res = await call('POST', '/v2/ppa/valuate', {
      body: { contract_id: contract.ppa_contract_id, asof, discount_rate: 0.08 },
    });
    expect(res.status).toBe(200);
    const v = (await json<{ data: ValuationOut }>(res)).data;
    expect(v.source).toMatchObject({ kind: 'curves', asof, settlement_prices: 'hub' });
    expect(v.periods).toHaveLength(12);

    // Expected from the raw forwards and the calendar, independently of the domain's code.
    const engine = await createEngine();
    const rows = await engine.query(sql`SELECT block, contract_month, mid, _ingest_ts FROM curve_observation
      WHERE iso = 'PJM' AND location = 'WESTERN HUB' AND market = 'DA' AND tenor_type = 'MONTHLY'
        AND price_type = 'MID' AND block IN ('ON_PEAK', 'OFF_PEAK') AND asof_date = ${param.date(asof)}
      ORDER BY _ingest_ts`);
    const forward = new Map<string, number>();
    for (const r of rows) forward.set(`${String(r.contract_month).slice(0, 7)}|${r.block}`, Number(r.mid));
    let npv = 0;
    const [ay, am] = [Number(asof.slice(0, 4)), Number(asof.slice(5, 7))];
    for (const p of v.periods) {
      const month = p.period_start.slice(0, 7);
      const on = expandBlock('pjm', 'ON_PEAK', p.period_start, p.period_end);
      const off = expandBlock('pjm', 'OFF_PEAK', p.period_start, p.period_end);
      if (!on.ok || !off.ok) throw new Error('calendar');
      const h = [on.value.length, off.value.length];
      const base =
        (forward.get(`${month}|ON_PEAK`)! * h[0]! + forward.get(`${month}|OFF_PEAK`)! * h[1]!) /
        (h[0]! + h[1]!);
      expect(p.baseload_price).toBeCloseTo(base, 3);
      expect(p.market_price).toBe(p.baseload_price);
      expect(p.volume_mwh).toBe(10 * (h[0]! + h[1]!));
      expect(p.settlement).toBeCloseTo((base - 45) * p.volume_mwh, 1);
      const k = (Number(month.slice(0, 4)) - ay) * 12 + (Number(month.slice(5, 7)) - am);
      expect(p.discount_factor).toBeCloseTo(1.08 ** (-k / 12), 9);
      npv += (base - 45) * p.volume_mwh * 1.08 ** (-k / 12);
    }
    expect(v.totals.npv).toBeCloseTo(npv, 0);
    expect(v.totals.shape_factor).toBeCloseTo(1, 6);
    expect(v.totals.total_volume_mwh).toBe(v.periods.reduce((a, p) => a + p.volume_mwh, 0));
    expect(v.sensitivities).toMatchObject({
      curve_shift_pct: 10,
      p_level: 'P90',
      discount_rate_shift_bp: 100,
    });
    expect(Number(v.sensitivities.npv_curve_up)).toBeGreaterThan(v.totals.npv);
    expect(Number(v.sensitivities.npv_curve_down)).toBeLessThan(v.totals.npv);

    // The break-even price, written into the terms, values to (nearly) zero.
    const even = await createContract({ ...terms, price_usd_mwh: v.totals.break_even_price });
    const again = await json<{ data: ValuationOut }>(
      await call('POST', '/v2/ppa/valuate', {
        body: { contract_id: even.ppa_contract_id, asof, discount_rate: 0.08 },
      }),
    );
    expect(Math.abs(again.data.totals.npv)).toBeLessThan(0.0001 * v.totals.total_volume_mwh);

    // solve_for a target NPV gives the price that meets it.
    const solved = await json<{ data: ValuationOut }>(
      await call('POST', '/v2/ppa/valuate', {
        body: {
          contract_id: contract.ppa_contract_id,
          asof,
          discount_rate: 0.08,
          solve_for: { target_npv: 100_000 },
        },
      }),
    );
    const target = await createContract({ ...terms, price_usd_mwh: solved.data.solve_for!.price_usd_mwh });
    const met = await json<{ data: ValuationOut }>(
      await call('POST', '/v2/ppa/valuate', {
        body: { contract_id: target.ppa_contract_id, asof, discount_rate: 0.08 },
      }),
    );
    expect(Math.abs(met.data.totals.npv - 100_000)).toBeLessThan(0.0001 * v.totals.total_volume_mwh);
  });

  it('prices a physical PPA at its node’s curve, or at hub + basis when the node has none; solves for a target IRR', async () => {
    const base = {
      hub: HUB,
      start_date: '2026-01-01',
      end_date: '2026-06-30',
      baseload_mw: 5,
      price_usd_mwh: 40,
    };
    const value = async (terms: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const c = await createContract(terms);
      const res = await call('POST', '/v2/ppa/valuate', {
        body: { contract_id: c.ppa_contract_id, asof, ...extra },
      });
      expect(res.status).toBe(200);
      return (await json<{ data: ValuationOut }>(res)).data;
    };
    const virtual = await value(base);
    expect(virtual.source.settlement_prices).toBe('hub');
    const basis = await value({
      ...base,
      settlement: 'physical',
      node: { iso: 'PJM', location: 'NO SUCH NODE' },
      basis_usd_mwh: 3,
    });
    expect(basis.source.settlement_prices).toBe('hub_plus_basis');
    basis.periods.forEach((p, i) => {
      expect(p.market_price).toBeCloseTo(virtual.periods[i]!.market_price + 3, 3);
    });
    const node = await value({ ...base, settlement: 'physical', node: { iso: 'PJM', location: 'BGE' } });
    expect(node.source.settlement_prices).toBe('node');
    expect(node.periods[0]!.market_price).not.toBeCloseTo(virtual.periods[0]!.market_price, 1);

    // The price solved for a 12 % IRR, with 100 000 $ paid up front, gives that IRR.
    const solved = await value(base, { upfront_usd: 100_000, solve_for: { target_irr: 0.12 } });
    const price = solved.solve_for!.price_usd_mwh;
    const atPrice = await value({ ...base, price_usd_mwh: price }, { upfront_usd: 100_000 });
    expect(atPrice.totals.irr).toBeCloseTo(0.12, 3);
  });

  it('values against a scenario’s latest run instead of the curves', async () => {
    const { scenarioId, runIds } = await scenarioWithRuns('acme', [
      { asof: '2025-12-15', computed: '2025-12-15 10:00:00', rows: blockRows(30) },
      { asof: '2025-12-15', computed: '2025-12-15 12:00:00', rows: blockRows(50) },
    ]);
    const contract = await createContract({
      hub: HUB,
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      fixed_mwh_per_month: 1000,
      price_usd_mwh: 40,
    });
    const key = `v2-${randomUUID()}`;
    const body = { contract_id: contract.ppa_contract_id, scenario_id: scenarioId };
    const res = await call('POST', '/v2/ppa/valuate', { body, headers: { 'Idempotency-Key': key } });
    expect(res.status).toBe(200);
    const answer = await json<{ data: ValuationOut }>(res);
    const v = answer.data;
    expect(v.source).toMatchObject({ kind: 'scenario', run_id: runIds[1], asof: '2025-12-15' });
    expect(v.periods.map((p) => p.settlement)).toEqual(MONTHS_2026.map(() => 10_000));
    expect(v.totals).toMatchObject({ npv: 120_000, break_even_price: 50, shape_factor: 1, irr: null });

    // The same key again replays the answer and records nothing more; a new request records a second one.
    const replay = await call('POST', '/v2/ppa/valuate', { body, headers: { 'Idempotency-Key': key } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(answer);
    const listed = async () =>
      (
        await json<{ data: { present_value: number; meta: { valuation_id: string; run_id: string } }[] }>(
          await call('GET', `/v2/ppa/contracts/${contract.ppa_contract_id}/valuations`),
        )
      ).data;
    expect((await listed()).map((r) => [r.meta.valuation_id, r.present_value, r.meta.run_id])).toEqual([
      [v.valuation_id, 120_000, runIds[1]],
    ]);
    const second = await call('POST', '/v2/ppa/valuate', { body: { ...body, discount_rate: 0.1 } });
    expect(second.status).toBe(200);
    expect(await listed()).toHaveLength(2);
    const rows = await json<{ data: { metric: string; cashflow: number | null; npv: number | null }[] }>(
      await call('GET', `${V1}/${contract.ppa_contract_id}/valuations?metric=cashflow&limit=12`),
    );
    expect(rows.data.map((r) => [r.cashflow, r.npv])).toEqual(MONTHS_2026.map(() => [10_000, 10_000]));
  });

  it('answers 422 naming what cannot be valued, and 404 for an unknown contract', async () => {
    const empty = await createContract({});
    const noTerms = await call('POST', '/v2/ppa/valuate', {
      body: { contract_id: empty.ppa_contract_id, asof },
    });
    expect(noTerms.status).toBe(422);
    // Every member the valuation needs is named in one answer: the missing ones and the rules across them.
    expect(fields(await json<Problem>(noTerms))).toEqual([
      'terms.baseload_mw',
      'terms.end_date',
      'terms.fixed_mwh_per_month',
      'terms.hub',
      'terms.price_usd_mwh',
      'terms.profile_12x24',
      'terms.start_date',
    ]);
    const far = await createContract({
      hub: HUB,
      start_date: '2026-01-01',
      end_date: '2035-12-31',
      baseload_mw: 1,
      price_usd_mwh: 40,
    });
    const beyond = await call('POST', '/v2/ppa/valuate', {
      body: { contract_id: far.ppa_contract_id, asof },
    });
    expect(beyond.status).toBe(422);
    expect(fields(await json<Problem>(beyond))).toEqual(['terms.end_date']);
    const noCurve = await call('POST', '/v2/ppa/valuate', {
      body: { contract_id: far.ppa_contract_id, asof: '2019-01-02' },
    });
    expect(noCurve.status).toBe(422);
    expect(fields(await json<Problem>(noCurve))).toEqual(['body.asof']);
    const neither = await call('POST', '/v2/ppa/valuate', { body: { contract_id: far.ppa_contract_id } });
    expect(neither.status).toBe(422);
    expect(fields(await json<Problem>(neither))).toEqual(['body.asof']);
    const unknown = await call('POST', '/v2/ppa/valuate', { body: { contract_id: randomUUID(), asof } });
    expect(unknown.status).toBe(404);
    // Nothing was recorded for the refused valuations.
    const listed = await json<{ data: unknown[] }>(
      await call('GET', `/v2/ppa/contracts/${far.ppa_contract_id}/valuations`),
    );
    expect(listed.data).toEqual([]);
  });
});

describe('POST /v1/ppa/valuate and the recorded valuations', () => {
  it('keeps the original formula over MONTHLY mid outputs only, records it, and replays under Idempotency-Key', async () => {
    const months = ['2026-01', '2026-02', '2026-03'];
    const { scenarioId, runIds } = await scenarioWithRuns('acme', [
      {
        asof: '2025-12-15',
        computed: '2025-12-15 12:00:00',
        rows: [
          ...months.map((month, i) => ({
            curve_key: 'PJM.WESTERN_HUB.DA.ATC.PWR',
            month,
            value: [50, 55, 45][i]!,
          })),
          // A calendar strip starting in January: the original counted it as a second January.
          { curve_key: 'PJM.WESTERN_HUB.DA.ATC.PWR', month: '2026-01', value: 99, tenor: 'CALENDAR' },
        ],
      },
    ]);
    const contract = await createContract({ hub: HUB });
    const body = {
      ppa_contract_id: contract.ppa_contract_id,
      scenario_id: scenarioId,
      options: { ppa_price: 40, volume_mwh: 10, discount_rate: 0, upfront_cost: 250 },
    };
    const key = `v1-${randomUUID()}`;
    const res = await call('POST', '/v1/ppa/valuate', { body, headers: { 'Idempotency-Key': key } });
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('true');
    const answer = await json<{
      data: { metric: string; value: number; unit: string; run_id: string; period_start: string }[];
      meta: { valuation_id: string; run_id: string };
    }>(res);
    expect(answer.data.map((m) => [m.metric, m.period_start, m.value, m.unit])).toEqual([
      ['cashflow', '2026-01-01', 100, 'USD'],
      ['cashflow', '2026-02-01', 150, 'USD'],
      ['cashflow', '2026-03-01', 50, 'USD'],
      ['NPV', '2026-01-01', 50, 'USD'],
      ['IRR', '2026-01-01', 0.105998, 'ratio'],
    ]);
    expect(answer.meta.run_id).toBe(runIds[0]);
    const replay = await call('POST', '/v1/ppa/valuate', { body, headers: { 'Idempotency-Key': key } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(answer);

    // Recorded once: v2 lists one valuation, v1 its five rows; a keyset walk one row at a time finds the same.
    const url = `${V1}/${contract.ppa_contract_id}/valuations`;
    const v2 = await json<{
      data: {
        present_value: number;
        valuation_date: string;
        currency: string;
        meta: { valuation_id: string };
      }[];
    }>(await call('GET', `/v2/ppa/contracts/${contract.ppa_contract_id}/valuations`));
    expect(v2.data).toHaveLength(1);
    expect(v2.data[0]).toMatchObject({ present_value: 50, valuation_date: '2025-12-15', currency: 'USD' });
    expect(v2.data[0]!.meta.valuation_id).toBe(answer.meta.valuation_id);
    const rows = await json<{
      data: {
        metric: string;
        value: number;
        cashflow: number | null;
        irr: number | null;
        scenario_id: string;
      }[];
    }>(await call('GET', url));
    expect(rows.data.map((r) => [r.metric, r.value])).toEqual(answer.data.map((m) => [m.metric, m.value]));
    expect(rows.data[0]).toMatchObject({ cashflow: 100, scenario_id: scenarioId });
    expect(rows.data[4]).toMatchObject({ irr: 0.105998 });
    const walked: string[] = [];
    let next: string | undefined;
    do {
      const page = await json<{ data: { metric: string }[]; meta: { next_cursor?: string } }>(
        await call('GET', `${url}?limit=1${next ? `&cursor=${encodeURIComponent(next)}` : ''}`),
      );
      walked.push(...page.data.map((r) => r.metric));
      next = page.meta.next_cursor;
    } while (next);
    expect(walked).toEqual(answer.data.map((m) => m.metric));
    const npvOnly = await json<{ data: { metric: string }[] }>(await call('GET', `${url}?metric=NPV`));
    expect(npvOnly.data.map((r) => r.metric)).toEqual(['NPV']);

    // A cursor of one contract's rows is refused for another's.
    const first = await json<{ meta: { next_cursor: string } }>(await call('GET', `${url}?limit=1`));
    const other = await createContract({});
    const refused = await call(
      'GET',
      `${V1}/${other.ppa_contract_id}/valuations?cursor=${encodeURIComponent(first.meta.next_cursor)}`,
    );
    expect(refused.status).toBe(400);
    expect(fields(await json<Problem>(refused))).toEqual(['query.cursor']);
  });

  it('answers 400 without scenario_id, 404 for an unknown contract or a scenario without outputs', async () => {
    const contract = await createContract({});
    const without = await call('POST', '/v1/ppa/valuate', {
      body: { ppa_contract_id: contract.ppa_contract_id },
    });
    expect(without.status).toBe(400);
    const problem = await json<Problem>(without);
    expect(problem.detail).toBe('scenario_id is required for valuation');
    expect(fields(problem)).toEqual(['body.scenario_id']);
    const unknown = await call('POST', '/v1/ppa/valuate', {
      body: { ppa_contract_id: randomUUID(), scenario_id: randomUUID() },
    });
    expect(unknown.status).toBe(404);
    const noOutputs = await call('POST', '/v1/ppa/valuate', {
      body: { ppa_contract_id: contract.ppa_contract_id, scenario_id: randomUUID() },
    });
    expect(noOutputs.status).toBe(404);
    expect(
      (await json<{ data: unknown[] }>(await call('GET', `${V1}/${contract.ppa_contract_id}/valuations`)))
        .data,
    ).toEqual([]);
  });
});
