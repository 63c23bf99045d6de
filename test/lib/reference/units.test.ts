import { describe, expect, it } from 'vitest';
import { canonicalUnits, UNIT_MAPPINGS, unitMapping } from '#lib/reference/units';

describe('units map', () => {
  it('splits every raw unit into its currency and the quantity after the slash', () => {
    for (const m of UNIT_MAPPINGS) {
      const [money, ...rest] = m.units_raw.split('/');
      expect(rest.join('/'), m.units_raw).toBe(m.per_unit);
      expect(money === '$' ? 'USD' : money, m.units_raw).toBe(m.currency);
      expect(m.currency).toMatch(/^([A-Z]{3}|GBp)$/);
    }
  });

  it('lists each raw unit once, in code point order', () => {
    const raws = UNIT_MAPPINGS.map((m) => m.units_raw);
    expect(new Set(raws).size).toBe(raws.length);
    expect(raws).toEqual([...raws].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('knows the units the curve sample data prints', () => {
    expect(unitMapping('USD/MWh')).toEqual({ units_raw: 'USD/MWh', currency: 'USD', per_unit: 'MWh' });
    expect(unitMapping('USD/MMBtu')).toEqual({ units_raw: 'USD/MMBtu', currency: 'USD', per_unit: 'MMBtu' });
    expect(unitMapping('usd/mwh')).toBeUndefined();
  });

  it('derives the canonical currencies and units: distinct, sorted, one for each mapping', () => {
    const { currencies, units } = canonicalUnits();
    expect(new Set(currencies)).toEqual(new Set(UNIT_MAPPINGS.map((m) => m.currency)));
    expect(new Set(units)).toEqual(new Set(UNIT_MAPPINGS.map((m) => m.per_unit)));
    expect(currencies).toHaveLength(new Set(currencies).size);
    expect(currencies).toEqual([...currencies].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(units).toEqual([...units].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});
