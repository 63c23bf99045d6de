/**
 * The market universe the sample-data generator draws from: the seven US ISOs with their real trading hubs
 * and zones, and the natural-gas hubs that feed them. Pure data plus the curve-key rule; no I/O.
 *
 * Decisions (documented here once, relied on by the generator and its tests):
 * - Power `product` is `PWR_DA_FWD` (forward settling on day-ahead LMP) or `PWR_RT_FWD` (on real-time LMP);
 *   `market` is `DA` or `RT` accordingly; blocks are `ON_PEAK` (5x16), `OFF_PEAK` (the rest) and `ATC` (7x24).
 * - Gas `product` is `NG_FWD` (fixed-price monthly forward), `market` is `FWD`, and `block` is NULL: the gas day
 *   has no peak/off-peak split, so a block filter of `ATC` correctly returns power only.
 * - A gas hub's `iso` is the ISO whose generators it mainly supplies; it is NULL for the national benchmark
 *   (Henry Hub) and for hubs that feed more than one ISO (Chicago Citygate feeds PJM ComEd and MISO).
 * - A power hub's `sparkLocation` is the gas hub a spark spread at that hub is quoted against; zones have none.
 * - Which locations exist, their ISO names, types and market clocks come from the reference data
 *   (lib/reference/iso-nodes.ts); this file adds only what the generator needs to price them.
 * - `tier` orders the universe for sizing: tier 1 is always generated, higher tiers are added as the requested
 *   row count grows (see sample-data.ts).
 */

import { findIsoNode, type IsoCode, type IsoNode, marketTimeZone } from '#lib/reference/iso-nodes';

export type { IsoCode };

export type Region =
  | 'US-EAST'
  | 'US-WEST'
  | 'US-TEXAS'
  | 'US-MIDWEST'
  | 'US-CENTRAL'
  | 'US-NORTHEAST'
  | 'US-GULF';

export type PowerBlock = 'ON_PEAK' | 'OFF_PEAK' | 'ATC';

export const POWER_BLOCKS: readonly PowerBlock[] = ['ON_PEAK', 'OFF_PEAK', 'ATC'];

/** Share of the hours of a month in the 5x16 on-peak block (80 of 168 hours a week); ATC = weighted mean. */
export const ON_PEAK_HOUR_SHARE = 80 / 168;

export const PRODUCTS = {
  powerDayAhead: 'PWR_DA_FWD',
  powerRealTime: 'PWR_RT_FWD',
  gas: 'NG_FWD',
} as const;

export interface IsoMarket {
  iso: IsoCode;
  region: Region;
  /** IANA zone of the ISO's market clock, from its calendar (MISO: fixed EST). */
  timezone: string;
  /** Typical ATC forward level, USD/MWh, before location basis and seasonal shape. */
  baseAtc: number;
  /** Extra price in Jul/Aug (and a little in Jun/Sep), as a fraction of the base. ERCOT's scarcity shows here. */
  summerAmplitude: number;
  /** Extra price in Dec/Jan/Feb, as a fraction of the base. New England's pipeline constraint shows here. */
  winterAmplitude: number;
  /** ON_PEAK / OFF_PEAK ratio outside summer; summer adds `summerPeakRatioBump`. */
  peakRatio: number;
  summerPeakRatioBump: number;
}

export interface PowerLocation {
  iso: IsoCode;
  /** The location as vendors print it; becomes the `location` column. */
  location: string;
  /** The reference entry for the location (type, ISO name, zone, hub). */
  node: IsoNode;
  /** Multiplier on the ISO base for this location's congestion and losses. */
  basis: number;
  sparkLocation?: string;
  tier: 1 | 2 | 3;
  /** Whether a real-time-settled forward is quoted too (only the liquid hubs). */
  realTime: boolean;
  /** Whether exchange settlements (price_type SETTLE) exist besides the vendor MID. */
  settles: boolean;
}

export interface GasHub {
  location: string;
  iso: IsoCode | null;
  region: Region;
  /** Typical price, USD/MMBtu. */
  base: number;
  /** Extra price in Dec/Jan/Feb as a fraction of the base (constrained Northeast citygates spike). */
  winterAmplitude: number;
  tier: 1 | 2 | 3;
  settles: boolean;
}

