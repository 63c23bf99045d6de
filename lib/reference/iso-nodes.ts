/**
 * The pricing locations of the seven US ISOs that Aurum knows: trading hubs, load zones and the interfaces
 * (external pricing points) with the identifiers the curves use, the ISO's own label, and the market clock
 * from the calendars. Facts come from each ISO's public pricing-node lists; the `hub` a zone is usually
 * hedged against is our documented choice.
 *
 * - `location_id` is the `location` the curve data carries (`WESTERN HUB`, `HB_NORTH`, `ZONE J`); interfaces,
 *   which no curve quotes, keep the ISO's name.
 * - `iso_name` is the ISO's own name for the node or zone as its price files print it.
 * - `zone` is the load zone a location lies in (a zone is its own; MISO hubs name their Local Resource Zone);
 *   `hub` is the hub a zone trades against (a hub is its own); null where neither applies.
 * - `latitude`/`longitude` only for single-site interfaces (city-level, two decimals); hubs and zones are
 *   aggregates of many buses and have none.
 */
import { once } from '#lib/lazy';
import { CALENDARS } from '#lib/time/calendars';

export type IsoCode = 'PJM' | 'NYISO' | 'ISONE' | 'MISO' | 'ERCOT' | 'SPP' | 'CAISO';

export const ISO_CODES: readonly IsoCode[] = ['CAISO', 'ERCOT', 'ISONE', 'MISO', 'NYISO', 'PJM', 'SPP'];

export type LocationType = 'HUB' | 'ZONE' | 'INTERFACE';

export interface IsoNode {
  iso: IsoCode;
  location_id: string;
  location_name: string;
  location_type: LocationType;
  iso_name: string;
  zone: string | null;
  hub: string | null;
  /** The ISO's market clock (an IANA zone), the same as its calendar's. */
  timezone: string;
  latitude: number | null;
  longitude: number | null;
}

/** The IANA zone of an ISO's market clock: its calendar's, so there is one answer (MISO: fixed EST). */
export function marketTimeZone(iso: IsoCode): string {
  const calendar = CALENDARS.find((c) => c.name === iso.toLowerCase());
  if (calendar === undefined) throw new Error(`no calendar for ${iso}`);
  return calendar.timezone;
}

type Site = readonly [latitude: number, longitude: number];

const node =
  (iso: IsoCode) =>
  (
    location_type: LocationType,
    location_id: string,
    location_name: string,
    iso_name: string,
    placement: { zone?: string; hub?: string; site?: Site } = {},
  ): IsoNode => ({
    iso,
    location_id,
    location_name,
    location_type,
    iso_name,
    zone: placement.zone ?? (location_type === 'ZONE' ? location_id : null),
    hub: placement.hub ?? (location_type === 'HUB' ? location_id : null),
    timezone: marketTimeZone(iso),
    latitude: placement.site?.[0] ?? null,
    longitude: placement.site?.[1] ?? null,
  });

// Marked pure, as the two once() below: a bundle that imports only ISO_CODES or marketTimeZone drops the table.
const pjm = /* @__PURE__ */ node('PJM');
const caiso = /* @__PURE__ */ node('CAISO');
const ercot = /* @__PURE__ */ node('ERCOT');
const miso = /* @__PURE__ */ node('MISO');
const spp = /* @__PURE__ */ node('SPP');
const nyiso = /* @__PURE__ */ node('NYISO');
const isone = /* @__PURE__ */ node('ISONE');

