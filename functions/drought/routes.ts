import * as z from 'zod/mini';
import type { CacheScope } from '#lib/cache/policies';
import {
  cursorParam,
  dateParam,
  documentedAs,
  intParam,
  type QueryRule,
  queryRules,
  tenantParam,
  textParam,
} from '#lib/http/params';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { once } from '#lib/lazy';
import { withMeta } from '#lib/schema';
import { EVENT_LAYERS } from './catalog.ts';

const CODE = /^[A-Za-z0-9_]+$/;
const REGION_ID = /^[A-Za-z0-9._-]+$/;
/** `TYPE:ID`, e.g. `STATE:TX` or `HUC8:12090205`. */
const REGION = /^([A-Za-z0-9_]{1,32}):([A-Za-z0-9._-]{1,64})$/;

const upper = (max: number, description: string) =>
  z.optional(
    z.pipe(
      textParam({ max, pattern: CODE, description }),
      z.transform((s: string) => s.toUpperCase()),
    ),
  );

/** The filters every indices and USDM query takes, as the original named them. */
const regionFilters = once(() => ({
  // The original's code for this refusal, `invalid_region`, names the field's issue.
  region: documentedAs(
    z.optional(
      z.string().check(
        z.refine((s) => s.length <= 100 && REGION.test(s), {
          message: 'must be TYPE:ID, e.g. STATE:TX',
          params: { code: 'invalid_region' },
        }),
      ),
    ),
    {
      type: 'string',
      maxLength: 100,
      pattern: REGION.source,
      description: 'Region as TYPE:ID, e.g. STATE:TX (any case)',
      example: 'STATE:TX',
    },
  ),
  region_type: upper(32, 'Region type: STATE, COUNTY, CLIMATE_DIVISION, HUC2 or HUC8 (any case)'),
  region_id: z.optional(
    z.pipe(
      textParam({
        max: 64,
        pattern: REGION_ID,
        description: 'Region id, e.g. TX or 48453 (any case)',
      }),
      z.transform((s: string) => s.toUpperCase()),
    ),
  ),
  start: withMeta(z.optional(dateParam()), { description: 'First valid date, included' }),
  end: withMeta(z.optional(dateParam()), { description: 'Last valid date, included' }),
}));

const indexFilters = once(() => ({
  dataset: z.optional(
    z.pipe(
      textParam({ max: 32, pattern: CODE, description: 'Dataset, e.g. nclimgrid (any case)' }),
      z.transform((s: string) => s.toLowerCase()),
    ),
  ),
  index: upper(16, 'Index, e.g. SPI (any case)'),
  timescale: upper(8, 'Accumulation window, e.g. 3M (any case)'),
  ...regionFilters(),
}));

type RegionQuery = {
  region?: string;
  region_type?: string;
  region_id?: string;
  start?: string;
  end?: string;
};

/** `region` and `region_type`/`region_id` name one region; given both ways, they must agree. */
const oneRegion: QueryRule<RegionQuery> = (q) => {
  // A malformed region has its own issue already (refinements run on the fields that did parse).
  const match = q.region === undefined ? null : REGION.exec(q.region);
  if (!match) return undefined;
  const [, type, id] = match;
  const disagrees =
    (q.region_type !== undefined && q.region_type !== type!.toUpperCase()) ||
    (q.region_id !== undefined && q.region_id !== id!.toUpperCase());
  return disagrees
    ? {
        field: 'region',
        message: 'disagrees with region_type or region_id',
        code: 'region_conflict',
        detail: 'region names another region than region_type and region_id',
      }
    : undefined;
};

const startBeforeEnd: QueryRule<RegionQuery> = (q) =>
  q.start !== undefined && q.end !== undefined && q.start > q.end
    ? { field: 'end', message: 'must not be before start', code: 'end_before_start' }
    : undefined;

const rules = queryRules<RegionQuery>(oneRegion, startBeforeEnd);

const v1Paging = once(() => ({
  limit: intParam({ min: 1, max: 1000, default: 250 }),
  cursor: cursorParam(),
  prev_cursor: cursorParam(),
}));
const v2Paging = once(() => ({
  tenant_id: tenantParam(),
  cursor: cursorParam(),
  limit: intParam({ min: 1, max: 100, default: 10 }),
}));

