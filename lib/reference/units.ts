/**
 * The units map: how a price's raw unit string, as vendors and exchanges print it, splits into a currency
 * and the quantity priced (`units_raw, currency, per_unit`). Currencies are ISO 4217 codes, except `GBp`
 * (pence sterling), which UK gas is quoted in.
 */
export interface UnitMapping {
  units_raw: string;
  currency: string;
  per_unit: string;
}

const mapping = (units_raw: string, currency: string, per_unit: string): UnitMapping => ({
  units_raw,
  currency,
  per_unit,
});

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every mapping, by `units_raw` in code point order. */
export const UNIT_MAPPINGS: readonly UnitMapping[] = [
  // Power: energy, capacity.
  mapping('USD/MWh', 'USD', 'MWh'),
  mapping('$/MWh', 'USD', 'MWh'),
  mapping('CAD/MWh', 'CAD', 'MWh'),
  mapping('EUR/MWh', 'EUR', 'MWh'),
  mapping('GBP/MWh', 'GBP', 'MWh'),
  mapping('USD/MW-day', 'USD', 'MW-day'),
  mapping('USD/kW-month', 'USD', 'kW-month'),
  mapping('USD/kW-year', 'USD', 'kW-year'),
  // Gas.
  mapping('USD/MMBtu', 'USD', 'MMBtu'),
  mapping('$/MMBtu', 'USD', 'MMBtu'),
  mapping('USD/Dth', 'USD', 'Dth'),
  mapping('CAD/GJ', 'CAD', 'GJ'),
  mapping('GBp/therm', 'GBp', 'therm'),
  // Oil, coal, emissions, certificates.
  mapping('USD/bbl', 'USD', 'bbl'),
  mapping('USD/gal', 'USD', 'gal'),
  mapping('USD/short ton', 'USD', 'short ton'),
  mapping('USD/t', 'USD', 't'),
  mapping('EUR/tCO2e', 'EUR', 'tCO2e'),
  mapping('USD/tCO2e', 'USD', 'tCO2e'),
  mapping('USD/REC', 'USD', 'REC'),
].sort((a, b) => byCode(a.units_raw, b.units_raw));

const byRaw = new Map(UNIT_MAPPINGS.map((m) => [m.units_raw, m]));

/** The mapping of a raw unit string (exact, as printed); undefined when unknown. */
export function unitMapping(unitsRaw: string): UnitMapping | undefined {
  return byRaw.get(unitsRaw);
}

/** The distinct currencies and priced quantities, each in code point order. */
export function canonicalUnits(): { currencies: string[]; units: string[] } {
  return {
    currencies: [...new Set(UNIT_MAPPINGS.map((m) => m.currency))].sort(byCode),
    units: [...new Set(UNIT_MAPPINGS.map((m) => m.per_unit))].sort(byCode),
  };
}
