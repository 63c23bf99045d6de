/**
 * Representative EIA requests, one or more per route, over the sample data: every filter kind, both time
 * bounds, each frequency, CSV, and a page boundary. Each answers 200 with rows on the sample database, so
 * an engine-equivalence test (the same answer through the Trino adapter as through DuckDB) can replay them.
 */
export const EIA_REQUESTS: readonly string[] = [
  '/v1/metadata/eia/datasets',
  '/v1/metadata/eia/datasets?prefix=natural-gas',
  '/v1/metadata/eia/datasets/natural-gas%2Fstor%2Fwkly',
  '/v1/ref/eia/series?limit=50',
  '/v1/ref/eia/series?dataset=natural-gas/stor/wkly&area=R48&start=2025-06-01',
  '/v1/ref/eia/series?series_id=NG.RNGWHHD.D&start=2025-09-01&end=2025-09-26T23:59:59Z',
  '/v1/ref/eia/series?frequency=monthly&canonical_unit=MWh&limit=40',
  '/v1/ref/eia/series?series_id=EBA.PJM-ALL.D.H&start=2024-11-03T04:00:00Z&end=2024-11-03T10:00:00Z',
  '/v1/ref/eia/series?unit=%24%2FBBL&canonical_currency=USD&source=EIA&limit=5&format=csv',
  '/v1/ref/eia/series/dimensions',
  '/v1/ref/eia/series/dimensions?frequency=hourly&area=PJM',
  '/v2/metadata/eia/datasets?limit=100',
  '/v2/ref/eia/series?series_id=NG.NW2_EPG0_SWO_R35_BCF.W&limit=100',
  '/v2/ref/eia/series?series_id=ELEC.GEN.SUN-US-99.M&start_date=2025-01-01&end_date=2025-06-30',
  '/v2/ref/eia/series/dimensions?dataset=electricity/electric-power-operational-data',
];