const json = once(() => z.record(z.string(), z.unknown()));

const region = once(() => ({
  region_type: z.string(),
  region_id: z.string(),
  region_name: z.nullable(z.string()),
  parent_region_id: z.nullable(z.string()),
}));

export const IndexValue = once(() =>
  z.object({
    series_id: z.string(),
    dataset: z.string(),
    index: z.string(),
    timescale: z.string(),
    valid_date: withMeta(z.string(), { format: 'date' }),
    as_of: withMeta(z.string(), { format: 'date' }),
    value: z.nullable(z.number()),
    unit: z.nullable(z.string()),
    poc: z.nullable(z.string()),
    ...region(),
    source_url: z.nullable(z.string()),
    metadata: json(),
  }),
);
export type IndexValue = z.infer<ReturnType<typeof IndexValue>>;

const frac = (description: string) => withMeta(z.number().check(z.gte(0), z.lte(1)), { description });

export const UsdmArea = once(() =>
  z.object({
    ...region(),
    valid_date: withMeta(z.string(), { format: 'date', description: 'The Tuesday the USDM week ends' }),
    as_of: withMeta(z.string(), { format: 'date', description: 'When the map was released' }),
    d0_frac: frac('Share of area in D0 (abnormally dry) or worse'),
    d1_frac: frac('Share of area in D1 (moderate drought) or worse'),
    d2_frac: frac('Share of area in D2 (severe drought) or worse'),
    d3_frac: frac('Share of area in D3 (extreme drought) or worse'),
    d4_frac: frac('Share of area in D4 (exceptional drought)'),
    none_frac: frac('Share of area in none of the categories: 1 − d0_frac'),
    source_url: z.nullable(z.string()),
    metadata: json(),
  }),
);
export type UsdmArea = z.infer<ReturnType<typeof UsdmArea>>;

export const LayerEvent = once(() =>
  z.object({
    layer: z.string(),
    event_id: z.string(),
    ...region(),
    valid_start: withMeta(z.string(), { format: 'date-time' }),
    valid_end: z.nullable(withMeta(z.string(), { format: 'date-time' })),
    value: z.nullable(z.number()),
    unit: z.nullable(z.string()),
    category: z.nullable(z.string()),
    severity: z.nullable(z.number().check(z.int())),
    source_url: z.nullable(z.string()),
    geometry_wkt: z.nullable(z.string()),
    properties: json(),
  }),
);
export type LayerEvent = z.infer<ReturnType<typeof LayerEvent>>;

const nullableText = once(() => z.nullable(z.string()));
const FiltersMeta = (names: readonly string[]) =>
  z.object({
    filters: z.object(Object.fromEntries(names.map((n) => [n, nullableText()]))),
  });
export const INDEX_FILTERS = [
  'dataset',
  'index',
  'timescale',
  'region_type',
  'region_id',
  'start',
  'end',
] as const;
export const USDM_FILTERS = ['region_type', 'region_id', 'start', 'end'] as const;

const dataCache = { scope: 'drought', visibility: 'public' } as const;
const v1Gate = { key: 'v1-drought', whenOff: 'not-found' } as const;

export const getDimensionsV1 = defineRoute({
  id: 'getDroughtDimensionsV1',
  method: 'GET',
  path: '/v1/drought/dimensions',
  domain: 'drought',
  version: 'v1',
  summary: 'Drought datasets, indices, timescales, event layers and region types',
  description:
    'From the drought catalog; layers are those of /v1/drought/layers (the USDM has its own route).',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  response: {
    kind: 'object',
    get schema() {
      return z.object({
        datasets: z.array(z.string()),
        indices: z.array(z.string()),
        timescales: z.array(z.string()),
        layers: z.array(z.string()),
        region_types: z.array(z.string()),
      });
    },
  },
  cache: dataCache,
});

