/**
 * Drought sample data, in the same DuckDB file as the curves (called by sample-data.ts): the production
 * tables' shapes (reference §2.2, `environment.*` joined to `ref.geographies`), generated deterministically
 * from the drought catalog.
 *
 * - `ref.geographies`: 33 regions of the five catalog region types, with parents (county → state, climate
 *   division → state, HUC8 → HUC2) and a representative point.
 * - `environment.drought_index`: six series per region (nClimGrid SPI 1M/3M/6M and SPEI 3M, EDDI 1M, VHI 1W)
 *   on 26 weekly valid dates; an index is an AR(1) walk per region, so neighbouring windows agree. About 2%
 *   of values are re-issued two days later (a later `_ingest_ts`, `as_of` and value, revision 1 in metadata).
 * - `environment.usdm_area`: 52 weeks of USDM statistics per region on Tuesday valid dates (the USDM week
 *   ends on Tuesday; maps are released on Thursday, the `as_of`). `d0_frac … d4_frac` are cumulative shares of
 *   area in that category or worse, so `1 ≥ d0 ≥ d1 ≥ d2 ≥ d3 ≥ d4 ≥ 0`, and `none_frac = 1 − d0_frac`; a few
 *   weeks are re-issued the next day.
 * - `environment.vector_events`: dated events of every dimensions layer, each with WKT geometry.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_LAYERS } from '#functions/drought/catalog';

export interface DroughtSampleOptions {
  seed: number;
  /** The last day of data, `YYYY-MM-DD` (the curves' last as-of date). */
  endDate: string;
}

export interface DroughtSampleResult {
  indexRows: number;
  usdmRows: number;
  eventRows: number;
  regions: number;
}

interface Region {
  type: string;
  id: string;
  name: string;
  parent: string | null;
  lon: number;
  lat: number;
  /** How dry the region runs, 0 (wet) … 1 (arid): shifts the walks. */
  aridity: number;
}

const region = (
  type: string,
  id: string,
  name: string,
  parent: string | null,
  lon: number,
  lat: number,
  aridity: number,
): Region => ({ type, id, name, parent, lon, lat, aridity });

export const SAMPLE_REGIONS: readonly Region[] = [
  region('STATE', 'AZ', 'Arizona', null, -111.66, 34.29, 0.9),
  region('STATE', 'CA', 'California', null, -119.45, 37.17, 0.7),
  region('STATE', 'CO', 'Colorado', null, -105.55, 39.0, 0.6),
  region('STATE', 'ID', 'Idaho', null, -114.61, 44.39, 0.5),
  region('STATE', 'KS', 'Kansas', null, -98.38, 38.48, 0.5),
  region('STATE', 'MT', 'Montana', null, -109.64, 47.03, 0.5),
  region('STATE', 'NE', 'Nebraska', null, -99.79, 41.53, 0.45),
  region('STATE', 'NV', 'Nevada', null, -116.65, 39.33, 0.95),
  region('STATE', 'OK', 'Oklahoma', null, -97.49, 35.59, 0.5),
  region('STATE', 'OR', 'Oregon', null, -120.56, 43.94, 0.4),
  region('STATE', 'TX', 'Texas', null, -99.34, 31.48, 0.65),
  region('STATE', 'WA', 'Washington', null, -120.45, 47.38, 0.35),
  region('COUNTY', '04013', 'Maricopa County', 'AZ', -112.49, 33.35, 0.95),
  region('COUNTY', '06019', 'Fresno County', 'CA', -119.65, 36.76, 0.75),
  region('COUNTY', '06037', 'Los Angeles County', 'CA', -118.23, 34.32, 0.7),
  region('COUNTY', '08031', 'Denver County', 'CO', -104.88, 39.76, 0.55),
  region('COUNTY', '31109', 'Lancaster County', 'NE', -96.69, 40.78, 0.4),
  region('COUNTY', '48201', 'Harris County', 'TX', -95.39, 29.86, 0.3),
  region('COUNTY', '48453', 'Travis County', 'TX', -97.78, 30.33, 0.6),
  region('COUNTY', '53077', 'Yakima County', 'WA', -120.74, 46.46, 0.6),
  region('CLIMATE_DIVISION', '0205', 'Arizona Division 5 (South Central)', 'AZ', -111.9, 33.0, 0.9),
  region(
    'CLIMATE_DIVISION',
    '0405',
    'California Division 5 (San Joaquin Drainage)',
    'CA',
    -119.8,
    36.6,
    0.75,
  ),
  region('CLIMATE_DIVISION', '4106', 'Texas Division 6 (Edwards Plateau)', 'TX', -100.4, 30.6, 0.7),
  region('CLIMATE_DIVISION', '4505', 'Washington Division 5 (Central Basin)', 'WA', -119.5, 47.0, 0.65),
  region('HUC2', '10', 'Missouri Region', null, -104.0, 45.0, 0.5),
  region('HUC2', '12', 'Texas-Gulf Region', null, -97.5, 31.0, 0.55),
  region('HUC2', '15', 'Lower Colorado Region', null, -111.5, 33.5, 0.9),
  region('HUC2', '17', 'Pacific Northwest Region', null, -118.0, 45.5, 0.4),
  region('HUC2', '18', 'California Region', null, -120.0, 37.5, 0.7),
  region('HUC8', '12090205', 'Austin-Travis Lakes', '12', -97.9, 30.4, 0.6),
  region('HUC8', '15060106', 'Lower Salt', '15', -111.9, 33.5, 0.9),
  region('HUC8', '17030003', 'Lower Yakima', '17', -119.9, 46.3, 0.6),
  region('HUC8', '18030009', 'Upper Dry', '18', -119.4, 36.9, 0.75),
];

