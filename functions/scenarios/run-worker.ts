import type { SqlEngine } from '#lib/data/engine';
import { logger } from '#lib/observability/logger';
import { metrics } from '#lib/observability/metrics';
import type { AppStore, StoreRow } from '#lib/store/store';
import { type Assumption, applyAssumptions, type BasePoint, band, yearsToDelivery } from './drivers.ts';
import { SCENARIO_METRICS } from './metric-names.ts';
import {
  basePointsQuery,
  checkpointRunQuery,
  clearStageQuery,
  getRunQuery,
  getScenarioQuery,
  latestAsofQuery,
  type OutputRow,
  publishOutputsQuery,
  stageOutputsQuery,
  transitionRunQuery,
} from './queries.ts';
import type { RunParameters, RunState } from './routes.ts';
import type { RunEvents, RunMessage, RunQueue } from './run-queue.ts';

export interface RunWorkerDeps {
  store: () => Promise<AppStore>;
  engine: () => Promise<SqlEngine>;
  /** Where a run that must continue in a new invocation (and a retry) is sent. */
  queue: RunQueue;
  events: RunEvents;
  /** Base points per checkpoint. */
  chunkSize?: number;
  /** Epoch ms; the run's timeout is measured with it. */
  now?: () => number;
}

/** Left for the last checkpoint's write and the hand-over when an invocation's time runs out. */
const HANDOVER_MARGIN_MS = 10_000;
const WORKER = 'scenario-worker';

/** A run that cannot succeed whatever the retries (no curves in scope): FAILED at once. */
class RunRefused extends Error {}
/** Another writer moved the run out of RUNNING (a cancel, an operator): stop, write nothing more. */
class RunMovedOn extends Error {}

export interface RunOutcome {
  state: RunState | 'CONTINUED' | 'SKIPPED';
  outputRows: number;
}

/** The output rows of a chunk of base points: `mid` with bands and attribution, and `base`. */
export function outputRowsOf(
  points: readonly (BasePoint & { daily_vol: number | null })[],
  assumptions: readonly Assumption[],
  ids: { scenarioId: string; runId: string; asof: string; versionHash: string },
): OutputRow[] {
  const rows: OutputRow[] = [];
  for (const p of points) {
    const applied = applyAssumptions(p, assumptions);
    const bands = band(applied.mid, p.daily_vol, yearsToDelivery(ids.asof, p.contract_month));
    const common = {
      scenario_id: ids.scenarioId,
      run_id: ids.runId,
      asof_date: ids.asof,
      curve_key: p.curve_key,
      tenor_type: p.tenor_type,
      contract_month: p.contract_month,
      tenor_label: p.tenor_label,
      version_hash: ids.versionHash,
    };
    rows.push({
      ...common,
      metric: 'mid',
      value: applied.mid,
      band_lower: bands.lower,
      band_upper: bands.upper,
      attribution: applied.attribution,
    });
    rows.push({
      ...common,
      metric: 'base',
      value: applied.base,
      band_lower: null,
      band_upper: null,
      attribution: {},
    });
  }
  return rows;
}

const pointOf = (r: Record<string, unknown>): BasePoint & { daily_vol: number | null } => ({
  curve_key: String(r.curve_key),
  iso: String(r.iso ?? ''),
  block: String(r.block ?? ''),
  asset_class: String(r.asset_class ?? ''),
  tenor_type: String(r.tenor_type),
  tenor_label: String(r.tenor_label),
  contract_month:
    r.contract_month === null || r.contract_month === undefined
      ? null
      : String(r.contract_month).slice(0, 10),
  mid: Number(r.mid),
  gas_price: r.gas_price === null || r.gas_price === undefined ? null : Number(r.gas_price),
  daily_vol: r.daily_vol === null || r.daily_vol === undefined ? null : Number(r.daily_vol),
});