export const ISO_MARKETS: readonly IsoMarket[] = [
  {
    iso: 'PJM',
    region: 'US-EAST',
    timezone: marketTimeZone('PJM'),
    baseAtc: 48,
    summerAmplitude: 0.35,
    winterAmplitude: 0.3,
    peakRatio: 1.35,
    summerPeakRatioBump: 0.25,
  },
  {
    iso: 'CAISO',
    region: 'US-WEST',
    timezone: marketTimeZone('CAISO'),
    baseAtc: 58,
    summerAmplitude: 0.45,
    winterAmplitude: 0.2,
    peakRatio: 1.15,
    summerPeakRatioBump: 0.2,
  },
  {
    iso: 'ERCOT',
    region: 'US-TEXAS',
    timezone: marketTimeZone('ERCOT'),
    baseAtc: 42,
    summerAmplitude: 1.1,
    winterAmplitude: 0.15,
    peakRatio: 1.4,
    summerPeakRatioBump: 0.9,
  },
  {
    iso: 'MISO',
    region: 'US-MIDWEST',
    timezone: marketTimeZone('MISO'),
    baseAtc: 40,
    summerAmplitude: 0.3,
    winterAmplitude: 0.2,
    peakRatio: 1.35,
    summerPeakRatioBump: 0.2,
  },
  {
    iso: 'SPP',
    region: 'US-CENTRAL',
    timezone: marketTimeZone('SPP'),
    baseAtc: 32,
    summerAmplitude: 0.35,
    winterAmplitude: 0.15,
    peakRatio: 1.45,
    summerPeakRatioBump: 0.25,
  },
  {
    iso: 'NYISO',
    region: 'US-NORTHEAST',
    timezone: marketTimeZone('NYISO'),
    baseAtc: 50,
    summerAmplitude: 0.3,
    winterAmplitude: 0.45,
    peakRatio: 1.3,
    summerPeakRatioBump: 0.2,
  },
  {
    iso: 'ISONE',
    region: 'US-NORTHEAST',
    timezone: marketTimeZone('ISONE'),
    baseAtc: 60,
    summerAmplitude: 0.2,
    winterAmplitude: 0.8,
    peakRatio: 1.25,
    summerPeakRatioBump: 0.15,
  },
];

/** The reference node a curve location names; the universe may only quote locations the reference knows. */
function referenceNode(iso: IsoCode, location: string): IsoNode {
  const node = findIsoNode(iso, location);
  if (node === undefined) throw new Error(`${iso} ${location} is not in lib/reference/iso-nodes.ts`);
  return node;
}

const hub = (
  iso: IsoCode,
  location: string,
  basis: number,
  sparkLocation: string | undefined,
  tier: 1 | 2 | 3,
  flags: { realTime?: boolean; settles?: boolean } = {},
): PowerLocation => ({
  iso,
  location,
  node: referenceNode(iso, location),
  basis,
  ...(sparkLocation === undefined ? {} : { sparkLocation }),
  tier,
  realTime: flags.realTime ?? false,
  settles: flags.settles ?? false,
});

const zone = (iso: IsoCode, location: string, basis: number, tier: 1 | 2 | 3): PowerLocation => ({
  iso,
  location,
  node: referenceNode(iso, location),
  basis,
  tier,
  realTime: false,
  settles: false,
});

/**
 * Every power location, in priority order within each tier (the first location of each ISO is its benchmark).
 * NYISO trades its zones (there are no NYISO hubs), so its liquid zones are listed as hubs.
 */