// PJM: hubs and transmission zones from PJM's pricing-node list (Data Miner 2 "pnode"), interfaces from its
// interface pricing points.
const PJM_NODES = (): IsoNode[] => [
  pjm('HUB', 'WESTERN HUB', 'Western Hub', 'WESTERN HUB'),
  pjm('HUB', 'AEP-DAYTON HUB', 'AEP-Dayton Hub', 'AEP-DAYTON HUB'),
  pjm('HUB', 'N ILLINOIS HUB', 'Northern Illinois Hub', 'N ILLINOIS HUB', { zone: 'COMED' }),
  pjm('HUB', 'EASTERN HUB', 'Eastern Hub', 'EASTERN HUB'),
  pjm('HUB', 'DOMINION HUB', 'Dominion Hub', 'DOMINION HUB', { zone: 'DOMINION' }),
  pjm('HUB', 'NEW JERSEY HUB', 'New Jersey Hub', 'NEW JERSEY HUB'),
  pjm('HUB', 'OHIO HUB', 'Ohio Hub', 'OHIO HUB'),
  pjm('ZONE', 'AECO', 'Atlantic City Electric', 'AECO', { hub: 'NEW JERSEY HUB' }),
  pjm('ZONE', 'AEP', 'American Electric Power', 'AEP', { hub: 'AEP-DAYTON HUB' }),
  pjm('ZONE', 'APS', 'Allegheny Power Systems', 'APS', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'ATSI', 'American Transmission Systems, Inc.', 'ATSI', { hub: 'OHIO HUB' }),
  pjm('ZONE', 'BGE', 'Baltimore Gas and Electric', 'BGE', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'COMED', 'Commonwealth Edison', 'COMED', { hub: 'N ILLINOIS HUB' }),
  pjm('ZONE', 'DAYTON', 'Dayton Power and Light', 'DAY', { hub: 'AEP-DAYTON HUB' }),
  pjm('ZONE', 'DEOK', 'Duke Energy Ohio and Kentucky', 'DEOK', { hub: 'AEP-DAYTON HUB' }),
  pjm('ZONE', 'DOMINION', 'Dominion Energy Virginia', 'DOM', { hub: 'DOMINION HUB' }),
  pjm('ZONE', 'DPL', 'Delmarva Power and Light', 'DPL', { hub: 'EASTERN HUB' }),
  pjm('ZONE', 'DUQUESNE', 'Duquesne Light', 'DUQ', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'EKPC', 'East Kentucky Power Cooperative', 'EKPC', { hub: 'AEP-DAYTON HUB' }),
  pjm('ZONE', 'JCPL', 'Jersey Central Power and Light', 'JCPL', { hub: 'NEW JERSEY HUB' }),
  pjm('ZONE', 'METED', 'Metropolitan Edison', 'METED', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'PECO', 'PECO Energy', 'PECO', { hub: 'EASTERN HUB' }),
  pjm('ZONE', 'PENELEC', 'Pennsylvania Electric', 'PENELEC', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'PEPCO', 'Potomac Electric Power', 'PEPCO', { hub: 'WESTERN HUB' }),
  pjm('ZONE', 'PPL', 'PPL Electric Utilities', 'PPL', { hub: 'EASTERN HUB' }),
  pjm('ZONE', 'PSEG', 'Public Service Electric and Gas', 'PSEG', { hub: 'NEW JERSEY HUB' }),
  pjm('ZONE', 'RECO', 'Rockland Electric', 'RECO', { hub: 'NEW JERSEY HUB' }),
  pjm('INTERFACE', 'HUDSONTP', 'Hudson Transmission Project (to New York City)', 'HUDSONTP', {
    site: [40.83, -74.0],
  }),
  pjm('INTERFACE', 'IMO', 'Ontario (IESO) interface', 'IMO'),
  pjm('INTERFACE', 'LINDENVFT', 'Linden variable-frequency transformer (to New York City)', 'LINDENVFT', {
    site: [40.62, -74.22],
  }),
  pjm('INTERFACE', 'MISO', 'MISO interface', 'MISO'),
  pjm('INTERFACE', 'NEPTUNE', 'Neptune cable (to Long Island)', 'NEPTUNE', { site: [40.46, -74.36] }),
  pjm('INTERFACE', 'NIPSCO', 'Northern Indiana Public Service interface', 'NIPSCO'),
  pjm('INTERFACE', 'NORTHWEST', 'Northwest interface', 'NORTHWEST'),
  pjm('INTERFACE', 'NYIS', 'New York ISO interface', 'NYIS'),
  pjm('INTERFACE', 'OVEC', 'Ohio Valley Electric interface', 'OVEC'),
  pjm('INTERFACE', 'SOUTH', 'Southern interface', 'SOUTH'),
];

