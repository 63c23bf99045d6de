/**
 * The EIA API v2 dataset catalog, authored here (the original read `config/eia_catalog.json`): each dataset by
 * its API v2 route path (`natural-gas/stor/wkly`), with its name and description as EIA publishes them, the
 * frequencies it offers (EIA's ids, lower case, with the query letter and the period format), its facets
 * and its data columns. Start and end periods are those EIA listed when this catalog was written
 * (September 2025); the data keeps growing past `end_period`.
 */

import { once } from '#lib/lazy';

export interface EiaFrequency {
  /** EIA's id, lower case: `hourly`, `local-hourly`, `daily`, `weekly`, `monthly`, `quarterly`, `annual`. */
  id: string;
  description: string;
  /** The letter EIA's API v1 used for the frequency (`W`, `M` …). */
  query: string;
  /** How EIA writes a period of this frequency. */
  format: string;
}

export interface EiaFacet {
  id: string;
  description: string;
}

export interface EiaDataset {
  path: string;
  name: string;
  description: string;
  default_frequency: string;
  start_period: string;
  end_period: string;
  frequencies: EiaFrequency[];
  facets: EiaFacet[];
  data_columns: string[];
  default_date_format: string;
}

const FREQUENCIES: Record<string, EiaFrequency> = {
  hourly: {
    id: 'hourly',
    description: 'One data point for each hour in UTC time.',
    query: 'H',
    format: 'YYYY-MM-DD"T"HH24',
  },
  'local-hourly': {
    id: 'local-hourly',
    description: 'One data point for each hour in local time.',
    query: 'LH',
    format: 'YYYY-MM-DD"T"HH24TZH',
  },
  daily: { id: 'daily', description: 'One data point for each day.', query: 'D', format: 'YYYY-MM-DD' },
  weekly: { id: 'weekly', description: 'One data point for each week.', query: 'W', format: 'YYYY-MM-DD' },
  monthly: { id: 'monthly', description: 'One data point for each month.', query: 'M', format: 'YYYY-MM' },
  quarterly: {
    id: 'quarterly',
    description: 'One data point every 3 months.',
    query: 'Q',
    format: 'YYYY-"Q"Q',
  },
  annual: { id: 'annual', description: 'One data point for each year.', query: 'A', format: 'YYYY' },
};

type FrequencyId = keyof typeof FREQUENCIES;

const FACETS: Record<string, string> = {
  duoarea: 'Area',
  process: 'Process',
  product: 'Product',
  series: 'Series',
  respondent: 'Balancing Authority / Region',
  type: 'Type of data',
  fueltype: 'Energy Source',
  subba: 'Sub-Region',
  parent: 'Parent Balancing Authority',
  fromba: 'From Balancing Authority',
  toba: 'To Balancing Authority',
  timezone: 'Time Zone',
  location: 'State / Census Region',
  sectorid: 'Sector',
  fueltypeid: 'Fuel Type',
  stateid: 'State',
  state: 'State',
  plantCode: 'Plant Code',
  fuel2002: 'Fuel',
  primeMover: 'Prime Mover',
  entityid: 'Entity ID',
  plantid: 'Plant ID',
  generatorid: 'Generator ID',
  technology: 'Technology',
  energy_source_code: 'Energy Source Code',
  prime_mover_code: 'Prime Mover Code',
  status: 'Status',
  balancing_authority_code: 'Balancing Authority Code',
  seriesId: 'Series ID',
  scenario: 'Scenario',
  tableId: 'Table',
  productId: 'Product',
  activityId: 'Activity',
  countryRegionId: 'Country / Region',
  unit: 'Unit',
  sectorId: 'Sector',
  fuelId: 'Fuel',
  stateId: 'State',
  msn: 'Mnemonic Series Name',
  mineStateId: 'Mine State',
  coalRankId: 'Coal Rank',
  plantStateId: 'Plant State',
  facility: 'Facility',
  generator: 'Generator',
  country: 'Country',
  originId: 'Origin',
  destinationId: 'Destination',
  gradeId: 'Crude Grade',
};

function dataset(
  path: string,
  name: string,
  description: string,
  frequencies: readonly FrequencyId[],
  period: readonly [start: string, end: string],
  facets: readonly string[],
  dataColumns: readonly string[],
): EiaDataset {
  const defaultFrequency = FREQUENCIES[frequencies[0]!]!;
  return {
    path,
    name,
    description,
    default_frequency: defaultFrequency.id,
    start_period: period[0],
    end_period: period[1],
    frequencies: frequencies.map((id) => ({ ...FREQUENCIES[id]! })),
    facets: facets.map((id) => ({ id, description: FACETS[id] ?? id })),
    data_columns: [...dataColumns],
    default_date_format: defaultFrequency.format,
  };
}

