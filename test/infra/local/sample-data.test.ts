import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveKeySegment, ISO_MARKETS } from '#infra/local/markets';
import {
  businessDaysEnding,
  CURVE_OBSERVATION_COLUMNS,
  DEFAULT_SAMPLE_DATA_PATH,
  ensureSampleData,
  generateSampleData,
  type SampleDataResult,
  usMarketHolidays,
} from '#infra/local/sample-data';

type Scalar = string | number | boolean | null;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'aurum-sample-data-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function withDatabase<T>(path: string, read: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return await read(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, Scalar>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, Scalar>[];
}

async function single(connection: DuckDBConnection, sql: string): Promise<Record<string, Scalar>> {
  const [row] = await rows(connection, sql);
  if (row === undefined) throw new Error(`no row from: ${sql}`);
  return row;
}

/** A digest of every column of every row, in key order: equal digests mean equal tables. */
const TABLE_DIGEST = `
  SELECT count(*)::INTEGER AS n,
         sha256(string_agg(concat_ws('|', asof_date, source_file, sheet_name, asset_class, region, iso, location,
           market, product, block, spark_location, price_type, units_raw, currency, per_unit, tenor_type,
           contract_month, tenor_label, value, bid, ask, mid, curve_key, version_hash, _ingest_ts, lineage_tags), '\n'
           ORDER BY curve_key, tenor_label, contract_month, asof_date, price_type, _ingest_ts)) AS digest
  FROM curve_observation`;

