import * as z from 'zod/mini';
import {
  cursorParam,
  cursorParams,
  dateOrTimestampParam,
  dateParam,
  dateSpan,
  enumParam,
  formatParam,
  intParam,
  type QueryRule,
  queryRules,
  removedOffsetParam,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { once } from '#lib/lazy';
import { withMeta } from '#lib/schema';

export const TENOR_TYPES = ['MONTHLY', 'CALENDAR', 'SEASON', 'QUARTER'] as const;
export const STRIP_TYPES = ['CALENDAR', 'SEASON', 'QUARTER'] as const;

const CURVE_KEY = /^[A-Za-z0-9_.-]+$/;
/** Dimension values are free text in the data, but never control characters. */
const DIMENSION = /^[^\p{Cc}]+$/u;
const dimension = (description: string) =>
  z.optional(textParam({ max: 128, pattern: DIMENSION, description }));

/** The eight curve dimensions every v1 curves route filters on. */
export const curveFilters = once(() => ({
  curve_key: z.optional(textParam({ max: 255, pattern: CURVE_KEY, description: 'Exact curve key' })),
  asset_class: dimension('Asset class, e.g. power or gas'),
  iso: dimension('ISO, e.g. PJM (case-insensitive)'),
  location: dimension('Hub, zone or gas point, e.g. WESTERN HUB'),
  market: dimension('Market, e.g. DA'),
  product: dimension('Product code'),
  block: dimension('Block: ON_PEAK, OFF_PEAK or ATC'),
  tenor_type: z.optional(enumParam(TENOR_TYPES)),
}));

/**
 * The eight dimensions a curve query filters on, in the order the original listed them: the keys of
 * `curveFilters()`, written out so that reading them builds no schema (a test checks they agree).
 */
export const CURVE_DIMENSIONS: (keyof ReturnType<typeof curveFilters>)[] = [
  'curve_key',
  'asset_class',
  'iso',
  'location',
  'market',
  'product',
  'block',
  'tenor_type',
];

type FilterQuery = Partial<Record<(typeof CURVE_DIMENSIONS)[number] | 'type', string>> & { limit: number };
const isSet = (query: FilterQuery, name: keyof FilterQuery) => query[name] !== undefined;

/** The most rows one v1 page returns, whatever `limit` asks (reference §1.2, CURVE_MAX_LIMIT). */
export const CURVE_MAX_LIMIT = 500;
const MAX_DIFF_DAYS = 365;

/**
 * The original's guardrails against unbounded scans (reference §1.2): broad queries may not ask for large
 * pages. Each refusal names `limit` and says which parameters would make the query acceptable. A strip's
 * `type` is its tenor type.
 */
const guardrails =
  (options: { requireCurveKey: boolean }): QueryRule<FilterQuery> =>
  (query) => {
    const { limit } = query;
    const dims =
      CURVE_DIMENSIONS.filter((name) => isSet(query, name)).length + (isSet(query, 'type') ? 1 : 0);
    const refuse = (message: string) => ({
      field: 'limit',
      message,
      code: 'guardrail',
      detail: `limit ${limit} is too large for this query: ${message}`,
    });
    if (dims === 0 && limit > 500) return refuse('without filters, limit may be at most 500');
    if (dims === 1 && limit > 1000) return refuse('with one filter, limit may be at most 1000');
    if (!isSet(query, 'iso') && !isSet(query, 'market') && !isSet(query, 'product') && limit > 500)
      return refuse('set iso, market or product to ask for more than 500');
    if (!isSet(query, 'asset_class') && !isSet(query, 'location') && limit > 500)
      return refuse('set asset_class or location to ask for more than 500');
    if (options.requireCurveKey && !isSet(query, 'curve_key') && limit > 500)
      return refuse('set curve_key to ask for more than 500');
    return undefined;
  };

const someFilter: QueryRule<FilterQuery> = (query) =>
  CURVE_DIMENSIONS.some((name) => isSet(query, name))
    ? undefined
    : {
        message: 'set at least one dimension filter',
        code: 'filter_required',
        detail:
          'A diff needs at least one filter (curve_key, asset_class, iso, location, market, product, block or tenor_type)',
      };

/** v1 paging: built inside each route's schema getter, so nothing of it runs at import. */
const v1Paging = () => ({
  limit: intParam({ min: 1, max: 1000, default: 200 }),
  ...cursorParams(),
  offset: removedOffsetParam(),
});

export const CurvePoint = once(() =>
  z.object({
    curve_key: z.string(),
    tenor_label: z.string(),
    tenor_type: z.nullable(z.string()),
    contract_month: z.nullable(z.string()),
    asof_date: z.string(),
    mid: z.nullable(z.number()),
    bid: z.nullable(z.number()),
    ask: z.nullable(z.number()),
    price_type: z.nullable(z.string()),
  }),
);
export type CurvePoint = z.infer<ReturnType<typeof CurvePoint>>;

export const CurveDiffPoint = once(() =>
  z.object({
    curve_key: z.string(),
    tenor_label: z.string(),
    tenor_type: z.nullable(z.string()),
    contract_month: z.nullable(z.string()),
    asof_a: z.string(),
    mid_a: z.nullable(z.number()),
    asof_b: z.string(),
    mid_b: z.nullable(z.number()),
    diff_abs: z.nullable(z.number()),
    diff_pct: z.nullable(z.number()),
  }),
);
export type CurveDiffPoint = z.infer<ReturnType<typeof CurveDiffPoint>>;

export const CurveSummary = once(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.nullable(z.string()),
    data_points: z.number().check(z.int()),
    created_at: z.nullable(z.string()),
    meta: z.object({
      asset_class: z.nullable(z.string()),
      iso: z.nullable(z.string()),
      location: z.nullable(z.string()),
      market: z.nullable(z.string()),
      product: z.nullable(z.string()),
      block: z.nullable(z.string()),
    }),
  }),
);

