import { createHash } from 'node:crypto';
import { canonicalJson } from '#lib/canonical-json';
import type { SqlEngine } from '#lib/data/engine';
import { ConflictError, NotFoundError } from '#lib/errors';
import type { CursorCodec } from '#lib/paging/cursor';
import { type KeysetList, keysetList, type Page } from '#lib/paging/list';
import { actorName } from '#lib/store/audit';
import { rowEtag } from '#lib/store/row-etag';
import type { AppStore, StoreCallOptions, StoreRow, StoreTransaction } from '#lib/store/store';
import {
  countRunsQuery,
  countScenariosQuery,
  deleteScenarioQuery,
  existingRunQuery,
  getRunQuery,
  getScenarioQuery,
  insertRunQuery,
  insertScenarioQuery,
  latestMetricsQuery,
  listOutputsQuery,
  listRunsQuery,
  listScenariosQuery,
  lockRunKeyQuery,
  lockRunQuery,
  METRIC_KEY,
  OUTPUT_KEY,
  type OutputFilters,
  RUN_KEY,
  type RunFilters,
  SCENARIO_KEY,
  type ScenarioFilters,
  scenarioNameTakenQuery,
  transitionRunQuery,
} from './queries.ts';
import type { BulkInput, Output, Run, RunInput, RunState, Scenario, ScenarioInput } from './routes.ts';
import type { RunQueue } from './run-queue.ts';

/** Who acts, and in which tenant: from the principal, never from the body. */
export interface Caller {
  tenant: string;
  subject: string;
}

export interface ScenariosDeps {
  store: () => Promise<AppStore>;
  cursors: CursorCodec;
  queue: RunQueue;
}

/** What may follow what; FAILED → QUEUED is only the worker's retry, never a caller's. */
export const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  QUEUED: ['RUNNING', 'CANCELLED'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMEOUT'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
  TIMEOUT: [],
};

const iso = (v: unknown) => (v === null || v === undefined ? null : String(v));
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** `{tenant}:{slug(name)}`. */
export const uniqueKeyOf = (tenant: string, name: string) =>
  `${tenant}:${
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'scenario'
  }`;

export function toScenario(row: StoreRow): Scenario {
  const id = String(row.id);
  return {
    id,
    scenario_id: id,
    tenant_id: String(row.tenant_id),
    name: String(row.name),
    description: text(row.description),
    status: row.status as Scenario['status'],
    unique_key: String(row.unique_key),
    assumptions: (row.assumptions ?? []) as Scenario['assumptions'],
    parameters: (row.parameters ?? {}) as Scenario['parameters'],
    tags: (row.tags ?? []) as string[],
    version: Number(row.version),
    created_by: String(row.created_by),
    created_at: String(row.created_at),
    updated_by: String(row.updated_by),
    updated_at: String(row.updated_at),
  };
}

export function toRun(row: StoreRow): Run {
  const id = String(row.id);
  const state = String(row.state) as RunState;
  const started = iso(row.started_at);
  const completed = iso(row.completed_at);
  return {
    id,
    run_id: id,
    scenario_id: String(row.scenario_id),
    tenant_id: String(row.tenant_id),
    state,
    status: state.toLowerCase(),
    priority: row.priority as Run['priority'],
    code_version: text(row.code_version),
    seed: row.seed === null || row.seed === undefined ? null : Number(row.seed),
    timeout_minutes: Number(row.timeout_minutes),
    max_memory_mb: Number(row.max_memory_mb),
    environment: (row.environment ?? {}) as Run['environment'],
    parameters: (row.parameters ?? {}) as Run['parameters'],
    max_retries: Number(row.max_retries),
    retry_count: Number(row.retry_count),
    idempotency_key: text(row.idempotency_key),
    input_hash: String(row.input_hash),
    run_key: String(row.run_key),
    progress_percent: Number(row.progress_percent),
    error_message: text(row.error_message),
    created_by: String(row.created_by),
    created_at: String(row.created_at),
    queued_at: String(row.queued_at),
    started_at: started,
    completed_at: completed,
    cancelled_at: iso(row.cancelled_at),
    duration_seconds: started && completed ? (Date.parse(completed) - Date.parse(started)) / 1000 : null,
    updated_at: String(row.updated_at),
  };
}

