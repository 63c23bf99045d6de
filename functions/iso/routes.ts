import * as z from 'zod/mini';
import {
  cursorParam,
  documentedAs,
  enumParam,
  formatParam,
  intParam,
  isRealDate,
  type QueryRule,
  queryRules,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { once } from '#lib/lazy';
import { findIsoNode, ISO_CODES } from '#lib/reference/iso-nodes';
import { withMeta } from '#lib/schema';
import { calendarBlocks, MAX_EXPAND_DAYS } from '#lib/time/calendar-queries';
import { daysBetween, type MarketDate, parseMarketDate } from '#lib/time/market-date';

export const MARKETS = ['DA', 'RT'] as const;
export type Market = (typeof MARKETS)[number];

/** Location ids are upper case in the reference data (`WESTERN HUB`, `HB_NORTH`, `.I.ROSETON 345 1`). */
const LOCATION = /^[A-Za-z0-9 ._-]+$/;
const BLOCK = /^[A-Za-z0-9_]+$/;

const isoParam = (description: string) =>
  withMeta(enumParam(ISO_CODES as unknown as readonly [string, ...string[]]), { description });
const marketParam = () =>
  withMeta(enumParam(MARKETS), {
    description: 'DA (day-ahead, hourly) or RT (real-time, 5-minute); any case',
  });
const locationParam = () =>
  z.optional(
    z.pipe(
      textParam({
        max: 64,
        pattern: LOCATION,
        description: 'Location id, e.g. WESTERN HUB or hb_north (any case)',
      }),
      z.transform((s: string) => s.toUpperCase()),
    ),
  );

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A date (its UTC midnight) or an ISO 8601 date-time (UTC when it has no offset), as a UTC ISO string. */
export function instantOf(text: string): string | null {
  if (!INSTANT.test(text) || !isRealDate(text.slice(0, 10))) return null;
  const withZone =
    text.length === 10 ? `${text}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const instantParam = (description: string) =>
  documentedAs(
    z.optional(
      z.pipe(
        z.string().check(
          z.maxLength(40),
          z.refine((s) => instantOf(s) !== null, {
            message: 'must be a date YYYY-MM-DD or an ISO 8601 date-time',
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
      description: `${description}: a date (midnight UTC) or an ISO 8601 date-time (UTC without an offset)`,
    },
  );

/** A market date: a real calendar day, never defaulted (a bad one is a 400 naming the field). */
const marketDateParam = (description: string) =>
  withMeta(
    z
      .string()
      .check(z.refine((s) => parseMarketDate(s) !== null, { message: 'must be a market date YYYY-MM-DD' })),
    { format: 'date', example: '2025-09-26', description },
  );

const startBeforeEnd: QueryRule<{ start?: string; end?: string }> = (q) =>
  q.start !== undefined && q.end !== undefined && q.start > q.end
    ? { field: 'end', message: 'must not be before start', code: 'start_after_end' }
    : undefined;

const v1Filters = once(() => ({
  iso_code: z.optional(isoParam('ISO, e.g. PJM (any case)')),
  market: z.optional(marketParam()),
  location_id: locationParam(),
}));
const v1Paging = (limit: number) => ({
  limit: intParam({ min: 1, max: 1000, default: limit }),
  cursor: cursorParam(),
  prev_cursor: cursorParam(),
  format: formatParam(),
});
const v2Paging = once(() => ({
  tenant_id: tenantParam(),
  cursor: cursorParam(),
  limit: intParam({ min: 1, max: 100, default: 10 }),
}));
const v2Filters = once(() => ({
  iso: isoParam('ISO, e.g. PJM (any case)'),
  market: z.optional(marketParam()),
  location_id: locationParam(),
}));

/** The interval contract (README, Calendars and time): which interval a row covers, unambiguously. */
const contract = (hourEnding: 'hour' | 'nullable') => ({
  interval_start_utc: withMeta(z.string(), { format: 'date-time' }),
  interval_end_utc: withMeta(z.string(), { format: 'date-time' }),
  interval_start_local: withMeta(z.string(), {
    description: 'The start on the ISO’s market clock, with the offset in force then',
  }),
  market_date: withMeta(z.string(), { format: 'date' }),
  hour_ending:
    hourEnding === 'hour'
      ? withMeta(z.number().check(z.int()), { description: 'The market hour the interval falls in (1–25)' })
      : withMeta(z.nullable(z.number().check(z.int())), {
          description: 'The market hour (1–25); null on rows that span a whole market day or more',
        }),
  dst_repeat: withMeta(z.boolean(), {
    description: 'True in the second occurrence of a repeated (fall-back) hour',
  }),
});

export const IsoLmpPoint = once(() =>
  z.object({
    iso_code: z.string(),
    market: z.string(),
    delivery_date: withMeta(z.string(), { format: 'date', description: 'The market date' }),
    interval_start: withMeta(z.string(), { format: 'date-time' }),
    interval_end: withMeta(z.string(), { format: 'date-time' }),
    interval_minutes: z.number().check(z.int()),
    location_id: z.string(),
    location_name: z.nullable(z.string()),
    location_type: z.nullable(z.string()),
    price_total: withMeta(z.number(), {
      description: 'price_energy + price_congestion + price_loss, USD/MWh',
    }),
    price_energy: z.number(),
    price_congestion: z.number(),
    price_loss: z.number(),
    currency: z.string(),
    uom: z.string(),
    settlement_point: z.nullable(z.string()),
    source_run_id: z.nullable(z.string()),
    ingest_ts: withMeta(z.string(), { format: 'date-time' }),
    record_hash: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    ...contract('hour'),
  }),
);
export type IsoLmpPoint = z.infer<ReturnType<typeof IsoLmpPoint>>;

export const IsoLmpAggregate = once(() =>
  z.object({
    iso_code: z.string(),
    market: z.string(),
    interval_start: withMeta(z.string(), { format: 'date-time' }),
    location_id: z.string(),
    currency: z.string(),
    uom: z.string(),
    price_avg: z.number(),
    price_min: z.number(),
    price_max: z.number(),
    price_stddev: withMeta(z.nullable(z.number()), {
      description: 'Sample standard deviation; null for one interval',
    }),
    sample_count: withMeta(z.number().check(z.int()), { description: 'Raw intervals in the bucket' }),
    delivery_date: withMeta(z.string(), { format: 'date', description: 'The market date' }),
    ...contract('nullable'),
  }),
);
export type IsoLmpAggregate = z.infer<ReturnType<typeof IsoLmpAggregate>>;

export const IsoLmpValue = once(() =>
  z.object({
    timestamp: withMeta(z.string(), { format: 'date-time', description: 'interval_start, UTC' }),
    location_id: z.string(),
    market: z.string(),
    value: withMeta(z.number(), { description: 'price_total' }),
    unit: withMeta(z.string(), { description: 'currency/uom, e.g. USD/MWh' }),
    ...contract('hour'),
  }),
);
export type IsoLmpValue = z.infer<ReturnType<typeof IsoLmpValue>>;

export const BLOCK_PERIODS = ['day', 'month'] as const;

export const IsoLmpBlock = once(() =>
  z.object({
    iso: z.string(),
    location_id: z.string(),
    market: z.string(),
    block: z.string(),
    period: z.enum(BLOCK_PERIODS),
    period_start: withMeta(z.string(), {
      format: 'date',
      description: 'First market date of the period in range',
    }),
    period_end: withMeta(z.string(), {
      format: 'date',
      description: 'Last market date of the period in range',
    }),
    price_avg: withMeta(z.nullable(z.number()), {
      description: 'Mean of the hourly prices over the block hours that have one; null when none',
    }),
    price_min: z.nullable(z.number()),
    price_max: z.nullable(z.number()),
    hours_used: withMeta(z.number().check(z.int()), { description: 'Block hours with a price' }),
    hours_expected: withMeta(z.number().check(z.int()), {
      description: 'Block hours of the period on the calendar',
    }),
    currency: z.string(),
    uom: z.string(),
    ...contract('nullable'),
  }),
);
export type IsoLmpBlock = z.infer<ReturnType<typeof IsoLmpBlock>>;

const cache = { scope: 'iso-lmp', visibility: 'public' } as const;
const v1Gate = { key: 'v1-iso', whenOff: 'not-found' } as const;
const common = { domain: 'iso', auth: 'tenant', permission: 'iso:read', problems: [503] } as const;

export const last24hV1 = defineRoute({
  ...common,
  id: 'listIsoLmpLast24hV1',
  method: 'GET',
  path: '/v1/iso/lmp/last-24h',
  version: 'v1',
  summary: 'ISO LMP intervals of the last 24 hours',
  description:
    'The 24 hours ending at the newest interval among the rows the filters select; the latest ingestion of each interval. Ordered by interval_start descending, then iso_code, market, location_id.',
  flag: v1Gate,
  get request() {
    return { query: z.object({ ...v1Filters(), ...v1Paging(500) }) };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpPoint();
    },
  },
  csv: { filename: 'iso-lmp-last-24h.csv' },
  cache,
});

const aggregateQuery = (description: string) =>
  z
    .object({
      ...v1Filters(),
      start: instantParam(`Buckets starting at or after this instant (${description})`),
      end: instantParam(`Buckets starting at or before this instant (${description})`),
      ...v1Paging(500),
    })
    .check(z.superRefine(queryRules(startBeforeEnd)));

export const hourlyV1 = defineRoute({
  ...common,
  id: 'listIsoLmpHourlyV1',
  method: 'GET',
  path: '/v1/iso/lmp/hourly',
  version: 'v1',
  summary: 'Hourly ISO LMP aggregates (clock hours)',
  description:
    'Average, minimum, maximum, sample standard deviation and count of the raw intervals of each clock hour (UTC hours, which are whole market hours in every ISO). start and end bound interval_start. Ordered by interval_start descending, then iso_code, market, location_id.',
  flag: v1Gate,
  get request() {
    return { query: aggregateQuery('the hour’s start') };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpAggregate();
    },
  },
  csv: { filename: 'iso-lmp-hourly.csv' },
  cache,
});

export const dailyV1 = defineRoute({
  ...common,
  id: 'listIsoLmpDailyV1',
  method: 'GET',
  path: '/v1/iso/lmp/daily',
  version: 'v1',
  summary: 'Daily ISO LMP aggregates (market days)',
  description:
    'Aggregates over each market day on the ISO’s market clock (23 or 25 hours on DST days); delivery_date is the market date and interval_start its first instant. start and end bound interval_start. Ordered by delivery_date descending, then iso_code, market, location_id.',
  flag: v1Gate,
  get request() {
    return { query: aggregateQuery('the market day’s start') };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpAggregate();
    },
  },
  csv: { filename: 'iso-lmp-daily.csv' },
  cache,
});

export const negativeV1 = defineRoute({
  ...common,
  id: 'listIsoLmpNegativeV1',
  method: 'GET',
  path: '/v1/iso/lmp/negative',
  version: 'v1',
  summary: 'Negative ISO LMP intervals of the last 7 days',
  description:
    'Intervals with price_total below zero in the 7 days ending at the newest interval among the rows the filters select. Ordered by price_total ascending, then interval_start, iso_code, market, location_id.',
  flag: v1Gate,
  get request() {
    return {
      query: z.object({
        iso_code: v1Filters().iso_code,
        market: v1Filters().market,
        ...v1Paging(200),
      }),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpPoint();
    },
  },
  csv: { filename: 'iso-lmp-negative.csv' },
  cache,
});

export const last24hV2 = defineRoute({
  ...common,
  id: 'listIsoLmpLast24hV2',
  method: 'GET',
  path: '/v2/iso/lmp/last-24h',
  version: 'v2',
  summary: 'ISO LMP values of the last 24 hours',
  description:
    'As /v1/iso/lmp/last-24h, one value (price_total) per interval, keyset-paged: interval_start descending, then market, location_id.',
  get request() {
    return { query: z.object({ ...v2Filters(), ...v2Paging() }) };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpValue();
    },
  },
  cache,
});

const v2AggregateQuery = once(() =>
  z.object({
    ...v2Filters(),
    date: marketDateParam('The market date on the ISO’s market clock'),
    ...v2Paging(),
  }),
);

export const hourlyV2 = defineRoute({
  ...common,
  id: 'listIsoLmpHourlyV2',
  method: 'GET',
  path: '/v2/iso/lmp/hourly',
  version: 'v2',
  summary: 'Hourly ISO LMP aggregates of one market date',
  description:
    'The clock hours of market date `date` on the ISO’s market clock (23, 24 or 25 of them), keyset-paged: interval_start, then market, location_id.',
  get request() {
    return { query: v2AggregateQuery() };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpAggregate();
    },
  },
  cache,
});

export const dailyV2 = defineRoute({
  ...common,
  id: 'listIsoLmpDailyV2',
  method: 'GET',
  path: '/v2/iso/lmp/daily',
  version: 'v2',
  summary: 'Daily ISO LMP aggregates of one market date',
  description: 'The market day `date` per location and market, keyset-paged by market, location_id.',
  get request() {
    return { query: v2AggregateQuery() };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpAggregate();
    },
  },
  cache,
});

interface BlocksQuery {
  iso: string;
  location_id: string;
  block: string;
  start: string;
  end: string;
}

/** The block must be one of the ISO's calendar; start..end at most 366 market days. */
const blockRules: QueryRule<BlocksQuery>[] = [
  (q) => {
    // A field that failed its own schema has its issue already.
    if (typeof q.iso !== 'string' || typeof q.block !== 'string') return undefined;
    const blocks = calendarBlocks(q.iso.toLowerCase());
    return blocks.ok && blocks.value.some((b) => b.toUpperCase() === q.block.toUpperCase())
      ? undefined
      : {
          field: 'block',
          message: `must be a block of the ${q.iso} calendar${blocks.ok ? `: ${blocks.value.join(', ')}` : ''}`,
          code: 'block_not_found',
        };
  },
  (q) =>
    typeof q.iso === 'string' && typeof q.location_id === 'string' && !findIsoNode(q.iso, q.location_id)
      ? {
          field: 'location_id',
          message: `must be a location of ${q.iso} (see /v1/metadata/locations)`,
          code: 'unknown_location',
        }
      : undefined,
  (q) => {
    if (parseMarketDate(String(q.start)) === null || parseMarketDate(String(q.end)) === null)
      return undefined;
    const days = daysBetween(q.start as MarketDate, q.end as MarketDate) + 1;
    if (days < 1) return { field: 'end', message: 'must not be before start', code: 'start_after_end' };
    return days > MAX_EXPAND_DAYS
      ? {
          field: 'end',
          message: `at most ${MAX_EXPAND_DAYS} days from start`,
          code: 'range_too_large',
          detail: `Date range too large: ${days} days. Maximum allowed: ${MAX_EXPAND_DAYS} days`,
        }
      : undefined;
  },
];

export const blocksV2 = defineRoute({
  ...common,
  id: 'listIsoLmpBlocksV2',
  method: 'GET',
  path: '/v2/iso/lmp/blocks',
  version: 'v2',
  summary: 'Block averages of ISO LMP per market day or month',
  description:
    'The mean of the hourly prices (a DA hour’s price, the mean of an RT hour’s 5-minute prices) over the block’s hours on the ISO’s calendar, market time, per market day or calendar month from start to end (both included, at most 366 days). hours_expected counts the block’s hours of the period, hours_used those with a price, so a partial period shows. Keyset-paged by period_start.',
  get request() {
    return {
      query: z
        .object({
          tenant_id: tenantParam(),
          iso: isoParam('ISO, e.g. PJM (any case); its calendar defines the block'),
          location_id: z.pipe(
            textParam({
              max: 64,
              pattern: LOCATION,
              description: 'Location id (any case)',
            }),
            z.transform((s: string) => s.toUpperCase()),
          ),
          block: textParam({
            max: 16,
            pattern: BLOCK,
            description: 'A block of the ISO’s calendar: ON_PEAK, OFF_PEAK, ATC, 2x16H or 7x8 (any case)',
          }),
          period: z._default(z.optional(z.enum(BLOCK_PERIODS)), 'month'),
          start: marketDateParam('First market date, included'),
          end: marketDateParam('Last market date, included'),
          market: z._default(z.optional(marketParam()), 'DA'),
          cursor: cursorParam(),
          limit: intParam({ min: 1, max: 100, default: 10 }),
        })
        .check(z.superRefine(queryRules(...blockRules))),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return IsoLmpBlock();
    },
  },
  cache,
});

export const isoDomain = defineDomain({
  name: 'iso',
  description: 'ISO locational marginal prices: intervals, hourly and daily aggregates, block averages',
  routes: [last24hV1, hourlyV1, dailyV1, negativeV1, last24hV2, hourlyV2, dailyV2, blocksV2],
});