/**
 * The nine columns of a curve point, as CSV answers and exports write them: the keys of `CurvePoint()`,
 * written out so that reading them builds no schema (a test checks they agree).
 */
export const CURVE_COLUMNS: (keyof CurvePoint)[] = [
  'curve_key',
  'tenor_label',
  'tenor_type',
  'contract_month',
  'asof_date',
  'mid',
  'bid',
  'ask',
  'price_type',
];

/** Corrected re-ingestions replace a published point only where this flag is on (see README, Feature flags). */
const CORRECTIONS = ['curves-latest-corrections'] as const;

export const listCurvesV1 = defineRoute({
  id: 'listCurvesV1',
  method: 'GET',
  path: '/v1/curves',
  domain: 'curves',
  version: 'v1',
  summary: 'Forward curve points',
  description:
    'Without asof: the latest point per curve and tenor. Keyset-paged in the order curve_key, tenor_label, contract_month, asof_date, price_type.',
  auth: 'tenant',
  permission: 'curves:read',
  get request() {
    return {
      query: z
        .object({ asof: z.optional(dateParam()), ...curveFilters(), ...v1Paging(), format: formatParam() })
        .check(z.superRefine(queryRules(guardrails({ requireCurveKey: true })))),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return CurvePoint();
    },
  },
  csv: { filename: 'curves.csv' },
  cache: { scope: 'curves', visibility: 'public' },
  variants: CORRECTIONS,
  warm: [
    { limit: '200' },
    ...['PJM', 'ERCOT', 'CAISO', 'MISO', 'NYISO', 'ISONE', 'SPP'].map((iso) => ({ iso, limit: '200' })),
  ],
});

export const diffCurvesV1 = defineRoute({
  id: 'diffCurvesV1',
  method: 'GET',
  path: '/v1/curves/diff',
  domain: 'curves',
  version: 'v1',
  summary: 'Change of curve mids between two as-of dates',
  description:
    'diff_abs = mid_b − mid_a; diff_pct = (mid_b − mid_a) / mid_a, null when mid_a is 0. At least one filter is required.',
  auth: 'tenant',
  permission: 'curves:read',
  get request() {
    return {
      query: z
        .object({
          asof_a: dateParam(),
          asof_b: dateParam(),
          ...curveFilters(),
          ...v1Paging(),
          format: formatParam(),
        })
        .check(
          z.superRefine(
            queryRules<FilterQuery & Record<'asof_a' | 'asof_b', string>>(
              dateSpan('asof_a', 'asof_b', MAX_DIFF_DAYS),
              someFilter,
              guardrails({ requireCurveKey: false }),
            ),
          ),
        ),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return CurveDiffPoint();
    },
  },
  csv: { filename: 'curves-diff.csv' },
  cache: { scope: 'curves-diff', visibility: 'public' },
  variants: CORRECTIONS,
});

const stripFilters = once(() => {
  const { tenor_type: _tenorType, ...filters } = curveFilters();
  return filters;
});

export const listStripsV1 = defineRoute({
  id: 'listStripsV1',
  method: 'GET',
  path: '/v1/curves/strips',
  domain: 'curves',
  version: 'v1',
  summary: 'Calendar, season and quarter strips',
  auth: 'tenant',
  permission: 'curves:read',
  get request() {
    return {
      query: z
        .object({
          type: enumParam(STRIP_TYPES),
          asof: z.optional(dateParam()),
          ...stripFilters(),
          ...v1Paging(),
          format: formatParam(),
        })
        .check(z.superRefine(queryRules(guardrails({ requireCurveKey: false })))),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return CurvePoint();
    },
  },
  csv: { filename: 'curve-strips.csv' },
  cache: { scope: 'curves-strips', visibility: 'public' },
  variants: CORRECTIONS,
});

