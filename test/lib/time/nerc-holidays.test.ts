import { describe, expect, it } from 'vitest';
import { addDays, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import { nercHolidayOn, nercHolidays } from '#lib/time/nerc-holidays';

const YEARS = Array.from({ length: 41 }, (_, i) => 2000 + i);
const date = (text: string) => parseMarketDate(text)!;
const month = (day: MarketDate) => Number(day.slice(5, 7));
const dayOfMonth = (day: MarketDate) => Number(day.slice(8, 10));

const holiday = (year: number, name: string) => {
  const found = nercHolidays(year).find((h) => h.name === name);
  if (found === undefined) throw new Error(`${name} missing in ${year}`);
  return found;
};

describe('NERC holidays 2000–2040', () => {
  it.each(YEARS)('%i has the six, in date order, each observed on a weekday or a Saturday', (year) => {
    const holidays = nercHolidays(year);
    expect(holidays.map((h) => h.name)).toEqual([
      "New Year's Day",
      'Memorial Day',
      'Independence Day',
      'Labor Day',
      'Thanksgiving Day',
      'Christmas Day',
    ]);
    expect([...holidays.map((h) => h.date)].sort()).toEqual(holidays.map((h) => h.date));
    for (const h of holidays) expect(isoWeekday(h.date)).not.toBe(7);
  });

  it.each(YEARS)('%i: the fixed-date holidays fall on their day, a Sunday one moves to Monday', (year) => {
    for (const [name, fixed] of [
      ["New Year's Day", `${year}-01-01`],
      ['Independence Day', `${year}-07-04`],
      ['Christmas Day', `${year}-12-25`],
    ] as const) {
      const h = holiday(year, name);
      expect(h.ruleDate).toBe(fixed);
      // Saturday stays (no Friday is observed); Sunday moves to the Monday after.
      expect(h.date).toBe(isoWeekday(date(fixed)) === 7 ? addDays(date(fixed), 1) : fixed);
    }
  });

  it.each(YEARS)('%i: Memorial Day is the last Monday of May', (year) => {
    const { date: day } = holiday(year, 'Memorial Day');
    expect([isoWeekday(day), month(day), month(addDays(day, 7))]).toEqual([1, 5, 6]);
  });

  it.each(YEARS)('%i: Labor Day is the first Monday of September', (year) => {
    const { date: day } = holiday(year, 'Labor Day');
    expect([isoWeekday(day), month(day), month(addDays(day, -7))]).toEqual([1, 9, 8]);
  });

  it.each(YEARS)('%i: Thanksgiving is the fourth Thursday of November', (year) => {
    const { date: day } = holiday(year, 'Thanksgiving Day');
    expect([isoWeekday(day), month(day)]).toEqual([4, 11]);
    expect(Math.ceil(dayOfMonth(day) / 7)).toBe(4);
  });

  it('agrees with the published NERC lists where the rule bites', () => {
    // 2022 and 2023: Christmas and New Year's Day on Sundays, observed Monday; 2021: July 4 on a Sunday.
    expect(nercHolidayOn(date('2022-12-26'))?.name).toBe('Christmas Day');
    expect(nercHolidayOn(date('2022-12-25'))).toBeNull();
    expect(nercHolidayOn(date('2023-01-02'))?.name).toBe("New Year's Day");
    expect(nercHolidayOn(date('2021-07-05'))?.name).toBe('Independence Day');
    // 2022: New Year's Day on a Saturday is not moved (no Friday 2021-12-31 holiday).
    expect(nercHolidayOn(date('2022-01-01'))?.name).toBe("New Year's Day");
    expect(nercHolidayOn(date('2021-12-31'))).toBeNull();
    // 2025: Memorial Day May 26, Labor Day September 1, Thanksgiving November 27.
    expect(nercHolidays(2025).map((h) => h.date)).toEqual([
      '2025-01-01',
      '2025-05-26',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
  });

  it('knows no holiday on the days around them', () => {
    for (const year of YEARS) {
      for (const h of nercHolidays(year)) {
        expect(nercHolidayOn(h.date)?.name).toBe(h.name);
        expect(nercHolidayOn(addDays(h.date, -1))).toBeNull();
        expect(nercHolidayOn(addDays(h.date, 1))).toBeNull();
      }
    }
  });
});
