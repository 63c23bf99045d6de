import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localRunEvents,
  localRunQueue,
  RUN_FINISHED,
  type RunFinished,
} from '#functions/scenarios/run-queue';
import { sql } from '#lib/data/sql';
import { compressionIdle } from '#lib/http/compression';
import { appStore } from '#lib/store/create-store';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ AURUM_STORE_URL: 'memory:' });
  // the store is migrated on first use: not inside a test's time
  expect((await call('GET', '/v1/scenarios')).status).toBe(200);
});
afterAll(async () => {
  await localRunQueue.drain();
  await api.close();
});

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}
interface RunOut {
  id: string;
  run_id: string;
  scenario_id: string;
  state: string;
  status: string;
  retry_count: number;
  max_retries: number;
  progress_percent: number;
  input_hash: string;
  run_key: string;
  error_message: string | null;
}
interface ScenarioOut {
  id: string;
  scenario_id: string;
  name: string;
  unique_key: string;
  status: string;
  tenant_id: string;
}

function call(
  method: string,
  path: string,
  options: { tenant?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { 'X-Aurum-Tenant': options.tenant ?? 'acme', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return fetch(`${api.url}${path}`, { method, headers, body });
}
const admin = { 'X-Aurum-Groups': 'aurum-admins' };
let seq = 0;
const unique = (stem: string) => `${stem} ${Date.now().toString(36)}-${seq++}`;
const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();

async function createScenario(body: Record<string, unknown>, tenant = 'acme'): Promise<ScenarioOut> {
  const res = await call('POST', '/v1/scenarios', { body, tenant });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: ScenarioOut }).data;
}

/** A PJM curve-shift scenario run to SUCCEEDED, for the tests that read its outputs. */
async function shiftedScenario(stem: string, value: number): Promise<ScenarioOut> {
  const scenario = await createScenario({
    name: unique(stem),
    assumptions: [{ driver_type: 'curve_shift', payload: { value } }],
    parameters: { iso: ['PJM'] },
  });
  const queued = await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} });
  const run = ((await queued.json()) as { data: RunOut }).data;
  expect((await finished(run.id)).state).toBe('SUCCEEDED');
  return scenario;
}

/** The run's `scenario.run.finished`, as the in-process bus delivers it. */
function finished(runId: string): Promise<RunFinished> {
  const seen = localRunEvents.published.find((e) => e.run_id === runId);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const listener = (e: RunFinished) => {
      if (e.run_id !== runId) return;
      localRunEvents.off(RUN_FINISHED, listener);
      resolve(e);
    };
    localRunEvents.on(RUN_FINISHED, listener);
  });
}

