import * as z from 'zod/mini';
import {
  boolParam,
  cursorParam,
  dateParam,
  enumParam,
  intParam,
  type QueryRule,
  queryRules,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { once } from '#lib/lazy';
import { ISO_CODES } from '#lib/reference/iso-nodes';
import { withMeta } from '#lib/schema';
import { MAX_EXPAND_DAYS } from '#lib/time/calendar-queries';

/** The seven curve dimensions the dimensions routes list, in the original's order. */
export const DIMENSIONS = [
  'asset_class',
  'iso',
  'location',
  'market',
  'product',
  'block',
  'tenor_type',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Free text, but never control characters (dimension values, prefixes, names). */
const TEXT = /^[^\p{Cc}]+$/u;
const NAME = /^[A-Za-z0-9_]+$/;
const text = (max: number, description: string) => textParam({ max, pattern: TEXT, description });
const prefix = (description: string) => z.optional(text(128, description));

const dimensionFilters = once(
  () =>
    Object.fromEntries(
      DIMENSIONS.map((name) => [name, z.optional(text(128, `Only curves with this ${name}`))]),
    ) as Record<Dimension, z.ZodMiniOptional<z.ZodMiniString>>,
);

/** v1 lists: one page holds every location by default; cursors continue beyond `limit`. */
const v1Paging = once(() => ({
  limit: intParam({ min: 1, max: 1000, default: 500 }),
  cursor: cursorParam(),
  prev_cursor: cursorParam(),
}));
const v2Paging = once(() => ({
  tenant_id: tenantParam(),
  cursor: cursorParam(),
  limit: intParam({ min: 1, max: 100, default: 10 }),
}));

const calendarPath = once(() =>
  z.object({
    name: textParam({ max: 64, pattern: NAME, description: 'Calendar, e.g. pjm' }),
  }),
);
/** One of the seven ISOs, any case; an unknown one is a 400 naming the field. */
const isoParam = () =>
  withMeta(enumParam(ISO_CODES as unknown as readonly [string, ...string[]]), {
    description: 'ISO, e.g. PJM (any case)',
  });
const blockParam = () => textParam({ max: 64, pattern: NAME, description: 'Block, e.g. ON_PEAK (any case)' });

export const Location = once(() =>
  z.object({
    iso: z.string(),
    location_id: z.string(),
    location_name: z.string(),
    location_type: z.string(),
    zone: z.nullable(z.string()),
    hub: z.nullable(z.string()),
    timezone: z.string(),
  }),
);

export const UnitMappingRow = once(() =>
  z.object({ units_raw: z.string(), currency: z.string(), per_unit: z.string() }),
);

export const CalendarRow = once(() => z.object({ name: z.string(), timezone: z.string() }));

const ValueCount = once(() => z.object({ value: z.string(), count: z.number().check(z.int()) }));

export const DimensionValues = once(() =>
  z.object({
    ...(Object.fromEntries(DIMENSIONS.map((d) => [d, z.array(z.string())])) as Record<
      Dimension,
      z.ZodMiniArray<z.ZodMiniString>
    >),
    counts: z.nullable(
      z.object(
        Object.fromEntries(DIMENSIONS.map((d) => [d, z.array(ValueCount())])) as Record<
          Dimension,
          z.ZodMiniArray<ReturnType<typeof ValueCount>>
        >,
      ),
    ),
  }),
);

export const Interval = once(() =>
  z.object({
    interval_start_utc: withMeta(z.string(), { format: 'date-time' }),
    interval_end_utc: withMeta(z.string(), { format: 'date-time' }),
    interval_start_local: withMeta(z.string(), { description: 'Local wall clock with its true offset' }),
    market_date: withMeta(z.string(), { format: 'date' }),
    hour_ending: z.number().check(z.int()),
    dst_repeat: z.boolean(),
    blocks: z.array(z.string()),
  }),
);

const metadataCache = { scope: 'metadata', visibility: 'public' } as const;

export const getDimensionsV1 = defineRoute({
  id: 'getDimensionsV1',
  method: 'GET',
  path: '/v1/metadata/dimensions',
  domain: 'metadata',
  version: 'v1',
  summary: 'Distinct values of each curve dimension',
  description:
    'At most per_dim_limit values per dimension, in code point order (by count, then value, with include_counts). prefix keeps values starting with it, ignoring case.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return {
      query: z.object({
        asof: z.optional(dateParam()),
        ...dimensionFilters(),
        per_dim_limit: intParam({ min: 1, max: 500, default: 500 }),
        prefix: prefix('Case-insensitive start of every value listed'),
        include_counts: boolParam({
          default: false,
          description: 'Also answer counts: the rows per value, most first',
        }),
      }),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return DimensionValues();
    },
  },
  cache: { scope: 'dimensions', visibility: 'public' },
  problems: [503],
  warm: [{}],
});

