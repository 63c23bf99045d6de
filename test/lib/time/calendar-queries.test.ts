import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockHours,
  calendarBlocks,
  calendarIntervals,
  expandBlock,
  listCalendars,
  MAX_EXPAND_DAYS,
} from '#lib/time/calendar-queries';
import { addDays, datesFrom, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import { nercHolidayOn, nercHolidays } from '#lib/time/nerc-holidays';
import { offsetChanges } from '#test/lib/time/tz-oracle';

const date = (text: string) => parseMarketDate(text)!;
const US = ['pjm', 'nyiso', 'isone', 'miso', 'ercot', 'spp', 'caiso'] as const;
/** The peak windows issue 13 names, in local hours beginning: HE 8–23 East and MISO, HE 7–22 Central and West. */
const PEAK_HOURS_BEGINNING: Record<(typeof US)[number], [number, number]> = {
  pjm: [7, 22],
  nyiso: [7, 22],
  isone: [7, 22],
  miso: [7, 22],
  ercot: [6, 21],
  spp: [6, 21],
  caiso: [6, 21],
};
const localHour = (instant: string) => Number(instant.slice(11, 13));

function value<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`unexpected ${JSON.stringify(result.error)}`);
  return result.value;
}

const ALL_DAYS = datesFrom(date('2000-01-01'), date('2040-12-31'));
const dateArbitrary = fc.integer({ min: 0, max: ALL_DAYS.length - 1 }).map((i) => ALL_DAYS[i]!);

describe('ON_PEAK 2000–2040', () => {
  it.each(US)('%s: 16 hours in the peak window on every non-holiday peak day, none on other days', (name) => {
    const [first, last] = PEAK_HOURS_BEGINNING[name];
    const window = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    const peakDays = name === 'caiso' ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5];
    let peakDayCount = 0;
    // Collected, then asserted once: an expect per day would cost more than the calendar.
    const wrong: string[] = [];
    for (const day of ALL_DAYS) {
      const hours = value(blockHours(name, 'ON_PEAK', day));
      const expected = peakDays.includes(isoWeekday(day)) && nercHolidayOn(day) === null ? window : [];
      if (expected.length > 0) peakDayCount += 1;
      const hoursBeginning = hours.map(localHour);
      if (
        hoursBeginning.length !== expected.length ||
        hoursBeginning.some((hour, i) => hour !== expected[i]) ||
        hours.some((hour) => !hour.startsWith(day))
      ) {
        wrong.push(`${day}: ${hours.join(' ')}`);
      }
    }
    expect(wrong).toEqual([]);
    // Guards the loop itself: about 5 (or 6) in 7 days are peak days, less the holidays.
    expect(peakDayCount).toBeGreaterThan((ALL_DAYS.length * peakDays.length) / 7 - 41 * 6 - 1);
  });

  it.each(US)('%s: no on-peak hour on any NERC holiday, every hour off-peak', (name) => {
    for (let year = 2000; year <= 2040; year += 1) {
      for (const holiday of nercHolidays(year)) {
        expect(value(blockHours(name, 'ON_PEAK', holiday.date))).toEqual([]);
        expect(value(blockHours(name, 'OFF_PEAK', holiday.date))).toEqual(
          value(blockHours(name, 'ATC', holiday.date)),
        );
        expect(value(blockHours(name, '2x16H', holiday.date))).toHaveLength(16);
      }
    }
  });
});