/** The series every region carries: [dataset, index, timescale]. */
const SERIES: readonly (readonly [string, string, string])[] = [
  ['nclimgrid', 'SPI', '1M'],
  ['nclimgrid', 'SPI', '3M'],
  ['nclimgrid', 'SPI', '6M'],
  ['nclimgrid', 'SPEI', '3M'],
  ['eddi', 'EDDI', '1M'],
  ['vhi', 'VHI', '1W'],
];

const INDEX_WEEKS = 26;
const USDM_WEEKS = 52;
const EVENTS_PER_LAYER = 16;
const DAY_MS = 86_400_000;

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const timestampOf = (day: number, hour: number, minute = 0) =>
  `${dateOf(day)} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;

/** The last Tuesday on or before `date` (the USDM week ends on Tuesday; 1970-01-01 was a Thursday). */
export function lastTuesday(date: string): number {
  const day = dayOf(date);
  const weekday = (((day + 4) % 7) + 7) % 7;
  return day - ((weekday - 2 + 7) % 7);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * Cumulative USDM shares from a dryness level (0 wet … 5 exceptional drought): the share in category k or
 * worse falls off logistically above k, is rounded to 4 places, and never exceeds the milder category's.
 */
export function usdmFractions(level: number): [number, number, number, number, number] {
  const out: number[] = [];
  let previous = 1;
  for (let k = 0; k < 5; k++) {
    const share = 1 / (1 + Math.exp(-2.2 * (level - k - 0.6)));
    const value = Math.min(previous, round(clamp(share < 0.002 ? 0 : share, 0, 1), 4));
    out.push(value);
    previous = value;
  }
  return out as [number, number, number, number, number];
}

interface Tables {
  geographies: (string | number | null)[][];
  indices: (string | number | null)[][];
  usdm: (string | number | null)[][];
  events: (string | number | null)[][];
}

function generate(options: DroughtSampleOptions): Tables {
  const random = mulberry32(options.seed ^ 0x5d2f00d);
  const lastWeek = lastTuesday(options.endDate);
  const tables: Tables = { geographies: [], indices: [], usdm: [], events: [] };

  for (const r of SAMPLE_REGIONS) {
    tables.geographies.push([r.type, r.id, r.name, r.parent, `POINT (${r.lon} ${r.lat})`]);

    // One dryness walk per region drives its indices and its USDM categories, so they tell one story.
    let dryness = r.aridity * 2.5 + normal(random) * 0.5;
    const drynessByWeek = new Map<number, number>();
    for (let w = USDM_WEEKS - 1; w >= 0; w--) {
      dryness = clamp(0.9 * dryness + 0.1 * r.aridity * 2.5 + normal(random) * 0.35, -1, 5);
      drynessByWeek.set(lastWeek - w * 7, dryness);
    }

    for (const [dataset, index, timescale] of SERIES) {
      const seriesId = `${dataset}.${index}.${timescale}.${r.type}.${r.id}`;
      const sourceUrl = `https://www.drought.gov/data-maps-tools/${dataset === 'vhi' ? 'vegetation-health-index' : 'drought-indices'}`;
      let noise = 0;
      for (let w = INDEX_WEEKS - 1; w >= 0; w--) {
        const validDay = lastWeek - w * 7;
        noise = 0.7 * noise + normal(random) * 0.25;
        const level = drynessByWeek.get(validDay) ?? 0;
        const value =
          index === 'VHI'
            ? round(clamp(62 - level * 9 + noise * 8, 0, 100), 2)
            : index === 'EDDI'
              ? round(clamp(level * 0.7 - 1 + noise, -3, 3), 3)
              : round(clamp(1 - level * 0.7 + noise, -3, 3), 3);
        const unit = index === 'VHI' ? 'index 0-100' : 'z-score';
        const asOf = validDay + 3;
        const base = [seriesId, dataset, index, timescale, dateOf(validDay)];
        const tail = [unit, 'NOAA', r.type, r.id, sourceUrl];
        tables.indices.push([
          ...base,
          dateOf(asOf),
          value,
          ...tail,
          JSON.stringify({ revision: 0, grid: dataset }),
          timestampOf(asOf, 6, 30),
          `drought-index-${dateOf(asOf)}`,
        ]);
        if (random() < 0.02) {
          const revised = index === 'VHI' ? round(clamp(value + 1.5, 0, 100), 2) : round(value + 0.111, 3);
          tables.indices.push([
            ...base,
            dateOf(asOf + 2),
            revised,
            ...tail,
            JSON.stringify({ revision: 1, grid: dataset }),
            timestampOf(asOf + 2, 9, 45),
            `drought-index-${dateOf(asOf + 2)}-r1`,
          ]);
        }
      }
    }

    for (const [validDay, level] of drynessByWeek) {
      const fractions = usdmFractions(level);
      const release = validDay + 2;
      const row = (as: number, values: number[], revision: number, hour: number) => [
        r.type,
        r.id,
        dateOf(validDay),
        dateOf(as),
        ...values,
        round(1 - values[0]!, 4),
        `https://droughtmonitor.unl.edu/Maps/MapArchive.aspx?date=${dateOf(validDay)}`,
        JSON.stringify({ revision }),
        timestampOf(as, hour, 0),
        `usdm-${dateOf(validDay)}${revision > 0 ? '-r1' : ''}`,
      ];
      tables.usdm.push(row(release, fractions, 0, 13));
      if (random() < 0.01) tables.usdm.push(row(release + 1, usdmFractions(level + 0.3), 1, 15));
    }
  }

  const states = SAMPLE_REGIONS.filter((r) => r.type === 'STATE' || r.type === 'COUNTY');
  for (const layer of EVENT_LAYERS) {
    for (let i = 0; i < EVENTS_PER_LAYER; i++) {
      const r = states[Math.floor(random() * states.length)]!;
      const startDay = lastWeek + 3 - Math.floor(random() * 120);
      const hour = Math.floor(random() * 24);
      const lon = round(r.lon + (random() - 0.5) * 2, 4);
      const lat = round(r.lat + (random() - 0.5) * 2, 4);
      const d = round(0.05 + random() * 0.4, 4);
      const polygon = `POLYGON ((${lon} ${lat}, ${round(lon + d, 4)} ${lat}, ${round(lon + d, 4)} ${round(lat + d, 4)}, ${lon} ${round(lat + d, 4)}, ${lon} ${lat}))`;
      const point = `POINT (${lon} ${lat})`;
      const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
      const event = {
        ahps_flood: () => {
          const category = pick(['action', 'minor', 'moderate', 'major']);
          return {
            value: round(8 + random() * 20, 2),
            unit: 'ft',
            category,
            severity: ['action', 'minor', 'moderate', 'major'].indexOf(category) + 1,
            geometry: point,
            end: startDay + 2,
            props: { gauge: `${r.id}-${i}`, stage_kind: 'observed' },
          };
        },
        qpf: () => ({
          value: round(random() * 4, 2),
          unit: 'in',
          category: pick(['24h', '48h', '72h', '120h', '168h']),
          severity: null,
          geometry: polygon,
          end: startDay + 1,
          props: { issuer: 'WPC' },
        }),
        aqi: () => {
          const value = Math.floor(20 + random() * 180);
          const category =
            value <= 50
              ? 'Good'
              : value <= 100
                ? 'Moderate'
                : value <= 150
                  ? 'Unhealthy for Sensitive Groups'
                  : 'Unhealthy';
          return {
            value,
            unit: 'AQI',
            category,
            severity: value <= 50 ? 1 : value <= 100 ? 2 : value <= 150 ? 3 : 4,
            geometry: point,
            end: startDay + 1,
            props: { pollutant: pick(['PM2.5', 'OZONE', 'PM10']) },
          };
        },
        wildfire: () => ({
          value: round(50 + random() * 20_000, 1),
          unit: 'acres',
          category: pick(['active', 'contained']),
          severity: null,
          geometry: polygon,
          end: random() < 0.3 ? null : startDay + 5 + Math.floor(random() * 20),
          props: { incident: `${r.name} fire ${i + 1}` },
        }),
      }[layer as 'ahps_flood' | 'qpf' | 'aqi' | 'wildfire'];
      if (!event) continue;
      const e = event();
      tables.events.push([
        layer,
        `${layer}-${dateOf(startDay).replaceAll('-', '')}-${String(i).padStart(3, '0')}`,
        r.type,
        r.id,
        timestampOf(startDay, hour),
        e.end === null ? null : timestampOf(e.end, hour),
        e.value,
        e.unit,
        e.category,
        e.severity,
        'https://www.drought.gov/data-maps-tools',
        e.geometry,
        JSON.stringify(e.props),
        timestampOf(startDay, Math.min(23, hour + 1)),
      ]);
    }
  }
  return tables;
}