export const listIndicesV1 = defineRoute({
  id: 'listDroughtIndicesV1',
  method: 'GET',
  path: '/v1/drought/indices',
  domain: 'drought',
  version: 'v1',
  summary: 'Drought index values per region',
  description:
    'One value per series and valid date: the latest ingestion. Ordered by valid_date descending, then series_id.',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  get request() {
    return { query: z.object({ ...indexFilters(), ...v1Paging() }).check(z.superRefine(rules)) };
  },
  response: {
    kind: 'list',
    get schema() {
      return IndexValue();
    },
  },
  cache: dataCache,
  problems: [503],
});

export const listUsdmV1 = defineRoute({
  id: 'listDroughtUsdmV1',
  method: 'GET',
  path: '/v1/drought/usdm',
  domain: 'drought',
  version: 'v1',
  summary: 'Weekly U.S. Drought Monitor area statistics per region',
  description:
    'd0_frac … d4_frac are cumulative: the share of area in that category or worse (1 ≥ d0 ≥ … ≥ d4 ≥ 0); none_frac = 1 − d0_frac. Ordered by valid_date descending, then region_type, region_id.',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  get request() {
    return { query: z.object({ ...regionFilters(), ...v1Paging() }).check(z.superRefine(rules)) };
  },
  response: {
    kind: 'list',
    get schema() {
      return UsdmArea();
    },
  },
  cache: dataCache,
  problems: [503],
});

export const listLayersV1 = defineRoute({
  id: 'listDroughtLayersV1',
  method: 'GET',
  path: '/v1/drought/layers',
  domain: 'drought',
  version: 'v1',
  summary: 'Dated events of the drought map’s vector layers, with WKT geometry',
  description:
    'start and end keep events whose validity overlaps them. Ordered by valid_start descending, then layer, event_id.',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  get request() {
    return {
      query: z
        .object({
          layer: z.optional(
            z.pipe(
              z.pipe(
                z.string(),
                z.transform((s: string) => s.toLowerCase()),
              ),
              z.enum(EVENT_LAYERS as unknown as [string, ...string[]]),
            ),
          ),
          ...regionFilters(),
          ...v1Paging(),
        })
        .check(z.superRefine(rules)),
    };
  },
  response: {
    kind: 'list',
    get schema() {
      return LayerEvent();
    },
  },
  cache: dataCache,
  problems: [503],
});

/** Tiles and TileJSON of a past day keep for a day; today's are re-read after minutes. */
const tileScope = (input: { query: { valid_date: string } }): CacheScope =>
  input.query.valid_date < new Date().toISOString().slice(0, 10) ? 'drought-tiles' : 'drought-tiles-today';

const rasterPath = once(() => ({
  dataset: textParam({ max: 32, pattern: CODE, description: 'Catalog dataset, e.g. nclimgrid' }),
  index: textParam({ max: 16, pattern: CODE, description: 'Index, e.g. SPI' }),
  timescale: textParam({ max: 8, pattern: CODE, description: 'Accumulation window, e.g. 3M' }),
}));
const tileNumber = (name: string) =>
  withMeta(
    z.pipe(
      z.string().check(z.regex(/^\d{1,8}$/, { message: 'must be a whole number' })),
      z.transform(Number),
    ),
    { description: name },
  );

/** A tile's x and y exist at its zoom: 0 ≤ x, y < 2^z. */
const tileRules = ({ path }: { path: { z: number; x: number; y: number } }) => {
  const size = 2 ** path.z;
  return (['x', 'y'] as const)
    .filter((axis) => path[axis] >= size)
    .map((axis) => ({
      field: `path.${axis}`,
      message: `must be below 2^z (${size}) at zoom ${path.z}`,
      code: 'tile_out_of_range',
    }));
};

