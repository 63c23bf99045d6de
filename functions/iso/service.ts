import { isoTimestamp } from '#lib/data/column-values';
import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { SqlQuery } from '#lib/data/sql';
import type { CursorCodec } from '#lib/paging/cursor';
import { assemblePage, type KeyColumn, keyOf, type Seek } from '#lib/paging/keyset';
import { type KeysetList, keysetList, type Page } from '#lib/paging/list';
import { pageRequest } from '#lib/paging/page-request';
import { ISO_CODES, type IsoCode, marketTimeZone } from '#lib/reference/iso-nodes';
import { calendarBlocks, expandBlock } from '#lib/time/calendar-queries';
import { formatLocal, formatUtc } from '#lib/time/iso-format';
import { addDays, type MarketDate, marketDateAt, parseMarketDate } from '#lib/time/market-date';
import { marketDayBounds, marketDayStart } from '#lib/time/market-day';
import { wallClockAt } from '#lib/time/time-zone';
import {
  DAILY_KEY,
  dailyQuery,
  HOURLY_KEY,
  hourlyPricesQuery,
  hourlyQuery,
  type LmpFilter,
  NEGATIVE_KEY,
  POINT_KEY,
  pointsQuery,
  V2_DAILY_KEY,
  V2_HOURLY_KEY,
  V2_POINT_KEY,
} from './queries.ts';
import type { IsoLmpAggregate, IsoLmpBlock, IsoLmpPoint, IsoLmpValue } from './routes.ts';

export interface IsoDeps {
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
}

const MS_PER_HOUR = 3_600_000;

/** Averages and deviations to 6 decimals: stable across engines whatever order they summed in. */
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const instant = (v: Row[string] | undefined) => isoTimestamp(v) ?? '';
const tzOf = (iso: string) => marketTimeZone(iso as IsoCode);

