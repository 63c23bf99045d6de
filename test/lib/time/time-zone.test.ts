import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLocal, formatOffset, formatUtc } from '#lib/time/iso-format';
import { marketDateAt, parseMarketDate } from '#lib/time/market-date';
import { marketDayHourCount, marketDayIntervals } from '#lib/time/market-day';
import {
  instantsOfWallClock,
  isTimeZone,
  offsetMinutesAt,
  wallClockAt,
  wallClockToInstant,
} from '#lib/time/time-zone';
import { oracleOffsetMinutes, oracleWall } from '#test/lib/time/tz-oracle';

const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/Berlin', 'Etc/GMT+5'];
const FROM = Date.UTC(2000, 0, 1);
const TO = Date.UTC(2041, 0, 1);
const instant = fc.integer({ min: FROM / 1000, max: TO / 1000 }).map((seconds) => seconds * 1000);
const zone = fc.constantFrom(...ZONES);

describe('local time in IANA zones', () => {
  it('reads the same wall clock and offset ICU names, at any instant 2000–2040', () => {
    fc.assert(
      fc.property(zone, instant, (tz, at) => {
        expect(offsetMinutesAt(tz, at)).toBe(oracleOffsetMinutes(tz, at));
        expect(formatLocal(tz, at).slice(0, 19)).toBe(oracleWall(tz, at).text);
        expect(Date.parse(formatLocal(tz, at))).toBe(at);
        expect(marketDateAt(tz, at)).toBe(oracleWall(tz, at).date);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps a wall clock back to every instant that shows it, and only those', () => {
    fc.assert(
      fc.property(zone, instant, (tz, at) => {
        const instants = instantsOfWallClock(tz, wallClockAt(tz, at));
        expect(instants).toContain(at);
        for (const other of instants)
          expect(formatLocal(tz, other).slice(0, 19)).toBe(formatLocal(tz, at).slice(0, 19));
        // Two instants only in a repeated hour: an hour apart, on the two offsets of the change.
        if (instants.length === 2) expect(instants[1]! - instants[0]!).toBe(3_600_000);
        expect(instants.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  it('resolves the repeated and the skipped hour as asked', () => {
    const ny = 'America/New_York';
    const repeated = { year: 2025, month: 11, day: 2, hour: 1, minute: 30, second: 0 };
    expect(formatUtc(wallClockToInstant(ny, repeated, 'earlier')!)).toBe('2025-11-02T05:30:00Z');
    expect(formatUtc(wallClockToInstant(ny, repeated, 'later')!)).toBe('2025-11-02T06:30:00Z');
    expect(wallClockToInstant(ny, repeated, 'reject')).toBeNull();
    const skipped = { year: 2025, month: 3, day: 9, hour: 2, minute: 30, second: 0 };
    expect(instantsOfWallClock(ny, skipped)).toEqual([]);
    expect(formatLocal(ny, wallClockToInstant(ny, skipped)!)).toBe('2025-03-09T03:30:00-04:00');
    expect(wallClockToInstant(ny, skipped, 'reject')).toBeNull();
  });

  it('writes offsets with their sign, and knows real zones from made-up ones', () => {
    expect([formatOffset(-300), formatOffset(60), formatOffset(0), formatOffset(330)]).toEqual([
      '-05:00',
      '+01:00',
      '+00:00',
      '+05:30',
    ]);
    expect(isTimeZone('Etc/GMT+5')).toBe(true);
    expect(isTimeZone('America/Nowhere')).toBe(false);
  });
});

describe('market days', () => {
  it('have the hours ICU says, every hour on its true offset, on any day 2000–2040', () => {
    fc.assert(
      fc.property(zone, instant, (tz, at) => {
        const date = parseMarketDate(oracleWall(tz, at).date)!;
        const hours = marketDayIntervals(tz, date);
        expect(hours).toHaveLength(marketDayHourCount(tz, date));
        for (const hour of hours) {
          const start = Date.parse(hour.interval_start_utc);
          expect(hour.interval_start_local.slice(0, 19)).toBe(oracleWall(tz, start).text);
          expect(hour.interval_start_local.slice(19)).toBe(formatOffset(oracleOffsetMinutes(tz, start)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('add up to the hours of the year: 8760, or 8784 in a leap year', () => {
    for (const tz of ZONES) {
      for (const year of [2023, 2024]) {
        let total = 0;
        for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += 86_400_000) {
          total += marketDayHourCount(tz, parseMarketDate(new Date(day).toISOString().slice(0, 10))!);
        }
        expect(total).toBe(year === 2024 ? 8784 : 8760);
      }
    }
  });
});