export const listLocationsV1 = defineRoute({
  id: 'listLocationsV1',
  method: 'GET',
  path: '/v1/metadata/locations',
  domain: 'metadata',
  version: 'v1',
  summary: 'Pricing locations of the US ISOs',
  description:
    'Ordered by iso, then location_id (code point). prefix matches the id or the name, ignoring case.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return {
      query: z.object({
        iso: z.optional(isoParam()),
        prefix: prefix('Case-insensitive start of location_id or location_name'),
        ...v1Paging(),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return Location();
    },
  },
  cache: metadataCache,
});

export const getLocationV1 = defineRoute({
  id: 'getLocationV1',
  method: 'GET',
  path: '/v1/metadata/locations/{iso}/{location_id}',
  domain: 'metadata',
  version: 'v1',
  summary: 'One pricing location',
  description: 'iso and location_id ignore case.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return {
      path: z.object({ iso: text(16, 'ISO'), location_id: text(128, 'Location id, e.g. WESTERN HUB') }),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return Location();
    },
  },
  cache: metadataCache,
});

export const getUnitsV1 = defineRoute({
  id: 'getUnitsV1',
  method: 'GET',
  path: '/v1/metadata/units',
  domain: 'metadata',
  version: 'v1',
  summary: 'Currencies and priced quantities',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object({ prefix: prefix('Case-insensitive start of each currency and unit') }) };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.object({ currencies: z.array(z.string()), units: z.array(z.string()) });
    },
  },
  cache: metadataCache,
});

export const listUnitMappingsV1 = defineRoute({
  id: 'listUnitMappingsV1',
  method: 'GET',
  path: '/v1/metadata/units/mapping',
  domain: 'metadata',
  version: 'v1',
  summary: 'How raw unit strings split into currency and unit',
  description: 'Ordered by units_raw (code point). prefix matches units_raw, ignoring case.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object({ prefix: prefix('Case-insensitive start of units_raw'), ...v1Paging() }) };
  },
  response: {
    kind: 'list',
    get schema() {
      return UnitMappingRow();
    },
  },
  cache: metadataCache,
});

export const listCalendarsV1 = defineRoute({
  id: 'listCalendarsV1',
  method: 'GET',
  path: '/v1/metadata/calendars',
  domain: 'metadata',
  version: 'v1',
  summary: 'Trading calendars and their market time zones',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object(v1Paging()) };
  },
  response: {
    kind: 'list',
    get schema() {
      return CalendarRow();
    },
  },
  cache: metadataCache,
});

export const getCalendarBlocksV1 = defineRoute({
  id: 'getCalendarBlocksV1',
  method: 'GET',
  path: '/v1/metadata/calendars/{name}/blocks',
  domain: 'metadata',
  version: 'v1',
  summary: 'A calendar’s block names',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { path: calendarPath() };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.array(z.string());
    },
  },
  cache: metadataCache,
});

export const getCalendarHoursV1 = defineRoute({
  id: 'getCalendarHoursV1',
  method: 'GET',
  path: '/v1/metadata/calendars/{name}/hours',
  domain: 'metadata',
  version: 'v1',
  summary: 'The hour-beginning instants of a block on one market date',
  description: 'Local ISO 8601 date-times with their true offsets; NERC holidays honoured.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { path: calendarPath(), query: z.object({ block: blockParam(), date: dateParam() }) };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.array(z.string());
    },
  },
  cache: metadataCache,
});

type Range = { start: string; end: string };
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
/** start ≤ end, and at most 366 days, both included; the end is named. */
const expandRange: QueryRule<Range> = ({ start, end }) => {
  const days = dayNumber(end) - dayNumber(start) + 1;
  if (days < 1) return { field: 'end', message: 'must not be before start', code: 'end_before_start' };
  if (days > MAX_EXPAND_DAYS)
    return {
      field: 'end',
      message: `at most ${MAX_EXPAND_DAYS} days from start, both included`,
      code: 'range_too_large',
      detail: `Date range too large: ${days} days. Maximum allowed: ${MAX_EXPAND_DAYS} days`,
    };
  return undefined;
};

