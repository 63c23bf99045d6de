import * as z from 'zod/mini';
import {
  cursorParam,
  cursorParams,
  dateParam,
  intParam,
  removedOffsetParam,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute, type RuleInput } from '#lib/http/route';
import { once } from '#lib/lazy';
import { withMeta } from '#lib/schema';
import { contractTerms } from './terms.ts';

const domain = 'ppa';

/** Contracts and valuations change under writes: private, PPA TTL, never kept in the server cache. */
const recordCache = { scope: 'ppa', visibility: 'private', store: false } as const;

const contractPath = once(() =>
  z.object({ contract_id: z.uuid({ message: 'must be a contract id (a UUID)' }) }),
);

/** Free text without control characters (instrument ids, filters): what PostgreSQL text can hold, and no more. */
const TEXT = /^[^\p{Cc}]+$/u;
const instrumentId = once(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { message: 'must not be empty' }),
      z.maxLength(256),
      z.regex(TEXT, { message: 'must not contain control characters' }),
    ),
);

/* ---------------------------------------------------------------- contracts */

/** A contract as the v1 routes answer it (the original's PpaContractOut). */
export const contractSchema = once(() =>
  z.object({
    ppa_contract_id: z.uuid(),
    tenant_id: z.string(),
    instrument_id: z.nullable(z.string()),
    terms: z.record(z.string(), z.unknown()),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_by: z.string(),
    updated_at: z.iso.datetime(),
  }),
);
export type Contract = z.infer<ReturnType<typeof contractSchema>>;

export const contractBody = once(() =>
  z.strictObject({
    instrument_id: withMeta(z.optional(z.nullable(instrumentId())), {
      description: 'The instrument the contract is for',
    }),
    terms: z._default(contractTerms(), {}),
  }),
);
export type ContractInput = z.output<ReturnType<typeof contractBody>>;

export const contractPatch = once(() =>
  withMeta(
    z.partial(
      z.strictObject({
        instrument_id: z.nullable(instrumentId()),
        terms: withMeta(z.record(z.string(), z.unknown()), {
          description: 'Merged member by member into the terms; null removes a member',
        }),
      }),
    ),
    { description: 'JSON Merge Patch (RFC 7396); send as application/merge-patch+json' },
  ),
);

/** A contract as the v2 list answers it: the headline terms. */
export const contractSummarySchema = once(() =>
  z.object({
    contract_id: z.uuid(),
    name: z.string(),
    counterparty: z.string(),
    capacity_mw: z.nullable(z.number()),
    price_usd_mwh: z.nullable(z.number()),
    start_date: z.nullable(z.string()),
    end_date: z.nullable(z.string()),
    meta: z.object({
      instrument_id: z.nullable(z.string()),
      created_at: z.iso.datetime(),
      updated_at: z.iso.datetime(),
    }),
  }),
);