export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'DATE' | 'TIMESTAMP' | 'INTEGER';

export async function writeTable(
  connection: DuckDBConnection,
  table: string,
  columns: readonly (readonly [string, ColumnType])[],
  rows: (string | number | null)[][],
  order: string,
): Promise<void> {
  const staging = `staging_${table.replace('.', '_')}`;
  const stagingType = (t: ColumnType) =>
    t === 'DOUBLE' ? 'DOUBLE' : t === 'INTEGER' ? 'INTEGER' : 'VARCHAR';
  await connection.run(
    `CREATE TEMP TABLE ${staging} (${columns.map(([n, t]) => `"${n}" ${stagingType(t)}`).join(', ')})`,
  );
  const appender = await connection.createAppender(staging);
  for (const row of rows) {
    row.forEach((value, i) => {
      const type = columns[i]![1];
      if (value === null) appender.appendNull();
      else if (type === 'DOUBLE') appender.appendDouble(Number(value));
      else if (type === 'INTEGER') appender.appendInteger(Number(value));
      else appender.appendVarchar(String(value));
    });
    appender.endRow();
  }
  appender.closeSync();
  await connection.run(`CREATE TABLE ${table} (${columns.map(([n, t]) => `"${n}" ${t}`).join(', ')})`);
  await connection.run(
    `INSERT INTO ${table} SELECT ${columns.map(([n, t]) => `CAST("${n}" AS ${t})`).join(', ')} FROM ${staging} ORDER BY ${order}`,
  );
  await connection.run(`DROP TABLE ${staging}`);
}