// CAISO: trading hubs and default load aggregation points from OASIS (ATL_PNODE / ATL_HUB).
const CAISO_NODES = (): IsoNode[] => [
  caiso('HUB', 'SP15', 'SP15 trading hub (south of Path 15)', 'TH_SP15_GEN-APND'),
  caiso('HUB', 'NP15', 'NP15 trading hub (north of Path 15)', 'TH_NP15_GEN-APND'),
  caiso('HUB', 'ZP26', 'ZP26 trading hub (Path 26)', 'TH_ZP26_GEN-APND'),
  caiso('ZONE', 'DLAP_PGAE', 'Pacific Gas and Electric default LAP', 'DLAP_PGAE-APND', { hub: 'NP15' }),
  caiso('ZONE', 'DLAP_SCE', 'Southern California Edison default LAP', 'DLAP_SCE-APND', { hub: 'SP15' }),
  caiso('ZONE', 'DLAP_SDGE', 'San Diego Gas & Electric default LAP', 'DLAP_SDGE-APND', { hub: 'SP15' }),
  caiso('ZONE', 'DLAP_VEA', 'Valley Electric Association default LAP', 'DLAP_VEA-APND', { hub: 'SP15' }),
];

// ERCOT: hubs, load zones and DC ties from its settlement-point list (NP4-160).
const ERCOT_NODES = (): IsoNode[] => [
  ercot('HUB', 'HB_NORTH', 'North 345 kV Hub', 'HB_NORTH', { zone: 'LZ_NORTH' }),
  ercot('HUB', 'HB_HOUSTON', 'Houston 345 kV Hub', 'HB_HOUSTON', { zone: 'LZ_HOUSTON' }),
  ercot('HUB', 'HB_SOUTH', 'South 345 kV Hub', 'HB_SOUTH', { zone: 'LZ_SOUTH' }),
  ercot('HUB', 'HB_WEST', 'West 345 kV Hub', 'HB_WEST', { zone: 'LZ_WEST' }),
  ercot('HUB', 'HB_PAN', 'Panhandle 345 kV Hub', 'HB_PAN'),
  ercot('HUB', 'HB_BUSAVG', 'Hub Bus Average', 'HB_BUSAVG'),
  ercot('HUB', 'HB_HUBAVG', 'Hub Average', 'HB_HUBAVG'),
  ercot('ZONE', 'LZ_AEN', 'Austin Energy load zone', 'LZ_AEN', { hub: 'HB_SOUTH' }),
  ercot('ZONE', 'LZ_CPS', 'CPS Energy load zone', 'LZ_CPS', { hub: 'HB_SOUTH' }),
  ercot('ZONE', 'LZ_HOUSTON', 'Houston load zone', 'LZ_HOUSTON', { hub: 'HB_HOUSTON' }),
  ercot('ZONE', 'LZ_LCRA', 'Lower Colorado River Authority load zone', 'LZ_LCRA', { hub: 'HB_SOUTH' }),
  ercot('ZONE', 'LZ_NORTH', 'North load zone', 'LZ_NORTH', { hub: 'HB_NORTH' }),
  ercot('ZONE', 'LZ_RAYBN', 'Rayburn Country load zone', 'LZ_RAYBN', { hub: 'HB_NORTH' }),
  ercot('ZONE', 'LZ_SOUTH', 'South load zone', 'LZ_SOUTH', { hub: 'HB_SOUTH' }),
  ercot('ZONE', 'LZ_WEST', 'West load zone', 'LZ_WEST', { hub: 'HB_WEST' }),
  ercot('INTERFACE', 'DC_E', 'East DC tie (to SPP)', 'DC_E'),
  ercot('INTERFACE', 'DC_L', 'Laredo variable-frequency transformer (to CFE)', 'DC_L', {
    site: [27.53, -99.49],
  }),
  ercot('INTERFACE', 'DC_N', 'North DC tie (to SPP)', 'DC_N'),
  ercot('INTERFACE', 'DC_R', 'Railroad DC tie (to CFE)', 'DC_R'),
  ercot('INTERFACE', 'DC_S', 'Eagle Pass DC tie (to CFE)', 'DC_S', { site: [28.71, -100.5] }),
];