function toOutput(row: StoreRow): Output {
  return {
    tenant_id: String(row.tenant_id),
    scenario_id: String(row.scenario_id),
    run_id: String(row.run_id),
    asof_date: String(row.asof_date),
    curve_key: String(row.curve_key),
    tenor_type: String(row.tenor_type),
    contract_month: iso(row.contract_month),
    tenor_label: String(row.tenor_label),
    metric: String(row.metric),
    value: Number(row.value),
    band_lower: row.band_lower === null ? null : Number(row.band_lower),
    band_upper: row.band_upper === null ? null : Number(row.band_upper),
    attribution: (row.attribution ?? {}) as Record<string, number>,
    version_hash: String(row.version_hash),
    metric_unit: String(row.metric_unit),
    computed_ts: String(row.computed_ts),
  };
}

const toMetric = (row: StoreRow) => ({
  scenario_id: String(row.scenario_id),
  run_id: String(row.run_id),
  metric: String(row.metric),
  curve_key: String(row.curve_key),
  tenor_label: String(row.tenor_label),
  latest_value: Number(row.latest_value),
  latest_band_lower: row.latest_band_lower === null ? null : Number(row.latest_band_lower),
  latest_band_upper: row.latest_band_upper === null ? null : Number(row.latest_band_upper),
  latest_asof_date: String(row.latest_asof_date),
});

const missingScenario = () => new NotFoundError('No such scenario');
const missingRun = () => new NotFoundError('No such scenario run');

/** sha256 over the inputs that decide a run's result, seed included (reference §1.4). */
export function inputHash(scenario: Scenario, input: RunOptions): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        tenant_id: scenario.tenant_id,
        scenario_id: scenario.id,
        unique_key: scenario.unique_key,
        assumptions: scenario.assumptions,
        parameters: { ...scenario.parameters, ...input.parameters },
        environment: input.environment,
        code_version: input.code_version ?? null,
        seed: input.seed ?? null,
        scenario_version: scenario.version,
      }),
    )
    .digest('hex');
}

type RunOptions = Omit<RunInput, 'code_version' | 'seed'> & { code_version?: string; seed?: number };