/**
 * Executes runs: claims a QUEUED run (or continues a RUNNING one from its checkpoint), reads the base curves,
 * applies the assumptions chunk by chunk into the run's stage, and publishes the whole output set in the
 * transaction that marks it SUCCEEDED. Every write is conditional on the run still being RUNNING, so a
 * cancel wins at the next checkpoint and is never overwritten.
 */
export function createRunWorker(deps: RunWorkerDeps) {
  const now = deps.now ?? Date.now;
  const chunkSize = deps.chunkSize ?? 500;

  async function announce(tenant: string, run: StoreRow, state: string, outputRows: number, curves: number) {
    await deps.events
      .publish({
        tenant_id: tenant,
        scenario_id: String(run.scenario_id),
        run_id: String(run.id),
        state,
        retry_count: Number(run.retry_count),
        output_rows: outputRows,
        curves,
      })
      .catch((error: unknown) =>
        logger.error('scenario.run.finished was not published', { error: String(error) }),
      );
  }

  /** Ends a run that is still RUNNING in `to` and drops its stage; false when it had moved on. */
  async function end(tenant: string, runId: string, to: RunState, errorMessage?: string) {
    const store = await deps.store();
    return store.transaction(tenant, async (tx) => {
      const [moved] = await tx.query(
        transitionRunQuery(
          tenant,
          runId,
          ['RUNNING'],
          to,
          WORKER,
          errorMessage === undefined ? {} : { errorMessage },
        ),
      );
      await tx.execute(clearStageQuery(tenant, runId));
      return moved;
    });
  }

  async function fail(
    tenant: string,
    run: StoreRow,
    message: string,
    retryable: boolean,
  ): Promise<RunOutcome> {
    const store = await deps.store();
    const runId = String(run.id);
    const retried = await store.transaction(tenant, async (tx) => {
      const [failed] = await tx.query(
        transitionRunQuery(tenant, runId, ['RUNNING'], 'FAILED', WORKER, { errorMessage: message }),
      );
      await tx.execute(clearStageQuery(tenant, runId));
      if (!failed) return { failed: undefined, requeued: undefined };
      if (!retryable || Number(failed.retry_count) >= Number(failed.max_retries))
        return { failed, requeued: undefined };
      // The worker's own retry: FAILED → QUEUED, counted.
      const [requeued] = await tx.query(
        transitionRunQuery(tenant, runId, ['FAILED'], 'QUEUED', WORKER, { retry: true }),
      );
      return { failed, requeued };
    });
    if (retried.requeued) {
      await deps.queue.send({ tenant_id: tenant, run_id: runId });
      return { state: 'QUEUED', outputRows: 0 };
    }
    if (retried.failed) {
      await announce(tenant, retried.failed, 'FAILED', 0, 0);
      return { state: 'FAILED', outputRows: 0 };
    }
    return { state: 'SKIPPED', outputRows: 0 };
  }

  async function timedOut(tenant: string, runId: string): Promise<RunOutcome> {
    const moved = await end(tenant, runId, 'TIMEOUT', 'The run took longer than its timeout_minutes');
    if (!moved) return { state: 'SKIPPED', outputRows: 0 };
    // Written with the invocation's one EMF document (the worker's handler flushes at its end).
    metrics.count(SCENARIO_METRICS.timedOut);
    await announce(tenant, moved, 'TIMEOUT', 0, 0);
    return { state: 'TIMEOUT', outputRows: 0 };
  }

  /**
   * One invocation's share of a run. `remainingMs` is the invocation's time left (Lambda's
   * getRemainingTimeInMillis); when it runs short the run is sent on to continue from its checkpoint.
   */
  async function execute(
    message: RunMessage,
    remainingMs: () => number = () => Number.POSITIVE_INFINITY,
  ): Promise<RunOutcome> {
    const tenant = message.tenant_id;
    const store = await deps.store();
    const [found] = await store.query(tenant, getRunQuery(tenant, message.run_id));
    if (!found) return { state: 'SKIPPED', outputRows: 0 };
    let run = found;
    if (run.state === 'QUEUED') {
      const [claimed] = await store.query(
        tenant,
        transitionRunQuery(tenant, message.run_id, ['QUEUED'], 'RUNNING', WORKER),
      );
      if (!claimed) return { state: 'SKIPPED', outputRows: 0 };
      run = claimed;
    } else if (run.state !== 'RUNNING') {
      return { state: 'SKIPPED', outputRows: 0 }; // finished or cancelled: never overwritten
    }
    const runId = String(run.id);
    const deadline = Date.parse(String(run.started_at)) + Number(run.timeout_minutes) * 60_000;
    let phase = 'reading the scenario';
    try {
      const [scenario] = await store.query(tenant, getScenarioQuery(tenant, String(run.scenario_id)));
      if (!scenario) throw new RunRefused('The scenario no longer exists');
      const parameters = {
        ...(scenario.parameters as RunParameters),
        ...(run.parameters as RunParameters),
      } as RunParameters;
      const assumptions = (scenario.assumptions ?? []) as Assumption[];

      phase = 'reading the base curves';
      const engine = await deps.engine();
      const asof =
        parameters.asof ??
        (await engine.query(latestAsofQuery(parameters)))[0]?.asof?.toString().slice(0, 10);
      if (!asof) throw new RunRefused('No base curves are in the scenario’s scope');
      const points = (await engine.query(basePointsQuery(parameters, asof))).map(pointOf);
      if (points.length === 0) throw new RunRefused(`No base curves are in the scenario’s scope at ${asof}`);
      const curves = new Set(points.map((p) => p.curve_key)).size;

      phase = 'computing outputs';
      const ids = { scenarioId: String(run.scenario_id), runId, asof, versionHash: String(run.input_hash) };
      let next = Number((run.checkpoint as { next?: number } | null)?.next ?? 0);
      while (next < points.length) {
        if (now() > deadline) return await timedOut(tenant, runId);
        if (remainingMs() < HANDOVER_MARGIN_MS) {
          await deps.queue.send(message);
          return { state: 'CONTINUED', outputRows: 0 };
        }
        const chunk = points.slice(next, next + chunkSize);
        const rows = outputRowsOf(chunk, assumptions, ids);
        const after = next + chunk.length;
        phase = 'writing outputs';
        await store.transaction(tenant, async (tx) => {
          await tx.execute(stageOutputsQuery(tenant, rows));
          const progress = Math.min(99, (100 * after) / points.length);
          if ((await tx.execute(checkpointRunQuery(tenant, runId, { next: after, asof }, progress))) === 0)
            throw new RunMovedOn();
        });
        next = after;
      }
      if (now() > deadline) return await timedOut(tenant, runId);

      phase = 'publishing outputs';
      const published = await store.transaction(tenant, async (tx) => {
        const [done] = await tx.query(transitionRunQuery(tenant, runId, ['RUNNING'], 'SUCCEEDED', WORKER));
        if (!done) throw new RunMovedOn();
        const outputRows = await tx.execute(publishOutputsQuery(tenant, runId));
        await tx.execute(clearStageQuery(tenant, runId));
        return { done, outputRows };
      });
      await announce(tenant, published.done, 'SUCCEEDED', published.outputRows, curves);
      return { state: 'SUCCEEDED', outputRows: published.outputRows };
    } catch (error) {
      if (error instanceof RunMovedOn) {
        await store.execute(tenant, clearStageQuery(tenant, runId));
        const [current] = await store.query(tenant, getRunQuery(tenant, runId));
        if (current) await announce(tenant, current, String(current.state), 0, 0);
        return { state: (current?.state as RunState | undefined) ?? 'SKIPPED', outputRows: 0 };
      }
      if (error instanceof RunRefused) return fail(tenant, run, error.message, false);
      // The run's own record says where it failed, never what the driver said (hosts, SQL).
      logger.error('scenario run failed', { run_id: runId, phase, error: String(error) });
      return fail(tenant, run, `The run failed while ${phase}`, true);
    }
  }

  return { execute };
}

export type RunWorker = ReturnType<typeof createRunWorker>;