// MISO: commercial pricing hubs, each in its Local Resource Zone.
const MISO_NODES = (): IsoNode[] => [
  miso('HUB', 'INDIANA HUB', 'Indiana Hub', 'INDIANA.HUB', { zone: 'LRZ 6' }),
  miso('HUB', 'ILLINOIS HUB', 'Illinois Hub', 'ILLINOIS.HUB', { zone: 'LRZ 4' }),
  miso('HUB', 'MICHIGAN HUB', 'Michigan Hub', 'MICHIGAN.HUB', { zone: 'LRZ 7' }),
  miso('HUB', 'MINNESOTA HUB', 'Minnesota Hub', 'MINN.HUB', { zone: 'LRZ 1' }),
  miso('HUB', 'ARKANSAS HUB', 'Arkansas Hub', 'ARKANSAS.HUB', { zone: 'LRZ 8' }),
  miso('HUB', 'LOUISIANA HUB', 'Louisiana Hub', 'LOUISIANA.HUB', { zone: 'LRZ 9' }),
  miso('HUB', 'TEXAS HUB', 'Texas Hub', 'TEXAS.HUB', { zone: 'LRZ 9' }),
];

// SPP: the two Integrated Marketplace trading hubs and settlement-location zones.
const SPP_NODES = (): IsoNode[] => [
  spp('HUB', 'SPP NORTH HUB', 'SPP North Hub', 'SPPNORTH_HUB'),
  spp('HUB', 'SPP SOUTH HUB', 'SPP South Hub', 'SPPSOUTH_HUB'),
  spp('ZONE', 'KCPL', 'Kansas City Power & Light (Evergy Metro)', 'KCPL.KCPL', { hub: 'SPP NORTH HUB' }),
  spp('ZONE', 'OKGE', 'Oklahoma Gas and Electric', 'OKGE.OKGE', { hub: 'SPP SOUTH HUB' }),
  spp('ZONE', 'SPS', 'Southwestern Public Service', 'SPS.SPS', { hub: 'SPP SOUTH HUB' }),
  spp('ZONE', 'WR', 'Westar Energy (Evergy Kansas Central)', 'WR.WR', { hub: 'SPP NORTH HUB' }),
];

// NYISO: the eleven load zones (it has no hubs; its liquid zones trade as hubs do) and its external proxy buses.
const NYISO_NODES = (): IsoNode[] => [
  nyiso('ZONE', 'ZONE A', 'West', 'WEST'),
  nyiso('ZONE', 'ZONE B', 'Genesee', 'GENESE'),
  nyiso('ZONE', 'ZONE C', 'Central', 'CENTRL'),
  nyiso('ZONE', 'ZONE D', 'North', 'NORTH'),
  nyiso('ZONE', 'ZONE E', 'Mohawk Valley', 'MHK VL'),
  nyiso('ZONE', 'ZONE F', 'Capital', 'CAPITL'),
  nyiso('ZONE', 'ZONE G', 'Hudson Valley', 'HUD VL'),
  nyiso('ZONE', 'ZONE H', 'Millwood', 'MILLWD'),
  nyiso('ZONE', 'ZONE I', 'Dunwoodie', 'DUNWOD'),
  nyiso('ZONE', 'ZONE J', 'New York City', 'N.Y.C.'),
  nyiso('ZONE', 'ZONE K', 'Long Island', 'LONGIL'),
  nyiso('INTERFACE', 'H Q', 'Hydro-Québec proxy bus', 'H Q'),
  nyiso('INTERFACE', 'NPX', 'ISO New England proxy bus', 'NPX'),
  nyiso('INTERFACE', 'O H', 'Ontario (IESO) proxy bus', 'O H'),
  nyiso('INTERFACE', 'PJM', 'PJM proxy bus', 'PJM'),
];