describe('a policy scenario from creation to outputs', () => {
  it('runs under the local gateway to SUCCEEDED with banded mid outputs, metrics and CSV', async () => {
    const scenario = await createScenario({
      name: unique('Clean power'),
      assumptions: [{ driver_type: 'policy', payload: { name: 'clean_power_transition' } }],
      parameters: {},
    });
    expect(scenario.id).toBe(scenario.scenario_id);
    expect(scenario.status).toBe('created');
    expect(scenario.unique_key).toMatch(/^acme:clean-power-/);

    const queued = await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} });
    expect(queued.status).toBe(202);
    const run = ((await queued.json()) as { data: RunOut }).data;
    expect(run).toMatchObject({
      state: 'QUEUED',
      status: 'queued',
      run_id: run.id,
      scenario_id: scenario.id,
    });
    expect(run.run_key).toBe(`${scenario.id}:${run.input_hash}`);

    const event = await finished(run.id);
    expect(event).toMatchObject({ state: 'SUCCEEDED', scenario_id: scenario.id, tenant_id: 'acme' });
    expect(event.curves).toBeGreaterThan(10);
    expect(event.output_rows).toBe(event.output_rows - (event.output_rows % 2));

    const got = await call('GET', `/v1/scenarios/${scenario.id}/runs/${run.id}`);
    const done = ((await got.json()) as { data: RunOut }).data;
    expect(done).toMatchObject({ state: 'SUCCEEDED', status: 'succeeded', progress_percent: 100 });

    const outputs = await call('GET', `/v1/scenarios/${scenario.id}/outputs?metric=mid&limit=50`);
    expect(outputs.status).toBe(200);
    const etag = outputs.headers.get('etag');
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    const revalidated = await call('GET', `/v1/scenarios/${scenario.id}/outputs?metric=mid&limit=50`, {
      headers: { 'If-None-Match': etag! },
    });
    expect(revalidated.status).toBe(304);
    expect(outputs.headers.get('cache-control')).toMatch(/^private, max-age=60/);
    const page = (await outputs.json()) as {
      data: {
        metric: string;
        value: number;
        band_lower: number;
        band_upper: number;
        attribution: Record<string, number>;
        version_hash: string;
        tenor_type: string;
        tenant_id: string;
        curve_key: string;
      }[];
    };
    expect(page.data).toHaveLength(50);
    for (const row of page.data) {
      expect(row).toMatchObject({
        metric: 'mid',
        tenor_type: 'MONTHLY',
        tenant_id: 'acme',
        version_hash: run.input_hash,
      });
      expect(row.curve_key).toMatch(/\.PWR$/);
      expect(row.band_lower).toBeLessThan(row.value);
      expect(row.band_upper).toBeGreaterThan(row.value);
      expect(Object.keys(row.attribution).sort()).toEqual([
        'policy.clean_power_transition.carbon_price',
        'policy.clean_power_transition.fuel_price',
        'policy.clean_power_transition.load_growth',
      ]);
    }
    const again = await call('GET', `/v1/scenarios/${scenario.id}/outputs?metric=mid&limit=50`, {
      headers: { 'If-None-Match': outputs.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    // attribution sums to mid − base, on the rows as served
    const first = page.data[0]!;
    const base = await call(
      'GET',
      `/v1/scenarios/${scenario.id}/outputs?metric=base&curve_key=${encodeURIComponent(first.curve_key)}&limit=500`,
    );
    const baseRows = ((await base.json()) as { data: { tenor_label: string; value: number }[] }).data;
    const firstTenor = (page.data as unknown as { tenor_label: string }[])[0]!.tenor_label;
    const baseValue = baseRows.find((r) => r.tenor_label === firstTenor)!.value;
    const sum = Object.values(first.attribution).reduce((s, v) => s + v, 0);
    expect(first.value - baseValue).toBeCloseTo(sum, 9);

    const metrics = await call('GET', `/v1/scenarios/${scenario.id}/metrics/latest?metric=mid&limit=5`);
    expect(metrics.status).toBe(200);
    const latest = ((await metrics.json()) as { data: Record<string, unknown>[] }).data;
    expect(latest).toHaveLength(5);
    expect(latest[0]).toMatchObject({ scenario_id: scenario.id, run_id: run.id, metric: 'mid' });
    expect(typeof latest[0]!.latest_band_upper).toBe('number');

    const csv = await call('GET', `/v1/scenarios/${scenario.id}/outputs?format=csv&limit=3`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(
      `attachment; filename="scenario-${scenario.id}-outputs.csv"`,
    );
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]!.split(',')[0]).toBe('tenant_id');
    expect(lines).toHaveLength(4);
  }, 60_000);

  it('walks outputs with keyset cursors to the same rows as one large page', async () => {
    const scenario = await shiftedScenario('Walk', 2);
    const path = `/v1/scenarios/${scenario.id}/outputs?metric=mid`;
    const whole = ((await (await call('GET', `${path}&limit=500`)).json()) as { data: unknown[] }).data;
    expect(whole.length).toBeGreaterThan(40);
    const walked: unknown[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await call(
        'GET',
        `${path}&limit=17${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const body = (await res.json()) as { data: unknown[]; meta: { next_cursor?: string } };
      walked.push(...body.data);
      cursor = body.meta.next_cursor;
      if (!cursor) break;
    }
    expect(walked).toEqual(whole.slice(0, walked.length));
    expect(walked).toHaveLength(whole.length);
  });
});

describe('cached outputs and tenants', () => {
  it('never answer one tenant’s cached, compressed page to another, in any coding', async () => {
    const scenario = await shiftedScenario('Walled', 3);
    const path = `/v1/scenarios/${scenario.id}/outputs?metric=mid&limit=100`;
    for (const coding of ['br', 'gzip', 'identity']) {
      const headers = { 'Accept-Encoding': coding };
      // Enough answers for the page's compressed forms to be built and used.
      for (let i = 0; i < 4; i++) {
        const own = await call('GET', path, { headers });
        expect(own.status).toBe(200);
        expect(own.headers.get('x-cache')).toBe(i === 0 && coding === 'br' ? 'miss' : 'hit');
        const rows = ((await own.json()) as { data: { tenant_id: string }[] }).data;
        expect(rows).toHaveLength(100);
        expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set(['acme']));
        await compressionIdle();
      }
      const other = await call('GET', path, { tenant: 'globex', headers });
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await other.json()) as Problem & { data?: unknown };
      expect(problem.status).toBe(404);
      expect(problem.data).toBeUndefined();
    }
  });
});

describe('scenario rules', () => {
  it('refuses a second name in any case (409), a foreign body tenant_id (403), and bad bodies (422 naming fields)', async () => {
    const name = unique('Unique Name');
    await createScenario({ name });
    const dup = await call('POST', '/v1/scenarios', { body: { name: name.toUpperCase() } });
    expect(dup.status).toBe(409);
    expect(dup.headers.get('content-type')).toMatch(/problem\+json/);

    const foreign = await call('POST', '/v1/scenarios', { body: { name: unique('x'), tenant_id: 'globex' } });
    expect(foreign.status).toBe(403);
    const own = await call('POST', '/v1/scenarios', { body: { name: unique('x'), tenant_id: 'acme' } });
    expect(own.status).toBe(201);

    const bad = await call('POST', '/v1/scenarios', {
      body: {
        name: '',
        assumptions: [{ driver_type: 'fuel_price', payload: { change: 'lots' } }],
        surprise: 1,
      },
    });
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as Problem;
    expect(fields(problem)).toEqual(
      expect.arrayContaining(['body.name', 'body.assumptions.0.payload.change']),
    );
  });

  it('walls tenants off: another tenant’s scenario is a 404 on every route, a foreign tenant_id query a 403', async () => {
    const scenario = await createScenario({ name: unique('Walled') });
    const run = (
      (await (await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} })).json()) as {
        data: RunOut;
      }
    ).data;
    const other = { tenant: 'globex' };
    for (const [method, path, body] of [
      ['GET', `/v1/scenarios/${scenario.id}`],
      ['GET', `/v2/scenarios/${scenario.id}`],
      ['DELETE', `/v1/scenarios/${scenario.id}`],
      ['GET', `/v1/scenarios/${scenario.id}/runs`],
      ['GET', `/v2/scenarios/${scenario.id}/runs`],
      ['POST', `/v1/scenarios/${scenario.id}/run`, {}],
      ['POST', `/v2/scenarios/${scenario.id}/runs`, {}],
      ['POST', `/v1/scenarios/${scenario.id}/runs:bulk`, { runs: [{}] }],
      ['GET', `/v1/scenarios/${scenario.id}/runs/${run.id}`],
      ['POST', `/v1/scenarios/runs/${run.id}/cancel`],
      ['GET', `/v1/scenarios/${scenario.id}/outputs`],
      ['GET', `/v1/scenarios/${scenario.id}/metrics/latest`],
    ] as const) {
      const res = await call(method, path, { ...other, ...(body ? { body } : {}) });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 404`);
    }
    const state = await call('POST', `/v1/scenarios/runs/${run.id}/state`, {
      tenant: 'globex',
      headers: admin,
      body: { state: 'CANCELLED' },
    });
    expect(state.status).toBe(404);
    const list = await call('GET', '/v2/scenarios?tenant_id=globex');
    expect(list.status).toBe(403);
    const globexList = ((await (await call('GET', '/v2/scenarios', other)).json()) as { data: ScenarioOut[] })
      .data;
    expect(globexList.map((s) => s.id)).not.toContain(scenario.id);
    // and the scenario is untouched
    expect((await call('GET', `/v1/scenarios/${scenario.id}`)).status).toBe(200);
  });

  it('answers the existing run for the same body key, the same header key, and the same inputs', async () => {
    const scenario = await createScenario({ name: unique('Idem') });
    const base = `/v1/scenarios/${scenario.id}/run`;
    const a = (
      (await (await call('POST', base, { body: { idempotency_key: 'k-1', seed: 1 } })).json()) as {
        data: RunOut;
      }
    ).data;
    const b = (
      (await (await call('POST', base, { body: { idempotency_key: 'k-1', seed: 2 } })).json()) as {
        data: RunOut;
      }
    ).data;
    expect(b.id).toBe(a.id);

    const h1 = await call('POST', base, { body: { seed: 3 }, headers: { 'Idempotency-Key': 'hdr-1' } });
    const h2 = await call('POST', base, { body: { seed: 3 }, headers: { 'Idempotency-Key': 'hdr-1' } });
    expect(h2.headers.get('idempotent-replayed')).toBe('true');
    expect(((await h2.json()) as { data: RunOut }).data.id).toBe(
      ((await h1.json()) as { data: RunOut }).data.id,
    );

    const s1 = ((await (await call('POST', base, { body: { seed: 42 } })).json()) as { data: RunOut }).data;
    const s2 = ((await (await call('POST', base, { body: { seed: 42 } })).json()) as { data: RunOut }).data;
    const s3 = ((await (await call('POST', base, { body: { seed: 43 } })).json()) as { data: RunOut }).data;
    expect(s2.id).toBe(s1.id);
    expect(s2.input_hash).toBe(s1.input_hash);
    expect(s3.id).not.toBe(s1.id);
    expect(s3.input_hash).not.toBe(s1.input_hash);

    const runs = (await (await call('GET', `/v1/scenarios/${scenario.id}/runs?limit=100`)).json()) as {
      data: RunOut[];
      meta: { total: number };
    };
    expect(runs.meta.total).toBe(4); // k-1, hdr-1, seed 42, seed 43
    await Promise.all(runs.data.map((r) => finished(r.id)));
  });

  it('cancels a queued run, refuses to cancel a finished one (409), and keeps CANCELLED', async () => {
    const scenario = await createScenario({ name: unique('Cancel') });
    const run = (
      (await (await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} })).json()) as {
        data: RunOut;
      }
    ).data;
    const cancelled = await call('POST', `/v1/scenarios/runs/${run.id}/cancel`);
    // the in-process worker may already have claimed it; either way it is cancelled, never overwritten
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { data: RunOut }).data.state).toBe('CANCELLED');
    await localRunQueue.drain();
    const after = (
      (await (await call('GET', `/v1/scenarios/${scenario.id}/runs/${run.id}`)).json()) as { data: RunOut }
    ).data;
    expect(after.state).toBe('CANCELLED');
    const twice = await call('POST', `/v1/scenarios/runs/${run.id}/cancel`);
    expect(twice.status).toBe(409);
    const outputs = (await (await call('GET', `/v1/scenarios/${scenario.id}/outputs`)).json()) as {
      data: unknown[];
    };
    expect(outputs.data).toEqual([]);
  });

  it('needs the admin group for the state route', async () => {
    const scenario = await createScenario({ name: unique('State') });
    const run = (
      (await (await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} })).json()) as {
        data: RunOut;
      }
    ).data;
    const res = await call('POST', `/v1/scenarios/runs/${run.id}/state`, {
      body: { state: 'CANCELLED' },
      headers: { 'X-Aurum-Groups': 'analysts' },
    });
    expect(res.status).toBe(403);
    await finished(run.id);
  });

  it('bulk: 1–100 runs, duplicates answered, duplicate keys in one request a 422 naming body.runs', async () => {
    const scenario = await createScenario({ name: unique('Bulk') });
    const path = `/v1/scenarios/${scenario.id}/runs:bulk`;
    const empty = await call('POST', path, { body: { runs: [] } });
    expect(empty.status).toBe(422);
    expect(fields((await empty.json()) as Problem)).toEqual(['body.runs']);
    const many = await call('POST', path, {
      body: { runs: Array.from({ length: 101 }, (_, i) => ({ idempotency_key: `m${i}` })) },
    });
    expect(many.status).toBe(422);
    expect(fields((await many.json()) as Problem)).toEqual(['body.runs']);
    const dupes = await call('POST', path, {
      body: { runs: [{ idempotency_key: 'same' }, { idempotency_key: 'same' }] },
    });
    expect(dupes.status).toBe(422);
    const dupProblem = (await dupes.json()) as Problem;
    expect(fields(dupProblem)).toEqual(['body.runs']);
    expect(dupProblem.errors![0]!.message).toContain("Duplicate idempotency key 'same' in request");
    const before = (await (await call('GET', `/v1/scenarios/${scenario.id}/runs`)).json()) as {
      meta: { total: number };
    };
    expect(before.meta.total).toBe(0);

    const ok = await call('POST', path, {
      body: { runs: [{ idempotency_key: 'b1' }, { idempotency_key: 'b2', parameters: { iso: ['PJM'] } }] },
    });
    expect(ok.status).toBe(202);
    const first = (await ok.json()) as {
      data: { status: string; run_id: string }[];
      meta: Record<string, number>;
    };
    expect(first.meta).toMatchObject({
      total_runs: 2,
      successful_runs: 2,
      duplicate_runs: 0,
      failed_runs: 0,
    });
    const again = await call('POST', path, {
      body: { runs: [{ idempotency_key: 'b1' }, { idempotency_key: 'b3', parameters: { iso: ['MISO'] } }] },
    });
    const second = (await again.json()) as {
      data: { status: string; run_id: string }[];
      meta: { duplicate_runs: number; duplicates: { existing_run_id: string; index: number }[] };
    };
    expect(second.data.map((d) => d.status)).toEqual(['duplicate', 'success']);
    expect(second.meta.duplicates).toEqual([
      expect.objectContaining({ index: 0, existing_run_id: first.data[0]!.run_id }),
    ]);
    await localRunQueue.drain();
  });

  it('lists with the original limits and refuses a created_after past created_before', async () => {
    const tooMany = await call('GET', '/v1/scenarios?limit=101');
    expect(tooMany.status).toBe(400);
    expect(fields((await tooMany.json()) as Problem)).toEqual(['query.limit']);
    const range = await call(
      'GET',
      '/v1/scenarios?created_after=2026-01-02T00:00:00Z&created_before=2026-01-01T00:00:00Z',
    );
    expect(range.status).toBe(400);
    expect(fields((await range.json()) as Problem)).toEqual(['query.created_after']);
    const list = (await (await call('GET', '/v1/scenarios')).json()) as { meta: { limit: number } };
    expect(list.meta.limit).toBe(20);
    const v2 = (await (await call('GET', '/v2/scenarios')).json()) as { meta: { limit: number } };
    expect(v2.meta.limit).toBe(10);
    const empty = await call('GET', '/v1/scenarios', { tenant: 'nobody-here' });
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('deletes a scenario with its runs and outputs', async () => {
    const scenario = await createScenario({ name: unique('Gone'), parameters: { iso: ['ERCOT'] } });
    const run = (
      (await (await call('POST', `/v1/scenarios/${scenario.id}/run`, { body: {} })).json()) as {
        data: RunOut;
      }
    ).data;
    await finished(run.id);
    expect((await call('DELETE', `/v1/scenarios/${scenario.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/scenarios/${scenario.id}`)).status).toBe(404);
    const store = await appStore();
    const [left] = await store.query(
      'acme',
      sql`SELECT count(*) AS n FROM scenario_output WHERE run_id = ${run.id}`,
    );
    expect(Number(left!.n)).toBe(0);
  });
});
