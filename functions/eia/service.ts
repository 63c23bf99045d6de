import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import { NotFoundError } from '#lib/errors';
import type { CursorCodec } from '#lib/paging/cursor';
import type { KeyColumn } from '#lib/paging/keyset';
import { keysetList } from '#lib/paging/list';
import { memoryPage } from '#lib/paging/memory-page';
import { pageRequest } from '#lib/paging/page-request';
import { type EiaDataset, eiaDataset, eiaDatasets } from '#lib/reference/eia-datasets';
import { periodInterval } from '#lib/time/period-interval';
import { dimensionsQuery, lastLoadedQuery, SERIES_KEY, type SeriesFilters, seriesQuery } from './queries.ts';
import {
  DIMENSION_NAMES,
  type EiaDimensions,
  type EiaSeriesPoint,
  type EiaSeriesPointV2,
  SERIES_FILTERS,
} from './routes.ts';

export interface EiaDeps {
  /** Opened on first use: the catalog routes of v1 never read the warehouse. */
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
}

const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const num = (v: Row[string] | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** The metadata column (JSON text) as an object; anything else is an empty object. */
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

/** Rows whose zone is missing are read on UTC's clock rather than refused. */
const interval = (row: Row) =>
  periodInterval(
    text(row.time_zone) ?? 'UTC',
    Date.parse(String(row.period_start)),
    Date.parse(String(row.period_end)),
  );

function toPoint(row: Row): EiaSeriesPoint {
  return {
    series_id: String(row.series_id),
    period: String(row.period),
    period_start: String(row.period_start),
    period_end: String(row.period_end),
    frequency: String(row.frequency),
    value: num(row.value),
    raw_value: text(row.raw_value),
    unit: text(row.unit_raw),
    canonical_unit: text(row.unit_normalized),
    canonical_currency: text(row.currency_normalized),
    canonical_value: num(row.canonical_value),
    conversion_factor: num(row.conversion_factor),
    area: text(row.area),
    sector: text(row.sector),
    seasonal_adjustment: text(row.seasonal_adjustment),
    description: text(row.description),
    source: text(row.source),
    dataset: text(row.dataset),
    metadata: object(row.metadata),
    ingest_ts: text(row.ingest_ts),
    ...interval(row),
  };
}

function toPointV2(row: Row): EiaSeriesPointV2 {
  return {
    series_id: String(row.series_id),
    period: String(row.period),
    period_start: String(row.period_start),
    value: num(row.value),
    unit: text(row.unit_raw) ?? 'unknown',
    ...interval(row),
    meta: {
      frequency: String(row.frequency),
      dataset: text(row.dataset),
      area: text(row.area),
      canonical_unit: text(row.unit_normalized),
      canonical_currency: text(row.currency_normalized),
      canonical_value: num(row.canonical_value),
      conversion_factor: num(row.conversion_factor),
    },
  };
}

/** The keyset lists; each name binds its cursors to that list alone. */
const lists = {
  v1: keysetList({ name: 'v1-eia-series', key: SERIES_KEY, query: seriesQuery, row: toPoint }),
  v2: keysetList({ name: 'v2-eia-series', key: SERIES_KEY, query: seriesQuery, row: toPointV2 }),
};

const PATH_KEY: readonly KeyColumn[] = [{ name: 'path', type: 'varchar' }];
const DATASET_PATH_KEY: readonly KeyColumn[] = [{ name: 'dataset_path', type: 'varchar' }];

const brief = (d: EiaDataset) => ({
  path: d.path,
  name: d.name,
  description: d.description,
  default_frequency: d.default_frequency,
  start_period: d.start_period,
  end_period: d.end_period,
});

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Query = Record<string, unknown>;

function filtersOf(query: object): SeriesFilters {
  const f: SeriesFilters = {};
  for (const name of SERIES_FILTERS()) {
    const v = (query as Record<string, unknown>)[name];
    if (typeof v === 'string') f[name] = v;
  }
  return f;
}

export function createEiaService(deps: EiaDeps) {
  const { cursors } = deps;

  async function dimensions(query: Query, io: QueryOptions): Promise<{ data: EiaDimensions }> {
    const engine = await deps.engine();
    const rows = await engine.query(dimensionsQuery(filtersOf(query)), io);
    const columns: Record<(typeof DIMENSION_NAMES)[number], string> = {
      dataset: 'dataset',
      area: 'area',
      sector: 'sector',
      unit: 'unit_raw',
      canonical_unit: 'unit_normalized',
      canonical_currency: 'currency_normalized',
      frequency: 'frequency',
      source: 'source',
    };
    const data = Object.fromEntries(
      DIMENSION_NAMES.map((d) => {
        const values = new Set<string>();
        for (const row of rows) {
          const v = row[columns[d]];
          if (v !== null && v !== undefined) values.add(String(v));
        }
        return [d, [...values].sort(byCode)];
      }),
    ) as EiaDimensions;
    return { data };
  }

  return {
    datasets(query: { prefix?: string; limit: number } & Query) {
      const prefix = query.prefix?.toLowerCase();
      const items = eiaDatasets()
        .filter(
          (d) =>
            prefix === undefined ||
            d.path.toLowerCase().startsWith(prefix) ||
            d.name.toLowerCase().startsWith(prefix),
        )
        .map(brief);
      return memoryPage({
        list: 'v1-eia-datasets',
        key: PATH_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
      });
    },

    dataset(path: string) {
      const found = eiaDataset(path);
      if (!found) throw new NotFoundError('Dataset not found');
      return { data: found };
    },

    async datasetsV2(query: { limit: number } & Query, io: QueryOptions) {
      pageRequest('v2-eia-datasets', query, cursors); // a bad cursor is refused before the query runs
      const engine = await deps.engine();
      const loaded = new Map(
        (await engine.query(lastLoadedQuery(), io)).map((r) => [String(r.dataset), text(r.last_updated)]),
      );
      const items = eiaDatasets().map((d) => ({
        dataset_path: d.path,
        title: d.name,
        description: d.description,
        last_updated: loaded.get(d.path) ?? 'unknown',
        meta: {
          default_frequency: d.default_frequency,
          frequencies: d.frequencies.map((f) => f.id),
          start_period: d.start_period,
          end_period: d.end_period,
        },
      }));
      return memoryPage({
        list: 'v2-eia-datasets',
        key: DATASET_PATH_KEY,
        items,
        parameters: query,
        cursors,
        size: query.limit,
        meta: { total: items.length },
      });
    },

    /** v1: the nine filters and `start`/`end` on period_start. */
    async seriesV1(query: SeriesFilters & { limit: number }, io: QueryOptions) {
      const ports = { engine: await deps.engine(), cursors };
      const filters: SeriesFilters = { ...filtersOf(query), start: query.start, end: query.end };
      return lists.v1.page(ports, { ...query }, filters, {
        ...io,
        size: query.limit,
        meta: { limit: query.limit },
      });
    },

    /** v2: one series, `start_date`/`end_date` on period_start. */
    async seriesV2(
      query: { series_id: string; start_date?: string; end_date?: string; limit: number },
      io: QueryOptions,
    ) {
      const ports = { engine: await deps.engine(), cursors };
      const filters: SeriesFilters = {
        series_id: query.series_id,
        start: query.start_date,
        end: query.end_date,
      };
      return lists.v2.page(ports, { ...query }, filters, {
        ...io,
        size: query.limit,
        meta: { limit: query.limit },
      });
    },

    dimensions,
  };
}

export type EiaService = ReturnType<typeof createEiaService>;
