import * as z from 'zod/mini';
import type { $ZodShape } from 'zod/v4/core';
import {
  cursorParam,
  cursorParams,
  formatParam,
  intParam,
  isRealDate,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute, type RuleInput } from '#lib/http/route';
import { once } from '#lib/lazy';
import { withMeta } from '#lib/schema';
import { POLICY_NAMES } from './drivers.ts';

/** Free text without control characters. */
const TEXT = /^[^\p{Cc}\uD800-\uDFFF]+$/u;
/** Text the store can hold (PostgreSQL text and jsonb refuse NUL): lines, tabs and line breaks. */
const NO_NUL = /^(?:[^\p{Cc}\uD800-\uDFFF]|[\t\n\r])*$/u;
const line = (min: number, max: number) =>
  z
    .string()
    .check(
      z.minLength(min),
      z.maxLength(max),
      z.regex(TEXT, { message: 'must not hold control characters' }),
    );
const text = (max: number, description: string) => textParam({ max, pattern: TEXT, description });
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const RUN_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMEOUT'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const SCENARIO_STATUSES = ['created', 'active', 'archived'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;

const isoCode = once(() =>
  z.pipe(
    z.string().check(z.regex(/^[A-Za-z]{2,10}$/, { message: 'must be an ISO code such as PJM' })),
    z.transform((s: string) => s.toUpperCase()),
  ),
);
const finite = () => z.number().check(z.refine(Number.isFinite, { message: 'must be a finite number' }));

/* ---------------------------------------------------------------- assumptions: one schema per driver */

/** One driver's assumption: its type, its payload (nothing else), and an optional version. */
const driver = <T extends string, P extends $ZodShape>(type: T, payload: P) =>
  z.strictObject({
    driver_type: z.literal(type),
    payload: z.strictObject(payload),
    version: z.optional(line(1, 64)),
  });

export const assumptionSchema = once(() =>
  z.discriminatedUnion('driver_type', [
    driver('curve_shift', {
      value: withMeta(finite().check(z.gte(-10_000), z.lte(10_000)), {
        description: 'USD/MWh, or percent with unit=percent',
      }),
      unit: z._default(z.enum(['USD/MWh', 'percent']), 'USD/MWh'),
      curve_key: z.optional(line(1, 512)),
      iso: z.optional(isoCode()),
      block: z.optional(line(1, 32)),
      tenor_label: z.optional(line(1, 32)),
      from_month: z.optional(z.string().check(z.regex(MONTH, { message: 'must be YYYY-MM' }))),
      to_month: z.optional(z.string().check(z.regex(MONTH, { message: 'must be YYYY-MM' }))),
    }),
    driver('fuel_price', {
      change: withMeta(finite().check(z.gte(-100), z.lte(1000)), {
        description: 'percent, or USD/MMBtu with unit=USD/MMBtu',
      }),
      unit: z._default(z.enum(['percent', 'USD/MMBtu']), 'percent'),
      heat_rate: withMeta(z.optional(finite().check(z.gte(1), z.lte(30))), {
        description: 'MMBtu/MWh; default per ISO',
      }),
      gas_price: withMeta(z.optional(finite().check(z.positive(), z.lte(1000))), {
        description: 'USD/MMBtu a percentage applies to',
      }),
      iso: z.optional(isoCode()),
    }),
    driver('load_growth', {
      percent: finite().check(z.gte(-50), z.lte(100)),
      elasticity: withMeta(z.optional(finite().check(z.gte(0), z.lte(10))), { description: 'default 1.2' }),
      iso: z.optional(isoCode()),
    }),
    driver('carbon_price', {
      usd_per_ton: finite().check(z.gte(0), z.lte(1000)),
      emission_rate: withMeta(z.optional(finite().check(z.gte(0), z.lte(2))), {
        description: 't CO2/MWh; default per ISO',
      }),
      iso: z.optional(isoCode()),
    }),
    driver('policy', { name: z.enum(POLICY_NAMES) }),
  ]),
);