export const expandCalendarV1 = defineRoute({
  id: 'expandCalendarV1',
  method: 'GET',
  path: '/v1/metadata/calendars/{name}/expand',
  domain: 'metadata',
  version: 'v1',
  summary: 'A block’s hours over a range of market dates',
  description: `The per-day hours from start to end, both included, concatenated; at most ${MAX_EXPAND_DAYS} days.`,
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return {
      path: calendarPath(),
      query: z
        .object({ block: blockParam(), start: dateParam(), end: dateParam() })
        .check(z.superRefine(queryRules(expandRange))),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.array(z.string());
    },
  },
  cache: metadataCache,
});

export const listDimensionsV2 = defineRoute({
  id: 'listDimensionsV2',
  method: 'GET',
  path: '/v2/metadata/dimensions',
  domain: 'metadata',
  version: 'v2',
  summary: 'Curve dimensions with their values',
  description: 'The seven dimensions are the paged items, by name (code point); meta.total is 7.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object({ ...v2Paging(), asof: z.optional(dateParam()) }) };
  },
  response: {
    kind: 'list',
    get schema() {
      return z.object({
        dimension: z.string(),
        values: z.array(z.string()),
        asof: z.string(),
        meta: z.object({ count: z.number().check(z.int()) }),
      });
    },
    get meta() {
      return z.object({ total: z.number().check(z.int()) });
    },
  },
  cache: { scope: 'dimensions', visibility: 'public' },
  problems: [503],
});

export const listLocationsV2 = defineRoute({
  id: 'listLocationsV2',
  method: 'GET',
  path: '/v2/metadata/locations',
  domain: 'metadata',
  version: 'v2',
  summary: 'An ISO’s pricing locations',
  description: 'Ordered by location_id (code point).',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object({ ...v2Paging(), iso: isoParam() }) };
  },
  response: {
    kind: 'list',
    get schema() {
      return z.object({
        iso: z.string(),
        location_id: z.string(),
        name: z.string(),
        latitude: z.nullable(z.number()),
        longitude: z.nullable(z.number()),
      });
    },
  },
  cache: metadataCache,
});

export const listUnitsV2 = defineRoute({
  id: 'listUnitsV2',
  method: 'GET',
  path: '/v2/metadata/units',
  domain: 'metadata',
  version: 'v2',
  summary: 'Distinct currency and unit pairs',
  description: 'Ordered by currency, then per_unit (code point).',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object(v2Paging()) };
  },
  response: {
    kind: 'list',
    get schema() {
      return z.object({ currency: z.string(), per_unit: z.string() });
    },
  },
  cache: metadataCache,
});

export const listCalendarsV2 = defineRoute({
  id: 'listCalendarsV2',
  method: 'GET',
  path: '/v2/metadata/calendars',
  domain: 'metadata',
  version: 'v2',
  summary: 'Trading calendars with their blocks',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return { query: z.object(v2Paging()) };
  },
  response: {
    kind: 'list',
    get schema() {
      return z.extend(CalendarRow(), { blocks: z.array(z.string()) });
    },
  },
  cache: metadataCache,
});

export const getCalendarIntervalsV2 = defineRoute({
  id: 'getCalendarIntervalsV2',
  method: 'GET',
  path: '/v2/metadata/calendars/{name}/intervals',
  domain: 'metadata',
  version: 'v2',
  summary: 'Every hour of a market day with the interval contract and its blocks',
  description:
    '23, 24 or 25 rows as the market clock says; on a fall-back day the repeated hour ending has dst_repeat true. With block, only that block’s hours.',
  auth: 'tenant',
  permission: 'metadata:read',
  get request() {
    return {
      path: calendarPath(),
      query: z.object({ tenant_id: tenantParam(), date: dateParam(), block: z.optional(blockParam()) }),
    };
  },
  response: {
    kind: 'object',
    get schema() {
      return z.array(Interval());
    },
    get meta() {
      return z.object({ calendar: z.string(), timezone: z.string(), hours: z.number().check(z.int()) });
    },
  },
  cache: metadataCache,
});

export const metadataDomain = defineDomain({
  name: 'metadata',
  description: 'Dimensions, locations, units and trading calendars',
  routes: [
    getDimensionsV1,
    listLocationsV1,
    getLocationV1,
    getUnitsV1,
    listUnitMappingsV1,
    listCalendarsV1,
    getCalendarBlocksV1,
    getCalendarHoursV1,
    expandCalendarV1,
    listDimensionsV2,
    listLocationsV2,
    listUnitsV2,
    listCalendarsV2,
    getCalendarIntervalsV2,
  ],
});
