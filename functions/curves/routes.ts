import * as z from 'zod';
import {
  cursorParam,
  dateOrTimestampParam,
  dateParam,
  enumParam,
  formatParam,
  intParam,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineRoute } from '#lib/http/route';

export const TENOR_TYPES = ['MONTHLY', 'CALENDAR', 'SEASON', 'QUARTER'] as const;
export const STRIP_TYPES = ['CALENDAR', 'SEASON', 'QUARTER'] as const;

const CURVE_KEY = /^[A-Za-z0-9_.-]+$/;
/** Dimension values are free text in the data, but never control characters. */
const DIMENSION = /^[^\p{Cc}]+$/u;
const dimension = (description: string) =>
  textParam({ max: 128, pattern: DIMENSION, description }).optional();

/** The eight curve dimensions every v1 curves route filters on. */
export const curveFilters = {
  curve_key: textParam({ max: 255, pattern: CURVE_KEY, description: 'Exact curve key' }).optional(),
  asset_class: dimension('Asset class, e.g. power or gas'),
  iso: dimension('ISO, e.g. PJM (case-insensitive)'),
  location: dimension('Hub, zone or gas point, e.g. WESTERN HUB'),
  market: dimension('Market, e.g. DA'),
  product: dimension('Product code'),
  block: dimension('Block: ON_PEAK, OFF_PEAK or ATC'),
  tenor_type: enumParam(TENOR_TYPES).optional(),
};

const v1Paging = {
  limit: intParam({ min: 1, max: 1000, default: 200 }),
  cursor: cursorParam(),
  since_cursor: cursorParam().meta({ description: 'Alias of cursor' }),
  prev_cursor: cursorParam(),
  offset: z
    .string()
    .regex(/^\d{1,9}$/, { message: 'must be a whole number' })
    .optional()
    .meta({
      deprecated: true,
      description: 'Removed: only offset=0 is accepted; follow next_cursor instead',
    }),
};

export const CurvePoint = z.object({
  curve_key: z.string(),
  tenor_label: z.string(),
  tenor_type: z.string().nullable(),
  contract_month: z.string().nullable(),
  asof_date: z.string(),
  mid: z.number().nullable(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  price_type: z.string().nullable(),
});
export type CurvePoint = z.infer<typeof CurvePoint>;

export const CurveDiffPoint = z.object({
  curve_key: z.string(),
  tenor_label: z.string(),
  tenor_type: z.string().nullable(),
  contract_month: z.string().nullable(),
  asof_a: z.string(),
  mid_a: z.number().nullable(),
  asof_b: z.string(),
  mid_b: z.number().nullable(),
  diff_abs: z.number().nullable(),
  diff_pct: z.number().nullable(),
});
export type CurveDiffPoint = z.infer<typeof CurveDiffPoint>;

export const CurveSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  data_points: z.number().int(),
  created_at: z.string().nullable(),
  meta: z.object({
    asset_class: z.string().nullable(),
    iso: z.string().nullable(),
    location: z.string().nullable(),
    market: z.string().nullable(),
    product: z.string().nullable(),
    block: z.string().nullable(),
  }),
});

export const CURVE_COLUMNS = [
  'curve_key',
  'tenor_label',
  'tenor_type',
  'contract_month',
  'asof_date',
  'mid',
  'bid',
  'ask',
  'price_type',
] as const;