function object(v: Row[string] | undefined): Record<string, unknown> {
  if (typeof v !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The interval contract of an interval within one market hour: its market date and hour ending on the ISO's
 * clock, and whether that hour is the second occurrence of a repeated (fall-back) hour.
 */
export function intervalContract(timezone: string, startMs: number, endMs: number) {
  const wall = wallClockAt(timezone, startMs);
  return {
    interval_start_utc: formatUtc(startMs),
    interval_end_utc: formatUtc(endMs),
    interval_start_local: formatLocal(timezone, startMs),
    market_date: marketDateAt(timezone, startMs) as string,
    hour_ending: wall.hour + 1,
    // An hour earlier the clock read the same hour only in the repeated hour of a fall-back day.
    dst_repeat: wallClockAt(timezone, startMs - MS_PER_HOUR).hour === wall.hour,
  };
}

/** The contract of a span of whole market days, `first` to `last`: no single hour, so no hour ending. */
export function daysContract(timezone: string, first: MarketDate, last: MarketDate) {
  const start = marketDayStart(timezone, first);
  const end = marketDayStart(timezone, addDays(last, 1));
  return {
    interval_start_utc: formatUtc(start),
    interval_end_utc: formatUtc(end),
    interval_start_local: formatLocal(timezone, start),
    market_date: first as string,
    hour_ending: null,
    dst_repeat: false,
  };
}

function toPoint(row: Row): IsoLmpPoint {
  const start = instant(row.interval_start);
  const end = instant(row.interval_end);
  return {
    iso_code: String(row.iso_code),
    market: String(row.market),
    delivery_date: String(row.delivery_date),
    interval_start: start,
    interval_end: end,
    interval_minutes: Number(row.interval_minutes),
    location_id: String(row.location_id),
    location_name: text(row.location_name),
    location_type: text(row.location_type),
    price_total: Number(row.price_total),
    price_energy: Number(row.price_energy),
    price_congestion: Number(row.price_congestion),
    price_loss: Number(row.price_loss),
    currency: String(row.currency),
    uom: String(row.uom),
    settlement_point: text(row.settlement_point),
    source_run_id: text(row.source_run_id),
    ingest_ts: instant(row._ingest_ts),
    record_hash: String(row.record_hash),
    metadata: object(row.metadata),
    ...intervalContract(tzOf(String(row.iso_code)), Date.parse(start), Date.parse(end)),
  };
}

function toValue(row: Row): IsoLmpValue {
  const p = toPoint(row);
  return {
    timestamp: p.interval_start,
    location_id: p.location_id,
    market: p.market,
    value: p.price_total,
    unit: `${p.currency}/${p.uom}`,
    interval_start_utc: p.interval_start_utc,
    interval_end_utc: p.interval_end_utc,
    interval_start_local: p.interval_start_local,
    market_date: p.market_date,
    hour_ending: p.hour_ending,
    dst_repeat: p.dst_repeat,
  };
}

const stats = (row: Row) => ({
  currency: String(row.currency),
  uom: String(row.uom),
  price_avg: round6(Number(row.price_avg)),
  price_min: Number(row.price_min),
  price_max: Number(row.price_max),
  price_stddev: row.price_stddev === null ? null : round6(Number(row.price_stddev)),
  sample_count: Number(row.sample_count),
});

function toHourly(row: Row): IsoLmpAggregate {
  const start = instant(row.interval_start);
  const startMs = Date.parse(start);
  return {
    iso_code: String(row.iso_code),
    market: String(row.market),
    interval_start: start,
    location_id: String(row.location_id),
    ...stats(row),
    delivery_date: String(row.delivery_date),
    ...intervalContract(tzOf(String(row.iso_code)), startMs, startMs + MS_PER_HOUR),
  };
}

function toDaily(row: Row): IsoLmpAggregate {
  const timezone = tzOf(String(row.iso_code));
  const date = String(row.delivery_date) as MarketDate;
  return {
    iso_code: String(row.iso_code),
    market: String(row.market),
    interval_start: new Date(marketDayStart(timezone, date)).toISOString(),
    location_id: String(row.location_id),
    ...stats(row),
    delivery_date: date,
    ...daysContract(timezone, date, date),
  };
}

const list = <T>(
  name: string,
  key: readonly KeyColumn[],
  query: (f: LmpFilter, seek: Seek) => SqlQuery,
  row: (r: Row) => T,
) => keysetList<LmpFilter, T>({ name, key, query, row });

/** The keyset lists of the ISO API; each name binds its cursors to that list alone. */
const lists = {
  v1Last24h: list(
    'v1-iso-lmp-last-24h',
    POINT_KEY,
    (f, s) => pointsQuery(f, 'last-24h', POINT_KEY, s),
    toPoint,
  ),
  v1Negative: list(
    'v1-iso-lmp-negative',
    NEGATIVE_KEY,
    (f, s) => pointsQuery(f, 'negative-7d', NEGATIVE_KEY, s),
    toPoint,
  ),
  v1Hourly: list('v1-iso-lmp-hourly', HOURLY_KEY, (f, s) => hourlyQuery(f, HOURLY_KEY, s), toHourly),
  v1Daily: list('v1-iso-lmp-daily', DAILY_KEY, (f, s) => dailyQuery(f, DAILY_KEY, s), toDaily),
  v2Last24h: list(
    'v2-iso-lmp-last-24h',
    V2_POINT_KEY,
    (f, s) => pointsQuery(f, 'last-24h', V2_POINT_KEY, s),
    toValue,
  ),
  v2Hourly: list('v2-iso-lmp-hourly', V2_HOURLY_KEY, (f, s) => hourlyQuery(f, V2_HOURLY_KEY, s), toHourly),
  v2Daily: list('v2-iso-lmp-daily', V2_DAILY_KEY, (f, s) => dailyQuery(f, V2_DAILY_KEY, s), toDaily),
};

/** `2025-09-26T04:00:00.000Z` → `2025-09-26T04:00:00`, the engines' UTC timestamp parameter. */
const utcParam = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** Hourly buckets that start within [start, end]: raw intervals from the first whole hour to the end's hour. */
function hourBounds(start?: string, end?: string): Pick<LmpFilter, 'from' | 'until'> {
  const out: Pick<LmpFilter, 'from' | 'until'> = {};
  if (start !== undefined) out.from = utcParam(Math.ceil(Date.parse(start) / MS_PER_HOUR) * MS_PER_HOUR);
  if (end !== undefined)
    out.until = utcParam(Math.floor(Date.parse(end) / MS_PER_HOUR) * MS_PER_HOUR + MS_PER_HOUR);
  return out;
}

/** Per ISO, the market dates whose first instant lies within [start, end]. */
function dayBounds(isos: readonly string[], start?: string, end?: string): LmpFilter['dates'] {
  if (start === undefined && end === undefined) return undefined;
  return isos.map((iso) => {
    const timezone = tzOf(iso);
    let first = '1900-01-01' as MarketDate;
    if (start !== undefined) {
      const startMs = Date.parse(start);
      first = marketDateAt(timezone, startMs);
      if (marketDayStart(timezone, first) < startMs) first = addDays(first, 1);
    }
    const last = end === undefined ? '2999-12-31' : marketDateAt(timezone, Date.parse(end));
    return [iso, first, last] as const;
  });
}

type Query = Record<string, unknown> & { limit: number };
interface V1Query extends Query {
  iso_code?: string;
  market?: string;
  location_id?: string;
  start?: string;
  end?: string;
}
interface V2Query extends Query {
  iso: string;
  market?: string;
  location_id?: string;
}
interface BlocksQuery extends Query {
  iso: string;
  location_id: string;
  block: string;
  period: 'day' | 'month';
  start: string;
  end: string;
  market: string;
}

const BLOCK_KEY: readonly KeyColumn[] = [{ name: 'period_start', type: 'varchar' }];

export function createIsoService(deps: IsoDeps) {
  const { cursors } = deps;
  async function page<T>(l: KeysetList<LmpFilter, T>, query: Query, filter: LmpFilter, io: QueryOptions) {
    // A bad cursor is refused before the engine opens.
    l.position(query, cursors);
    const ports = { engine: await deps.engine(), cursors };
    return l.page(ports, query, filter, { ...io, size: query.limit, meta: { limit: query.limit } });
  }
  const v1Filter = (q: V1Query): LmpFilter => ({
    iso: q.iso_code,
    market: q.market,
    locationId: q.location_id,
  });
  const v2Filter = (q: V2Query): LmpFilter => ({ iso: q.iso, market: q.market, locationId: q.location_id });

  return {
    last24hV1: (q: V1Query, io: QueryOptions) => page(lists.v1Last24h, q, v1Filter(q), io),

    last24hV2: (q: V2Query, io: QueryOptions) => page(lists.v2Last24h, q, v2Filter(q), io),

    negative: (q: V1Query, io: QueryOptions) =>
      page(lists.v1Negative, q, { iso: q.iso_code, market: q.market }, io),

    hourlyV1: (q: V1Query, io: QueryOptions) =>
      page(lists.v1Hourly, q, { ...v1Filter(q), ...hourBounds(q.start, q.end) }, io),

    dailyV1: (q: V1Query, io: QueryOptions) =>
      page(
        lists.v1Daily,
        q,
        { ...v1Filter(q), dates: dayBounds(q.iso_code ? [q.iso_code] : ISO_CODES, q.start, q.end) },
        io,
      ),

    hourlyV2: (q: V2Query & { date: string }, io: QueryOptions) => {
      const { startEpochMs, endEpochMs } = marketDayBounds(tzOf(q.iso), q.date as MarketDate);
      return page(
        lists.v2Hourly,
        q,
        { ...v2Filter(q), from: utcParam(startEpochMs), until: utcParam(endEpochMs) },
        io,
      );
    },

    dailyV2: (q: V2Query & { date: string }, io: QueryOptions) =>
      page(lists.v2Daily, q, { ...v2Filter(q), dates: [[q.iso, q.date, q.date]] }, io),

    /** Block averages: the calendar says which hours count, the hourly means say what they cost. */
    async blocks(q: BlocksQuery, io: QueryOptions): Promise<Page<IsoLmpBlock>> {
      const at = pageRequest('v2-iso-lmp-blocks', q, cursors);
      const calendar = q.iso.toLowerCase();
      const hours = expandBlock(calendar, q.block, q.start, q.end);
      if (!hours.ok) throw new Error(`block hours unavailable: ${hours.error.kind}`); // the route validated both
      const timezone = tzOf(q.iso);
      const start = parseMarketDate(q.start)!;
      const end = parseMarketDate(q.end)!;
      const prices = await (await deps.engine()).query(
        hourlyPricesQuery({
          iso: q.iso,
          market: q.market,
          locationId: q.location_id,
          from: utcParam(marketDayStart(timezone, start)),
          until: utcParam(marketDayStart(timezone, addDays(end, 1))),
        }),
        io,
      );
      const priceAt = new Map(prices.map((r) => [Number(r.start_s) * 1000, Number(r.price)]));
      const unit = prices[0] ?? { currency: 'USD', uom: 'MWh' };
      const names = calendarBlocks(calendar);
      const blockName =
        (names.ok ? names.value.find((b) => b.toUpperCase() === q.block.toUpperCase()) : undefined) ??
        q.block;
      interface Period {
        first: string;
        last: string;
        used: number[];
        expected: number;
      }
      const periods = new Map<string, Period>();
      for (const local of hours.value) {
        const date = local.slice(0, 10);
        const periodKey = q.period === 'day' ? date : date.slice(0, 7);
        let p = periods.get(periodKey);
        if (p === undefined) {
          p = { first: date, last: date, used: [], expected: 0 };
          periods.set(periodKey, p);
        }
        p.last = date;
        p.expected += 1;
        const price = priceAt.get(Date.parse(local));
        if (price !== undefined) p.used.push(price);
      }
      const items: IsoLmpBlock[] = [...periods.values()].map((p) => {
        const sum = p.used.reduce((a, b) => a + b, 0);
        // A month period spans its days within start..end, whether or not the block has hours on its edges.
        const first = (
          q.period === 'month' ? maxDate(`${p.first.slice(0, 7)}-01`, q.start) : p.first
        ) as MarketDate;
        const last = (q.period === 'month' ? minDate(monthEnd(p.first), q.end) : p.last) as MarketDate;
        return {
          iso: q.iso,
          location_id: q.location_id,
          market: q.market,
          block: blockName,
          period: q.period,
          period_start: first,
          period_end: last,
          price_avg: p.used.length === 0 ? null : round6(sum / p.used.length),
          price_min: p.used.length === 0 ? null : Math.min(...p.used),
          price_max: p.used.length === 0 ? null : Math.max(...p.used),
          hours_used: p.used.length,
          hours_expected: p.expected,
          currency: String(unit.currency),
          uom: String(unit.uom),
          ...daysContract(timezone, first, last),
        };
      });
      const keyed = (row: IsoLmpBlock) => keyOf(BLOCK_KEY, row);
      const boundary = String(at.boundary?.[0] ?? '');
      const fetch = q.limit + 1;
      const fetched =
        at.direction === 'first'
          ? items.slice(0, fetch)
          : at.direction === 'next'
            ? items.filter((r) => r.period_start > boundary).slice(0, fetch)
            : items
                .filter((r) => r.period_start < boundary)
                .reverse()
                .slice(0, fetch);
      const assembled = assemblePage(fetched, { limit: q.limit, direction: at.direction, key: keyed });
      return {
        rows: assembled.rows,
        ...(assembled.next ? { next: assembled.next } : {}),
        ...(assembled.prev ? { prev: assembled.prev } : {}),
        filterHash: at.filterHash,
        meta: { limit: q.limit },
      };
    },
  };
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);
function monthEnd(date: string): string {
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  return addDays(
    parseMarketDate(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`)!,
    -1,
  );
}

export type IsoService = ReturnType<typeof createIsoService>;