/** Which curves a run reads, and at which as-of date; every member optional (default: power hubs, MONTHLY). */
export const runParametersSchema = once(() =>
  z.strictObject({
    asof: z.optional(
      z
        .string()
        .check(
          z.regex(DAY, { message: 'must be YYYY-MM-DD' }),
          z.refine(isRealDate, { message: 'must be a real date' }),
        ),
    ),
    curve_key: z.optional(z.array(line(1, 512)).check(z.minLength(1), z.maxLength(200))),
    iso: z.optional(z.array(isoCode()).check(z.minLength(1), z.maxLength(10))),
    location: z.optional(z.array(line(1, 128)).check(z.minLength(1), z.maxLength(200))),
    block: z.optional(z.array(line(1, 32)).check(z.minLength(1), z.maxLength(10))),
    market: z.optional(z.array(line(1, 16)).check(z.minLength(1), z.maxLength(10))),
    tenor_type: z.optional(z.enum(['MONTHLY', 'CALENDAR', 'SEASON', 'QUARTER'])),
  }),
);
export type RunParameters = z.output<ReturnType<typeof runParametersSchema>>;

/* ---------------------------------------------------------------- scenarios */

export const scenarioSchema = once(() =>
  z.object({
    id: z.uuid(),
    scenario_id: z.uuid(),
    tenant_id: z.string(),
    name: z.string(),
    description: z.nullable(z.string()),
    status: z.enum(SCENARIO_STATUSES),
    unique_key: z.string(),
    assumptions: z.array(z.record(z.string(), z.unknown())),
    parameters: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    version: z.number().check(z.int()),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_by: z.string(),
    updated_at: z.iso.datetime(),
  }),
);
export type Scenario = z.infer<ReturnType<typeof scenarioSchema>>;

export const scenarioBody = once(() =>
  z.strictObject({
    tenant_id: withMeta(z.optional(z.string().check(z.maxLength(200))), {
      description: 'Must be the caller’s tenant when given',
    }),
    name: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, { message: 'must not be empty' }),
        z.maxLength(256),
        z.regex(TEXT, { message: 'must not hold control characters' }),
      ),
    description: z.optional(
      z.nullable(z.string().check(z.maxLength(4000), z.regex(NO_NUL, { message: 'must not hold NUL' }))),
    ),
    assumptions: z._default(z.array(assumptionSchema()).check(z.maxLength(50)), []),
    parameters: z._default(runParametersSchema(), {}),
    tags: z._default(z.array(line(1, 64)).check(z.maxLength(50)), []),
  }),
);
export type ScenarioInput = z.output<ReturnType<typeof scenarioBody>>;

/* ---------------------------------------------------------------- runs */

export const runSchema = once(() =>
  z.object({
    id: z.uuid(),
    run_id: z.uuid(),
    scenario_id: z.uuid(),
    tenant_id: z.string(),
    state: z.enum(RUN_STATES),
    status: z.string(),
    priority: z.enum(PRIORITIES),
    code_version: z.nullable(z.string()),
    seed: z.nullable(z.number().check(z.int())),
    timeout_minutes: z.number().check(z.int()),
    max_memory_mb: z.number().check(z.int()),
    environment: z.record(z.string(), z.unknown()),
    parameters: z.record(z.string(), z.unknown()),
    max_retries: z.number().check(z.int()),
    retry_count: z.number().check(z.int()),
    idempotency_key: z.nullable(z.string()),
    input_hash: z.string(),
    run_key: z.string(),
    progress_percent: z.number(),
    error_message: z.nullable(z.string()),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    queued_at: z.iso.datetime(),
    started_at: z.nullable(z.iso.datetime()),
    completed_at: z.nullable(z.iso.datetime()),
    cancelled_at: z.nullable(z.iso.datetime()),
    duration_seconds: z.nullable(z.number()),
    updated_at: z.iso.datetime(),
  }),
);
export type Run = z.infer<ReturnType<typeof runSchema>>;

const runOptionFields = once(() => ({
  priority: z._default(z.enum(PRIORITIES), 'normal'),
  timeout_minutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(1440)), 60),
  max_memory_mb: z._default(z.number().check(z.int(), z.gte(256), z.lte(16384)), 1024),
  environment: z._default(
    z.record(
      line(1, 128),
      z.string().check(z.maxLength(1000), z.regex(NO_NUL, { message: 'must not hold NUL' })),
    ),
    {},
  ),
  parameters: z._default(runParametersSchema(), {}),
  max_retries: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 3),
  idempotency_key: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(255),
        z.regex(/^[A-Za-z0-9_.:/-]+$/, { message: 'must match [A-Za-z0-9_.:/-]' }),
      ),
  ),
}));

