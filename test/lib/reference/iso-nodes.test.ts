import { describe, expect, it } from 'vitest';
import { GAS_HUBS, ISO_MARKETS, POWER_LOCATIONS } from '#infra/local/markets';
import { findIsoNode, ISO_CODES, isoNodes, isoNodesOf, marketTimeZone } from '#lib/reference/iso-nodes';
import { listCalendars } from '#lib/time/calendar-queries';

const key = (iso: string, id: string) => `${iso}|${id}`;

describe('ISO nodes', () => {
  it('cover the seven US ISOs, each with zones or hubs, and no location twice', () => {
    expect(new Set(isoNodes().map((n) => n.iso))).toEqual(new Set(ISO_CODES));
    const keys = isoNodes().map((n) => key(n.iso, n.location_id.toUpperCase()));
    expect(new Set(keys).size).toBe(keys.length);
    for (const iso of ISO_CODES) {
      const types = new Set(isoNodesOf(iso).map((n) => n.location_type));
      // NYISO prices zones only; every other ISO has trading hubs.
      expect(types.has(iso === 'NYISO' ? 'ZONE' : 'HUB'), iso).toBe(true);
    }
    for (const iso of ['PJM', 'NYISO', 'ISONE', 'ERCOT'] as const) {
      expect(
        isoNodesOf(iso).some((n) => n.location_type === 'INTERFACE'),
        iso,
      ).toBe(true);
    }
  });

  it('are sorted by ISO then location id, in code point order', () => {
    const pairs = isoNodes().map((n) => [n.iso, n.location_id] as const);
    const sorted = [...pairs].sort(([a1, a2], [b1, b2]) =>
      a1 === b1 ? (a2 < b2 ? -1 : a2 > b2 ? 1 : 0) : a1 < b1 ? -1 : 1,
    );
    expect(pairs).toEqual(sorted);
  });

  it('name hubs and zones that exist, in the same ISO, of the right type', () => {
    for (const n of isoNodes()) {
      if (n.hub !== null)
        expect(findIsoNode(n.iso, n.hub)?.location_type, `${n.iso} ${n.location_id}`).toBe('HUB');
      if (n.location_type === 'HUB') expect(n.hub).toBe(n.location_id);
      if (n.location_type === 'ZONE') expect(n.zone).toBe(n.location_id);
      if (n.location_type === 'INTERFACE') expect([n.zone, n.hub]).toEqual([null, null]);
      // MISO hubs sit in Local Resource Zones, which are not priced locations.
      if (n.zone !== null && n.iso !== 'MISO') expect(findIsoNode(n.iso, n.zone)?.location_type).toBe('ZONE');
      if (n.zone !== null && n.iso === 'MISO') expect(n.zone).toMatch(/^LRZ (\d|10)$/);
    }
  });

  it('carry the market clock of their ISO’s calendar, MISO on fixed EST', () => {
    const zones = new Map(listCalendars().map((c) => [c.name, c.timezone]));
    for (const n of isoNodes()) expect(n.timezone).toBe(zones.get(n.iso.toLowerCase()));
    expect(marketTimeZone('MISO')).toBe('Etc/GMT+5');
    expect(new Set(ISO_MARKETS.map((m) => [m.iso, m.timezone].join(' ')))).toEqual(
      new Set(ISO_CODES.map((iso) => `${iso} ${marketTimeZone(iso)}`)),
    );
  });

  it('have coordinates in pairs, inside the continental US, or none', () => {
    for (const n of isoNodes()) {
      expect(n.latitude === null).toBe(n.longitude === null);
      if (n.latitude !== null && n.longitude !== null) {
        expect(n.latitude).toBeGreaterThan(24);
        expect(n.latitude).toBeLessThan(50);
        expect(n.longitude).toBeGreaterThan(-125);
        expect(n.longitude).toBeLessThan(-66);
      }
    }
  });

  it('include every power location the curve sample data quotes, under the same id', () => {
    for (const location of POWER_LOCATIONS) {
      const n = findIsoNode(location.iso, location.location);
      expect(n, `${location.iso} ${location.location}`).toBeDefined();
      expect(location.node).toBe(n);
    }
    // Gas hubs are not ISO pricing nodes.
    for (const hub of GAS_HUBS) expect(isoNodes().some((n) => n.location_id === hub.location)).toBe(false);
  });

  it('are found whatever the case of the ISO and id', () => {
    expect(findIsoNode('pjm', 'western hub')?.location_name).toBe('Western Hub');
    expect(findIsoNode('Ercot', 'hb_north')?.iso_name).toBe('HB_NORTH');
    expect(findIsoNode('PJM', 'HB_NORTH')).toBeUndefined();
    expect(isoNodesOf('nyiso')).toEqual(isoNodes().filter((n) => n.iso === 'NYISO'));
    expect(isoNodesOf('ieso')).toEqual([]);
  });
});
