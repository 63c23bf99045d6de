/**
 * What the drought domain serves, authored here: the raster datasets drought.gov's map services publish
 * (their indices, accumulation windows and tile paths), the vector event layers, and the region types
 * statistics are aggregated to. The dimensions route answers from it, the sample data is generated from it,
 * and the tile proxy builds every upstream URL from it alone: nothing from a request but catalog values
 * and validated numbers reaches an upstream path.
 */

export interface DroughtIndex {
  /** Upper case, as the API answers it: `SPI`. */
  code: string;
  name: string;
  /** The unit of a value (most indices are dimensionless z-scores or percentiles). */
  unit: string;
  description: string;
}

export interface RasterDataset {
  /** The path segment and the `dataset` value: lower case. */
  dataset: string;
  provider: string;
  description: string;
  indices: readonly string[];
  /** Accumulation windows: `1M` is one month, `2W` two weeks. */
  timescales: readonly string[];
  /**
   * Paths below the configured upstream base (`AURUM_DROUGHT_TILE_BASE_URL`); `{index}`, `{timescale}`,
   * `{valid_date}`, `{z}`, `{x}` and `{y}` are filled from the catalog and validated numbers only.
   */
  xyzPath: string;
  tileJsonPath: string;
  /** Zoom levels the upstream renders. */
  minZoom: number;
  maxZoom: number;
  sourceUrl: string;
  updateFrequency: 'daily' | 'weekly';
}

export interface VectorLayer {
  layer: string;
  provider: string;
  description: string;
  updateFrequency: 'hourly' | 'daily' | 'weekly';
}

export interface RegionType {
  region_type: string;
  description: string;
}

export const DROUGHT_INDICES: readonly DroughtIndex[] = [
  {
    code: 'SPI',
    name: 'Standardized Precipitation Index',
    unit: 'z-score',
    description: 'Precipitation over the window as a standard normal deviate of its history',
  },
  {
    code: 'SPEI',
    name: 'Standardized Precipitation Evapotranspiration Index',
    unit: 'z-score',
    description: 'Precipitation minus potential evapotranspiration, standardised like SPI',
  },
  {
    code: 'EDDI',
    name: 'Evaporative Demand Drought Index',
    unit: 'z-score',
    description: 'Atmospheric thirst over the window; positive values are drier than normal',
  },
  {
    code: 'VHI',
    name: 'Vegetation Health Index',
    unit: 'index 0-100',
    description: 'Satellite vegetation condition and temperature stress; below 40 is vegetation stress',
  },
  {
    code: 'USDM',
    name: 'U.S. Drought Monitor',
    unit: 'fraction of area',
    description: 'Weekly drought categories D0 (abnormally dry) to D4 (exceptional); see /v1/drought/usdm',
  },
];