export const runBody = once(() =>
  z.strictObject({
    code_version: z.optional(line(1, 64)),
    seed: z.optional(z.number().check(z.int(), z.gte(0), z.lte(2 ** 31 - 1))),
    ...runOptionFields(),
  }),
);
export type RunInput = z.output<ReturnType<typeof runBody>>;

const bulkRun = once(() => z.strictObject({ ...runOptionFields() }));
export const bulkBody = once(() =>
  z.strictObject({
    runs: z.array(bulkRun()).check(
      z.minLength(1, { message: 'must hold at least one run' }),
      z.maxLength(100, { message: 'Cannot create more than 100 runs in a single bulk request' }),
      z.superRefine((runs: z.output<ReturnType<typeof bulkRun>>[], ctx) => {
        const seen = new Set<string>();
        for (const run of runs) {
          const key = run.idempotency_key;
          if (key === undefined) continue;
          if (seen.has(key))
            ctx.addIssue({ code: 'custom', message: `Duplicate idempotency key '${key}' in request` });
          seen.add(key);
        }
      }),
    ),
    idempotency_key: runOptionFields().idempotency_key,
  }),
);
export type BulkInput = z.output<ReturnType<typeof bulkBody>>;

export const bulkItemSchema = once(() =>
  z.object({
    index: z.number().check(z.int()),
    idempotency_key: z.nullable(z.string()),
    run_id: z.nullable(z.uuid()),
    status: z.enum(['success', 'duplicate', 'error']),
    error: z.nullable(z.string()),
  }),
);

const stateBody = once(() => z.strictObject({ state: z.enum(RUN_STATES) }));

/* ---------------------------------------------------------------- outputs */

export const METRICS = ['mid', 'base'] as const;

export const outputSchema = once(() =>
  z.object({
    tenant_id: z.string(),
    scenario_id: z.uuid(),
    run_id: z.uuid(),
    asof_date: z.iso.date(),
    curve_key: z.string(),
    tenor_type: z.string(),
    contract_month: z.nullable(z.iso.date()),
    tenor_label: z.string(),
    metric: z.string(),
    value: z.number(),
    band_lower: z.nullable(z.number()),
    band_upper: z.nullable(z.number()),
    attribution: z.record(z.string(), z.number()),
    version_hash: z.string(),
    metric_unit: z.string(),
    computed_ts: z.iso.datetime(),
  }),
);
export type Output = z.infer<ReturnType<typeof outputSchema>>;

export const latestMetricSchema = once(() =>
  z.object({
    scenario_id: z.uuid(),
    run_id: z.uuid(),
    metric: z.string(),
    curve_key: z.string(),
    tenor_label: z.string(),
    latest_value: z.number(),
    latest_band_lower: z.nullable(z.number()),
    latest_band_upper: z.nullable(z.number()),
    latest_asof_date: z.iso.date(),
  }),
);

/* ---------------------------------------------------------------- routes */

const domain = 'scenarios';
const scenarioPath = once(() =>
  z.object({ scenario_id: z.uuid({ message: 'must be a scenario id (a UUID)' }) }),
);
const runPath = once(() => z.object({ run_id: z.uuid({ message: 'must be a run id (a UUID)' }) }));
const scenarioRunPath = once(() => z.extend(scenarioPath(), runPath().shape));

/** Records that change under writes: kept, but revalidated with the ETag every time. */
const recordCache = { scope: 'scenarios', visibility: 'private', store: false } as const;
const outputsGate = { key: 'scenario-outputs', whenOff: 'unavailable' } as const;

const listMeta = once(() =>
  z.object({
    limit: z.number().check(z.int()),
    total: z.number().check(z.int()),
    count: z.number().check(z.int()),
  }),
);
const createdRange = once(() => ({
  created_after: z.optional(z.iso.datetime({ offset: true })),
  created_before: z.optional(z.iso.datetime({ offset: true })),
}));
function createdOrder(query: { created_after?: string; created_before?: string }) {
  if (
    query.created_after &&
    query.created_before &&
    Date.parse(query.created_after) > Date.parse(query.created_before)
  )
    return [
      { field: 'query.created_after', message: 'must not be after created_before', code: 'invalid_range' },
    ];
  return [];
}

