import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import { keyOf } from '#lib/data/keyset';
import { toCsv } from '#lib/http/csv';
import type { CursorCodec } from '#lib/http/cursor';
import { assemblePage } from '#lib/http/keyset';
import { type PageRequest, pageRequest } from '#lib/http/paging';
import { badRequest, type FieldError } from '#lib/http/problem';
import type { Boundary, RouteResult } from '#lib/http/route';
import {
  CURVE_DIMENSIONS,
  CURVE_KEY,
  type CurveFilters,
  curveDiffQuery,
  curvePointsQuery,
  curveSummaryQuery,
  DIFF_KEY,
  type Seek,
  SUMMARY_KEY,
} from './queries.ts';
import { CURVE_COLUMNS, type CurveDiffPoint, type CurvePoint } from './routes.ts';

/** The most rows one v1 page returns, whatever `limit` asks (reference §1.2, CURVE_MAX_LIMIT). */
export const CURVE_MAX_LIMIT = 500;
const MAX_DIFF_DAYS = 365;
/** Keeps an export inside API Gateway's 6 MB response limit once compressed and base64-encoded. */
export const EXPORT_MAX_BYTES = 4 * 1024 * 1024;
/** Rows one export response reads at most (about 90 bytes of CSV each, so about the byte limit). */
export const EXPORT_MAX_ROWS = 45_000;

export interface CurvesDeps {
  engine: SqlEngine;
  cursors: CursorCodec;
  /** Size limits of one export response (tests lower them). */
  exportLimits?: { maxRows: number; maxBytes: number };
}

function pickFilters(query: Record<string, unknown>): CurveFilters {
  const filters: CurveFilters = {};
  for (const name of CURVE_DIMENSIONS) {
    const v = query[name];
    if (typeof v === 'string') filters[name] = v;
  }
  return filters;
}

/**
 * The original's guardrails against unbounded scans (reference §1.2): broad queries may not ask for
 * large pages. Each refusal names the parameters that would make the query acceptable.
 */
export function checkGuardrails(
  filters: CurveFilters,
  limit: number,
  options: { requireCurveKey: boolean },
): void {
  const set = (name: keyof CurveFilters) => filters[name] !== undefined;
  const dims = CURVE_DIMENSIONS.filter(set).length;
  const refuse = (message: string) => {
    const error: FieldError = { field: 'query.limit', message, code: 'guardrail' };
    throw badRequest(`limit ${limit} is too large for this query: ${message}`, [error]);
  };
  if (dims === 0 && limit > 500) refuse('without filters, limit may be at most 500');
  if (dims === 1 && limit > 1000) refuse('with one filter, limit may be at most 1000');
  if (!set('iso') && !set('market') && !set('product') && limit > 500)
    refuse('set iso, market or product to ask for more than 500');
  if (!set('asset_class') && !set('location') && limit > 500)
    refuse('set asset_class or location to ask for more than 500');
  if (options.requireCurveKey && !set('curve_key') && limit > 500)
    refuse('set curve_key to ask for more than 500');
}

const seekFor = (page: PageRequest, pageSize: number): Seek => ({
  direction: page.direction,
  boundary: page.boundary,
  fetch: pageSize + 1,
});

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

