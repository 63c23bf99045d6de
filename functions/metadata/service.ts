import type { QueryOptions, SqlEngine } from '#lib/data/engine';
import { InvalidInputError, NotFoundError } from '#lib/errors';
import type { CursorCodec } from '#lib/paging/cursor';
import type { KeyColumn } from '#lib/paging/keyset';
import type { Page } from '#lib/paging/list';
import { memoryPage } from '#lib/paging/memory-page';
import { pageRequest } from '#lib/paging/page-request';
import { findIsoNode, type IsoNode, isoNodes, isoNodesOf } from '#lib/reference/iso-nodes';
import { canonicalUnits, UNIT_MAPPINGS } from '#lib/reference/units';
import {
  blockHours,
  type CalendarError,
  type CalendarResult,
  calendarBlocks,
  calendarIntervals,
  expandBlock,
  listCalendars,
} from '#lib/time/calendar-queries';
import { dimensionValuesQuery } from './queries.ts';
import { DIMENSIONS, type Dimension } from './routes.ts';

export interface MetadataDeps {
  /** Opened on first use: only the dimensions routes read the warehouse; the rest is reference data. */
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const varchar = (...names: string[]): KeyColumn[] => names.map((name) => ({ name, type: 'varchar' }));
const LOCATION_KEY = varchar('iso', 'location_id');
const V2_LOCATION_KEY = varchar('location_id');
const UNIT_MAPPING_KEY = varchar('units_raw');
const UNIT_PAIR_KEY = varchar('currency', 'per_unit');
const NAME_KEY = varchar('name');
const DIMENSION_KEY = varchar('dimension');

const startsWith = (value: string, prefix: string | undefined) =>
  prefix === undefined || value.toLowerCase().startsWith(prefix.toLowerCase());

/** The calendar module's typed failures, in the domain's errors: unknown names 404, bad input 400s. */
function unwrap<T>(result: CalendarResult<T>): T {
  if (result.ok) return result.value;
  const error: CalendarError = result.error;
  switch (error.kind) {
    case 'calendar_not_found':
      throw new NotFoundError('Calendar not found');
    case 'block_not_found':
      throw new NotFoundError(`Block not found in calendar ${error.calendar}`);
    case 'invalid_date':
      throw new InvalidInputError(`${error.field} is not a market date`, [
        {
          field: `query.${error.field}`,
          message: 'must be a calendar date YYYY-MM-DD',
          code: 'invalid_date',
        },
      ]);
    case 'end_before_start':
      throw new InvalidInputError('end is before start', [
        { field: 'query.end', message: 'must not be before start', code: 'end_before_start' },
      ]);
    case 'range_too_long':
      throw new InvalidInputError(
        `Date range too large: ${error.days} days. Maximum allowed: ${error.maxDays} days`,
        [
          {
            field: 'query.end',
            message: `at most ${error.maxDays} days from start`,
            code: 'range_too_large',
          },
        ],
      );
  }
}

const v1Location = (n: IsoNode) => ({
  iso: n.iso,
  location_id: n.location_id,
  location_name: n.location_name,
  location_type: n.location_type,
  zone: n.zone,
  hub: n.hub,
  timezone: n.timezone,
});

type Query = Record<string, unknown>;
type Values = Record<Dimension, { value: string; count: number }[]>;

export function createMetadataService(deps: MetadataDeps) {
  const { engine, cursors } = deps;

  async function dimensionValues(
    query: Query & { asof?: string; prefix?: string },
    perDimLimit: number,
    byCount: boolean,
    io: QueryOptions,
  ): Promise<Values> {
    const filters: Partial<Record<Dimension, string>> = {};
    for (const name of DIMENSIONS) if (typeof query[name] === 'string') filters[name] = query[name] as string;
    const rows = await (await engine()).query(
      dimensionValuesQuery({ filters, asof: query.asof, perDimLimit, prefix: query.prefix, byCount }),
      io,
    );
    const values = Object.fromEntries(DIMENSIONS.map((d) => [d, []])) as unknown as Values;
    for (const row of rows) {
      const list = values[String(row.dimension) as Dimension];
      list?.push({ value: String(row.value), count: Number(row.n) });
    }
    return values;
  }

  return {
    /** v1: each dimension's distinct values (code point order), with row counts when asked. */
    async dimensions(
      query: Query & { per_dim_limit: number; include_counts: boolean; asof?: string; prefix?: string },
      io: QueryOptions,
    ) {
      const values = await dimensionValues(query, query.per_dim_limit, query.include_counts, io);
      const lists = Object.fromEntries(
        DIMENSIONS.map((d) => [d, values[d].map((v) => v.value).sort(byCode)]),
      ) as Record<Dimension, string[]>;
      return {
        data: { ...lists, counts: query.include_counts ? values : null },
        meta: { per_dim_limit: query.per_dim_limit },
      };
    },

    locations(
      query: Query & { iso?: string; prefix?: string; limit: number },
    ): Page<ReturnType<typeof v1Location>> {
      const nodes = query.iso === undefined ? isoNodes() : isoNodesOf(query.iso);
      const items = nodes
        .filter((n) => startsWith(n.location_id, query.prefix) || startsWith(n.location_name, query.prefix))
        .map(v1Location);
      return memoryPage({
        list: 'v1-locations',
        key: LOCATION_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    location(iso: string, locationId: string) {
      const node = findIsoNode(iso, locationId);
      if (node === undefined) throw new NotFoundError('Location not found');
      return { data: v1Location(node) };
    },

    units(prefix: string | undefined) {
      const { currencies, units } = canonicalUnits();
      return {
        data: {
          currencies: currencies.filter((c) => startsWith(c, prefix)),
          units: units.filter((u) => startsWith(u, prefix)),
        },
      };
    },

    unitMappings(query: Query & { prefix?: string; limit: number }) {
      const items = UNIT_MAPPINGS.filter((m) => startsWith(m.units_raw, query.prefix)).map((m) => ({ ...m }));
      return memoryPage({
        list: 'v1-units-mapping',
        key: UNIT_MAPPING_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    calendars(query: Query & { limit: number }) {
      const items = listCalendars().map(({ name, timezone }) => ({ name, timezone }));
      return memoryPage({
        list: 'v1-calendars',
        key: NAME_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    blocks(name: string) {
      return { data: unwrap(calendarBlocks(name)) };
    },

    hours(name: string, query: { block: string; date: string }) {
      return { data: unwrap(blockHours(name, query.block, query.date)) };
    },

    expand(name: string, query: { block: string; start: string; end: string }) {
      return { data: unwrap(expandBlock(name, query.block, query.start, query.end)) };
    },

    /** v2: the seven dimensions are the items, each with its values (at most 500, code point order). */
    async dimensionsV2(query: Query & { asof?: string; limit: number }, io: QueryOptions) {
      pageRequest('v2-dimensions', query, cursors); // a bad cursor is refused before the query runs
      const values = await dimensionValues({ asof: query.asof }, 500, false, io);
      const items = DIMENSIONS.map((dimension) => {
        const list = values[dimension].map((v) => v.value).sort(byCode);
        return { dimension, values: list, asof: query.asof ?? 'latest', meta: { count: list.length } };
      });
      return memoryPage({
        list: 'v2-dimensions',
        key: DIMENSION_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
        meta: { total: DIMENSIONS.length },
      });
    },

    locationsV2(query: Query & { iso: string; limit: number }) {
      const items = isoNodesOf(query.iso).map((n) => ({
        iso: n.iso,
        location_id: n.location_id,
        name: n.location_name,
        latitude: n.latitude,
        longitude: n.longitude,
      }));
      return memoryPage({
        list: 'v2-locations',
        key: V2_LOCATION_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    unitsV2(query: Query & { limit: number }) {
      const pairs = new Map(UNIT_MAPPINGS.map((m) => [`${m.currency}\u0000${m.per_unit}`, m]));
      const items = [...pairs.values()].map(({ currency, per_unit }) => ({ currency, per_unit }));
      return memoryPage({
        list: 'v2-units',
        key: UNIT_PAIR_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    calendarsV2(query: Query & { limit: number }) {
      return memoryPage({
        list: 'v2-calendars',
        key: NAME_KEY,
        items: listCalendars().map((c) => ({ ...c })),
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    intervals(name: string, query: { date: string; block?: string }) {
      const intervals = unwrap(calendarIntervals(name, query.date, query.block));
      const calendar = listCalendars().find((c) => c.name === name.toLowerCase());
      return {
        data: intervals,
        meta: {
          calendar: calendar?.name ?? name,
          timezone: calendar?.timezone ?? '',
          hours: intervals.length,
        },
      };
    },
  };
}

export type MetadataService = ReturnType<typeof createMetadataService>;
