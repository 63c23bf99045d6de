import * as z from 'zod/mini';
import {
  cursorParam,
  cursorParams,
  documentedAs,
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

/** Filter values are free text in the data (`HENRY HUB`, `natural-gas/stor/wkly`), but never control characters. */
const TEXT = /^[^\p{Cc}]+$/u;
const filter = (description: string, max = 128) => z.optional(textParam({ max, pattern: TEXT, description }));

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The UTC instant a date (its 00:00 UTC) or an ISO 8601 date-time (no offset: UTC) names, or null. */
export function instantOf(text: string): string | null {
  if (!DATE_ONLY.test(text) && !DATE_TIME.test(text)) return null;
  const zoned = DATE_ONLY.test(text)
    ? `${text}T00:00:00Z`
    : /(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? text
      : `${text}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2025-02-30 over to March; a real date reads back the same day.
  if (new Date(Date.parse(`${text.slice(0, 10)}T00:00:00Z`)).toISOString().slice(0, 10) !== text.slice(0, 10))
    return null;
  return new Date(ms).toISOString();
}

/** A point in time on `period_start`: a date (00:00 UTC) or an ISO 8601 date-time; normalised to UTC. */
const instantParam = (description: string) =>
  documentedAs(
    z.optional(
      z.pipe(
        z.string().check(
          z.maxLength(40),
          z.refine((s) => instantOf(s) !== null, {
            message: 'must be a date YYYY-MM-DD or an ISO 8601 date-time',
            params: { code: 'invalid_timestamp' },
          }),
        ),
        z.transform((s: string) => instantOf(s)!),
      ),
    ),
    {
      anyOf: [
        { type: 'string', format: 'date' },
        { type: 'string', format: 'date-time', maxLength: 40 },
      ],
      description: `${description}: a date (00:00 UTC) or an ISO 8601 date-time (UTC without an offset)`,
      example: '2025-09-01T00:00:00Z',
    },
  );

/** The nine filters of the series and dimensions routes, as the original named them. */
export const seriesFilters = once(() => ({
  series_id: filter('EIA series id, e.g. NG.RNGWHHD.D'),
  frequency: z.optional(
    z.pipe(
      textParam({
        max: 16,
        pattern: /^[A-Za-z-]+$/,
        description: 'HOURLY, DAILY, WEEKLY or MONTHLY (any case)',
      }),
      z.transform((s: string) => s.toUpperCase()),
    ),
  ),
  area: filter('Area, e.g. R48, PJM or HENRY HUB'),
  sector: filter('Sector, e.g. 99 (all sectors)'),
  dataset: filter('The series’ API v2 dataset path, e.g. natural-gas/stor/wkly', 255),
  unit: filter('Raw unit as EIA publishes it, e.g. BCF'),
  canonical_unit: filter('Canonical unit, e.g. MMBtu'),
  canonical_currency: filter('Canonical currency, e.g. USD'),
  source: filter('Source, e.g. EIA'),
}));
export const SERIES_FILTERS = once(
  () => Object.keys(seriesFilters()) as (keyof ReturnType<typeof seriesFilters>)[],
);

type SpanQuery = Partial<Record<'start' | 'end' | 'start_date' | 'end_date', string>>;
const startNotAfterEnd =
  (from: 'start' | 'start_date', to: 'end' | 'end_date'): QueryRule<SpanQuery> =>
  (q) =>
    q[from] !== undefined && q[to] !== undefined && q[from]! > q[to]!
      ? { field: to, message: `must not be before ${from}`, code: 'start_after_end' }
      : undefined;

/** v1 paging: built inside each route's schema getter, so nothing of it runs at import. */
const v1Paging = () => ({
  limit: intParam({ min: 1, max: 1000, default: 200 }),
  offset: removedOffsetParam(),
  ...cursorParams(),
});
const v2Paging = once(() => ({
  tenant_id: tenantParam(),
  cursor: cursorParam(),
  limit: intParam({ min: 1, max: 100, default: 10 }),
}));

/**
 * The interval contract (architecture §12) of one EIA period. Hourly periods: the hour, with its local hour
 * ending and repeated-hour flag in the series' time zone. Longer periods (days, weeks, months) run from local
 * midnight to local midnight in that zone; `market_date` is their first day, `hour_ending` is null (an hour
 * label does not describe a day or a month) and `dst_repeat` false.
 */
export const IntervalFields = once(() => ({
  interval_start_utc: withMeta(z.string(), { format: 'date-time' }),
  interval_end_utc: withMeta(z.string(), { format: 'date-time', description: 'Exclusive' }),
  interval_start_local: withMeta(z.string(), {
    description: 'Local wall clock at the start, with its true offset',
  }),
  market_date: withMeta(z.string(), { format: 'date', description: 'The local date the period starts on' }),
  hour_ending: withMeta(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(25))), {
    description: 'Hourly periods only',
  }),
  dst_repeat: z.boolean(),
}));

export const EiaSeriesPoint = once(() =>
  z.object({
    series_id: z.string(),
    period: withMeta(z.string(), {
      description: 'The period as EIA writes it: 2025-09-19, 2025-07, 2025-09-26T05 (UTC hour ending)',
    }),
    period_start: withMeta(z.string(), { format: 'date-time' }),
    period_end: withMeta(z.string(), { format: 'date-time', description: 'Exclusive' }),
    frequency: z.string(),
    value: withMeta(z.nullable(z.number()), { description: 'In unit' }),
    raw_value: withMeta(z.nullable(z.string()), { description: 'The value as EIA publishes it (text)' }),
    unit: z.nullable(z.string()),
    canonical_unit: z.nullable(z.string()),
    canonical_currency: z.nullable(z.string()),
    canonical_value: withMeta(z.nullable(z.number()), {
      description: 'value × conversion_factor, in canonical_unit',
    }),
    conversion_factor: z.nullable(z.number()),
    area: z.nullable(z.string()),
    sector: z.nullable(z.string()),
    seasonal_adjustment: z.nullable(z.string()),
    description: z.nullable(z.string()),
    source: z.nullable(z.string()),
    dataset: z.nullable(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    ingest_ts: z.nullable(withMeta(z.string(), { format: 'date-time' })),
    ...IntervalFields(),
  }),
);
export type EiaSeriesPoint = z.infer<ReturnType<typeof EiaSeriesPoint>>;

/** The CSV columns of /v1/ref/eia/series: the row schema's, in order (the original's 20, then the interval). */
export const EIA_SERIES_COLUMNS = once(() => Object.keys(EiaSeriesPoint().shape) as (keyof EiaSeriesPoint)[]);

export const EiaSeriesPointV2 = once(() =>
  z.object({
    series_id: z.string(),
    period: z.string(),
    period_start: withMeta(z.string(), { format: 'date-time' }),
    value: z.nullable(z.number()),
    unit: withMeta(z.string(), { description: 'The raw unit, or "unknown"' }),
    ...IntervalFields(),
    meta: z.object({
      frequency: z.string(),
      dataset: z.nullable(z.string()),
      area: z.nullable(z.string()),
      canonical_unit: z.nullable(z.string()),
      canonical_currency: z.nullable(z.string()),
      canonical_value: z.nullable(z.number()),
      conversion_factor: z.nullable(z.number()),
    }),
  }),
);
export type EiaSeriesPointV2 = z.infer<ReturnType<typeof EiaSeriesPointV2>>;

export const DIMENSION_NAMES = [
  'dataset',
  'area',
  'sector',
  'unit',
  'canonical_unit',
  'canonical_currency',
  'frequency',
  'source',
] as const;
export const EiaDimensions = once(() =>
  z.object(
    Object.fromEntries(DIMENSION_NAMES.map((d) => [d, z.array(z.string())])) as Record<
      (typeof DIMENSION_NAMES)[number],
      z.ZodMiniArray<z.ZodMiniString>
    >,
  ),
);
export type EiaDimensions = z.infer<ReturnType<typeof EiaDimensions>>;

const DatasetBrief = once(() => ({
  path: z.string(),
  name: z.string(),
  description: z.string(),
  default_frequency: withMeta(z.string(), { description: 'Lower case, as EIA spells it' }),
  start_period: z.string(),
  end_period: z.string(),
}));
export const EiaDatasetBrief = once(() => z.object(DatasetBrief()));
export const EiaDatasetDetail = once(() =>
  z.object({
    ...DatasetBrief(),
    frequencies: z.array(
      z.object({ id: z.string(), description: z.string(), query: z.string(), format: z.string() }),
    ),
    facets: z.array(z.object({ id: z.string(), description: z.string() })),
    data_columns: z.array(z.string()),
    default_date_format: z.string(),
  }),
);
export const EiaDatasetV2 = once(() =>
  z.object({
    dataset_path: z.string(),
    title: z.string(),
    description: z.string(),
    last_updated: withMeta(z.string(), {
      description: 'Latest ingest_ts of the dataset’s series, or "unknown"',
    }),
    meta: z.object({
      default_frequency: z.string(),
      frequencies: z.array(z.string()),
      start_period: z.string(),
      end_period: z.string(),
    }),
  }),
);

/** EIA API v2 paths: lower-case words joined by slashes, e.g. natural-gas/stor/wkly. */
export const DATASET_PATH = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*){0,5}$/;

const v1Gate = { key: 'v1-eia', whenOff: 'not-found' } as const;
const catalogCache = { scope: 'metadata', visibility: 'public' } as const;
const seriesCache = { scope: 'eia-series', visibility: 'public' } as const;
const dimensionsCache = { scope: 'eia-series-dimensions', visibility: 'public' } as const;

export const listDatasetsV1 = defineRoute({
  id: 'listEiaDatasetsV1',
  method: 'GET',
  path: '/v1/metadata/eia/datasets',
  domain: 'eia',
  version: 'v1',
  summary: 'The EIA API v2 datasets of the catalog',
  description:
    'From the catalog authored in the repository, by path in code point order. prefix keeps datasets whose path or name starts with it (any case).',
  auth: 'tenant',
  permission: 'eia:read',
  flag: v1Gate,
  get request() {
    return {
      query: z.object({
        prefix: filter('Start of the path or the name (any case)', 255),
        limit: intParam({ min: 1, max: 1000, default: 500 }),
        cursor: cursorParam(),
        prev_cursor: cursorParam(),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return EiaDatasetBrief();
    },
  },
  cache: catalogCache,
});

export const getDatasetV1 = defineRoute({
  id: 'getEiaDatasetV1',
  method: 'GET',
  path: '/v1/metadata/eia/datasets/{dataset_path+}',
  domain: 'eia',
  version: 'v1',
  summary: 'One EIA dataset with its frequencies, facets and data columns',
  description:
    'dataset_path is the API v2 path, slashes and all: /v1/metadata/eia/datasets/natural-gas/stor/wkly (its slashes may also come percent-encoded, natural-gas%2Fstor%2Fwkly). 404 when the catalog does not have it.',
  auth: 'tenant',
  permission: 'eia:read',
  flag: v1Gate,
  get request() {
    return {
      path: z.object({
        dataset_path: withMeta(
          textParam({
            max: 255,
            pattern: DATASET_PATH,
            description: 'e.g. natural-gas/stor/wkly, encoded',
          }),
          { example: 'natural-gas/stor/wkly' },
        ),
      }),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return EiaDatasetDetail();
    },
  },
  cache: catalogCache,
  problems: [404],
});

export const listSeriesV1 = defineRoute({
  id: 'listEiaSeriesV1',
  method: 'GET',
  path: '/v1/ref/eia/series',
  domain: 'eia',
  version: 'v1',
  summary: 'EIA series observations, raw and canonical',
  description:
    'canonical_value = value × conversion_factor. start and end (both included) bound period_start. Keyset-paged in the order series_id, period_start, period. Every row carries the interval contract.',
  auth: 'tenant',
  permission: 'eia:read',
  flag: v1Gate,
  get request() {
    return {
      query: z
        .object({
          ...seriesFilters(),
          start: instantParam('Earliest period_start'),
          end: instantParam('Latest period_start'),
          ...v1Paging(),
          format: formatParam(),
        })
        .check(z.superRefine(queryRules(startNotAfterEnd('start', 'end')))),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return EiaSeriesPoint();
    },
  },
  csv: { filename: 'eia_series.csv' },
  cache: seriesCache,
  problems: [503],
});

export const getSeriesDimensionsV1 = defineRoute({
  id: 'getEiaSeriesDimensionsV1',
  method: 'GET',
  path: '/v1/ref/eia/series/dimensions',
  domain: 'eia',
  version: 'v1',
  summary: 'Distinct values of each EIA series dimension',
  description: 'Over the series the nine filters select; each list distinct and sorted.',
  auth: 'tenant',
  permission: 'eia:read',
  flag: v1Gate,
  get request() {
    return { query: z.object(seriesFilters()) };
  },
  response: {
    kind: 'object',
    get schema() {
      return EiaDimensions();
    },
  },
  cache: dimensionsCache,
  problems: [503],
});

export const listDatasetsV2 = defineRoute({
  id: 'listEiaDatasetsV2',
  method: 'GET',
  path: '/v2/metadata/eia/datasets',
  domain: 'eia',
  version: 'v2',
  summary: 'The EIA datasets of the catalog, with when their series were last loaded',
  description: 'By dataset_path in code point order, keyset-paged.',
  auth: 'tenant',
  permission: 'eia:read',
  get request() {
    return { query: z.object(v2Paging()) };
  },
  response: {
    kind: 'list',
    get schema() {
      return EiaDatasetV2();
    },
  },
  cache: catalogCache,
  problems: [503],
});

export const listSeriesV2 = defineRoute({
  id: 'listEiaSeriesV2',
  method: 'GET',
  path: '/v2/ref/eia/series',
  domain: 'eia',
  version: 'v2',
  summary: 'One EIA series’ observations',
  description:
    'Ordered by period_start; start_date and end_date (both included) bound it. meta carries the canonical value and unit.',
  auth: 'tenant',
  permission: 'eia:read',
  get request() {
    return {
      query: z
        .object({
          series_id: textParam({ max: 128, pattern: TEXT, description: 'EIA series id, e.g. NG.RNGWHHD.D' }),
          start_date: instantParam('Earliest period_start'),
          end_date: instantParam('Latest period_start'),
          ...v2Paging(),
        })
        .check(z.superRefine(queryRules(startNotAfterEnd('start_date', 'end_date')))),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return EiaSeriesPointV2();
    },
  },
  cache: seriesCache,
  problems: [503],
});

export const getSeriesDimensionsV2 = defineRoute({
  id: 'getEiaSeriesDimensionsV2',
  method: 'GET',
  path: '/v2/ref/eia/series/dimensions',
  domain: 'eia',
  version: 'v2',
  summary: 'Distinct values of each EIA series dimension',
  description: 'As /v1/ref/eia/series/dimensions.',
  auth: 'tenant',
  permission: 'eia:read',
  get request() {
    return { query: z.object({ tenant_id: tenantParam(), ...seriesFilters() }) };
  },
  response: {
    kind: 'object',
    get schema() {
      return EiaDimensions();
    },
  },
  cache: dimensionsCache,
  problems: [503],
});

export const eiaDomain = defineDomain({
  name: 'eia',
  description:
    'EIA API v2 dataset catalog and series: weekly gas storage, spot prices, generation, hourly demand',
  routes: [
    listDatasetsV1,
    getDatasetV1,
    listSeriesV1,
    getSeriesDimensionsV1,
    listDatasetsV2,
    listSeriesV2,
    getSeriesDimensionsV2,
  ],
});