export const listCurvesV2 = defineRoute({
  id: 'listCurvesV2',
  method: 'GET',
  path: '/v2/curves',
  domain: 'curves',
  version: 'v2',
  summary: 'Curves with their number of points',
  auth: 'tenant',
  permission: 'curves:read',
  get request() {
    return {
      query: z.object({
        tenant_id: tenantParam(),
        cursor: cursorParam(),
        limit: intParam({ min: 1, max: 100, default: 10 }),
        name_filter: z.optional(
          textParam({
            max: 255,
            pattern: DIMENSION,
            description: 'Case-insensitive substring of the curve key',
          }),
        ),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return CurveSummary();
    },
  },
  cache: { scope: 'curves-v2', visibility: 'public' },
  warm: [{ limit: '10' }, { limit: '100' }],
});

/** What narrows an export: one as-of date, or a dimension. */
const EXPORT_NARROWING = ['asof', 'iso', 'market', 'location', 'product', 'block'] as const;

/** The list routes' rule for large answers, on the export: an `asof` or a narrowing filter. */
const narrowedExport: QueryRule<Partial<Record<(typeof EXPORT_NARROWING)[number], string>>> = (query) =>
  EXPORT_NARROWING.some((name) => query[name] !== undefined)
    ? undefined
    : {
        field: 'asof',
        message: 'set asof or at least one of iso, market, location, product, block',
        code: 'guardrail',
        detail:
          'An export of every curve needs asof or at least one of iso, market, location, product, block',
      };

export const exportCurvesV2 = defineRoute({
  id: 'exportCurvesV2',
  method: 'GET',
  path: '/v2/curves/export',
  domain: 'curves',
  version: 'v2',
  summary: 'Curve points as one CSV file',
  description:
    'Latest points (or one as-of date) as CSV, written chunk_size rows at a time. Needs asof or a filter. An export larger than one response may carry (45 000 rows or 4 MB of CSV, under the 6 MB Lambda limit once encoded) is a 422 problem saying how to narrow it. Exports have their own per-tenant rate limit (AURUM_API_RATE_LIMIT_EXPORT).',
  auth: 'tenant',
  permission: 'curves:read',
  rateLimit: 'export',
  problems: [422],
  get request() {
    const filters = curveFilters();
    return {
      query: z
        .object({
          asof: z.optional(dateParam()),
          iso: filters.iso,
          market: filters.market,
          location: filters.location,
          product: filters.product,
          block: filters.block,
          chunk_size: intParam({ min: 100, max: 5000, default: 1000 }),
          cursor: cursorParam(),
        })
        .check(z.superRefine(queryRules(narrowedExport))),
    };
  },
  response: {
    kind: 'file',
    contentType: 'text/csv; charset=utf-8',
    get schema() {
      return withMeta(z.string(), {
        contentMediaType: 'text/csv',
        description: 'text/csv with the nine curve columns',
      });
    },
  },
  csv: { filename: (query) => `curve_export_${query.asof ?? 'all'}.csv` },
  // Stored (up to the store's entry size), so concurrent identical exports make one query.
  cache: { scope: 'curves', visibility: 'public' },
  variants: CORRECTIONS,
});

export const diffCurveV2 = defineRoute({
  id: 'diffCurveV2',
  method: 'GET',
  path: '/v2/curves/{curve_id}/diff',
  domain: 'curves',
  version: 'v2',
  summary: 'One curve’s change between two dates',
  auth: 'tenant',
  permission: 'curves:read',
  get request() {
    return {
      path: z.object({ curve_id: textParam({ max: 255, pattern: CURVE_KEY }) }),
      query: z
        .object({
          tenant_id: tenantParam(),
          from_timestamp: dateOrTimestampParam(),
          to_timestamp: dateOrTimestampParam(),
        })
        .check(z.superRefine(queryRules(dateSpan('from_timestamp', 'to_timestamp', MAX_DIFF_DAYS)))),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.object({
        id: z.string(),
        name: z.string(),
        description: z.string(),
        data_points: z.array(CurveDiffPoint()),
        created_at: z.nullable(z.string()),
      });
    },
  },
  cache: { scope: 'curves-diff', visibility: 'public' },
  variants: CORRECTIONS,
});

export const curvesDomain = defineDomain({
  name: 'curves',
  description: 'Forward curves: points, diffs, strips and exports',
  routes: [listCurvesV1, diffCurvesV1, listStripsV1, listCurvesV2, exportCurvesV2, diffCurveV2],
});
