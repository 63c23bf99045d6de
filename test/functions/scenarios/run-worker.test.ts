import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScenariosHandler } from '#functions/scenarios/handler';
import { scenariosDomain } from '#functions/scenarios/routes';
import { LocalRunEvents, type RunMessage, type RunQueue } from '#functions/scenarios/run-queue';
import { createRunWorker } from '#functions/scenarios/run-worker';
import { createLocalGateway, listen } from '#infra/local/gateway';
import { createEngine } from '#lib/data/create-engine';
import { ident, sql } from '#lib/data/sql';
import { REPO_FLAGS_FILE } from '#lib/flags/source';
import { RouteRegistry } from '#lib/http/registry';
import { migrate } from '#lib/store/migrate';
import { PgliteStore } from '#lib/store/pglite-store';

/** The SQS boundary: what was sent, for the test to deliver when it chooses. */
class RecordingQueue implements RunQueue {
  readonly sent: RunMessage[] = [];
  async send(message: RunMessage) {
    this.sent.push(message);
  }
  take(): RunMessage {
    const m = this.sent.shift();
    if (!m) throw new Error('nothing was sent');
    return m;
  }
}

// Flags from a file: both scenario flags off for the tenant `flagless` only.
const flagsPath = join(mkdtempSync(join(tmpdir(), 'aurum-scenario-flags-')), 'flags.json');
const flags = JSON.parse(readFileSync(REPO_FLAGS_FILE, 'utf8')) as {
  values: Record<string, { enabled: boolean; denyTenants?: string[] }>;
};
flags.values['scenario-outputs']!.denyTenants = ['flagless'];
flags.values['bulk-scenario-runs']!.denyTenants = ['flagless'];
writeFileSync(flagsPath, JSON.stringify(flags));

let store: PgliteStore;
let server: Server;
let url: string;
const queue = new RecordingQueue();

beforeAll(async () => {
  Object.assign(process.env, {
    AURUM_AUTH_MODE: 'dev',
    AURUM_API_ADMIN_GROUP: 'aurum-admins',
    AURUM_API_RATE_LIMIT_RPS: '100000',
    AURUM_FLAGS_FILE: flagsPath,
  });
  store = await PgliteStore.open();
  await migrate(store);
  const handler = createScenariosHandler({ store: async () => store, queue });
  server = createLocalGateway({
    registry: new RouteRegistry().add(scenariosDomain),
    handlers: { scenarios: handler },
    fallbackDomain: 'scenarios',
  });
  url = await listen(server, 0);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});