const PETROLEUM_FACETS = ['duoarea', 'product', 'process', 'series'] as const;
const GAS_FACETS = ['duoarea', 'process', 'product', 'series'] as const;
const VALUE = ['value'] as const;

/**
 * The catalog, by path in code point order; the first frequency listed is the dataset's default. Built on
 * first use: only the dataset routes read it, so the EIA function compiles it at import without running it.
 */
export const eiaDatasets = /* @__PURE__ */ once((): readonly EiaDataset[] => [
  dataset(
    'aeo/2025',
    'Annual Energy Outlook 2025',
    'Projections of U.S. energy supply, demand and prices to 2050 under the AEO2025 cases.',
    ['annual'],
    ['2024', '2050'],
    ['scenario', 'tableId', 'seriesId'],
    VALUE,
  ),
  dataset(
    'co2-emissions/co2-emissions-aggregates',
    'CO2 Emissions Aggregates',
    'Energy-related carbon dioxide emissions by state, sector and fuel, in million metric tons.',
    ['annual'],
    ['1970', '2022'],
    ['sectorId', 'fuelId', 'stateId'],
    ['value'],
  ),
  dataset(
    'coal/consumption-and-quality',
    'Coal Consumption and Quality',
    'Coal receipts, consumption and quality (heat, sulfur and ash content) at plants by state and sector.',
    ['quarterly', 'annual'],
    ['2008-Q1', '2025-Q2'],
    ['location', 'sector'],
    ['consumption', 'price', 'receipts', 'ash-content', 'heat-content', 'sulfur-content'],
  ),
  dataset(
    'coal/shipments/receipts',
    'Coal Shipment Receipts',
    'Coal shipments received by plants, by mine, coal rank and transportation mode.',
    ['quarterly', 'annual'],
    ['2008-Q1', '2025-Q2'],
    ['plantStateId', 'mineStateId', 'coalRankId'],
    ['quantity', 'price', 'ash-content', 'heat-content', 'sulfur-content'],
  ),
  dataset(
    'electricity/electric-power-operational-data',
    'Electric Power Operations (Annual and Monthly)',
    'Net generation, fuel consumption, stocks, receipts and cost of fuels for electricity generation, by state, sector and fuel type (EIA-923).',
    ['monthly', 'quarterly', 'annual'],
    ['2001-01', '2025-07'],
    ['location', 'sectorid', 'fueltypeid'],
    [
      'generation',
      'total-consumption',
      'total-consumption-btu',
      'consumption-for-eg',
      'consumption-for-eg-btu',
      'consumption-uto',
      'consumption-uto-btu',
      'stocks',
      'receipts',
      'receipts-btu',
      'cost',
      'cost-per-btu',
      'sulfur-content',
      'ash-content',
      'heat-content',
    ],
  ),
  dataset(
    'electricity/facility-fuel',
    'Power Plant Operations by Facility and Fuel',
    'Generation and fuel consumption of each power plant by fuel and prime mover (EIA-923).',
    ['monthly', 'quarterly', 'annual'],
    ['2001-01', '2025-07'],
    ['state', 'plantCode', 'fuel2002', 'primeMover'],
    [
      'generation',
      'gross-generation',
      'consumption-for-eg',
      'consumption-for-eg-btu',
      'total-consumption',
      'total-consumption-btu',
    ],
  ),
  dataset(
    'electricity/operating-generator-capacity',
    'Inventory of Operable Generators',
    'Operable generators with nameplate, summer and winter capacity, technology and status (EIA-860M).',
    ['monthly'],
    ['2008-01', '2025-08'],
    [
      'stateid',
      'balancing_authority_code',
      'sector',
      'entityid',
      'plantid',
      'generatorid',
      'technology',
      'energy_source_code',
      'prime_mover_code',
      'status',
    ],
    ['nameplate-capacity-mw', 'net-summer-capacity-mw', 'net-winter-capacity-mw', 'operating-year-month'],
  ),
  dataset(
    'electricity/retail-sales',
    'Electricity Sales to Ultimate Customers',
    'Retail sales, revenue, average price and customer counts by state and sector (EIA-861M).',
    ['monthly', 'quarterly', 'annual'],
    ['2001-01', '2025-07'],
    ['stateid', 'sectorid'],
    ['revenue', 'sales', 'price', 'customers'],
  ),
  dataset(
    'electricity/rto/daily-fuel-type-data',
    'Daily Net Generation by Balancing Authority and Energy Source',
    'Daily net generation by balancing authority and energy source from the Hourly Electric Grid Monitor (EIA-930).',
    ['daily'],
    ['2018-07-01', '2025-09-25'],
    ['respondent', 'fueltype', 'timezone'],
    VALUE,
  ),
  dataset(
    'electricity/rto/daily-region-data',
    'Daily Demand, Day-Ahead Demand Forecast, Net Generation, and Interchange by Balancing Authority',
    'Daily totals of the hourly grid data by balancing authority, in the time zone asked for (EIA-930).',
    ['daily'],
    ['2015-07-01', '2025-09-25'],
    ['respondent', 'type', 'timezone'],
    VALUE,
  ),
  dataset(
    'electricity/rto/fuel-type-data',
    'Hourly Net Generation by Balancing Authority and Energy Source',
    'Hourly net generation by balancing authority and energy source (EIA-930).',
    ['hourly', 'local-hourly'],
    ['2018-07-01T05', '2025-09-26T04'],
    ['respondent', 'fueltype'],
    VALUE,
  ),
  dataset(
    'electricity/rto/interchange-data',
    'Hourly Interchange by Neighboring Balancing Authority',
    'Hourly actual interchange between each pair of neighbouring balancing authorities (EIA-930).',
    ['hourly', 'local-hourly'],
    ['2015-07-01T05', '2025-09-26T04'],
    ['fromba', 'toba'],
    VALUE,
  ),
  dataset(
    'electricity/rto/region-data',
    'Hourly Demand, Day-Ahead Demand Forecast, Net Generation, and Interchange by Balancing Authority',
    'Hourly demand, day-ahead demand forecast, net generation and total interchange by balancing authority (EIA-930). Hourly periods are UTC and label the hour by its end.',
    ['hourly', 'local-hourly'],
    ['2015-07-01T05', '2025-09-26T04'],
    ['respondent', 'type'],
    VALUE,
  ),
  dataset(
    'electricity/rto/region-sub-ba-data',
    'Hourly Demand by Subregion',
    'Hourly demand by balancing authority subregion (EIA-930).',
    ['hourly', 'local-hourly'],
    ['2018-06-19T05', '2025-09-26T04'],
    ['subba', 'parent'],
    VALUE,
  ),
  dataset(
    'electricity/state-electricity-profiles/capability',
    'State Electricity Profiles: Capability',
    'Net summer capacity by state, producer type and energy source.',
    ['annual'],
    ['1990', '2023'],
    ['stateId', 'producertypeid', 'energysourceid'],
    ['capability'],
  ),
  dataset(
    'electricity/state-electricity-profiles/source-disposition',
    'State Electricity Profiles: Source and Disposition',
    'Supply and disposition of electricity by state: generation, imports, sales, losses.',
    ['annual'],
    ['1990', '2023'],
    ['state'],
    ['net-generation', 'total-supply', 'total-retail-sales', 'net-interstate-trade', 'estimated-losses'],
  ),
  dataset(
    'international',
    'International Energy Data',
    'Production, consumption, trade, reserves and capacity of energy by country and region.',
    ['annual', 'monthly', 'quarterly'],
    ['1973', '2024'],
    ['productId', 'activityId', 'countryRegionId', 'unit'],
    VALUE,
  ),
  dataset(
    'natural-gas/cons/sum',
    'Natural Gas Consumption by End Use',
    'Natural gas delivered to residential, commercial, industrial, electric power and vehicle fuel consumers, by state.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/enr/dry',
    'Dry Natural Gas Proved Reserves',
    'Proved reserves of dry natural gas by state and area, end of year.',
    ['annual'],
    ['1977', '2023'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/move/expc',
    'U.S. Natural Gas Exports and Re-Exports by Country',
    'Volumes and prices of U.S. pipeline and LNG exports by destination country.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/move/impc',
    'U.S. Natural Gas Imports by Country',
    'Volumes and prices of U.S. pipeline and LNG imports by country of origin.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/pri/fut',
    'Natural Gas Spot and Futures Prices (NYMEX)',
    'Henry Hub natural gas spot price and NYMEX futures contracts 1 to 4, in dollars per million Btu.',
    ['daily', 'weekly', 'monthly', 'annual'],
    ['1993-12-20', '2025-09-23'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/pri/rescom',
    'Natural Gas Prices: Residential and Commercial',
    'Average price of natural gas delivered to residential and commercial consumers, by state.',
    ['monthly', 'annual'],
    ['1989-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/pri/sum',
    'Natural Gas Prices',
    'Wellhead, city gate, imports, exports and end-use prices of natural gas, by state.',
    ['monthly', 'annual'],
    ['1989-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/prod/sum',
    'Natural Gas Gross Withdrawals and Production',
    'Gross withdrawals, marketed production, dry production and repressuring, by state and area.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/stor/cap',
    'Underground Natural Gas Storage Capacity',
    'Design and demonstrated peak capacity of underground storage fields, by state and field type.',
    ['monthly', 'annual'],
    ['1989-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/stor/sum',
    'Underground Natural Gas Storage - All Operators',
    'Base gas, working gas, injections and withdrawals of underground storage, by state.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/stor/wkly',
    'Weekly Natural Gas Storage Report',
    'Working gas in underground storage in the Lower 48 and its five regions (East, Midwest, Mountain, Pacific, South Central), in billion cubic feet, for the week ending Friday.',
    ['weekly'],
    ['2010-01-01', '2025-09-19'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'natural-gas/sum/lsum',
    'Natural Gas Summary',
    'Supply, disposition, storage and prices of natural gas in one monthly summary.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    GAS_FACETS,
    VALUE,
  ),
  dataset(
    'nuclear-outages/generator-nuclear-outages',
    'Generator Nuclear Outages',
    'Daily capacity and outage of each U.S. nuclear generator.',
    ['daily'],
    ['2007-01-01', '2025-09-25'],
    ['facility', 'generator'],
    ['capacity', 'outage', 'percentOutage'],
  ),
  dataset(
    'nuclear-outages/us-nuclear-outages',
    'U.S. Nuclear Outages',
    'Daily total U.S. nuclear capacity, capacity out of service, and its share.',
    ['daily'],
    ['2007-01-01', '2025-09-25'],
    [],
    ['capacity', 'outage', 'percentOutage'],
  ),
  dataset(
    'petroleum/crd/crpdn',
    'Crude Oil Production',
    'Field production of crude oil by state and PAD district, in thousand barrels (per day).',
    ['monthly', 'annual'],
    ['1920-01', '2025-06'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/move/wkly',
    'Weekly Imports & Exports',
    'Weekly U.S. imports and exports of crude oil and petroleum products, in thousand barrels per day.',
    ['weekly', 'monthly', 'annual'],
    ['1991-02-08', '2025-09-19'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/pnp/wiup',
    'Weekly Inputs & Utilization',
    'Weekly refiner and blender net inputs, gross inputs, operable capacity and utilization.',
    ['weekly', 'monthly', 'annual'],
    ['1982-08-20', '2025-09-19'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/pri/fut',
    'NYMEX Futures Prices',
    'NYMEX futures prices of crude oil (WTI), heating oil, RBOB gasoline and propane, contracts 1 to 4.',
    ['daily', 'weekly', 'monthly', 'annual'],
    ['1983-03-30', '2025-09-23'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/pri/gnd',
    'Gasoline and Diesel Fuel Update',
    'Weekly U.S. retail prices of gasoline and on-highway diesel, by region.',
    ['weekly', 'monthly', 'annual'],
    ['1990-08-20', '2025-09-22'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/pri/spt',
    'Spot Prices',
    'Spot prices of crude oil (WTI Cushing, Brent) and petroleum products at the main U.S. trading hubs.',
    ['daily', 'weekly', 'monthly', 'annual'],
    ['1986-01-02', '2025-09-23'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/stoc/wstk',
    'Weekly Stocks',
    'Weekly U.S. stocks of crude oil (with and without the SPR) and petroleum products, in thousand barrels.',
    ['weekly', 'monthly', 'annual'],
    ['1982-08-20', '2025-09-19'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'petroleum/sum/wkly',
    'Weekly Supply Estimates',
    'Weekly petroleum balance: production, imports, stocks and product supplied.',
    ['weekly', 'monthly', 'annual'],
    ['1982-08-20', '2025-09-19'],
    PETROLEUM_FACETS,
    VALUE,
  ),
  dataset(
    'seds',
    'State Energy Data System',
    'Consumption, prices and expenditures of energy by state and sector (SEDS).',
    ['annual'],
    ['1960', '2023'],
    ['seriesId', 'stateId'],
    VALUE,
  ),
  dataset(
    'steo',
    'Short-Term Energy Outlook',
    'Monthly forecasts of U.S. and world energy supply, demand and prices for the next one to two years.',
    ['monthly', 'quarterly', 'annual'],
    ['1997-01', '2026-12'],
    ['seriesId'],
    VALUE,
  ),
  dataset(
    'total-energy',
    'Monthly Energy Review',
    'U.S. energy production, consumption, trade, stocks and prices in the Monthly Energy Review tables.',
    ['monthly', 'annual'],
    ['1973-01', '2025-06'],
    ['msn'],
    VALUE,
  ),
]);

const byPath = /* @__PURE__ */ once(() => new Map(eiaDatasets().map((d) => [d.path, d])));

/** The dataset at an API v2 path (exact, lower case as EIA spells it), if the catalog has it. */
export function eiaDataset(path: string): EiaDataset | undefined {
  return byPath().get(path);
}