describe('how the blocks of a market day fit together', () => {
  it('OFF_PEAK is every hour not ON_PEAK; ON_PEAK, 2x16H and 7x8 split ATC outside CAISO', () => {
    fc.assert(
      fc.property(fc.constantFrom(...US), dateArbitrary, (name, day) => {
        const hours = value(calendarIntervals(name, day));
        for (const hour of hours) {
          expect(hour.blocks).toContain('ATC');
          expect(hour.blocks.includes('ON_PEAK')).toBe(!hour.blocks.includes('OFF_PEAK'));
          const parts = ['ON_PEAK', '2x16H', '7x8'].filter((block) => hour.blocks.includes(block));
          if (name !== 'caiso' || isoWeekday(day) !== 6) expect(parts, `${name} ${day}`).toHaveLength(1);
        }
        const sevenByEight = hours.filter((hour) => hour.blocks.includes('7x8'));
        // Eight night hours; one fewer or one more on the day the clock skips or repeats one of them.
        expect(sevenByEight.length - 8).toBe(hours.length - 24);
        const weekendOrHoliday = isoWeekday(day) >= 6 || nercHolidayOn(day) !== null;
        expect(hours.filter((hour) => hour.blocks.includes('2x16H'))).toHaveLength(weekendOrHoliday ? 16 : 0);
      }),
      { numRuns: 400 },
    );
  });

  it('answers only the asked block’s hours when given one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...US),
        fc.constantFrom('ON_PEAK', 'OFF_PEAK', '7x8', '2x16H'),
        dateArbitrary,
        (name, block, day) => {
          const all = value(calendarIntervals(name, day));
          const only = value(calendarIntervals(name, day, block.toLowerCase()));
          expect(only).toEqual(all.filter((hour) => hour.blocks.includes(block)));
          expect(only.map((hour) => hour.interval_start_local)).toEqual(value(blockHours(name, block, day)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('eu_base: BASE is every hour; PEAK is 08:00–19:59 Berlin on weekdays, holidays included', () => {
    fc.assert(
      fc.property(dateArbitrary, (day) => {
        const hours = value(calendarIntervals('eu_base', day));
        expect(hours.every((hour) => hour.blocks.includes('BASE'))).toBe(true);
        const peak = hours
          .filter((hour) => hour.blocks.includes('PEAK'))
          .map((h) => localHour(h.interval_start_local));
        expect(peak).toEqual(isoWeekday(day) <= 5 ? [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19] : []);
      }),
      { numRuns: 300 },
    );
    // Christmas on a weekday still has its 12 peak hours at EEX.
    expect(value(blockHours('eu_base', 'PEAK', '2025-12-25'))).toHaveLength(12);
  });
});

describe('expand', () => {
  const dstWeeks = (zone: string) => offsetChanges(zone, 2000, 2040).map((change) => date(change.date));

  it('over a DST week equals the per-day hours concatenated, for every calendar and block', () => {
    for (const calendar of listCalendars()) {
      const weeks = calendar.name === 'miso' ? dstWeeks('America/New_York') : dstWeeks(calendar.timezone);
      fc.assert(
        fc.property(
          fc.constantFrom(...weeks),
          fc.integer({ min: -6, max: 0 }),
          fc.constantFrom(...calendar.blocks),
          (change, shift, block) => {
            const start = addDays(change, shift);
            const end = addDays(start, 6);
            const perDay = datesFrom(start, end).flatMap((day) =>
              value(blockHours(calendar.name, block, day)),
            );
            expect(value(expandBlock(calendar.name, block, start, end))).toEqual(perDay);
          },
        ),
        { numRuns: 30 },
      );
    }
  });

  it('over a leap year gives all 8784 hours once each, an hour apart in UTC', () => {
    const hours = value(expandBlock('pjm', 'ATC', '2024-01-01', '2024-12-31'));
    expect(hours).toHaveLength(8784);
    const instants = hours.map((hour) => Date.parse(hour));
    instants.forEach((instant, i) => {
      if (i > 0) expect(instant - instants[i - 1]!).toBe(3_600_000);
    });
  });

  it('takes start and end inclusive, up to 366 days, and says why it refuses more', () => {
    expect(value(expandBlock('ercot', 'ATC', '2025-01-06', '2025-01-06'))).toHaveLength(24);
    expect(MAX_EXPAND_DAYS).toBe(366);
    expect(expandBlock('ercot', 'ATC', '2025-01-01', '2026-01-01').ok).toBe(true);
    expect(expandBlock('ercot', 'ATC', '2025-01-01', '2026-01-02')).toEqual({
      ok: false,
      error: { kind: 'range_too_long', days: 367, maxDays: 366 },
    });
    expect(expandBlock('ercot', 'ATC', '2025-01-02', '2025-01-01')).toEqual({
      ok: false,
      error: { kind: 'end_before_start', start: '2025-01-02', end: '2025-01-01' },
    });
    expect(expandBlock('ercot', 'ATC', '2025-02-29', '2025-03-01')).toEqual({
      ok: false,
      error: { kind: 'invalid_date', field: 'start', value: '2025-02-29' },
    });
  });
});

describe('lookups', () => {
  it('lists the eight calendars in code point order with their sorted blocks', () => {
    const calendars = listCalendars();
    expect(calendars.map((c) => c.name)).toEqual([
      'caiso',
      'ercot',
      'eu_base',
      'isone',
      'miso',
      'nyiso',
      'pjm',
      'spp',
    ]);
    for (const calendar of calendars) {
      expect(calendar.blocks).toEqual(
        calendar.name === 'eu_base' ? ['BASE', 'PEAK'] : ['2x16H', '7x8', 'ATC', 'OFF_PEAK', 'ON_PEAK'],
      );
    }
  });

  it('ignores the case of calendar and block names', () => {
    expect(value(calendarBlocks('PJM'))).toEqual(value(calendarBlocks('pjm')));
    expect(value(blockHours('Caiso', 'on_peak', '2025-06-07'))).toHaveLength(16);
    expect(value(blockHours('EU_BASE', 'peak', '2025-06-06'))).toHaveLength(12);
    expect(value(calendarIntervals('MiSo', '2025-06-06', '2X16H'))).toEqual([]);
  });

  it('answers typed not-found values for unknown names', () => {
    expect(calendarBlocks('ieso')).toEqual({
      ok: false,
      error: { kind: 'calendar_not_found', calendar: 'ieso' },
    });
    expect(blockHours('ieso', 'ON_PEAK', '2025-01-02')).toEqual({
      ok: false,
      error: { kind: 'calendar_not_found', calendar: 'ieso' },
    });
    expect(blockHours('PJM', 'SUPER_PEAK', '2025-01-02')).toEqual({
      ok: false,
      error: { kind: 'block_not_found', calendar: 'pjm', block: 'SUPER_PEAK' },
    });
    expect(calendarIntervals('pjm', '2025-01-02', 'BASE')).toEqual({
      ok: false,
      error: { kind: 'block_not_found', calendar: 'pjm', block: 'BASE' },
    });
    expect(calendarIntervals('pjm', '2025-13-01')).toEqual({
      ok: false,
      error: { kind: 'invalid_date', field: 'date', value: '2025-13-01' },
    });
  });
});

// Keeps the day list honest: it must start and end where the tests say.
describe('the test day range', () => {
  it('covers 2000-01-01 to 2040-12-31', () => {
    expect([ALL_DAYS[0], ALL_DAYS.at(-1)]).toEqual(['2000-01-01', '2040-12-31'] as MarketDate[]);
    expect(ALL_DAYS).toHaveLength(14_976);
  });
});
