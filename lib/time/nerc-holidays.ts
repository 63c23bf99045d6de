/**
 * NERC holidays (the "additional off-peak days" of NERC's Operating Committee, used by every US bilateral
 * power contract): six days computed by rule for any year. A holiday that falls on a Sunday is observed on
 * the Monday after; one that falls on a Saturday is not moved (NERC names no Friday in its place).
 */
import {
  addDays,
  dateParts,
  type IsoWeekday,
  isoWeekday,
  type MarketDate,
  marketDate,
} from '#lib/time/market-date';

export type NercHolidayName =
  | "New Year's Day"
  | 'Memorial Day'
  | 'Independence Day'
  | 'Labor Day'
  | 'Thanksgiving Day'
  | 'Christmas Day';

export interface NercHoliday {
  name: NercHolidayName;
  /** The day the holiday is observed, the one that has no on-peak hours. */
  date: MarketDate;
  /** The day the rule names, before a Sunday moves to Monday. */
  ruleDate: MarketDate;
}

const MONDAY: IsoWeekday = 1;
const THURSDAY: IsoWeekday = 4;
const SUNDAY: IsoWeekday = 7;

/** The `n`th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, weekday: IsoWeekday, n: number): MarketDate {
  const first = marketDate(year, month, 1);
  return addDays(first, ((weekday - isoWeekday(first) + 7) % 7) + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, weekday: IsoWeekday): MarketDate {
  const last = addDays(month === 12 ? marketDate(year + 1, 1, 1) : marketDate(year, month + 1, 1), -1);
  return addDays(last, -((isoWeekday(last) - weekday + 7) % 7));
}

const fixed = (name: NercHolidayName, ruleDate: MarketDate): NercHoliday => ({
  name,
  ruleDate,
  date: isoWeekday(ruleDate) === SUNDAY ? addDays(ruleDate, 1) : ruleDate,
});

const floating = (name: NercHolidayName, date: MarketDate): NercHoliday => ({ name, ruleDate: date, date });

/** The six NERC holidays of `year`, in date order. */
export function nercHolidays(year: number): NercHoliday[] {
  return [
    fixed("New Year's Day", marketDate(year, 1, 1)),
    floating('Memorial Day', lastWeekday(year, 5, MONDAY)),
    fixed('Independence Day', marketDate(year, 7, 4)),
    floating('Labor Day', nthWeekday(year, 9, MONDAY, 1)),
    floating('Thanksgiving Day', nthWeekday(year, 11, THURSDAY, 4)),
    fixed('Christmas Day', marketDate(year, 12, 25)),
  ];
}

const byYear = new Map<number, Map<string, NercHoliday>>();

/** The NERC holiday observed on `date`, or null. */
export function nercHolidayOn(date: MarketDate): NercHoliday | null {
  const { year } = dateParts(date);
  let holidays = byYear.get(year);
  if (holidays === undefined) {
    holidays = new Map(nercHolidays(year).map((holiday) => [holiday.date, holiday]));
    byYear.set(year, holidays);
  }
  return holidays.get(date) ?? null;
}