export const getTileV1 = defineRoute({
  id: 'getDroughtTileV1',
  method: 'GET',
  path: '/v1/drought/tiles/{dataset}/{index}/{timescale}/{z}/{x}/{y}',
  domain: 'drought',
  version: 'v1',
  summary: 'A drought map tile (XYZ, PNG), proxied from the catalog’s tile service',
  description:
    'The last segment is the row with .png, e.g. /v1/drought/tiles/nclimgrid/SPI/3M/4/3/6.png. Only catalog datasets, indices and timescales are proxied. Upstream 404: a tile_not_available 404; upstream failure: a tile_fetch_failed 502; no answer within 20 s or the request deadline: a 504.',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  get request() {
    return {
      path: z.object({
        ...rasterPath(),
        z: z.pipe(tileNumber('Zoom level'), z.number().check(z.int(), z.gte(0), z.lte(22))),
        x: tileNumber('Tile column'),
        y: withMeta(
          z.pipe(
            z.string().check(z.regex(/^\d{1,8}\.png$/, { message: 'must be the tile row followed by .png' })),
            z.transform((s: string) => Number(s.slice(0, -4))),
          ),
          { description: 'Tile row, followed by .png', example: '6.png' },
        ),
      }),
      query: z.object({ valid_date: dateParam() }),
      rules: tileRules,
    };
  },
  response: {
    kind: 'file',
    contentType: 'image/png',
    get schema() {
      return withMeta(z.string(), { contentMediaType: 'image/png', description: 'A PNG map tile' });
    },
  },
  cache: { scope: 'drought-tiles', visibility: 'public', scopeFor: tileScope },
  problems: [404, 502, 504],
});

export const TileJson = once(() =>
  withMeta(
    z.looseObject({
      tilejson: z.optional(z.string()),
      tiles: z.optional(z.array(z.string())),
      minzoom: z.optional(z.number()),
      maxzoom: z.optional(z.number()),
    }),
    { description: 'TileJSON as the tile service publishes it' },
  ),
);

export const getTileInfoV1 = defineRoute({
  id: 'getDroughtTileInfoV1',
  method: 'GET',
  path: '/v1/drought/info/{dataset}/{index}/{timescale}',
  domain: 'drought',
  version: 'v1',
  summary: 'The TileJSON of a drought raster on one valid date',
  description:
    'Upstream 404: an info_not_available 404; upstream failure or a body that is not a JSON object: an info_fetch_failed 502; no answer within 15 s or the request deadline: a 504.',
  auth: 'tenant',
  permission: 'drought:read',
  flag: v1Gate,
  get request() {
    return { path: z.object(rasterPath()), query: z.object({ valid_date: dateParam() }) };
  },
  response: {
    kind: 'object',
    get schema() {
      return TileJson();
    },
  },
  cache: { scope: 'drought-tiles', visibility: 'public', scopeFor: tileScope },
  problems: [404, 502, 504],
});

export const listIndicesV2 = defineRoute({
  id: 'listDroughtIndicesV2',
  method: 'GET',
  path: '/v2/drought/indices',
  domain: 'drought',
  version: 'v2',
  summary: 'Drought index values per region',
  description:
    'As /v1/drought/indices, keyset-paged; meta.filters echoes the filters applied (null when not given).',
  auth: 'tenant',
  permission: 'drought:read',
  get request() {
    return { query: z.object({ ...indexFilters(), ...v2Paging() }).check(z.superRefine(rules)) };
  },
  response: {
    kind: 'list',
    get schema() {
      return IndexValue();
    },
    get meta() {
      return FiltersMeta(INDEX_FILTERS);
    },
  },
  cache: dataCache,
  problems: [503],
});

export const listUsdmV2 = defineRoute({
  id: 'listDroughtUsdmV2',
  method: 'GET',
  path: '/v2/drought/usdm',
  domain: 'drought',
  version: 'v2',
  summary: 'Weekly U.S. Drought Monitor area statistics per region',
  description:
    'As /v1/drought/usdm, keyset-paged; meta.filters echoes the filters applied (null when not given).',
  auth: 'tenant',
  permission: 'drought:read',
  get request() {
    return { query: z.object({ ...regionFilters(), ...v2Paging() }).check(z.superRefine(rules)) };
  },
  response: {
    kind: 'list',
    get schema() {
      return UsdmArea();
    },
    get meta() {
      return FiltersMeta(USDM_FILTERS);
    },
  },
  cache: dataCache,
  problems: [503],
});

export const droughtDomain = defineDomain({
  name: 'drought',
  description: 'Drought indices, the U.S. Drought Monitor, event layers and map tiles',
  routes: [
    getDimensionsV1,
    listIndicesV1,
    listUsdmV1,
    listLayersV1,
    getTileV1,
    getTileInfoV1,
    listIndicesV2,
    listUsdmV2,
  ],
});