describe('calendar', () => {
  it('lists the six NERC holidays of a year, observed on the nearest weekday', () => {
    expect(usMarketHolidays(2025)).toEqual([
      '2025-01-01',
      '2025-05-26',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
    // 2022: New Year's Day on a Saturday (observed Fri 2021-12-31), Christmas on a Sunday (observed Mon 26th).
    expect(usMarketHolidays(2022)).toContain('2021-12-31');
    expect(usMarketHolidays(2022)).toContain('2022-12-26');
    // 2026: Independence Day on a Saturday is observed Friday the 3rd.
    expect(usMarketHolidays(2026)).toContain('2026-07-03');
  });

  it('counts business days back from the end date, skipping weekends and holidays', () => {
    // Saturday 2025-09-06 ends on Friday the 5th; Monday the 1st is Labor Day.
    expect(businessDaysEnding('2025-09-06', 5)).toEqual([
      '2025-08-29',
      '2025-09-02',
      '2025-09-03',
      '2025-09-04',
      '2025-09-05',
    ]);
    expect(businessDaysEnding('2022-01-03', 2)).toEqual(['2021-12-30', '2022-01-03']);
  });

  it('rejects an end date that is not a calendar date', () => {
    expect(() => businessDaysEnding('2025-02-30', 1)).toThrow(RangeError);
    expect(() => businessDaysEnding('26/09/2025', 1)).toThrow(RangeError);
  });
});

describe('curve keys', () => {
  it('upper-cases, keeps hyphens and turns every other run of symbols into one underscore', () => {
    expect(curveKeySegment('AEP-DAYTON HUB')).toBe('AEP-DAYTON_HUB');
    expect(curveKeySegment('PG&E Citygate')).toBe('PG_E_CITYGATE');
    expect(curveKeySegment('.H.INTERNAL_HUB')).toBe('H_INTERNAL_HUB');
  });
});

describe('the default data set', () => {
  let path: string;
  let result: SampleDataResult;

  beforeAll(async () => {
    path = join(workDir, 'default', 'aurum.duckdb');
    result = await generateSampleData({ path });
  }, 60_000);

  it('reports what it wrote, sized for a local API', async () => {
    expect(result.path).toBe(path);
    expect(result.rows).toBeGreaterThanOrEqual(150_000);
    expect(result.rows).toBeLessThanOrEqual(400_000);
    expect(result.asofDates).toHaveLength(60);
    expect(result.asofDates.at(-1)).toBe('2025-09-26');
    const counted = await withDatabase(path, (c) =>
      single(
        c,
        'SELECT count(*)::INTEGER AS n, count(DISTINCT curve_key)::INTEGER AS curves FROM curve_observation',
      ),
    );
    expect(counted).toEqual({ n: result.rows, curves: result.curves });
  });

  it('has exactly the reference columns, in order, and no leftover staging tables', async () => {
    const described = await withDatabase(path, (c) => rows(c, 'DESCRIBE curve_observation'));
    expect(described.map((r) => `${r.column_name} ${r.column_type}`)).toEqual([...CURVE_OBSERVATION_COLUMNS]);
    const tables = await withDatabase(path, (c) =>
      rows(c, "SELECT schema_name || '.' || table_name AS name FROM duckdb_tables() ORDER BY name"),
    );
    // The drought, EIA and ISO LMP tables sit beside the curves, in the schemas production has them in.
    expect(tables.map((t) => t.name)).toEqual([
      'environment.drought_index',
      'environment.usdm_area',
      'environment.vector_events',
      'main.curve_latest',
      'main.curve_observation',
      'main.eia_series',
      'market.iso_lmp_timeseries',
      'ref.geographies',
    ]);
  });

  it('covers the seven ISOs at their real hubs, and the gas hubs that feed them', async () => {
    const locations = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT DISTINCT asset_class, coalesce(iso, '') AS iso, location, region FROM curve_observation ORDER BY ALL`,
      ),
    );
    const at = (iso: string) =>
      locations.filter((l) => l.iso === iso && l.asset_class === 'power').map((l) => l.location);
    expect(new Set(locations.filter((l) => l.asset_class === 'power').map((l) => l.iso))).toEqual(
      new Set(ISO_MARKETS.map((m) => m.iso)),
    );
    expect(at('PJM')).toEqual(
      expect.arrayContaining([
        'WESTERN HUB',
        'AEP-DAYTON HUB',
        'N ILLINOIS HUB',
        'EASTERN HUB',
        'PSEG',
        'BGE',
        'COMED',
      ]),
    );
    expect(at('CAISO')).toEqual(expect.arrayContaining(['SP15', 'NP15', 'ZP26']));
    expect(at('ERCOT')).toEqual(expect.arrayContaining(['HB_NORTH', 'HB_HOUSTON', 'HB_SOUTH', 'HB_WEST']));
    expect(at('MISO')).toEqual(
      expect.arrayContaining([
        'INDIANA HUB',
        'ILLINOIS HUB',
        'MICHIGAN HUB',
        'MINNESOTA HUB',
        'ARKANSAS HUB',
      ]),
    );
    expect(at('SPP')).toEqual(expect.arrayContaining(['SPP NORTH HUB', 'SPP SOUTH HUB']));
    expect(at('NYISO')).toEqual(expect.arrayContaining(['ZONE A', 'ZONE G', 'ZONE J', 'ZONE K']));
    expect(at('ISONE')).toEqual(expect.arrayContaining(['MASS HUB', 'CT', 'ME']));
    const gas = locations.filter((l) => l.asset_class === 'gas');
    expect(gas.map((l) => l.location)).toEqual(
      expect.arrayContaining(['HENRY HUB', 'TETCO M3', 'TRANSCO Z6 NY', 'ALGONQUIN CITYGATES', 'WAHA']),
    );
    expect(gas.find((l) => l.location === 'HENRY HUB')).toMatchObject({ iso: '', region: 'US-GULF' });
    expect(locations.find((l) => l.location === 'HB_NORTH')).toMatchObject({ region: 'US-TEXAS' });
  });

  it('labels power and gas with their own products, markets, blocks and units', async () => {
    const combos = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT DISTINCT asset_class, market, product, coalesce(block, '-') AS block, units_raw, currency, per_unit
         FROM curve_observation ORDER BY ALL`,
      ),
    );
    expect(combos).toEqual([
      {
        asset_class: 'gas',
        market: 'FWD',
        product: 'NG_FWD',
        block: '-',
        units_raw: 'USD/MMBtu',
        currency: 'USD',
        per_unit: 'MMBtu',
      },
      ...['ATC', 'OFF_PEAK', 'ON_PEAK'].map((block) => ({
        asset_class: 'power',
        market: 'DA',
        product: 'PWR_DA_FWD',
        block,
        units_raw: 'USD/MWh',
        currency: 'USD',
        per_unit: 'MWh',
      })),
    ]);
    const spark = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT count(*) FILTER (WHERE spark_location IS NOT NULL AND asset_class = 'power')::INTEGER AS power_with_spark,
                count(*) FILTER (WHERE spark_location IS NOT NULL AND asset_class = 'gas')::INTEGER AS gas_with_spark,
                any_value(spark_location) FILTER (WHERE location = 'WESTERN HUB') AS western_hub_spark
         FROM curve_observation`,
      ),
    );
    expect(spark.power_with_spark).toBeGreaterThan(0);
    expect(spark.gas_with_spark).toBe(0);
    expect(spark.western_hub_spark).toBe('TETCO M3');
  });

  it('builds curve keys from the dimensions within the API key alphabet', async () => {
    const keys = await withDatabase(path, (c) =>
      rows(c, 'SELECT DISTINCT curve_key, iso, location, market, block FROM curve_observation'),
    );
    for (const key of keys) expect(key.curve_key).toMatch(/^[A-Za-z0-9_.-]{1,255}$/);
    expect(keys.map((k) => k.curve_key)).toEqual(
      expect.arrayContaining([
        'PJM.WESTERN_HUB.DA.ON_PEAK.PWR',
        'PJM.AEP-DAYTON_HUB.DA.ATC.PWR',
        'NYISO.ZONE_J.DA.OFF_PEAK.PWR',
        'NG.HENRY_HUB.FWD.NG',
      ]),
    );
    // One curve key is one set of dimensions.
    expect(new Set(keys.map((k) => k.curve_key)).size).toBe(keys.length);
  });

  it('quotes 36 monthly tenors and the strips inside them for every curve on every as-of date', async () => {
    const perCurveDay = await withDatabase(path, (c) =>
      single(
        c,
        `WITH counts AS (
           SELECT curve_key, asof_date,
                  count(DISTINCT tenor_label) FILTER (WHERE tenor_type = 'MONTHLY') AS monthly,
                  min(contract_month) FILTER (WHERE tenor_type = 'MONTHLY') AS first_month,
                  count(DISTINCT tenor_label) FILTER (WHERE tenor_type = 'CALENDAR') AS calendars
           FROM curve_observation WHERE price_type = 'MID' GROUP BY ALL)
         SELECT min(monthly)::INTEGER AS min_monthly, max(monthly)::INTEGER AS max_monthly,
                count(*) FILTER (WHERE first_month <> date_trunc('month', asof_date) + INTERVAL 1 MONTH)::INTEGER AS bad_start,
                min(calendars)::INTEGER AS min_calendars
         FROM counts`,
      ),
    );
    expect(perCurveDay).toEqual({ min_monthly: 36, max_monthly: 36, bad_start: 0, min_calendars: 2 });
    const labels = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT tenor_type, tenor_label, contract_month FROM curve_observation
         WHERE curve_key = 'PJM.WESTERN_HUB.DA.ATC.PWR' AND asof_date = DATE '2025-09-26' AND price_type = 'MID'
           AND tenor_label IN ('2025-10', 'Cal-2026', 'Q3-2026', 'Sum-2026', 'Win-2027')
         ORDER BY tenor_label`,
      ),
    );
    expect(labels).toEqual([
      { tenor_type: 'MONTHLY', tenor_label: '2025-10', contract_month: '2025-10-01' },
      { tenor_type: 'CALENDAR', tenor_label: 'Cal-2026', contract_month: '2026-01-01' },
      { tenor_type: 'QUARTER', tenor_label: 'Q3-2026', contract_month: '2026-07-01' },
      { tenor_type: 'SEASON', tenor_label: 'Sum-2026', contract_month: '2026-07-01' },
      { tenor_type: 'SEASON', tenor_label: 'Win-2027', contract_month: '2027-01-01' },
    ]);
  });

  it('has at least 60 distinct business-day as-of dates and none on a weekend or holiday', async () => {
    const dates = await withDatabase(path, (c) =>
      rows(c, 'SELECT DISTINCT asof_date, dayofweek(asof_date) AS dow FROM curve_observation ORDER BY 1'),
    );
    expect(dates.length).toBeGreaterThanOrEqual(60);
    expect(dates.filter((d) => d.dow === 0 || d.dow === 6)).toEqual([]);
    expect(dates.map((d) => d.asof_date)).not.toContain('2025-07-04');
    expect(dates.map((d) => d.asof_date)).not.toContain('2025-09-01');
    expect(dates.map((d) => d.asof_date)).toEqual(result.asofDates);
  });

  it('quotes bid < mid < ask on every MID row, and settlements carry a price but no bid or ask', async () => {
    const checks = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT
           count(*) FILTER (WHERE price_type = 'MID' AND NOT (bid < mid AND mid < ask))::INTEGER AS uncrossed_violations,
           count(*) FILTER (WHERE mid IS NULL OR mid <= 0)::INTEGER AS bad_mids,
           count(*) FILTER (WHERE value IS DISTINCT FROM mid)::INTEGER AS value_not_mid,
           count(*) FILTER (WHERE mid <> round(mid, 4) OR bid <> round(bid, 4) OR ask <> round(ask, 4))::INTEGER AS unrounded,
           count(*) FILTER (WHERE price_type = 'SETTLE')::INTEGER AS settles,
           count(*) FILTER (WHERE price_type = 'SETTLE' AND (bid IS NOT NULL OR ask IS NOT NULL))::INTEGER AS settles_with_quotes,
           count(*) FILTER (WHERE price_type = 'SETTLE' AND tenor_type <> 'MONTHLY')::INTEGER AS settled_strips,
           count(*) FILTER (WHERE price_type NOT IN ('MID', 'SETTLE'))::INTEGER AS other_price_types
         FROM curve_observation`,
      ),
    );
    expect(checks).toMatchObject({
      uncrossed_violations: 0,
      bad_mids: 0,
      value_not_mid: 0,
      unrounded: 0,
      settles_with_quotes: 0,
      settled_strips: 0,
      other_price_types: 0,
    });
    expect(checks.settles).toBeGreaterThan(0);
  });

  it('widens the spread for far tenors', async () => {
    const spreads = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT avg((ask - bid) / mid) FILTER (WHERE contract_month < asof_date + INTERVAL 4 MONTH) AS near,
                avg((ask - bid) / mid) FILTER (WHERE contract_month > asof_date + INTERVAL 30 MONTH) AS far
         FROM curve_observation WHERE tenor_type = 'MONTHLY' AND price_type = 'MID' AND asset_class = 'power'`,
      ),
    );
    expect(Number(spreads.far)).toBeGreaterThan(Number(spreads.near) * 2);
  });

  it('prices ON_PEAK above ATC above OFF_PEAK in every ISO, with the expected ISO levels', async () => {
    const averages = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT iso, avg(mid) FILTER (WHERE block = 'ON_PEAK') AS on_peak, avg(mid) FILTER (WHERE block = 'ATC') AS atc,
                avg(mid) FILTER (WHERE block = 'OFF_PEAK') AS off_peak
         FROM curve_observation WHERE asset_class = 'power' AND price_type = 'MID' GROUP BY iso ORDER BY iso`,
      ),
    );
    expect(averages).toHaveLength(7);
    for (const iso of averages) {
      expect(Number(iso.on_peak), String(iso.iso)).toBeGreaterThan(Number(iso.atc));
      expect(Number(iso.atc), String(iso.iso)).toBeGreaterThan(Number(iso.off_peak));
    }
    const atc = Object.fromEntries(averages.map((a) => [a.iso, Number(a.atc)]));
    expect(atc.SPP).toBeLessThan(atc.PJM!);
    expect(atc.ISONE).toBeGreaterThan(atc.MISO!);
    expect(atc.CAISO).toBeGreaterThan(atc.SPP!);
  });

  it('gives power a summer peak (ERCOT spiking most) and gas a winter peak', async () => {
    const shape = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT coalesce(iso, location) AS market, asset_class,
                avg(mid) FILTER (WHERE month(contract_month) = 8) / avg(mid) FILTER (WHERE month(contract_month) IN (4, 5)) AS aug_over_spring,
                avg(mid) FILTER (WHERE month(contract_month) = 1) / avg(mid) FILTER (WHERE month(contract_month) IN (4, 5)) AS jan_over_spring
         FROM curve_observation
         WHERE tenor_type = 'MONTHLY' AND price_type = 'MID' AND block IS DISTINCT FROM 'OFF_PEAK'
           AND (asset_class = 'power' OR location = 'HENRY HUB')
         GROUP BY ALL`,
      ),
    );
    const of = (market: string) => shape.find((s) => s.market === market)!;
    expect(Number(of('ERCOT').aug_over_spring)).toBeGreaterThan(Number(of('PJM').aug_over_spring));
    expect(Number(of('PJM').aug_over_spring)).toBeGreaterThan(1.2);
    expect(Number(of('HENRY HUB').jan_over_spring)).toBeGreaterThan(1.1);
    expect(Number(of('HENRY HUB').aug_over_spring)).toBeLessThan(Number(of('HENRY HUB').jan_over_spring));
  });

  it('moves prices across as-of dates without drifting away', async () => {
    const history = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT count(DISTINCT mid)::INTEGER AS distinct_mids, min(mid) AS low, max(mid) AS high
         FROM curve_observation
         WHERE curve_key = 'PJM.WESTERN_HUB.DA.ATC.PWR' AND tenor_label = 'Cal-2026' AND price_type = 'MID'`,
      ),
    );
    expect(history.distinct_mids).toBeGreaterThan(50);
    expect(Number(history.high) / Number(history.low)).toBeLessThan(1.6);
  });

  it('prices each strip at the average of its months, corrections included', async () => {
    const mismatches = await withDatabase(path, (c) =>
      rows(
        c,
        `WITH latest AS (
           SELECT * FROM curve_observation WHERE price_type = 'MID'
           QUALIFY row_number() OVER (PARTITION BY curve_key, tenor_label, asof_date ORDER BY _ingest_ts DESC) = 1),
         strip AS (
           SELECT *, CASE tenor_type WHEN 'CALENDAR' THEN 12 WHEN 'QUARTER' THEN 3 ELSE 2 END AS length
           FROM latest WHERE tenor_type <> 'MONTHLY')
         SELECT s.curve_key, s.tenor_label, s.asof_date, s.mid, avg(m.mid) AS months_mid, count(*) AS months
         FROM strip s JOIN latest m
           ON m.curve_key = s.curve_key AND m.asof_date = s.asof_date AND m.tenor_type = 'MONTHLY'
          AND m.contract_month >= s.contract_month AND m.contract_month < s.contract_month + to_months(s.length)
         GROUP BY ALL
         HAVING abs(s.mid - avg(m.mid)) > 0.00006 OR count(*) <> any_value(s.length)`,
      ),
    );
    expect(mismatches).toEqual([]);
  });

  it('carries a few next-morning corrections that the latest-row rule picks up', async () => {
    const corrections = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT curve_key, tenor_label, asof_date, price_type, count(*)::INTEGER AS versions,
                min(_ingest_ts) AS first_ingest, max(_ingest_ts) AS last_ingest,
                arg_min(mid, _ingest_ts) AS first_mid, arg_max(mid, _ingest_ts) AS last_mid,
                arg_max(source_file, _ingest_ts) AS last_file, arg_max(lineage_tags, _ingest_ts) AS last_tags,
                count(DISTINCT version_hash)::INTEGER AS hashes
         FROM curve_observation GROUP BY curve_key, tenor_label, asof_date, price_type HAVING count(*) > 1`,
      ),
    );
    expect(corrections.length).toBe(result.corrections);
    expect(corrections.length).toBeGreaterThan(0);
    expect(corrections.length).toBeLessThan(result.rows * 0.005);
    for (const correction of corrections) {
      expect(correction.versions).toBe(2);
      expect(correction.price_type).toBe('MID');
      expect(String(correction.last_ingest) > String(correction.first_ingest)).toBe(true);
      expect(String(correction.last_ingest).slice(0, 10) > String(correction.asof_date)).toBe(true);
      expect(correction.last_mid).not.toBe(correction.first_mid);
      expect(Math.abs(Number(correction.last_mid) / Number(correction.first_mid) - 1)).toBeLessThan(0.02);
      expect(correction.last_file).toMatch(/_r1\.xlsx$/);
      expect(JSON.parse(String(correction.last_tags))).toMatchObject({ revision: 1 });
      expect(correction.hashes).toBe(2);
    }

    // The API's rule: latest row per (curve_key, tenor_label) by asof_date DESC, _ingest_ts DESC.
    const sample = corrections[0]!;
    const latest = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT mid, _ingest_ts FROM curve_observation
         WHERE curve_key = '${sample.curve_key}' AND tenor_label = '${sample.tenor_label}'
           AND asof_date = DATE '${sample.asof_date}'
         ORDER BY asof_date DESC, _ingest_ts DESC LIMIT 1`,
      ),
    );
    expect(latest).toEqual({ mid: sample.last_mid, _ingest_ts: sample.last_ingest });
  });

  it('ingests settlements before the vendor marks, so the latest row of a day is the MID', async () => {
    const times = await withDatabase(path, (c) =>
      rows(
        c,
        `SELECT DISTINCT price_type, strftime(_ingest_ts, '%H:%M') AS at, _ingest_ts::DATE = asof_date AS same_day
         FROM curve_observation ORDER BY ALL`,
      ),
    );
    expect(times).toEqual([
      { price_type: 'MID', at: '13:15', same_day: false },
      { price_type: 'MID', at: '21:30', same_day: true },
      { price_type: 'SETTLE', at: '19:05', same_day: true },
    ]);
  });

  it('describes provenance: vendor file, sheet, hash and lineage tags', async () => {
    const sample = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT source_file, sheet_name, version_hash, lineage_tags FROM curve_observation
         WHERE curve_key = 'PJM.WESTERN_HUB.DA.ON_PEAK.PWR' AND tenor_label = '2025-10'
           AND asof_date = DATE '2025-09-26' AND price_type = 'MID' AND _ingest_ts < TIMESTAMP '2025-09-27 00:00:00'`,
      ),
    );
    expect(sample.source_file).toBe('EOD_PowerCurves_PJM_20250926.xlsx');
    expect(sample.sheet_name).toBe('PJM_DA');
    expect(sample.version_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(String(sample.lineage_tags))).toEqual({
      vendor: 'EOD_MARKS',
      feed: 'power_forward',
      ingest_job: 'power_forward-20250926',
      revision: 0,
    });
    const duplicates = await withDatabase(path, (c) =>
      single(
        c,
        'SELECT count(*)::INTEGER - count(DISTINCT version_hash)::INTEGER AS repeated FROM curve_observation',
      ),
    );
    expect(duplicates.repeated).toBe(0);
  });

  it('stores rows in keyset order', async () => {
    const outOfOrder = await withDatabase(path, (c) =>
      single(
        c,
        `SELECT count(*)::INTEGER AS n FROM (
           SELECT rowid, row_number() OVER (
             ORDER BY curve_key, tenor_label, contract_month, asof_date, price_type, _ingest_ts) - 1 AS position
           FROM curve_observation)
         WHERE rowid <> position`,
      ),
    );
    expect(outOfOrder.n).toBe(0);
  });

  it('leaves no temporary file beside the database', async () => {
    expect(await readdir(join(workDir, 'default'))).toEqual(['aurum.duckdb']);
  });
});