export const listContractsV1 = defineRoute({
  id: 'listPpaContractsV1',
  method: 'GET',
  path: '/v1/ppa/contracts',
  domain,
  version: 'v1',
  summary: 'The tenant’s PPA contracts',
  description: 'In the order they were created; keyset cursors.',
  auth: 'tenant',
  permission: 'ppa:read',
  get request() {
    return {
      query: z.object({
        limit: intParam({ min: 1, max: 200, default: 50 }),
        ...cursorParams(),
        offset: removedOffsetParam(),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return contractSchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const createContractV1 = defineRoute({
  id: 'createPpaContractV1',
  method: 'POST',
  path: '/v1/ppa/contracts',
  domain,
  version: 'v1',
  summary: 'Create a PPA contract',
  description:
    'Answers 201 with Location and ETag. `terms` is kept as written: the desk-model members are type-checked ' +
    '(a 422 names `body.terms.<member>`), any other member is stored unchanged. Send an Idempotency-Key to make ' +
    'retries safe.',
  auth: 'tenant',
  permission: 'ppa:write',
  get request() {
    return { body: contractBody() };
  },
  response: {
    kind: 'object',
    status: 201,
    get schema() {
      return contractSchema();
    },
  },
  write: { idempotent: true },
  problems: [422],
});

export const getContractV1 = defineRoute({
  id: 'getPpaContractV1',
  method: 'GET',
  path: '/v1/ppa/contracts/{contract_id}',
  domain,
  version: 'v1',
  summary: 'One PPA contract',
  description: 'The ETag is the record’s version: send it as If-Match to change or delete it safely.',
  auth: 'tenant',
  permission: 'ppa:read',
  get request() {
    return { path: contractPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return contractSchema();
    },
  },
  cache: recordCache,
});

export const patchContractV1 = defineRoute({
  id: 'patchPpaContractV1',
  method: 'PATCH',
  path: '/v1/ppa/contracts/{contract_id}',
  domain,
  version: 'v1',
  summary: 'Change a PPA contract',
  description:
    'JSON Merge Patch (RFC 7396, application/merge-patch+json): `terms` merges member by member, null removes ' +
    'a member (or clears instrument_id). With If-Match, a stale ETag is a 412 and nothing changes.',
  auth: 'tenant',
  permission: 'ppa:write',
  get request() {
    return { path: contractPath(), body: contractPatch() };
  },
  response: {
    kind: 'object',
    get schema() {
      return contractSchema();
    },
  },
  write: { conditional: true },
  problems: [412, 422],
});

export const deleteContractV1 = defineRoute({
  id: 'deletePpaContractV1',
  method: 'DELETE',
  path: '/v1/ppa/contracts/{contract_id}',
  domain,
  version: 'v1',
  summary: 'Delete a PPA contract and its valuations',
  description: 'Answers 204. With If-Match, a stale ETag is a 412 and nothing is deleted.',
  auth: 'tenant',
  permission: 'ppa:write',
  get request() {
    return { path: contractPath() };
  },
  response: { kind: 'empty', status: 204 },
  write: { conditional: true },
  problems: [412],
});

export const listContractsV2 = defineRoute({
  id: 'listPpaContractsV2',
  method: 'GET',
  path: '/v2/ppa/contracts',
  domain,
  version: 'v2',
  summary: 'The tenant’s PPA contracts, by their headline terms',
  description:
    '`name` is the instrument id (else the contract id), `counterparty` terms.counterparty (else "unknown"); ' +
    'capacity, price and dates from the terms. `counterparty_filter` keeps counterparties containing it (any ' +
    'case). In the order the contracts were created; keyset cursors.',
  auth: 'tenant',
  permission: 'ppa:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        counterparty_filter: z.optional(
          textParam({
            max: 256,
            pattern: TEXT,
            description: 'Counterparties containing this (any case)',
          }),
        ),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return contractSummarySchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

/* ---------------------------------------------------------------- valuations */

export const valuationRowV1Schema = once(() =>
  z.object({
    valuation_id: z.uuid(),
    asof_date: z.string(),
    scenario_id: z.nullable(z.uuid()),
    period_start: z.string(),
    period_end: z.string(),
    metric: z.string(),
    value: z.number(),
    cashflow: z.nullable(z.number()),
    npv: z.nullable(z.number()),
    irr: z.nullable(z.number()),
    curve_key: z.nullable(z.string()),
    version_hash: z.nullable(z.string()),
    ingested_at: z.iso.datetime(),
  }),
);

export const listValuationsV1 = defineRoute({
  id: 'listPpaValuationsV1',
  method: 'GET',
  path: '/v1/ppa/contracts/{contract_id}/valuations',
  domain,
  version: 'v1',
  summary: 'The recorded valuations of a contract, row by row',
  description:
    'Every period and metric row of every valuation of the contract (cashflow rows, then NPV and IRR), in the ' +
    'order they were recorded; `scenario_id` and `metric` filter. 404 when the contract does not exist.',
  auth: 'tenant',
  permission: 'ppa:read',
  get request() {
    return {
      path: contractPath(),
      query: z.object({
        scenario_id: z.optional(z.uuid({ message: 'must be a scenario id (a UUID)' })),
        metric: z.optional(
          textParam({
            max: 64,
            pattern: TEXT,
            description: 'Only this metric: cashflow, NPV or IRR',
          }),
        ),
        limit: intParam({ min: 1, max: 1000, default: 200 }),
        ...cursorParams(),
        offset: removedOffsetParam(),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return valuationRowV1Schema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const valuationSummarySchema = once(() =>
  z.object({
    contract_id: z.uuid(),
    valuation_date: z.string(),
    present_value: z.number(),
    currency: z.string(),
    meta: z.object({
      valuation_id: z.uuid(),
      api_version: z.enum(['v1', 'v2']),
      scenario_id: z.nullable(z.uuid()),
      run_id: z.nullable(z.uuid()),
      irr: z.nullable(z.number()),
      recorded_at: z.iso.datetime(),
    }),
  }),
);

export const listValuationsV2 = defineRoute({
  id: 'listPpaValuationsV2',
  method: 'GET',
  path: '/v2/ppa/contracts/{contract_id}/valuations',
  domain,
  version: 'v2',
  summary: 'The recorded valuations of a contract',
  description:
    'One row per valuation, v1 and v2, in the order they were recorded: the valuation date (the curves’ or ' +
    'the scenario run’s as-of date), the NPV as present_value. `start_date`/`end_date` keep valuation dates ' +
    'in that range. 404 when the contract does not exist.',
  auth: 'tenant',
  permission: 'ppa:read',
  get request() {
    return {
      path: contractPath(),
      query: z.object({
        tenant_id: tenantParam(),
        start_date: z.optional(dateParam()),
        end_date: z.optional(dateParam()),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
      }),
      rules: ({ query }: RuleInput) =>
        query.start_date !== undefined && query.end_date !== undefined && query.end_date < query.start_date
          ? [{ field: 'query.end_date', message: 'must not be before start_date', code: 'end_before_start' }]
          : [],
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return valuationSummarySchema();
    },
    get meta() {
      return z.object({ limit: z.number().check(z.int()) });
    },
  },
  cache: recordCache,
});

export const v1MetricSchema = once(() =>
  z.object({
    period_start: z.string(),
    period_end: z.string(),
    metric: z.enum(['cashflow', 'NPV', 'IRR']),
    value: z.number(),
    currency: z.string(),
    unit: z.string(),
    run_id: z.uuid(),
    curve_key: z.string(),
    tenor_type: z.string(),
  }),
);

const money = (description: string) => withMeta(z.number().check(z.gte(-1e12), z.lte(1e12)), { description });

export const valuateV1Body = once(() =>
  z.strictObject({
    ppa_contract_id: z.uuid({ message: 'must be a contract id (a UUID)' }),
    scenario_id: withMeta(z.optional(z.uuid({ message: 'must be a scenario id (a UUID)' })), {
      description: 'Required: the scenario whose latest run’s MONTHLY mid outputs are the prices',
    }),
    asof_date: withMeta(z.optional(dateParam()), { description: 'Only outputs of this as-of date' }),
    options: z._default(
      z.strictObject({
        ppa_price: z._default(money('The contract price, $/MWh'), 0),
        volume_mwh: withMeta(z._default(z.number().check(z.gte(0), z.lte(1e9)), 1), {
          description: 'MWh per period',
        }),
        discount_rate: withMeta(z._default(z.number().check(z.gte(-0.99), z.lte(10)), 0), {
          description: 'Per year',
        }),
        upfront_cost: z._default(money('Paid at the start'), 0),
      }),
      { ppa_price: 0, volume_mwh: 1, discount_rate: 0, upfront_cost: 0 },
    ),
  }),
);

export type ValuateV1Input = z.output<ReturnType<typeof valuateV1Body>>;

export const valuateV1 = defineRoute({
  id: 'valuatePpaV1',
  method: 'POST',
  path: '/v1/ppa/valuate',
  domain,
  version: 'v1',
  summary: 'Value a contract over a scenario’s outputs (the original formula)',
  description:
    'Over the latest run’s MONTHLY `mid` outputs of the scenario, one per contract month: cashflow = ' +
    '(value − ppa_price) × volume_mwh, discounted monthly at (1 + discount_rate)^(1/12) − 1 with exponent ' +
    'months since the first period + 1; NPV = −upfront_cost + Σ discounted cashflows; IRR per monthly period by ' +
    'bisection on [−0.9999, 10] over [−upfront_cost, cf1, …], 6 dp, unit ratio, left out when the flows never ' +
    'change sign. 400 without scenario_id, 404 for an unknown contract or a scenario without such outputs. ' +
    'The valuation is recorded; an Idempotency-Key makes a retry replay it.',
  auth: 'tenant',
  permission: 'ppa:write',
  get request() {
    return { body: valuateV1Body() };
  },
  response: {
    kind: 'list',
    get schema() {
      return v1MetricSchema();
    },
    get meta() {
      return z.object({ valuation_id: z.uuid(), scenario_id: z.uuid(), run_id: z.uuid() });
    },
  },
  write: { idempotent: true },
});

const periodSchema = once(() =>
  z.object({
    period_start: z.string(),
    period_end: z.string(),
    market_price: z.number(),
    baseload_price: z.number(),
    contract_price: z.number(),
    volume_mwh: z.number(),
    settlement: z.number(),
    discount_factor: z.number(),
    present_value: z.number(),
  }),
);

export const valuationV2Schema = once(() =>
  z.object({
    valuation_id: z.uuid(),
    contract_id: z.uuid(),
    source: z.object({
      kind: z.enum(['curves', 'scenario']),
      asof: z.string(),
      hub_curve_keys: z.array(z.string()),
      settlement_prices: z.enum(['hub', 'node', 'hub_plus_basis']),
      scenario_id: z.nullable(z.uuid()),
      run_id: z.nullable(z.uuid()),
    }),
    currency: z.string(),
    perspective: z.enum(['buyer', 'seller']),
    settlement: z.enum(['virtual', 'physical']),
    structure: z.enum(['fixed', 'collar', 'discount']),
    p_level: z.enum(['P50', 'P90', 'P99']),
    discount_rate: z.number(),
    upfront_usd: z.number(),
    periods: z.array(periodSchema()),
    totals: z.object({
      npv: z.number(),
      irr: withMeta(z.nullable(z.number()), {
        description: 'Annual; null when the cashflows never change sign',
      }),
      total_volume_mwh: z.number(),
      capture_price: z.nullable(z.number()),
      baseload_price: z.nullable(z.number()),
      shape_factor: z.nullable(z.number()),
      break_even_price: z.nullable(z.number()),
    }),
    solve_for: z.nullable(
      z.object({
        target: z.enum(['npv', 'irr']),
        value: z.number(),
        price_usd_mwh: z.nullable(z.number()),
      }),
    ),
    sensitivities: z.object({
      curve_shift_pct: z.number(),
      npv_curve_up: z.number(),
      npv_curve_down: z.number(),
      p_level: z.enum(['P50', 'P90', 'P99']),
      npv_p_level: z.number(),
      discount_rate_shift_bp: z.number(),
      npv_discount_rate_up: z.number(),
    }),
  }),
);
export type ValuationV2 = z.infer<ReturnType<typeof valuationV2Schema>>;

export const valuateV2Body = once(() =>
  z
    .strictObject({
      contract_id: z.uuid({ message: 'must be a contract id (a UUID)' }),
      asof: withMeta(z.optional(dateParam()), { description: 'Value against the curves of this as-of date' }),
      scenario_id: withMeta(z.optional(z.uuid({ message: 'must be a scenario id (a UUID)' })), {
        description: 'Value against this scenario’s latest run (MONTHLY mid outputs) instead',
      }),
      discount_rate: withMeta(z._default(z.number().check(z.gte(-0.99), z.lte(10)), 0), {
        description: 'Per year, compounded monthly',
      }),
      upfront_usd: z._default(money('Paid at the valuation date by the perspective’s holder'), 0),
      solve_for: withMeta(
        z.optional(
          z.strictObject({
            target_npv: z.optional(money('The NPV to solve the contract price for')),
            target_irr: withMeta(z.optional(z.number().check(z.gte(-0.99), z.lte(10))), {
              description: 'Annual',
            }),
          }),
        ),
        { description: 'Solve for the fixed contract price that meets one target' },
      ),
      sensitivities: z._default(
        z.strictObject({
          curve_shift_pct: z._default(z.number().check(z.gte(0), z.lte(100)), 10),
          p_level: z._default(z.enum(['P50', 'P90', 'P99']), 'P90'),
          discount_rate_shift_bp: z._default(z.number().check(z.gte(-1000), z.lte(1000)), 100),
        }),
        { curve_shift_pct: 10, p_level: 'P90', discount_rate_shift_bp: 100 },
      ),
    })
    .check(
      z.superRefine((b, ctx) => {
        if ((b.asof === undefined) === (b.scenario_id === undefined))
          ctx.addIssue({
            code: 'custom',
            path: ['asof'],
            message: 'give exactly one of asof and scenario_id',
          });
        if (
          b.solve_for !== undefined &&
          (b.solve_for.target_npv === undefined) === (b.solve_for.target_irr === undefined)
        )
          ctx.addIssue({
            code: 'custom',
            path: ['solve_for'],
            message: 'give exactly one of target_npv and target_irr',
          });
      }),
    ),
);
export type ValuateV2Input = z.output<ReturnType<typeof valuateV2Body>>;

export const valuateV2 = defineRoute({
  id: 'valuatePpaV2',
  method: 'POST',
  path: '/v2/ppa/valuate',
  domain,
  version: 'v2',
  summary: 'Value a contract as a desk does',
  description:
    'Every remaining month of the term against the ON_PEAK and OFF_PEAK monthly forwards at `asof` (or a ' +
    'scenario’s latest run): the market price (hour-weighted baseload, or the capture price of a shaped ' +
    'volume), the contract price after escalator and structure, the volume after P level and degradation, the ' +
    'settlement signed by perspective, the discount factor and present value; NPV, IRR, capture and baseload ' +
    'prices, shape factor, break-even price, an optional solved price and the sensitivities. A term member the ' +
    'valuation needs that is missing or invalid is a 422 naming `terms.<member>`. The valuation is recorded; ' +
    'an Idempotency-Key makes a retry replay it.',
  auth: 'tenant',
  permission: 'ppa:write',
  get request() {
    return { body: valuateV2Body() };
  },
  response: {
    kind: 'object',
    get schema() {
      return valuationV2Schema();
    },
  },
  write: { idempotent: true },
});

export const ppaDomain = defineDomain({
  name: domain,
  description: 'PPA contracts, their valuations against the forward curves or a scenario, recorded',
  routes: [
    listContractsV1,
    createContractV1,
    getContractV1,
    patchContractV1,
    deleteContractV1,
    listValuationsV1,
    valuateV1,
    listContractsV2,
    valuateV2,
    listValuationsV2,
  ],
});