export const listScenariosV1 = defineRoute({
  id: 'listScenarios',
  method: 'GET',
  path: '/v1/scenarios',
  domain,
  version: 'v1',
  summary: 'The tenant’s scenarios',
  description: 'Newest first is not promised: scenarios in the order they were created; keyset cursors.',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        status: z.optional(z.enum(SCENARIO_STATUSES)),
        name: z.optional(text(256, 'Scenarios whose name contains this (any case)')),
        tag: z.optional(text(64, 'Scenarios carrying this tag')),
        ...createdRange(),
        ...cursorParams(),
        limit: intParam({ min: 1, max: 100, default: 20 }),
      }),
      rules: ({ query }: RuleInput) => (query ? createdOrder(query) : []),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return scenarioSchema();
    },
    get meta() {
      return listMeta();
    },
  },
  cache: recordCache,
});

export const createScenarioV1 = defineRoute({
  id: 'createScenario',
  method: 'POST',
  path: '/v1/scenarios',
  domain,
  version: 'v1',
  summary: 'Create a scenario',
  description:
    'A what-if on the forward curves: assumptions (drivers, applied in order) and parameters (which curves, which as-of). ' +
    'A name is unique per tenant in any case (409). A body tenant_id other than the caller’s is a 403.',
  auth: 'tenant',
  permission: 'scenarios:write',
  get request() {
    return { body: scenarioBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return scenarioSchema();
    },
  },
  write: { idempotent: true },
  problems: [409, 422],
});

export const getScenarioV1 = defineRoute({
  id: 'getScenario',
  method: 'GET',
  path: '/v1/scenarios/{scenario_id}',
  domain,
  version: 'v1',
  summary: 'One scenario',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return { path: scenarioPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return scenarioSchema();
    },
  },
  cache: recordCache,
});

export const deleteScenarioV1 = defineRoute({
  id: 'deleteScenario',
  method: 'DELETE',
  path: '/v1/scenarios/{scenario_id}',
  domain,
  version: 'v1',
  summary: 'Delete a scenario, its runs and their outputs',
  auth: 'tenant',
  permission: 'scenarios:delete',
  get request() {
    return { path: scenarioPath() };
  },
  response: { kind: 'empty', status: 204 },
  write: {},
});

const runListQuery = () => ({
  tenant_id: tenantParam(),
  ...createdRange(),
  ...cursorParams(),
});

export const listRunsV1 = defineRoute({
  id: 'listScenarioRuns',
  method: 'GET',
  path: '/v1/scenarios/{scenario_id}/runs',
  domain,
  version: 'v1',
  summary: 'A scenario’s runs',
  description: 'In the order they were created; keyset cursors.',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      path: scenarioPath(),
      query: z.object({
        ...runListQuery(),
        state: z.optional(z.enum(RUN_STATES)),
        limit: intParam({ min: 1, max: 100, default: 20 }),
      }),
      rules: ({ query }: RuleInput) => (query ? createdOrder(query) : []),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return runSchema();
    },
    get meta() {
      return listMeta();
    },
  },
  cache: recordCache,
});

export const createRunV1 = defineRoute({
  id: 'runScenario',
  method: 'POST',
  path: '/v1/scenarios/{scenario_id}/run',
  domain,
  version: 'v1',
  summary: 'Queue a run of a scenario',
  description:
    'Answers 202 with the QUEUED run; the worker executes it. The same idempotency_key (body) or Idempotency-Key ' +
    '(header), or the same inputs (input_hash), answer the existing run instead of queueing another.',
  auth: 'tenant',
  permission: 'scenarios:run',
  get request() {
    return { path: scenarioPath(), body: runBody() };
  },
  response: {
    kind: 'object',
    status: 202,
    get schema() {
      return runSchema();
    },
  },
  write: { idempotent: true },
  problems: [422],
});