const TENANT = 'aurum';
const SCHEMA_VERSION = '1';

/** Writes the drought tables into an open sample database. */
export async function writeDroughtSampleData(
  connection: DuckDBConnection,
  options: DroughtSampleOptions,
): Promise<DroughtSampleResult> {
  const t = generate(options);
  const withProvenance = (rows: (string | number | null)[][]) =>
    rows.map((row) => [TENANT, SCHEMA_VERSION, ...row]);
  await connection.run('CREATE SCHEMA IF NOT EXISTS ref; CREATE SCHEMA IF NOT EXISTS environment');
  await writeTable(
    connection,
    'ref.geographies',
    [
      ['region_type', 'VARCHAR'],
      ['region_id', 'VARCHAR'],
      ['region_name', 'VARCHAR'],
      ['parent_region_id', 'VARCHAR'],
      ['geometry_wkt', 'VARCHAR'],
    ],
    t.geographies,
    'region_type, region_id',
  );
  const provenance = [
    ['tenant_id', 'VARCHAR'],
    ['schema_version', 'VARCHAR'],
  ] as const;
  await writeTable(
    connection,
    'environment.drought_index',
    [
      ...provenance,
      ['series_id', 'VARCHAR'],
      ['dataset', 'VARCHAR'],
      ['index', 'VARCHAR'],
      ['timescale', 'VARCHAR'],
      ['valid_date', 'DATE'],
      ['as_of', 'DATE'],
      ['value', 'DOUBLE'],
      ['unit', 'VARCHAR'],
      ['poc', 'VARCHAR'],
      ['region_type', 'VARCHAR'],
      ['region_id', 'VARCHAR'],
      ['source_url', 'VARCHAR'],
      ['metadata', 'VARCHAR'],
      ['_ingest_ts', 'TIMESTAMP'],
      ['ingest_job_id', 'VARCHAR'],
    ],
    withProvenance(t.indices),
    'valid_date, series_id, _ingest_ts',
  );
  await writeTable(
    connection,
    'environment.usdm_area',
    [
      ...provenance,
      ['region_type', 'VARCHAR'],
      ['region_id', 'VARCHAR'],
      ['valid_date', 'DATE'],
      ['as_of', 'DATE'],
      ['d0_frac', 'DOUBLE'],
      ['d1_frac', 'DOUBLE'],
      ['d2_frac', 'DOUBLE'],
      ['d3_frac', 'DOUBLE'],
      ['d4_frac', 'DOUBLE'],
      ['none_frac', 'DOUBLE'],
      ['source_url', 'VARCHAR'],
      ['metadata', 'VARCHAR'],
      ['_ingest_ts', 'TIMESTAMP'],
      ['ingest_job_id', 'VARCHAR'],
    ],
    withProvenance(t.usdm),
    'valid_date, region_type, region_id, _ingest_ts',
  );
  await writeTable(
    connection,
    'environment.vector_events',
    [
      ...provenance,
      ['layer', 'VARCHAR'],
      ['event_id', 'VARCHAR'],
      ['region_type', 'VARCHAR'],
      ['region_id', 'VARCHAR'],
      ['valid_start', 'TIMESTAMP'],
      ['valid_end', 'TIMESTAMP'],
      ['value', 'DOUBLE'],
      ['unit', 'VARCHAR'],
      ['category', 'VARCHAR'],
      ['severity', 'INTEGER'],
      ['source_url', 'VARCHAR'],
      ['geometry_wkt', 'VARCHAR'],
      ['properties', 'VARCHAR'],
      ['_ingest_ts', 'TIMESTAMP'],
    ],
    withProvenance(t.events),
    'valid_start, layer, event_id',
  );
  return {
    indexRows: t.indices.length,
    usdmRows: t.usdm.length,
    eventRows: t.events.length,
    regions: SAMPLE_REGIONS.length,
  };
}