export const RASTER_DATASETS: readonly RasterDataset[] = [
  {
    dataset: 'nclimgrid',
    provider: 'NOAA NCEI nClimGrid',
    description:
      'SPI, SPEI and EDDI grids over the conterminous U.S., from nClimGrid precipitation and temperature',
    indices: ['SPI', 'SPEI', 'EDDI'],
    timescales: ['1M', '2M', '3M', '6M', '9M', '12M'],
    xyzPath: 'nclimgrid/{index}/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'nclimgrid/{index}/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 5,
    sourceUrl: 'https://www.drought.gov/data-maps-tools/drought-indices',
    updateFrequency: 'daily',
  },
  {
    dataset: 'acis',
    provider: 'Applied Climate Information System',
    description: 'SPI and SPEI grids from station networks',
    indices: ['SPI', 'SPEI'],
    timescales: ['1M', '3M', '6M', '9M', '12M', '24M'],
    xyzPath: 'acis/{index}/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'acis/{index}/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 5,
    sourceUrl: 'https://www.drought.gov/data-maps-tools/drought-indices',
    updateFrequency: 'daily',
  },
  {
    dataset: 'cpc',
    provider: 'NOAA Climate Prediction Center',
    description: 'Global SPI and SPEI grids',
    indices: ['SPI', 'SPEI'],
    timescales: ['1M', '3M', '6M', '9M', '12M'],
    xyzPath: 'cpc/{index}/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'cpc/{index}/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 5,
    sourceUrl: 'https://www.drought.gov/data-maps-tools/drought-indices',
    updateFrequency: 'daily',
  },
  {
    dataset: 'prism',
    provider: 'PRISM Climate Group',
    description: 'SPI and SPEI grids from PRISM, conterminous U.S.',
    indices: ['SPI', 'SPEI'],
    timescales: ['1M', '3M', '6M', '9M', '12M', '24M'],
    xyzPath: 'prism/{index}/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'prism/{index}/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 5,
    sourceUrl: 'https://prism.oregonstate.edu/explorer',
    updateFrequency: 'daily',
  },
  {
    dataset: 'eddi',
    provider: 'NOAA Physical Sciences Laboratory',
    description: 'Evaporative Demand Drought Index at several accumulation windows',
    indices: ['EDDI'],
    timescales: ['2W', '1M', '3M', '6M', '12M'],
    xyzPath: 'eddi/data/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'eddi/data/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 5,
    sourceUrl: 'https://www.drought.gov/data-maps-tools/eddi',
    updateFrequency: 'daily',
  },
  {
    dataset: 'vhi',
    provider: 'NOAA STAR',
    description: 'Weekly Vegetation Health Index from polar-orbiting satellites',
    indices: ['VHI'],
    timescales: ['1W'],
    xyzPath: 'vhi/{index}/{timescale}/{valid_date}/{z}/{x}/{y}.png',
    tileJsonPath: 'vhi/{index}/{timescale}/{valid_date}/info.json',
    minZoom: 1,
    maxZoom: 6,
    sourceUrl: 'https://www.drought.gov/data-maps-tools/vegetation-health-index',
    updateFrequency: 'weekly',
  },
];

/** `usdm` is a vector layer too, but its statistics have their own route, so dimensions leave it out. */
export const VECTOR_LAYERS: readonly VectorLayer[] = [
  {
    layer: 'usdm',
    provider: 'U.S. Drought Monitor',
    description: 'Weekly drought category polygons, valid on Tuesdays',
    updateFrequency: 'weekly',
  },
  {
    layer: 'ahps_flood',
    provider: 'NOAA Advanced Hydrologic Prediction Service',
    description: 'River forecast points and their flood category',
    updateFrequency: 'hourly',
  },
  {
    layer: 'qpf',
    provider: 'NOAA Weather Prediction Center',
    description: 'Quantitative precipitation forecast areas',
    updateFrequency: 'daily',
  },
  {
    layer: 'aqi',
    provider: 'EPA AirNow',
    description: 'Daily air quality index by reporting area',
    updateFrequency: 'daily',
  },
  {
    layer: 'wildfire',
    provider: 'NASA FIRMS',
    description: 'Active fire detections and perimeters',
    updateFrequency: 'daily',
  },
];

export const REGION_TYPES: readonly RegionType[] = [
  { region_type: 'STATE', description: 'U.S. states, by postal code' },
  { region_type: 'COUNTY', description: 'U.S. counties, by 5-digit FIPS code' },
  {
    region_type: 'CLIMATE_DIVISION',
    description: 'NOAA climate divisions, by state FIPS and division number',
  },
  { region_type: 'HUC2', description: 'USGS hydrologic regions (2-digit hydrologic unit code)' },
  { region_type: 'HUC8', description: 'USGS subbasins (8-digit hydrologic unit code)' },
];

export const REGION_TYPE_CODES = REGION_TYPES.map((r) => r.region_type);

/** The layers the layers route serves (dimensions.layers). */
export const EVENT_LAYERS = VECTOR_LAYERS.filter((l) => l.layer !== 'usdm').map((l) => l.layer);

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/** The dimensions answer: every value the drought routes accept. */
export function droughtDimensions() {
  return {
    datasets: RASTER_DATASETS.map((d) => d.dataset),
    indices: sortedUnique(RASTER_DATASETS.flatMap((d) => d.indices)),
    timescales: sortedUnique(RASTER_DATASETS.flatMap((d) => d.timescales)),
    layers: EVENT_LAYERS,
    region_types: REGION_TYPE_CODES,
  };
}

export const rasterDataset = (dataset: string): RasterDataset | undefined =>
  RASTER_DATASETS.find((d) => d.dataset === dataset.toLowerCase());

export const indexInfo = (code: string): DroughtIndex | undefined =>
  DROUGHT_INDICES.find((i) => i.code === code.toUpperCase());