function listResult<T extends Record<string, unknown>>(
  rows: T[],
  page: PageRequest,
  pageSize: number,
  key: (row: T) => Boundary,
  meta: Record<string, unknown>,
): RouteResult {
  const assembled = assemblePage(rows, { limit: pageSize, direction: page.direction, key });
  return {
    kind: 'list',
    data: assembled.rows,
    next: assembled.next as Boundary | undefined,
    prev: assembled.prev as Boundary | undefined,
    filterHash: page.filterHash,
    meta,
  };
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export interface PointsQueryInput extends Record<string, unknown> {
  asof?: string;
  limit: number;
  type?: string;
}

export function createCurvesService(deps: CurvesDeps) {
  const { engine, cursors } = deps;
  const exportLimits = deps.exportLimits ?? { maxRows: EXPORT_MAX_ROWS, maxBytes: EXPORT_MAX_BYTES };

  async function points(
    query: PointsQueryInput,
    options: QueryOptions & { latestCorrections: boolean; requireCurveKey: boolean; list: string },
  ): Promise<RouteResult> {
    const filters = pickFilters(query);
    if (query.type !== undefined) filters.tenor_type = query.type;
    checkGuardrails(filters, query.limit, { requireCurveKey: options.requireCurveKey });
    const page = pageRequest(options.list, query, cursors);
    const pageSize = Math.min(query.limit, CURVE_MAX_LIMIT);
    const rows = await engine.query(
      curvePointsQuery({
        filters,
        asof: query.asof,
        seek: seekFor(page, pageSize),
        latestCorrections: options.latestCorrections,
      }),
      options,
    );
    return listResult(rows.map(toPoint), page, pageSize, (r) => keyOf(CURVE_KEY, r), { limit: pageSize });
  }

  async function diff(
    query: Record<string, unknown> & { asof_a: string; asof_b: string; limit: number },
    options: QueryOptions & { latestCorrections: boolean },
  ): Promise<RouteResult> {
    const filters = pickFilters(query);
    if (query.asof_a === query.asof_b) {
      throw badRequest('asof_a and asof_b must differ', [
        { field: 'query.asof_b', message: 'must differ from asof_a', code: 'same_dates' },
      ]);
    }
    const span = Math.abs(daysBetween(query.asof_a, query.asof_b));
    if (span > MAX_DIFF_DAYS) {
      throw badRequest(`Date range too large: ${span} days. Maximum allowed: ${MAX_DIFF_DAYS} days`, [
        {
          field: 'query.asof_b',
          message: `at most ${MAX_DIFF_DAYS} days from asof_a`,
          code: 'range_too_large',
        },
      ]);
    }
    if (Object.keys(filters).length === 0) {
      throw badRequest(
        'A diff needs at least one filter (curve_key, asset_class, iso, location, market, product, block or tenor_type)',
        [{ field: 'query', message: 'set at least one dimension filter', code: 'filter_required' }],
      );
    }
    checkGuardrails(filters, query.limit, { requireCurveKey: false });
    const page = pageRequest('v1-curves-diff', query, cursors);
    const pageSize = Math.min(query.limit, CURVE_MAX_LIMIT);
    const rows = await engine.query(
      curveDiffQuery({
        filters,
        asofA: query.asof_a,
        asofB: query.asof_b,
        seek: seekFor(page, pageSize),
        latestCorrections: options.latestCorrections,
      }),
      options,
    );
    return listResult(rows.map(toDiffPoint), page, pageSize, (r) => keyOf(DIFF_KEY, r), { limit: pageSize });
  }

  async function summaries(
    query: Record<string, unknown> & { limit: number; name_filter?: string },
    options: QueryOptions,
  ): Promise<RouteResult> {
    const page = pageRequest('v2-curves', query, cursors);
    const rows = await engine.query(
      curveSummaryQuery({ nameFilter: query.name_filter, seek: seekFor(page, query.limit) }),
      options,
    );
    const data = rows.map((row) => {
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
    });
    return listResult(data, page, query.limit, (r) => keyOf(SUMMARY_KEY, { curve_key: r.id }), {
      limit: query.limit,
    });
  }

  /**
   * CSV of curve points in one query (each query re-ranks the table, so one capped query beats many
   * small ones), written `chunk_size` rows at a time and cut at a chunk boundary before the response
   * size limit, with X-Next-Cursor to continue.
   */
  async function exportCsv(
    query: Record<string, unknown> & { asof?: string; chunk_size: number },
    options: QueryOptions & { latestCorrections: boolean },
  ): Promise<RouteResult> {
    const page = pageRequest('v2-curves-export', query, cursors);
    const fetched = (
      await engine.query(
        curvePointsQuery({
          filters: pickFilters(query),
          asof: query.asof,
          seek: {
            direction: page.direction === 'first' ? 'first' : 'next',
            boundary: page.boundary,
            fetch: exportLimits.maxRows + 1,
          },
          latestCorrections: options.latestCorrections,
        }),
        options,
      )
    ).map(toPoint);
    const rows = fetched.slice(0, exportLimits.maxRows);
    const parts: string[] = [toCsv(CURVE_COLUMNS, [])];
    let bytes = 0;
    let written = 0;
    while (written < rows.length && bytes < exportLimits.maxBytes) {
      const text = toCsv(CURVE_COLUMNS, rows.slice(written, written + query.chunk_size));
      const body = text.slice(text.indexOf('\r\n') + 2);
      parts.push(body);
      bytes += Buffer.byteLength(body);
      written = Math.min(rows.length, written + query.chunk_size);
    }
    const headers: Record<string, string> = {
      'Content-Disposition': `attachment; filename="curve_export_${query.asof ?? 'all'}.csv"`,
    };
    if (written < fetched.length && written > 0) {
      headers['X-Next-Cursor'] = cursors.encode(
        keyOf(CURVE_KEY, rows[written - 1]!),
        'next',
        page.filterHash,
      );
    }
    return { kind: 'document', body: parts.join(''), contentType: 'text/csv; charset=utf-8', headers };
  }

  async function curveDiff(
    curveId: string,
    query: { from_timestamp: string; to_timestamp: string },
    options: QueryOptions & { latestCorrections: boolean; requestId: string; startedAt: number },
  ): Promise<RouteResult> {
    const from = query.from_timestamp;
    const to = query.to_timestamp;
    if (from === to) {
      throw badRequest('from_timestamp and to_timestamp must be on different days', [
        { field: 'query.to_timestamp', message: 'must differ from from_timestamp', code: 'same_dates' },
      ]);
    }
    const span = Math.abs(daysBetween(from, to));
    if (span > MAX_DIFF_DAYS) {
      throw badRequest(`Date range too large: ${span} days. Maximum allowed: ${MAX_DIFF_DAYS} days`, [
        {
          field: 'query.to_timestamp',
          message: `at most ${MAX_DIFF_DAYS} days from from_timestamp`,
          code: 'range_too_large',
        },
      ]);
    }
    const rows = await engine.query(
      curveDiffQuery({
        filters: { curve_key: curveId },
        asofA: from,
        asofB: to,
        seek: { direction: 'first', fetch: 10_000 },
        latestCorrections: options.latestCorrections,
      }),
      options,
    );
    return {
      kind: 'object',
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