describe('determinism and sizing', () => {
  const small = { businessDays: 4, rows: 1 };

  it('writes the same table for the same seed, and different prices for another seed', async () => {
    const first = join(workDir, 'seed-a.duckdb');
    const again = join(workDir, 'seed-a-again.duckdb');
    const other = join(workDir, 'seed-b.duckdb');
    const [a, b, c] = await Promise.all([
      generateSampleData({ path: first, seed: 7, ...small }),
      generateSampleData({ path: again, seed: 7, ...small }),
      generateSampleData({ path: other, seed: 8, ...small }),
    ]);
    expect(b.rows).toBe(a.rows);
    const [digestA, digestB, digestC] = await Promise.all(
      [first, again, other].map((p) => withDatabase(p, (db) => single(db, TABLE_DIGEST))),
    );
    expect(digestB).toEqual(digestA);
    expect(digestC!.digest).not.toBe(digestA!.digest);

    const samePoint = `SELECT mid FROM curve_observation WHERE curve_key = 'NG.HENRY_HUB.FWD.NG' AND tenor_label = 'Cal-2026'
                       AND price_type = 'MID' ORDER BY asof_date, _ingest_ts`;
    const [midsA, midsC] = await Promise.all(
      [first, other].map((p) => withDatabase(p, (db) => rows(db, samePoint))),
    );
    expect(midsC).toHaveLength(midsA!.length);
    expect(midsC).not.toEqual(midsA);
    expect(c.curves).toBe(a.curves);
  });

  it('keeps every ISO and Henry Hub even in the smallest data set', async () => {
    const path = join(workDir, 'smallest.duckdb');
    const made = await generateSampleData({ path, ...small });
    expect(made.curves).toBe(7 * 3 + 1);
    expect(made.asofDates).toHaveLength(4);
    const isos = await withDatabase(path, (c) =>
      rows(c, `SELECT DISTINCT iso, location FROM curve_observation ORDER BY ALL`),
    );
    expect(isos.map((r) => r.iso)).toEqual([...ISO_MARKETS.map((m) => m.iso).sort(), null]);
  });

  it('adds curves for a larger row target, then as-of dates once every curve is in', async () => {
    const fewer = await generateSampleData({
      path: join(workDir, 'rows-10k.duckdb'),
      businessDays: 3,
      rows: 10_000,
    });
    const more = await generateSampleData({
      path: join(workDir, 'rows-30k.duckdb'),
      businessDays: 3,
      rows: 30_000,
    });
    expect(fewer.rows).toBeGreaterThanOrEqual(10_000);
    expect(more.rows).toBeGreaterThanOrEqual(30_000);
    expect(more.curves).toBeGreaterThan(fewer.curves);
    expect(more.asofDates).toHaveLength(3);

    // Three days of the whole universe is ~49k rows: 80k needs more as-of dates.
    const extended = await generateSampleData({
      path: join(workDir, 'rows-80k.duckdb'),
      businessDays: 3,
      rows: 80_000,
    });
    expect(extended.rows).toBeGreaterThanOrEqual(80_000);
    expect(extended.asofDates.length).toBeGreaterThan(3);
    expect(extended.asofDates.at(-1)).toBe('2025-09-26');
    // A curve's prices do not depend on which other curves are generated alongside it.
    const probe = `SELECT mid FROM curve_observation WHERE curve_key = 'ERCOT.HB_NORTH.DA.ON_PEAK.PWR'
                   AND asof_date = DATE '2025-09-26' AND price_type = 'MID' ORDER BY tenor_label, _ingest_ts`;
    const [a, b] = await Promise.all(
      ['rows-10k.duckdb', 'rows-30k.duckdb'].map((f) =>
        withDatabase(join(workDir, f), (c) => rows(c, probe)),
      ),
    );
    expect(b).toEqual(a);
  });

  it('rejects bad options before writing anything', async () => {
    const path = join(workDir, 'rejected.duckdb');
    await expect(generateSampleData({ path, rows: 0 })).rejects.toThrow(RangeError);
    await expect(generateSampleData({ path, seed: -1 })).rejects.toThrow(RangeError);
    await expect(generateSampleData({ path, businessDays: 1.5 })).rejects.toThrow(RangeError);
    await expect(generateSampleData({ path, endDate: '2025-13-01' })).rejects.toThrow(RangeError);
    expect(existsSync(path)).toBe(false);
  });

  it('replaces an existing file whole', async () => {
    const path = join(workDir, 'replaced.duckdb');
    const fresh = join(workDir, 'fresh-seed-2.duckdb');
    await generateSampleData({ path, seed: 1, ...small });
    const before = await withDatabase(path, (c) => single(c, TABLE_DIGEST));
    const replaced = await generateSampleData({ path, seed: 2, ...small });
    await generateSampleData({ path: fresh, seed: 2, ...small });
    const after = await withDatabase(path, (c) => single(c, TABLE_DIGEST));
    expect(after.digest).not.toBe(before.digest);
    expect(after).toEqual(await withDatabase(fresh, (c) => single(c, TABLE_DIGEST)));
    expect(after.n).toBe(replaced.rows);
  });
});