export const POWER_LOCATIONS: readonly PowerLocation[] = [
  // PJM
  hub('PJM', 'WESTERN HUB', 1.0, 'TETCO M3', 1, { realTime: true, settles: true }),
  hub('PJM', 'AEP-DAYTON HUB', 0.94, 'DOMINION SOUTH', 1),
  hub('PJM', 'N ILLINOIS HUB', 0.86, 'CHICAGO CITYGATE', 1),
  hub('PJM', 'EASTERN HUB', 1.08, 'TETCO M3', 1),
  zone('PJM', 'PSEG', 1.1, 1),
  zone('PJM', 'BGE', 1.14, 1),
  zone('PJM', 'COMED', 0.85, 1),
  zone('PJM', 'DOMINION', 1.06, 1),
  hub('PJM', 'DOMINION HUB', 1.05, 'DOMINION SOUTH', 2),
  hub('PJM', 'NEW JERSEY HUB', 1.09, 'TRANSCO Z6 NY', 2),
  hub('PJM', 'OHIO HUB', 0.95, 'DOMINION SOUTH', 2),
  zone('PJM', 'PECO', 1.04, 3),
  zone('PJM', 'PPL', 1.0, 3),
  zone('PJM', 'PEPCO', 1.12, 3),
  zone('PJM', 'JCPL', 1.09, 3),
  zone('PJM', 'METED', 1.01, 3),
  zone('PJM', 'PENELEC', 0.97, 3),
  zone('PJM', 'AECO', 1.07, 3),
  zone('PJM', 'DPL', 1.1, 3),
  zone('PJM', 'RECO', 1.11, 3),
  zone('PJM', 'APS', 0.98, 3),
  zone('PJM', 'AEP', 0.93, 3),
  zone('PJM', 'ATSI', 0.96, 3),
  zone('PJM', 'DAYTON', 0.95, 3),
  zone('PJM', 'DEOK', 0.94, 3),
  zone('PJM', 'DUQUESNE', 0.95, 3),
  zone('PJM', 'EKPC', 0.92, 3),
  // CAISO
  hub('CAISO', 'SP15', 1.0, 'SOCAL CITYGATE', 1, { realTime: true, settles: true }),
  hub('CAISO', 'NP15', 1.05, 'PG&E CITYGATE', 1, { realTime: true }),
  hub('CAISO', 'ZP26', 0.98, 'PG&E CITYGATE', 1),
  zone('CAISO', 'DLAP_PGAE', 1.08, 3),
  zone('CAISO', 'DLAP_SCE', 1.03, 3),
  zone('CAISO', 'DLAP_SDGE', 1.07, 3),
  zone('CAISO', 'DLAP_VEA', 1.01, 3),
  // ERCOT
  hub('ERCOT', 'HB_NORTH', 1.0, 'HOUSTON SHIP CHANNEL', 1, { realTime: true, settles: true }),
  hub('ERCOT', 'HB_HOUSTON', 1.04, 'HOUSTON SHIP CHANNEL', 1, { realTime: true }),
  hub('ERCOT', 'HB_SOUTH', 1.02, 'HOUSTON SHIP CHANNEL', 1),
  hub('ERCOT', 'HB_WEST', 0.84, 'WAHA', 1, { realTime: true }),
  hub('ERCOT', 'HB_PAN', 0.8, 'WAHA', 2),
  hub('ERCOT', 'HB_BUSAVG', 0.99, 'HOUSTON SHIP CHANNEL', 2),
  hub('ERCOT', 'HB_HUBAVG', 0.98, 'HOUSTON SHIP CHANNEL', 2),
  zone('ERCOT', 'LZ_NORTH', 1.01, 3),
  zone('ERCOT', 'LZ_HOUSTON', 1.05, 3),
  zone('ERCOT', 'LZ_SOUTH', 1.03, 3),
  zone('ERCOT', 'LZ_WEST', 0.88, 3),
  zone('ERCOT', 'LZ_AEN', 1.02, 3),
  zone('ERCOT', 'LZ_CPS', 1.02, 3),
  zone('ERCOT', 'LZ_LCRA', 1.0, 3),
  zone('ERCOT', 'LZ_RAYBN', 1.01, 3),
  // MISO
  hub('MISO', 'INDIANA HUB', 1.0, 'CHICAGO CITYGATE', 1, { realTime: true }),
  hub('MISO', 'ILLINOIS HUB', 0.93, 'CHICAGO CITYGATE', 1),
  hub('MISO', 'MICHIGAN HUB', 1.03, 'CHICAGO CITYGATE', 1),
  hub('MISO', 'MINNESOTA HUB', 0.9, 'CHICAGO CITYGATE', 1),
  hub('MISO', 'ARKANSAS HUB', 0.95, 'HENRY HUB', 1),
  hub('MISO', 'LOUISIANA HUB', 0.97, 'HENRY HUB', 1),
  hub('MISO', 'TEXAS HUB', 0.96, 'HOUSTON SHIP CHANNEL', 1),
  // SPP
  hub('SPP', 'SPP NORTH HUB', 1.0, 'PANHANDLE EASTERN', 1, { realTime: true }),
  hub('SPP', 'SPP SOUTH HUB', 1.04, 'PANHANDLE EASTERN', 1),
  zone('SPP', 'OKGE', 1.03, 3),
  zone('SPP', 'SPS', 0.95, 3),
  zone('SPP', 'WR', 0.99, 3),
  zone('SPP', 'KCPL', 1.0, 3),
  // NYISO
  hub('NYISO', 'ZONE J', 1.35, 'TRANSCO Z6 NY', 1, { realTime: true }),
  hub('NYISO', 'ZONE A', 0.72, 'DOMINION SOUTH', 1),
  hub('NYISO', 'ZONE G', 1.08, 'TRANSCO Z6 NY', 1, { realTime: true }),
  hub('NYISO', 'ZONE K', 1.4, 'TRANSCO Z6 NY', 1),
  hub('NYISO', 'ZONE C', 0.78, 'DOMINION SOUTH', 2),
  hub('NYISO', 'ZONE F', 1.0, 'ALGONQUIN CITYGATES', 2),
  zone('NYISO', 'ZONE B', 0.75, 3),
  zone('NYISO', 'ZONE D', 0.7, 3),
  zone('NYISO', 'ZONE E', 0.82, 3),
  zone('NYISO', 'ZONE H', 1.1, 3),
  zone('NYISO', 'ZONE I', 1.12, 3),
  // ISONE
  hub('ISONE', 'MASS HUB', 1.0, 'ALGONQUIN CITYGATES', 1, {
    realTime: true,
    settles: true,
  }),
  zone('ISONE', 'CT', 1.01, 1),
  zone('ISONE', 'ME', 0.96, 1),
  zone('ISONE', 'NH', 0.98, 2),
  zone('ISONE', 'VT', 0.99, 3),
  zone('ISONE', 'RI', 1.0, 3),
  zone('ISONE', 'SEMA', 1.0, 3),
  zone('ISONE', 'WCMA', 1.0, 3),
  zone('ISONE', 'NEMA', 1.01, 3),
];