export const getRunV1 = defineRoute({
  id: 'getScenarioRun',
  method: 'GET',
  path: '/v1/scenarios/{scenario_id}/runs/{run_id}',
  domain,
  version: 'v1',
  summary: 'One run',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return { path: scenarioRunPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return runSchema();
    },
  },
  cache: recordCache,
});

export const setRunStateV1 = defineRoute({
  id: 'setScenarioRunState',
  method: 'POST',
  path: '/v1/scenarios/runs/{run_id}/state',
  domain,
  version: 'v1',
  summary: 'Move a run to another state (operators)',
  description:
    'QUEUED → RUNNING | CANCELLED; RUNNING → SUCCEEDED | FAILED | CANCELLED | TIMEOUT. Anything else is a 409 and ' +
    'changes nothing (FAILED → QUEUED is the worker’s own retry).',
  auth: 'admin',
  permission: 'admin',
  get request() {
    return { path: runPath(), body: stateBody() };
  },
  response: {
    kind: 'object',
    get schema() {
      return runSchema();
    },
  },
  write: {},
  problems: [409, 422],
});

export const cancelRunV1 = defineRoute({
  id: 'cancelScenarioRun',
  method: 'POST',
  path: '/v1/scenarios/runs/{run_id}/cancel',
  domain,
  version: 'v1',
  summary: 'Cancel a queued or running run',
  description: 'A running run stops at its next checkpoint and stays CANCELLED; a finished run is a 409.',
  auth: 'tenant',
  permission: 'scenarios:run',
  get request() {
    return { path: runPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return runSchema();
    },
  },
  write: {},
  problems: [409],
});

const outputsQuery = () => ({
  tenant_id: tenantParam(),
  metric: z.optional(z.enum(METRICS)),
  curve_key: z.optional(text(512, 'Only this curve')),
  ...cursorParams(),
});

export const listOutputsV1 = defineRoute({
  id: 'listScenarioOutputs',
  method: 'GET',
  path: '/v1/scenarios/{scenario_id}/outputs',
  domain,
  version: 'v1',
  summary: 'The outputs of a scenario’s latest successful run',
  description:
    'One row per curve, tenor and metric (`mid` with P10/P90 bands and attribution, `base`) of the latest SUCCEEDED ' +
    'run, or of `run_id`; ordered by curve_key, tenor_label, contract_month, metric, run_id. `format=csv` downloads ' +
    'scenario-{id}-outputs.csv. Behind the scenario-outputs flag (503 when off).',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      path: scenarioPath(),
      query: z.object({
        ...outputsQuery(),
        tenor_type: z.optional(z.enum(['MONTHLY', 'CALENDAR', 'SEASON', 'QUARTER'])),
        run_id: z.optional(z.uuid()),
        limit: intParam({ min: 1, max: 500, default: 200 }),
        format: formatParam(),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return outputSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  csv: { filename: (input) => `scenario-${String(input.scenario_id)}-outputs.csv` },
  cache: { scope: 'scenario-outputs', visibility: 'private' },
  flag: outputsGate,
  problems: [503],
});

export const latestMetricsV1 = defineRoute({
  id: 'latestScenarioMetrics',
  method: 'GET',
  path: '/v1/scenarios/{scenario_id}/metrics/latest',
  domain,
  version: 'v1',
  summary: 'The latest value of each metric, curve and tenor',
  description:
    'From the latest SUCCEEDED run; ordered by metric, tenor_label, curve_key. Behind the scenario-outputs flag.',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      path: scenarioPath(),
      query: z.object({ ...outputsQuery(), limit: intParam({ min: 1, max: 500, default: 200 }) }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return latestMetricSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: { scope: 'scenario-metrics', visibility: 'private' },
  flag: outputsGate,
  problems: [503],
});

export const bulkRunsV1 = defineRoute({
  id: 'bulkScenarioRuns',
  method: 'POST',
  path: '/v1/scenarios/{scenario_id}/runs:bulk',
  domain,
  version: 'v1',
  summary: 'Queue up to 100 runs at once',
  description:
    'Each run as POST …/run takes it. A run whose idempotency_key (or inputs) this scenario already has is a ' +
    'duplicate and answers the existing run. Duplicate keys inside one request are a 422 naming body.runs. ' +
    'Behind the bulk-scenario-runs flag.',
  auth: 'tenant',
  permission: 'scenarios:run',
  get request() {
    return { path: scenarioPath(), body: bulkBody() };
  },
  response: {
    kind: 'object',
    status: 202,
    get schema() {
      return z.array(bulkItemSchema());
    },
    get meta() {
      return z.object({
        total_runs: z.number().check(z.int()),
        successful_runs: z.number().check(z.int()),
        duplicate_runs: z.number().check(z.int()),
        failed_runs: z.number().check(z.int()),
        duplicates: z.array(
          z.object({
            index: z.number().check(z.int()),
            idempotency_key: z.nullable(z.string()),
            existing_run_id: z.uuid(),
            existing_status: z.string(),
            created_at: z.iso.datetime(),
          }),
        ),
      });
    },
  },
  write: { idempotent: true },
  flag: { key: 'bulk-scenario-runs', whenOff: 'not-found' },
  problems: [422],
});

/* ---------------------------------------------------------------- v2: the same rows */

export const listScenariosV2 = defineRoute({
  id: 'listScenariosV2',
  method: 'GET',
  path: '/v2/scenarios',
  domain,
  version: 'v2',
  summary: 'The tenant’s scenarios',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        name_filter: z.optional(text(256, 'Scenarios whose name contains this (any case)')),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return scenarioSchema();
    },
    get meta() {
      return listMeta();
    },
  },
  cache: recordCache,
});

export const createScenarioV2 = defineRoute({
  id: 'createScenarioV2',
  method: 'POST',
  path: '/v2/scenarios',
  domain,
  version: 'v2',
  summary: 'Create a scenario',
  description: 'As POST /v1/scenarios.',
  auth: 'tenant',
  permission: 'scenarios:write',
  get request() {
    return { query: z.object({ tenant_id: tenantParam() }), body: scenarioBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return scenarioSchema();
    },
  },
  write: { idempotent: true },
  problems: [409, 422],
});

export const getScenarioV2 = defineRoute({
  id: 'getScenarioV2',
  method: 'GET',
  path: '/v2/scenarios/{scenario_id}',
  domain,
  version: 'v2',
  summary: 'One scenario',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return { path: scenarioPath(), query: z.object({ tenant_id: tenantParam() }) };
  },
  response: {
    kind: 'object',
    get schema() {
      return scenarioSchema();
    },
  },
  cache: recordCache,
});

