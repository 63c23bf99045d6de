import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import { AnswerTooLargeError } from '#lib/errors';
import { toCsv } from '#lib/http/csv';
import type { CursorCodec } from '#lib/paging/cursor';
import { keysetList } from '#lib/paging/list';
import { pageRequest } from '#lib/paging/page-request';
import {
  CURVE_KEY,
  type CurveFilters,
  curveDiffQuery,
  curvePointsQuery,
  curveSummaryQuery,
  DIFF_KEY,
  SUMMARY_KEY,
} from './queries.ts';
import {
  CURVE_COLUMNS,
  CURVE_DIMENSIONS,
  CURVE_MAX_LIMIT,
  type CurveDiffPoint,
  type CurvePoint,
} from './routes.ts';

/** CSV an export may hold: under Lambda's 6 MB response limit even base64-encoded (4/3 of it). */
export const EXPORT_MAX_BYTES = 4 * 1024 * 1024;
/** Rows one export reads at most (about 90 bytes of CSV each, so about the byte limit); more is a 422. */
export const EXPORT_MAX_ROWS = 45_000;

/** The CSV size of these points, from their values (separators, CRLF; quoting is rare and small). */
function csvBytes(points: readonly CurvePoint[]): number {
  let bytes = 0;
  for (const point of points) {
    bytes += CURVE_COLUMNS.length + 1;
    for (const column of CURVE_COLUMNS) {
      const value = point[column];
      if (value !== null && value !== undefined) bytes += Buffer.byteLength(String(value));
    }
  }
  return bytes;
}

const NARROWING = ['asof', 'iso', 'market', 'location', 'product', 'block'] as const;

function exportTooLarge(query: Partial<Record<(typeof NARROWING)[number], string>>, limits: ExportLimits) {
  const unset = NARROWING.filter((name) => query[name] === undefined);
  const megabytes = (limits.maxBytes / (1024 * 1024)).toFixed(0);
  return new AnswerTooLargeError(
    `This export has more than ${limits.maxRows} rows or ${megabytes} MB of CSV, more than one response may carry. ` +
      (unset.length > 0
        ? `Narrow it with ${unset.join(', ')} (one as-of date, one ISO, market or location at a time).`
        : 'Narrow it: export one location, product or block at a time.'),
    limits.maxBytes,
  );
}

export interface ExportLimits {
  maxRows: number;
  maxBytes: number;
}

export interface CurvesDeps {
  engine: SqlEngine;
  cursors: CursorCodec;
  /** Size limits of one export response (tests lower them). */
  exportLimits?: ExportLimits;
}

function pickFilters(query: Record<string, unknown>): CurveFilters {
  const filters: CurveFilters = {};
  for (const name of CURVE_DIMENSIONS) {
    const v = query[name];
    if (typeof v === 'string') filters[name] = v;
  }
  return filters;
}

const asNumber = (v: Row[string] | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);
const asText = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