export const GAS_HUBS: readonly GasHub[] = [
  {
    location: 'HENRY HUB',
    iso: null,
    region: 'US-GULF',
    base: 3.4,
    winterAmplitude: 0.18,
    tier: 1,
    settles: true,
  },
  {
    location: 'TETCO M3',
    iso: 'PJM',
    region: 'US-EAST',
    base: 3.0,
    winterAmplitude: 0.9,
    tier: 1,
    settles: false,
  },
  {
    location: 'TRANSCO Z6 NY',
    iso: 'NYISO',
    region: 'US-NORTHEAST',
    base: 3.1,
    winterAmplitude: 1.6,
    tier: 1,
    settles: false,
  },
  {
    location: 'ALGONQUIN CITYGATES',
    iso: 'ISONE',
    region: 'US-NORTHEAST',
    base: 3.6,
    winterAmplitude: 2.8,
    tier: 1,
    settles: false,
  },
  {
    location: 'SOCAL CITYGATE',
    iso: 'CAISO',
    region: 'US-WEST',
    base: 4.1,
    winterAmplitude: 0.35,
    tier: 1,
    settles: false,
  },
  {
    location: 'PG&E CITYGATE',
    iso: 'CAISO',
    region: 'US-WEST',
    base: 4.4,
    winterAmplitude: 0.3,
    tier: 1,
    settles: false,
  },
  {
    location: 'CHICAGO CITYGATE',
    iso: null,
    region: 'US-MIDWEST',
    base: 3.2,
    winterAmplitude: 0.3,
    tier: 1,
    settles: false,
  },
  {
    location: 'WAHA',
    iso: 'ERCOT',
    region: 'US-TEXAS',
    base: 1.6,
    winterAmplitude: 0.25,
    tier: 1,
    settles: false,
  },
  {
    location: 'HOUSTON SHIP CHANNEL',
    iso: 'ERCOT',
    region: 'US-TEXAS',
    base: 3.25,
    winterAmplitude: 0.2,
    tier: 1,
    settles: false,
  },
  {
    location: 'DOMINION SOUTH',
    iso: 'PJM',
    region: 'US-EAST',
    base: 2.5,
    winterAmplitude: 0.3,
    tier: 1,
    settles: false,
  },
  {
    location: 'PANHANDLE EASTERN',
    iso: 'SPP',
    region: 'US-CENTRAL',
    base: 2.7,
    winterAmplitude: 0.3,
    tier: 2,
    settles: false,
  },
];

export function isoMarket(iso: IsoCode): IsoMarket {
  const market = ISO_MARKETS.find((m) => m.iso === iso);
  if (market === undefined) throw new Error(`unknown ISO ${iso}`);
  return market;
}

/**
 * One curve-key segment: upper case, hyphens kept (`AEP-DAYTON_HUB`), every other run of characters outside
 * [A-Z0-9-] (spaces, `&`, dots: the dot separates segments) becomes a single `_`.
 */
export function curveKeySegment(value: string): string {
  return value
    .toUpperCase()
    .replace(/[^A-Z0-9-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * `PJM.WESTERN_HUB.DA.ON_PEAK.PWR` for power, `NG.HENRY_HUB.FWD.NG` for gas: the owner (ISO, or `NG` for gas
 * hubs, which are not owned by an ISO), the location, the market, the block when there is one, the commodity.
 */
export function curveKey(parts: {
  owner: string;
  location: string;
  market: string;
  block: string | null;
  commodity: 'PWR' | 'NG';
}): string {
  const segments = [parts.owner, parts.location, parts.market, parts.block, parts.commodity]
    .filter((s): s is string => s !== null)
    .map(curveKeySegment);
  return segments.join('.');
}