export const createRunV2 = defineRoute({
  id: 'runScenarioV2',
  method: 'POST',
  path: '/v2/scenarios/{scenario_id}/runs',
  domain,
  version: 'v2',
  summary: 'Queue a run of a scenario',
  description: 'As POST /v1/scenarios/{scenario_id}/run, answering 201.',
  auth: 'tenant',
  permission: 'scenarios:run',
  get request() {
    return { path: scenarioPath(), query: z.object({ tenant_id: tenantParam() }), body: runBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return runSchema();
    },
  },
  write: { idempotent: true },
  problems: [422],
});

export const listRunsV2 = defineRoute({
  id: 'listScenarioRunsV2',
  method: 'GET',
  path: '/v2/scenarios/{scenario_id}/runs',
  domain,
  version: 'v2',
  summary: 'A scenario’s runs',
  auth: 'tenant',
  permission: 'scenarios:read',
  get request() {
    return {
      path: scenarioPath(),
      query: z.object({
        tenant_id: tenantParam(),
        status_filter: z.optional(z.enum(RUN_STATES.map((s) => s.toLowerCase()) as [string, ...string[]])),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return runSchema();
    },
    get meta() {
      return listMeta();
    },
  },
  cache: recordCache,
});

export const scenariosDomain = defineDomain({
  name: domain,
  description: 'Scenarios: what-if runs on the forward curves, their runs and outputs',
  routes: [
    listScenariosV1,
    createScenarioV1,
    getScenarioV1,
    deleteScenarioV1,
    listRunsV1,
    createRunV1,
    getRunV1,
    setRunStateV1,
    cancelRunV1,
    listOutputsV1,
    latestMetricsV1,
    bulkRunsV1,
    listScenariosV2,
    createScenarioV2,
    getScenarioV2,
    createRunV2,
    listRunsV2,
  ],
});