// ISO-NE: the Internal Hub, the eight load zones and the external interface nodes (location ids 4000–4017).
const ISONE_NODES = (): IsoNode[] => [
  isone('HUB', 'MASS HUB', 'Internal Hub (Massachusetts Hub)', '.H.INTERNAL_HUB'),
  isone('ZONE', 'CT', 'Connecticut', '.Z.CONNECTICUT', { hub: 'MASS HUB' }),
  isone('ZONE', 'ME', 'Maine', '.Z.MAINE', { hub: 'MASS HUB' }),
  isone('ZONE', 'NEMA', 'Northeast Massachusetts and Boston', '.Z.NEMASSBOST', { hub: 'MASS HUB' }),
  isone('ZONE', 'NH', 'New Hampshire', '.Z.NEWHAMPSHIRE', { hub: 'MASS HUB' }),
  isone('ZONE', 'RI', 'Rhode Island', '.Z.RHODEISLAND', { hub: 'MASS HUB' }),
  isone('ZONE', 'SEMA', 'Southeast Massachusetts', '.Z.SEMASS', { hub: 'MASS HUB' }),
  isone('ZONE', 'VT', 'Vermont', '.Z.VERMONT', { hub: 'MASS HUB' }),
  isone('ZONE', 'WCMA', 'Western and Central Massachusetts', '.Z.WCMASS', { hub: 'MASS HUB' }),
  isone('INTERFACE', '.I.HQHIGATE120 2', 'Hydro-Québec Highgate interface', '.I.HQHIGATE120 2'),
  isone('INTERFACE', '.I.HQ_P1_P2345 5', 'Hydro-Québec Phase I/II interface', '.I.HQ_P1_P2345 5'),
  isone('INTERFACE', '.I.NRTHPORT138 5', 'Northport–Norwalk cable (to Long Island)', '.I.NRTHPORT138 5'),
  isone('INTERFACE', '.I.ROSETON 345 1', 'New York North interface (Roseton)', '.I.ROSETON 345 1'),
  isone('INTERFACE', '.I.SALBRYNB345 1', 'New Brunswick interface (Salisbury)', '.I.SALBRYNB345 1'),
  isone('INTERFACE', '.I.SHOREHAM138 99', 'Cross Sound Cable (to Long Island)', '.I.SHOREHAM138 99', {
    site: [40.96, -72.87],
  }),
];

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every location, sorted by ISO then `location_id` in code point order: built on first use (about 200
 * nodes, each with its market clock), so a function that only needs ISO_CODES builds none of it.
 */
export const isoNodes = /* @__PURE__ */ once((): readonly IsoNode[] =>
  [
    ...PJM_NODES(),
    ...CAISO_NODES(),
    ...ERCOT_NODES(),
    ...MISO_NODES(),
    ...SPP_NODES(),
    ...NYISO_NODES(),
    ...ISONE_NODES(),
  ].sort((a, b) => byCode(a.iso, b.iso) || byCode(a.location_id, b.location_id)),
);

const byKey = /* @__PURE__ */ once(
  () => new Map(isoNodes().map((n) => [`${n.iso}|${n.location_id.toUpperCase()}`, n])),
);

/** One location by ISO and id, both case-insensitive; undefined when unknown. */
export function findIsoNode(iso: string, locationId: string): IsoNode | undefined {
  return byKey().get(`${iso.toUpperCase()}|${locationId.toUpperCase()}`);
}

/** An ISO's locations (case-insensitive ISO), in `location_id` code point order. */
export function isoNodesOf(iso: string): IsoNode[] {
  const wanted = iso.toUpperCase();
  return isoNodes().filter((n) => n.iso === wanted);
}