function toPoint(row: Row): CurvePoint {
  return {
    curve_key: String(row.curve_key),
    tenor_label: String(row.tenor_label),
    tenor_type: asText(row.tenor_type),
    contract_month: asText(row.contract_month),
    asof_date: String(row.asof_date),
    mid: asNumber(row.mid),
    bid: asNumber(row.bid),
    ask: asNumber(row.ask),
    price_type: asText(row.price_type),
  };
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** diff_abs = mid_b − mid_a; diff_pct = diff_abs / mid_a, null when mid_a is 0 (or the change is absurd). */
export function toDiffPoint(row: Row): CurveDiffPoint {
  const a = asNumber(row.mid_a);
  const b = asNumber(row.mid_b);
  const diff = a === null || b === null ? null : round(b - a, 6);
  const pct = diff === null || a === null || a === 0 ? null : round(diff / a, 6);
  return {
    curve_key: String(row.curve_key),
    tenor_label: String(row.tenor_label),
    tenor_type: asText(row.tenor_type),
    contract_month: asText(row.contract_month),
    asof_a: String(row.asof_a),
    mid_a: a,
    asof_b: String(row.asof_b),
    mid_b: b,
    diff_abs: diff,
    diff_pct: pct === null || Math.abs(pct) > 1000 ? null : pct,
  };
}

function toSummary(row: Row) {
  const dims = ['iso', 'location', 'market', 'block', 'product']
    .map((k) => row[k])
    .filter((v) => v !== null && v !== undefined);
  return {
    id: String(row.curve_key),
    name: String(row.curve_key),
    description: dims.length > 0 ? dims.join(' ') : null,
    data_points: Number(row.data_points),
    created_at: asText(row.created_at),
    meta: {
      asset_class: asText(row.asset_class),
      iso: asText(row.iso),
      location: asText(row.location),
      market: asText(row.market),
      product: asText(row.product),
      block: asText(row.block),
    },
  };
}

interface PointFilters {
  filters: CurveFilters;
  asof?: string;
  latestCorrections: boolean;
}

const pointList = (name: string) =>
  keysetList({
    name,
    key: CURVE_KEY,
    query: (f: PointFilters, seek) => curvePointsQuery({ ...f, seek }),
    row: toPoint,
  });

/** The keyset lists of the curves API; each name binds its cursors to that list alone. */
const lists = {
  'v1-curves': pointList('v1-curves'),
  'v1-strips': pointList('v1-strips'),
  'v1-curves-diff': keysetList({
    name: 'v1-curves-diff',
    key: DIFF_KEY,
    query: (f: PointFilters & { asofA: string; asofB: string }, seek) => curveDiffQuery({ ...f, seek }),
    row: toDiffPoint,
  }),
  'v2-curves': keysetList({
    name: 'v2-curves',
    key: SUMMARY_KEY,
    query: (f: { nameFilter?: string }, seek) => curveSummaryQuery({ ...f, seek }),
    row: toSummary,
  }),
};

type Query = Record<string, unknown>;

export function createCurvesService(deps: CurvesDeps) {
  const { engine, cursors } = deps;
  const exportLimits = deps.exportLimits ?? { maxRows: EXPORT_MAX_ROWS, maxBytes: EXPORT_MAX_BYTES };
  const ports = { engine, cursors };

  /** Curve points or strips: the latest per curve and tenor, or one as-of date's; at most 500 a page. */
  function points(
    list: 'v1-curves' | 'v1-strips',
    query: Query & { asof?: string; limit: number; type?: string },
    io: QueryOptions,
    latestCorrections: boolean,
  ) {
    const filters = pickFilters(query);
    if (query.type !== undefined) filters.tenor_type = query.type;
    const size = Math.min(query.limit, CURVE_MAX_LIMIT);
    return lists[list].page(
      ports,
      query,
      { filters, asof: query.asof, latestCorrections },
      {
        ...io,
        size,
        meta: { limit: size },
      },
    );
  }

  /** The change of each curve's mid between two as-of dates. */
  function diff(
    query: Query & { asof_a: string; asof_b: string; limit: number },
    io: QueryOptions,
    latestCorrections: boolean,
  ) {
    const size = Math.min(query.limit, CURVE_MAX_LIMIT);
    const filters = {
      filters: pickFilters(query),
      asofA: query.asof_a,
      asofB: query.asof_b,
      latestCorrections,
    };
    return lists['v1-curves-diff'].page(ports, query, filters, { ...io, size, meta: { limit: size } });
  }

  /** Curves with their number of points (the v2 list). */
  function summaries(query: Query & { limit: number; name_filter?: string }, io: QueryOptions) {
    return lists['v2-curves'].page(
      ports,
      query,
      { nameFilter: query.name_filter },
      {
        ...io,
        size: query.limit,
        meta: { limit: query.limit },
      },
    );
  }

  /**
   * CSV of curve points in one query (a query with `asof` ranks that day's rows, so one capped query beats many
   * small ones), written `chunk_size` rows at a time. An export larger than one response may carry is
   * refused before its body is built: at most `maxRows` rows are read, and their CSV size is measured
   * from the values, so the caller hears how to narrow it instead of waiting for a timeout.
   */
  async function exportCsv(
    query: Query & { asof?: string; chunk_size: number },
    io: QueryOptions,
    latestCorrections: boolean,
  ) {
    const page = pageRequest('v2-curves-export', query, cursors);
    const rows = (
      await engine.query(
        curvePointsQuery({
          filters: pickFilters(query),
          asof: query.asof,
          seek: {
            direction: page.direction === 'first' ? 'first' : 'next',
            boundary: page.boundary,
            fetch: exportLimits.maxRows + 1,
          },
          latestCorrections,
        }),
        io,
      )
    ).map(toPoint);
    const bytes = rows.length > exportLimits.maxRows ? Number.POSITIVE_INFINITY : csvBytes(rows);
    if (bytes > exportLimits.maxBytes) throw exportTooLarge(query, exportLimits);
    const parts: string[] = [toCsv(CURVE_COLUMNS, [])];
    for (let written = 0; written < rows.length; written += query.chunk_size) {
      const text = toCsv(CURVE_COLUMNS, rows.slice(written, written + query.chunk_size));
      parts.push(text.slice(text.indexOf('\r\n') + 2));
    }
    return { body: parts.join(''), filterHash: page.filterHash };
  }

  /** One curve's change between two dates, every tenor at once. */
  async function curveDiff(
    curveId: string,
    query: { from_timestamp: string; to_timestamp: string },
    io: QueryOptions,
    latestCorrections: boolean,
  ) {
    const from = query.from_timestamp;
    const to = query.to_timestamp;
    const rows = await engine.query(
      curveDiffQuery({
        filters: { curve_key: curveId },
        asofA: from,
        asofB: to,
        seek: { direction: 'first', fetch: 10_000 },
        latestCorrections,
      }),
      io,
    );
    return {
      data: {
        id: curveId,
        name: curveId,
        description: `Diff between ${from} and ${to}`,
        data_points: rows.map(toDiffPoint),
        created_at: null,
      },
      meta: { from_timestamp: from, to_timestamp: to, version: 'v2' },
    };
  }

  return { points, diff, summaries, exportCsv, curveDiff };
}

export type CurvesService = ReturnType<typeof createCurvesService>;
