import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { Io } from '#lib/http/route';
import type { CursorCodec } from '#lib/paging/cursor';
import { type KeysetList, keysetList } from '#lib/paging/list';
import { droughtDimensions } from './catalog.ts';
import {
  EVENT_KEY,
  INDEX_KEY,
  type IndexFilter,
  indexValuesQuery,
  type LayerFilter,
  layerEventsQuery,
  type RegionFilter,
  USDM_KEY,
  usdmAreaQuery,
} from './queries.ts';
import { INDEX_FILTERS, type IndexValue, type LayerEvent, USDM_FILTERS, type UsdmArea } from './routes.ts';
import type { RasterRequest, TileProxy, TileRequest } from './tile-proxy.ts';

export interface DroughtDeps {
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
  tiles: TileProxy;
}

const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const num = (v: Row[string] | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** JSON text columns (metadata, properties) as objects; anything else is an empty object. */
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

const region = (row: Row) => ({
  region_type: String(row.region_type),
  region_id: String(row.region_id),
  region_name: text(row.region_name),
  parent_region_id: text(row.parent_region_id),
});

function toIndexValue(row: Row): IndexValue {
  return {
    series_id: String(row.series_id),
    dataset: String(row.dataset),
    index: String(row.index),
    timescale: String(row.timescale),
    valid_date: String(row.valid_date),
    as_of: String(row.as_of),
    value: num(row.value),
    unit: text(row.unit),
    poc: text(row.poc),
    ...region(row),
    source_url: text(row.source_url),
    metadata: object(row.metadata),
  };
}

function toUsdmArea(row: Row): UsdmArea {
  return {
    ...region(row),
    valid_date: String(row.valid_date),
    as_of: String(row.as_of),
    d0_frac: Number(row.d0_frac),
    d1_frac: Number(row.d1_frac),
    d2_frac: Number(row.d2_frac),
    d3_frac: Number(row.d3_frac),
    d4_frac: Number(row.d4_frac),
    none_frac: Number(row.none_frac),
    source_url: text(row.source_url),
    metadata: object(row.metadata),
  };
}

function toLayerEvent(row: Row): LayerEvent {
  return {
    layer: String(row.layer),
    event_id: String(row.event_id),
    ...region(row),
    valid_start: String(row.valid_start),
    valid_end: text(row.valid_end),
    value: num(row.value),
    unit: text(row.unit),
    category: text(row.category),
    severity: num(row.severity),
    source_url: text(row.source_url),
    geometry_wkt: text(row.geometry_wkt),
    properties: object(row.properties),
  };
}

/** The keyset lists of the drought API; each name binds its cursors to that list alone. */
const lists = {
  'v1-drought-indices': keysetList({
    name: 'v1-drought-indices',
    key: INDEX_KEY,
    query: indexValuesQuery,
    row: toIndexValue,
  }),
  'v2-drought-indices': keysetList({
    name: 'v2-drought-indices',
    key: INDEX_KEY,
    query: indexValuesQuery,
    row: toIndexValue,
  }),
  'v1-drought-usdm': keysetList({
    name: 'v1-drought-usdm',
    key: USDM_KEY,
    query: usdmAreaQuery,
    row: toUsdmArea,
  }),
  'v2-drought-usdm': keysetList({
    name: 'v2-drought-usdm',
    key: USDM_KEY,
    query: usdmAreaQuery,
    row: toUsdmArea,
  }),
  'v1-drought-layers': keysetList({
    name: 'v1-drought-layers',
    key: EVENT_KEY,
    query: (f: LayerFilter, seek) => layerEventsQuery(f, seek),
    row: toLayerEvent,
  }),
};

interface RegionQuery {
  region?: string;
  region_type?: string;
  region_id?: string;
  start?: string;
  end?: string;
  limit: number;
}

/** `region=TYPE:ID` (validated by the route) and `region_type`/`region_id` name the same filter. */
function regionFilter(q: RegionQuery): RegionFilter {
  const [type, ...id] = q.region?.split(':') ?? [];
  return {
    regionType: type?.toUpperCase() ?? q.region_type,
    regionId: id.length > 0 ? id.join(':').toUpperCase() : q.region_id,
    start: q.start,
    end: q.end,
  };
}

type IndexQuery = RegionQuery & { dataset?: string; index?: string; timescale?: string };

function indexFilter(q: IndexQuery): IndexFilter {
  return { ...regionFilter(q), dataset: q.dataset, index: q.index, timescale: q.timescale };
}

/** meta.filters of the v2 lists: every filter by name, null when not given. */
function filtersMeta(f: IndexFilter, names: readonly string[]) {
  const values: Record<string, string | undefined> = {
    dataset: f.dataset,
    index: f.index,
    timescale: f.timescale,
    region_type: f.regionType,
    region_id: f.regionId,
    start: f.start,
    end: f.end,
  };
  return Object.fromEntries(names.map((n) => [n, values[n] ?? null]));
}

export function createDroughtService(deps: DroughtDeps) {
  const { cursors, tiles } = deps;
  async function page<F, T>(
    list: KeysetList<F, T>,
    query: object & { limit: number },
    filters: F,
    io: QueryOptions,
    meta: Record<string, unknown>,
  ) {
    const ports = { engine: await deps.engine(), cursors };
    return list.page(ports, query as Record<string, unknown>, filters, { ...io, size: query.limit, meta });
  }

  return {
    dimensions: () => ({ data: droughtDimensions() }),

    indices: (version: 'v1' | 'v2', query: IndexQuery, io: QueryOptions) => {
      const f = indexFilter(query);
      const meta =
        version === 'v1'
          ? { limit: query.limit }
          : { limit: query.limit, filters: filtersMeta(f, INDEX_FILTERS) };
      return page(lists[`${version}-drought-indices`], query, f, io, meta);
    },

    usdm: (version: 'v1' | 'v2', query: RegionQuery, io: QueryOptions) => {
      const f = regionFilter(query);
      const meta =
        version === 'v1'
          ? { limit: query.limit }
          : { limit: query.limit, filters: filtersMeta(f, USDM_FILTERS) };
      return page(lists[`${version}-drought-usdm`], query, f, io, meta);
    },

    layers: (query: RegionQuery & { layer?: string }, io: QueryOptions) =>
      page(lists['v1-drought-layers'], query, { ...regionFilter(query), layer: query.layer }, io, {
        limit: query.limit,
      }),

    tile: async (r: TileRequest, io: Io) => ({ body: await tiles.tile(r, io) }),

    tileInfo: async (r: RasterRequest, io: Io) => ({ data: await tiles.info(r, io) }),
  };
}

export type DroughtService = ReturnType<typeof createDroughtService>;