function call(
  method: string,
  path: string,
  options: { tenant?: string; body?: unknown; admin?: boolean } = {},
) {
  const headers: Record<string, string> = { 'X-Aurum-Tenant': options.tenant ?? 'acme' };
  headers['X-Aurum-Groups'] = options.admin ? 'aurum-admins' : 'analysts';
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

let seq = 0;
interface RunOut {
  id: string;
  state: string;
  retry_count: number;
  progress_percent: number;
  error_message: string | null;
}

/** A scenario over PJM's hubs and one queued run of it; the message the API sent for it is taken. */
async function queuedRun(runBody: Record<string, unknown> = {}, tenant = 'acme') {
  const created = await call('POST', '/v1/scenarios', {
    tenant,
    body: {
      name: `worker ${seq++}`,
      assumptions: [{ driver_type: 'curve_shift', payload: { value: 1 } }],
      parameters: { iso: ['PJM'] },
    },
  });
  expect(created.status).toBe(201);
  const scenario = ((await created.json()) as { data: { id: string } }).data;
  const res = await call('POST', `/v1/scenarios/${scenario.id}/run`, { tenant, body: runBody });
  expect(res.status).toBe(202);
  const run = ((await res.json()) as { data: RunOut }).data;
  const message = queue.take();
  expect(message).toEqual({ tenant_id: tenant, run_id: run.id });
  return { scenarioId: scenario.id, run, message };
}

async function runOf(scenarioId: string, runId: string, tenant = 'acme'): Promise<RunOut> {
  const res = await call('GET', `/v1/scenarios/${scenarioId}/runs/${runId}`, { tenant });
  return ((await res.json()) as { data: RunOut }).data;
}

async function count(table: 'scenario_output' | 'scenario_output_stage', runId: string, tenant = 'acme') {
  const [row] = await store.query(
    tenant,
    sql`SELECT count(*) AS n FROM ${ident(table, ['scenario_output', 'scenario_output_stage'])} WHERE run_id = ${runId}`,
  );
  return Number(row!.n);
}

function workerWith(options: { now?: () => number } = {}) {
  const events = new LocalRunEvents();
  const worker = createRunWorker({
    store: async () => store,
    engine: () => createEngine(),
    queue,
    events,
    chunkSize: 40,
    ...options,
  });
  return { worker, events };
}

describe('the run worker', () => {
  it('continues from its checkpoint in a new invocation when time runs short, and publishes once', async () => {
    const { scenarioId, run, message } = await queuedRun();
    const { worker, events } = workerWith();
    let calls = 0;
    // A Lambda whose time runs short after the first checkpoint.
    const first = await worker.execute(message, () => (calls++ === 0 ? 900_000 : 5_000));
    expect(first.state).toBe('CONTINUED');
    const mid = await runOf(scenarioId, run.id);
    expect(mid.state).toBe('RUNNING');
    expect(mid.progress_percent).toBeGreaterThan(0);
    expect(mid.progress_percent).toBeLessThan(100);
    expect(await count('scenario_output_stage', run.id)).toBe(80); // one chunk of 40 points, mid and base
    expect(await count('scenario_output', run.id)).toBe(0); // nothing visible yet
    const continuation = queue.take();
    expect(continuation).toEqual(message);

    const second = await worker.execute(continuation);
    expect(second.state).toBe('SUCCEEDED');
    const done = await runOf(scenarioId, run.id);
    expect(done).toMatchObject({ state: 'SUCCEEDED', progress_percent: 100 });
    const rows = await count('scenario_output', run.id);
    expect(second.outputRows).toBe(rows);
    expect(rows).toBeGreaterThan(80);
    expect(await count('scenario_output_stage', run.id)).toBe(0);
    expect(events.published).toEqual([
      expect.objectContaining({ run_id: run.id, state: 'SUCCEEDED', output_rows: rows }),
    ]);
    // a late duplicate message changes nothing
    expect((await worker.execute(message)).state).toBe('SKIPPED');
    expect(await count('scenario_output', run.id)).toBe(rows);
  });

  it('stops at its next checkpoint when a running run is cancelled, and the state stays CANCELLED', async () => {
    const { scenarioId, run, message } = await queuedRun();
    const { worker, events } = workerWith();
    let calls = 0;
    expect((await worker.execute(message, () => (calls++ === 0 ? 900_000 : 0))).state).toBe('CONTINUED');
    expect((await runOf(scenarioId, run.id)).state).toBe('RUNNING');

    const cancel = await call('POST', `/v1/scenarios/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { data: RunOut }).data.state).toBe('CANCELLED');

    const resumed = await worker.execute(queue.take());
    expect(resumed.state).toBe('SKIPPED');
    expect((await runOf(scenarioId, run.id)).state).toBe('CANCELLED');
    expect(await count('scenario_output', run.id)).toBe(0);
    expect(events.published).toEqual([]);
    const again = await call('POST', `/v1/scenarios/runs/${run.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('times out a run past its timeout_minutes (TIMEOUT, no outputs, an event)', async () => {
    const { scenarioId, run, message } = await queuedRun({ timeout_minutes: 1 });
    // The worker's clock two minutes on from the database's start stamp.
    const { worker, events } = workerWith({ now: () => Date.now() + 120_000 });
    const outcome = await worker.execute(message);
    expect(outcome.state).toBe('TIMEOUT');
    const after = await runOf(scenarioId, run.id);
    expect(after.state).toBe('TIMEOUT');
    expect(after.error_message).toMatch(/timeout_minutes/);
    expect(await count('scenario_output', run.id)).toBe(0);
    expect(await count('scenario_output_stage', run.id)).toBe(0);
    expect(events.published.map((e) => e.state)).toEqual(['TIMEOUT']);
  });

  it('survives a failure halfway through publishing: retried up to max_retries, then FAILED, never a partial set', async () => {
    const { scenarioId, run, message } = await queuedRun({ max_retries: 2, seed: 7 });
    // The database refuses one tenor halfway through the INSERT … SELECT that publishes the set.
    await store.admin((s) =>
      s.script(`CREATE FUNCTION refuse_output() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'disk full'; END $$;
CREATE TRIGGER refuse_output BEFORE INSERT ON scenario_output FOR EACH ROW
  WHEN (NEW.tenor_label = '2027-06') EXECUTE FUNCTION refuse_output();`),
    );
    try {
      const { worker, events } = workerWith();
      expect((await worker.execute(message)).state).toBe('QUEUED');
      expect((await runOf(scenarioId, run.id)).retry_count).toBe(1);
      expect(await count('scenario_output', run.id)).toBe(0);
      expect((await worker.execute(queue.take())).state).toBe('QUEUED');
      expect((await worker.execute(queue.take())).state).toBe('FAILED');
      expect(queue.sent).toEqual([]);
      const failed = await runOf(scenarioId, run.id);
      expect(failed).toMatchObject({ state: 'FAILED', retry_count: 2 });
      // the run's record says where, never what the database said
      expect(failed.error_message).toBe('The run failed while publishing outputs');
      expect(await count('scenario_output', run.id)).toBe(0);
      expect(await count('scenario_output_stage', run.id)).toBe(0);
      expect(events.published).toEqual([expect.objectContaining({ state: 'FAILED', retry_count: 2 })]);
      const outputs = await call('GET', `/v1/scenarios/${scenarioId}/outputs`);
      expect(((await outputs.json()) as { data: unknown[] }).data).toEqual([]);
    } finally {
      await store.admin((s) =>
        s.script('DROP TRIGGER refuse_output ON scenario_output; DROP FUNCTION refuse_output();'),
      );
    }
  });
});

describe('run transitions through the operators’ state route', () => {
  const LEGAL: Record<string, string[]> = {
    QUEUED: ['RUNNING', 'CANCELLED'],
    RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMEOUT'],
  };
  const STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMEOUT'];

  /** A run brought to `state` by legal moves. */
  async function runIn(state: string) {
    const { scenarioId, run } = await queuedRun({ seed: seq++ });
    const path = [] as string[];
    if (state !== 'QUEUED') path.push('RUNNING');
    if (!['QUEUED', 'RUNNING'].includes(state)) path.push(state);
    for (const to of path) {
      const res = await call('POST', `/v1/scenarios/runs/${run.id}/state`, {
        admin: true,
        body: { state: to },
      });
      expect(res.status).toBe(200);
    }
    return { scenarioId, runId: run.id };
  }

  it('allows every legal move and refuses every other with a 409 that changes nothing', async () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const { scenarioId, runId } = await runIn(from);
        const res = await call('POST', `/v1/scenarios/runs/${runId}/state`, {
          admin: true,
          body: { state: to },
        });
        const legal = (LEGAL[from] ?? []).includes(to);
        expect(`${from}→${to} ${res.status}`).toBe(`${from}→${to} ${legal ? 200 : 409}`);
        const after = await runOf(scenarioId, runId);
        expect(after.state).toBe(legal ? to : from);
        if (!legal) expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
    }
  }, 120_000);

  it('refuses a state that does not exist with a 422 naming body.state', async () => {
    const { runId } = await runIn('QUEUED');
    const res = await call('POST', `/v1/scenarios/runs/${runId}/state`, {
      admin: true,
      body: { state: 'DONE' },
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(['body.state']);
  });
});

describe('flags', () => {
  it('answers 503 for outputs and metrics, and 404 for bulk runs, when the flags are off', async () => {
    const { scenarioId } = await queuedRun({}, 'flagless');
    const outputs = await call('GET', `/v1/scenarios/${scenarioId}/outputs`, { tenant: 'flagless' });
    expect(outputs.status).toBe(503);
    expect(outputs.headers.get('content-type')).toBe('application/problem+json');
    const metrics = await call('GET', `/v1/scenarios/${scenarioId}/metrics/latest`, { tenant: 'flagless' });
    expect(metrics.status).toBe(503);
    const bulk = await call('POST', `/v1/scenarios/${scenarioId}/runs:bulk`, {
      tenant: 'flagless',
      body: { runs: [{}] },
    });
    expect(bulk.status).toBe(404);
    const runs = (await (
      await call('GET', `/v1/scenarios/${scenarioId}/runs`, { tenant: 'flagless' })
    ).json()) as {
      meta: { total: number };
    };
    expect(runs.meta.total).toBe(1); // the bulk request queued nothing
    // the same routes answer for a tenant the flags are on for
    const { scenarioId: on } = await queuedRun();
    expect((await call('GET', `/v1/scenarios/${on}/outputs`)).status).toBe(200);
  });
});