describe('ensureSampleData', () => {
  it('defaults to .data/aurum.duckdb at the repository root', () => {
    expect(DEFAULT_SAMPLE_DATA_PATH).toBe(
      fileURLToPath(new URL('../../../.data/aurum.duckdb', import.meta.url)),
    );
  });

  it('creates a missing file once and leaves an existing one alone', async () => {
    const path = join(workDir, 'ensure', 'nested', 'aurum.duckdb');
    const [first, concurrent] = await Promise.all([
      ensureSampleData(path, { businessDays: 2, rows: 1 }),
      ensureSampleData(path, { businessDays: 2, rows: 1 }),
    ]);
    expect(first.created).toBe(true);
    expect(concurrent).toBe(first);
    const made = await stat(path);

    const second = await ensureSampleData(path, { businessDays: 5, rows: 1 });
    expect(second).toEqual({ created: false, path });
    const kept = await stat(path);
    expect(kept.ino).toBe(made.ino);
    expect(kept.mtimeMs).toBe(made.mtimeMs);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('waits for another process that holds the lock instead of generating twice', async () => {
    const path = join(workDir, 'locked.duckdb');
    await writeFile(`${path}.lock`, '');
    const waiting = ensureSampleData(path, { businessDays: 2, rows: 1 });
    // The "other process" finishes: its file appears and its lock goes.
    await generateSampleData({ path, seed: 99, businessDays: 2, rows: 1 });
    const made = await stat(path);
    await rm(`${path}.lock`);
    await expect(waiting).resolves.toEqual({ created: false, path });
    expect((await stat(path)).ino).toBe(made.ino);
  });
});