export function createScenariosService(deps: ScenariosDeps) {
  const lists = {
    scenarios: keysetList({
      name: 'scenarios',
      key: SCENARIO_KEY,
      query: (f: { tenant: string } & ScenarioFilters, seek) => listScenariosQuery(f.tenant, f, seek),
      row: toScenario,
    }),
    runs: keysetList({
      name: 'scenario-runs',
      key: RUN_KEY,
      query: (f: { tenant: string } & RunFilters, seek) => listRunsQuery(f.tenant, f, seek),
      row: toRun,
    }),
    outputs: keysetList({
      name: 'scenario-outputs',
      key: OUTPUT_KEY,
      query: (f: { tenant: string } & OutputFilters, seek) => listOutputsQuery(f.tenant, f, seek),
      row: toOutput,
    }),
    metrics: keysetList({
      name: 'scenario-metrics',
      key: METRIC_KEY,
      query: (f: { tenant: string } & OutputFilters, seek) => latestMetricsQuery(f.tenant, f, seek),
      row: toMetric,
    }),
  };

  /** The store as the paging kit's engine port, in the caller's tenant. */
  const storeAsEngine = async (caller: Caller, io: StoreCallOptions) => {
    const store = await deps.store();
    return {
      query: (q: Parameters<SqlEngine['query']>[0]) => store.query(caller.tenant, q, io),
    } as unknown as SqlEngine;
  };

  async function page<F, T>(
    list: KeysetList<F, T>,
    caller: Caller,
    query: Record<string, unknown>,
    filters: F,
    size: number,
    io: StoreCallOptions,
    meta: Record<string, unknown>,
  ): Promise<Page<T>> {
    const result = await list.page(
      { engine: await storeAsEngine(caller, io), cursors: deps.cursors },
      query,
      filters,
      { size, meta },
    );
    return { ...result, meta: { ...meta, count: result.rows.length } };
  }

  async function scenarioOf(caller: Caller, id: string, io: StoreCallOptions, tx?: StoreTransaction) {
    const q = getScenarioQuery(caller.tenant, id);
    const [row] = tx ? await tx.query(q) : await (await deps.store()).query(caller.tenant, q, io);
    if (!row) throw missingScenario();
    return toScenario(row);
  }

  /** Creates one run, or answers the existing one with the same key or inputs (and whether it existed). */
  async function queueRun(
    tx: StoreTransaction,
    caller: Caller,
    scenario: Scenario,
    input: RunOptions,
    afterCommit: (task: () => Promise<void>) => void,
  ): Promise<{ run: Run; existed: boolean }> {
    const hash = inputHash(scenario, input);
    const runKey = `${scenario.id}:${hash}`;
    await tx.query(lockRunKeyQuery(runKey));
    const [existing] = await tx.query(
      existingRunQuery(caller.tenant, scenario.id, input.idempotency_key, runKey),
    );
    const row =
      existing ??
      (
        await tx.query(
          insertRunQuery(
            caller.tenant,
            {
              scenarioId: scenario.id,
              priority: input.priority,
              codeVersion: input.code_version ?? null,
              seed: input.seed ?? null,
              timeoutMinutes: input.timeout_minutes,
              maxMemoryMb: input.max_memory_mb,
              environment: input.environment,
              parameters: input.parameters,
              maxRetries: input.max_retries,
              idempotencyKey: input.idempotency_key ?? null,
              inputHash: hash,
              runKey,
            },
            actorName(caller),
          ),
        )
      )[0]!;
    const run = toRun(row);
    // A queued run is (re)sent: the worker claims it once, so a second message for it is harmless, and a
    // message lost after a commit is recovered by asking again.
    if (run.state === 'QUEUED')
      afterCommit(() => deps.queue.send({ tenant_id: caller.tenant, run_id: run.id }));
    return { run, existed: existing !== undefined };
  }

  async function transition(tx: StoreTransaction, caller: Caller, runId: string, to: RunState) {
    const [row] = await tx.query(lockRunQuery(caller.tenant, runId));
    if (!row) throw missingRun();
    const from = String(row.state) as RunState;
    if (!TRANSITIONS[from].includes(to)) {
      throw new ConflictError(
        from === to
          ? `The run is already ${from}`
          : `A run in state ${from} cannot move to ${to}${TRANSITIONS[from].length === 0 ? ' (it has finished)' : ''}`,
      );
    }
    const [moved] = await tx.query(transitionRunQuery(caller.tenant, runId, [from], to, actorName(caller)));
    return { data: toRun(moved!) };
  }

  return {
    async createScenario(tx: StoreTransaction, caller: Caller, input: ScenarioInput, base: string) {
      if ((await tx.query(scenarioNameTakenQuery(caller.tenant, input.name))).length > 0)
        throw new ConflictError(
          `A scenario named "${input.name}" exists already (names are unique in any case)`,
        );
      const [row] = await tx.query(
        insertScenarioQuery(
          caller.tenant,
          {
            name: input.name,
            description: input.description ?? null,
            uniqueKey: uniqueKeyOf(caller.tenant, input.name),
            assumptions: input.assumptions,
            parameters: input.parameters,
            tags: input.tags,
          },
          actorName(caller),
        ),
      );
      const data = toScenario(row!);
      return { data, etag: rowEtag({ id: data.id, version: data.version }), location: `${base}/${data.id}` };
    },

    listScenarios(
      caller: Caller,
      query: Record<string, unknown> & { limit: number } & ScenarioFilters,
      io: StoreCallOptions,
    ) {
      const filters: ScenarioFilters = {
        status: query.status,
        name: query.name,
        tag: query.tag,
        created_after: query.created_after,
        created_before: query.created_before,
      };
      return (async () => {
        const [counted] = await (await deps.store()).query(
          caller.tenant,
          countScenariosQuery(caller.tenant, filters),
          io,
        );
        return page(lists.scenarios, caller, query, { tenant: caller.tenant, ...filters }, query.limit, io, {
          limit: query.limit,
          total: Number(counted?.n ?? 0),
        });
      })();
    },

    async getScenario(caller: Caller, id: string, io: StoreCallOptions) {
      const data = await scenarioOf(caller, id, io);
      return { data, etag: rowEtag({ id: data.id, version: data.version }) };
    },

    async deleteScenario(tx: StoreTransaction, caller: Caller, id: string) {
      if ((await tx.query(deleteScenarioQuery(caller.tenant, id))).length === 0) throw missingScenario();
      return undefined;
    },

    async listRuns(
      caller: Caller,
      scenarioId: string,
      query: Record<string, unknown> & {
        limit: number;
        state?: string;
        created_after?: string;
        created_before?: string;
      },
      io: StoreCallOptions,
    ) {
      await scenarioOf(caller, scenarioId, io);
      const filters: RunFilters = {
        scenarioId,
        state: query.state,
        created_after: query.created_after,
        created_before: query.created_before,
      };
      const [counted] = await (await deps.store()).query(
        caller.tenant,
        countRunsQuery(caller.tenant, filters),
        io,
      );
      return page(lists.runs, caller, query, { tenant: caller.tenant, ...filters }, query.limit, io, {
        limit: query.limit,
        total: Number(counted?.n ?? 0),
      });
    },

    async createRun(
      tx: StoreTransaction,
      caller: Caller,
      scenarioId: string,
      input: RunInput,
      afterCommit: (task: () => Promise<void>) => void,
    ) {
      const scenario = await scenarioOf(caller, scenarioId, {}, tx);
      const { run } = await queueRun(tx, caller, scenario, input, afterCommit);
      return { data: run, etag: rowEtag({ id: run.id, version: 1 }) };
    },

    async bulkRuns(
      tx: StoreTransaction,
      caller: Caller,
      scenarioId: string,
      input: BulkInput,
      afterCommit: (task: () => Promise<void>) => void,
    ) {
      const scenario = await scenarioOf(caller, scenarioId, {}, tx);
      const data: {
        index: number;
        idempotency_key: string | null;
        run_id: string | null;
        status: 'success' | 'duplicate' | 'error';
        error: string | null;
      }[] = [];
      const duplicates: {
        index: number;
        idempotency_key: string | null;
        existing_run_id: string;
        existing_status: string;
        created_at: string;
      }[] = [];
      for (const [index, options] of input.runs.entries()) {
        const { run, existed } = await queueRun(tx, caller, scenario, options, afterCommit);
        const key = options.idempotency_key ?? null;
        data.push({
          index,
          idempotency_key: key,
          run_id: run.id,
          status: existed ? 'duplicate' : 'success',
          error: null,
        });
        if (existed)
          duplicates.push({
            index,
            idempotency_key: key,
            existing_run_id: run.id,
            existing_status: run.status,
            created_at: run.created_at,
          });
      }
      return {
        data,
        meta: {
          total_runs: input.runs.length,
          successful_runs: data.filter((d) => d.status === 'success').length,
          duplicate_runs: duplicates.length,
          failed_runs: 0,
          duplicates,
        },
      };
    },

    async getRun(caller: Caller, scenarioId: string, runId: string, io: StoreCallOptions) {
      const [row] = await (await deps.store()).query(
        caller.tenant,
        getRunQuery(caller.tenant, runId, scenarioId),
        io,
      );
      if (!row) throw missingRun();
      return { data: toRun(row), etag: rowEtag({ id: String(row.id), version: Number(row.version) }) };
    },

    setState: (tx: StoreTransaction, caller: Caller, runId: string, to: RunState) =>
      transition(tx, caller, runId, to),

    cancel: (tx: StoreTransaction, caller: Caller, runId: string) =>
      transition(tx, caller, runId, 'CANCELLED'),

    async outputs(
      caller: Caller,
      scenarioId: string,
      query: Record<string, unknown> & {
        limit: number;
        metric?: string;
        curve_key?: string;
        tenor_type?: string;
        run_id?: string;
      },
      io: StoreCallOptions,
    ) {
      await scenarioOf(caller, scenarioId, io);
      const filters: OutputFilters = {
        scenarioId,
        runId: query.run_id,
        metric: query.metric,
        curve_key: query.curve_key,
        tenor_type: query.tenor_type,
      };
      const result = await page(
        lists.outputs,
        caller,
        query,
        { tenant: caller.tenant, ...filters },
        query.limit,
        io,
        {
          limit: query.limit,
        },
      );
      return { ...result, meta: { limit: query.limit } };
    },

    async latestMetrics(
      caller: Caller,
      scenarioId: string,
      query: Record<string, unknown> & { limit: number; metric?: string; curve_key?: string },
      io: StoreCallOptions,
    ) {
      await scenarioOf(caller, scenarioId, io);
      const filters: OutputFilters = { scenarioId, metric: query.metric, curve_key: query.curve_key };
      const result = await page(
        lists.metrics,
        caller,
        query,
        { tenant: caller.tenant, ...filters },
        query.limit,
        io,
        {
          limit: query.limit,
        },
      );
      return { ...result, meta: { limit: query.limit } };
    },
  };
}

export type ScenariosService = ReturnType<typeof createScenariosService>;
