import { describe, expect, it } from 'vitest';
import { calendarIntervals, listCalendars } from '#lib/time/calendar-queries';
import { addDays, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import { type OffsetChange, offsetChanges, oracleOffsetMinutes, oracleWall } from '#test/lib/time/tz-oracle';

const FIRST_YEAR = 2000;
const LAST_YEAR = 2040;
const HOUR = 3_600_000;

const calendars = listCalendars();
const changesByZone = new Map<string, OffsetChange[]>();
const changesOf = (zone: string) => {
  let changes = changesByZone.get(zone);
  if (changes === undefined) {
    changes = offsetChanges(zone, FIRST_YEAR, LAST_YEAR);
    changesByZone.set(zone, changes);
  }
  return changes;
};

const date = (text: string) => parseMarketDate(text)!;
const offsetOf = (local: string) => {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(local)!;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
};

function intervalsOf(calendar: string, day: string) {
  const result = calendarIntervals(calendar, day);
  if (!result.ok) throw new Error(`no intervals for ${calendar} ${day}`);
  return result.value;
}

/** The Sundays the US (Energy Policy Act of 2005, from 2007) and the EU (Directive 2000/84/EC) switch on. */
function sundays(year: number, month: number): MarketDate[] {
  const found: MarketDate[] = [];
  for (let day = date(`${year}-${String(month).padStart(2, '0')}-01`); Number(day.slice(5, 7)) === month; ) {
    if (isoWeekday(day) === 7) found.push(day);
    day = addDays(day, 1);
  }
  return found;
}
function ruleDates(zone: string, year: number): string[] {
  if (zone === 'Europe/Berlin') return [sundays(year, 3).at(-1)!, sundays(year, 10).at(-1)!];
  if (year >= 2007) return [sundays(year, 3)[1]!, sundays(year, 11)[0]!];
  return [sundays(year, 4)[0]!, sundays(year, 10).at(-1)!];
}

describe('the zones the calendars run on', () => {
  it('are the markets’ clocks, MISO on fixed EST', () => {
    expect(Object.fromEntries(calendars.map((c) => [c.name, c.timezone]))).toEqual({
      caiso: 'America/Los_Angeles',
      ercot: 'America/Chicago',
      eu_base: 'Europe/Berlin',
      isone: 'America/New_York',
      miso: 'Etc/GMT+5',
      nyiso: 'America/New_York',
      pjm: 'America/New_York',
      spp: 'America/Chicago',
    });
  });

  it.each([...new Set(calendars.map((c) => c.timezone))].filter((zone) => zone !== 'Etc/GMT+5'))(
    '%s changes offset twice a year 2000–2040, on the dates its DST law names',
    (zone) => {
      const changes = changesOf(zone);
      const expected = [];
      for (let year = FIRST_YEAR; year <= LAST_YEAR; year += 1) expected.push(...ruleDates(zone, year));
      expect(changes.map((c) => c.date)).toEqual(expected);
    },
  );
});

describe.each(calendars.filter((c) => c.name !== 'miso'))(
  '$name on its DST days 2000–2040',
  ({ name, timezone }) => {
    const changes = () => changesOf(timezone);

    it('has 23 hours on spring-forward days and 25 on fall-back days, as the zone’s offset change says', () => {
      for (const change of changes()) {
        const expected = 24 - (change.after - change.before) / 60;
        expect(expected === 23 || expected === 25).toBe(true);
        expect(intervalsOf(name, change.date), change.date).toHaveLength(expected);
      }
    });

    it('runs from local midnight to the next, hour after hour in UTC, with the zone’s true offsets', () => {
      for (const change of changes()) {
        const hours = intervalsOf(name, change.date);
        const first = Date.parse(hours[0]!.interval_start_utc);
        expect(oracleWall(timezone, first).text).toBe(`${change.date}T00:00:00`);
        expect(oracleWall(timezone, first - HOUR).date).not.toBe(change.date);
        expect(oracleWall(timezone, Date.parse(hours.at(-1)!.interval_end_utc)).text).toBe(
          `${addDays(date(change.date), 1)}T00:00:00`,
        );
        hours.forEach((hour, i) => {
          const start = Date.parse(hour.interval_start_utc);
          expect(start).toBe(first + i * HOUR);
          expect(Date.parse(hour.interval_end_utc)).toBe(start + HOUR);
          expect(Date.parse(hour.interval_start_local)).toBe(start);
          expect(offsetOf(hour.interval_start_local)).toBe(oracleOffsetMinutes(timezone, start));
          expect(hour.interval_start_local.slice(0, 19)).toBe(oracleWall(timezone, start).text);
          expect(hour.market_date).toBe(change.date);
          expect(hour.hour_ending).toBe(oracleWall(timezone, start).hour + 1);
        });
      }
    });

    it('repeats exactly one hour ending on fall-back days, flagging its second occurrence', () => {
      for (const change of changes().filter((c) => c.after < c.before)) {
        const hours = intervalsOf(name, change.date);
        const repeats = hours.filter((hour) => hour.dst_repeat);
        expect(repeats, change.date).toHaveLength(1);
        const repeat = repeats[0]!;
        // The repeated hour begins at the instant the clock goes back.
        expect(Date.parse(repeat.interval_start_utc)).toBe(change.atEpochMs);
        const firstTime = hours.filter((hour) => hour.hour_ending === repeat.hour_ending);
        expect(firstTime.map((hour) => hour.dst_repeat)).toEqual([false, true]);
        expect(offsetOf(firstTime[0]!.interval_start_local)).toBe(change.before);
        expect(offsetOf(firstTime[1]!.interval_start_local)).toBe(change.after);
      }
    });

    it('leaves out the skipped hour ending on spring-forward days and repeats none', () => {
      for (const change of changes().filter((c) => c.after > c.before)) {
        const hours = intervalsOf(name, change.date);
        const skipped = oracleWall(timezone, change.atEpochMs - 1).hour + 1 + 1;
        const endings = hours.map((hour) => hour.hour_ending);
        expect(endings).not.toContain(skipped);
        expect(endings).toEqual(Array.from({ length: 24 }, (_, i) => i + 1).filter((he) => he !== skipped));
        expect(hours.some((hour) => hour.dst_repeat)).toBe(false);
      }
    });

    it('has 24 plain hours on the days either side of each change', () => {
      for (const change of changes()) {
        for (const day of [addDays(date(change.date), -1), addDays(date(change.date), 1)]) {
          const hours = intervalsOf(name, day);
          expect(hours.map((hour) => hour.hour_ending)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
          expect(hours.some((hour) => hour.dst_repeat)).toBe(false);
        }
      }
    });
  },
);

describe('miso', () => {
  it('never changes offset: every US DST day 2000–2040 has 24 hours at -05:00', () => {
    const days = new Set(
      [...changesOf('America/New_York'), ...changesOf('America/Chicago')].map((c) => c.date),
    );
    expect(days.size).toBe(2 * (LAST_YEAR - FIRST_YEAR + 1));
    for (const day of days) {
      const hours = intervalsOf('miso', day);
      expect(hours.map((hour) => hour.hour_ending)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      for (const hour of hours) {
        expect(hour.interval_start_local.endsWith('-05:00')).toBe(true);
        expect(
          Date.parse(hour.interval_start_utc) - Date.parse(`${hour.interval_start_local.slice(0, 19)}Z`),
        ).toBe(5 * HOUR);
        expect(hour.dst_repeat).toBe(false);
      }
    }
  });

  it('has no offset change at all 2000–2040', () => {
    expect(changesOf('Etc/GMT+5')).toEqual([]);
  });
});