const CURVES_TTL = 300;
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
  request: {
    query: z.object({ asof: dateParam().optional(), ...curveFilters, ...v1Paging, format: formatParam() }),
  },
  response: { kind: 'list', schema: CurvePoint },
  csv: { filename: 'curves.csv', columns: CURVE_COLUMNS },
  cache: { scope: 'curves', maxAgeSeconds: CURVES_TTL, visibility: 'public' },
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
  request: {
    query: z.object({
      asof_a: dateParam(),
      asof_b: dateParam(),
      ...curveFilters,
      ...v1Paging,
      format: formatParam(),
    }),
  },
  response: { kind: 'list', schema: CurveDiffPoint },
  csv: {
    filename: 'curves-diff.csv',
    columns: [
      'curve_key',
      'tenor_label',
      'tenor_type',
      'contract_month',
      'asof_a',
      'mid_a',
      'asof_b',
      'mid_b',
      'diff_abs',
      'diff_pct',
    ],
  },
  cache: { scope: 'curves-diff', maxAgeSeconds: CURVES_TTL, visibility: 'public' },
  variants: CORRECTIONS,
});

const { tenor_type: _tenorType, ...stripFilters } = curveFilters;

export const listStripsV1 = defineRoute({
  id: 'listStripsV1',
  method: 'GET',
  path: '/v1/curves/strips',
  domain: 'curves',
  version: 'v1',
  summary: 'Calendar, season and quarter strips',
  auth: 'tenant',
  permission: 'curves:read',
  request: {
    query: z.object({
      type: enumParam(STRIP_TYPES),
      asof: dateParam().optional(),
      ...stripFilters,
      ...v1Paging,
      format: formatParam(),
    }),
  },
  response: { kind: 'list', schema: CurvePoint },
  csv: { filename: 'curve-strips.csv', columns: CURVE_COLUMNS },
  cache: { scope: 'curves-strips', maxAgeSeconds: CURVES_TTL, visibility: 'public' },
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
  request: {
    query: z.object({
      tenant_id: tenantParam(),
      cursor: cursorParam(),
      limit: intParam({ min: 1, max: 100, default: 10 }),
      name_filter: textParam({
        max: 255,
        pattern: DIMENSION,
        description: 'Case-insensitive substring of the curve key',
      }).optional(),
    }),
  },
  response: { kind: 'list', schema: CurveSummary },
  cache: { scope: 'curves-v2', maxAgeSeconds: 60, visibility: 'public' },
  warm: [{ limit: '10' }, { limit: '100' }],
});

export const exportCurvesV2 = defineRoute({
  id: 'exportCurvesV2',
  method: 'GET',
  path: '/v2/curves/export',
  domain: 'curves',
  version: 'v2',
  summary: 'Curve points as one CSV file',
  description:
    'Latest points (or one as-of date) as CSV, written chunk_size rows at a time. When the file would pass the response size limit it stops at a chunk boundary and sets X-Next-Cursor; pass it as cursor to continue.',
  auth: 'tenant',
  permission: 'curves:read',
  request: {
    query: z.object({
      asof: dateParam().optional(),
      iso: curveFilters.iso,
      market: curveFilters.market,
      location: curveFilters.location,
      product: curveFilters.product,
      block: curveFilters.block,
      chunk_size: intParam({ min: 100, max: 5000, default: 1000 }),
      cursor: cursorParam(),
    }),
  },
  response: {
    kind: 'document',
    schema: z
      .string()
      .meta({ contentMediaType: 'text/csv', description: 'text/csv with the nine curve columns' }),
  },
  cache: { scope: 'curves', maxAgeSeconds: CURVES_TTL, visibility: 'public', store: false },
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
  request: {
    path: z.object({ curve_id: textParam({ max: 255, pattern: CURVE_KEY }) }),
    query: z.object({
      tenant_id: tenantParam(),
      from_timestamp: dateOrTimestampParam(),
      to_timestamp: dateOrTimestampParam(),
    }),
  },
  response: {
    kind: 'object',
    schema: z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      data_points: z.array(CurveDiffPoint),
      created_at: z.string().nullable(),
    }),
  },
  cache: { scope: 'curves-diff', maxAgeSeconds: CURVES_TTL, visibility: 'public' },
  variants: CORRECTIONS,
});

export const curvesRoutes = [
  listCurvesV1,
  diffCurvesV1,
  listStripsV1,
  listCurvesV2,
  exportCurvesV2,
  diffCurveV2,
];
