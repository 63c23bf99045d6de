/**
 * The market day: the hours a market date covers on a zone's clock, 23, 24 or 25 of them, each described by
 * the interval contract (architecture §12) so no consumer has to guess which hour a row means.
 */
import { formatUtc, formatZoned } from '#lib/time/iso-format';
import { addDays, dateParts, type MarketDate } from '#lib/time/market-date';
import { type WallClock, wallClockAt, wallClockEpochMs, wallClockToInstant } from '#lib/time/time-zone';

/**
 * One hour of a market day as the contract states it.
 * - `hour_ending` is the market's label: the local hour beginning plus one (HE 1 is 00:00–01:00). On a
 *   spring-forward day the skipped label is absent (HE 3 in US zones); on a fall-back day the repeated label
 *   appears twice (HE 2) and the second occurrence has `dst_repeat: true`. The contract admits 1–25 so a
 *   source that numbers hours ordinally (CAISO's OPR_HR 25) still fits; rows built here never need 25.
 */
export interface MarketInterval {
  interval_start_utc: string;
  interval_end_utc: string;
  /** The local wall clock at the start, with the offset in force then (`2025-11-02T01:00:00-05:00`). */
  interval_start_local: string;
  market_date: MarketDate;
  hour_ending: number;
  dst_repeat: boolean;
}

/** One hour of a market day in numbers; `toInterval` turns it into a contract row. */
export interface MarketHour {
  marketDate: MarketDate;
  startEpochMs: number;
  endEpochMs: number;
  /** The local wall clock at the start. */
  wall: WallClock;
  /** The zone's UTC offset during the hour, minutes east of UTC. */
  offsetMinutes: number;
  /** The local hour beginning, 0–23; the hour ending is one more. */
  hourBeginning: number;
  /** Whether this is the second occurrence of a local hour (the repeated hour of a fall-back day). */
  dstRepeat: boolean;
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

// Scans over consecutive days ask for each midnight twice (a day's end is the next day's start).
const dayStarts = new Map<string, number>();
const DAY_START_MEMO = 4096;

function offsetOf(zone: string, epochMs: number): number {
  return (wallClockEpochMs(wallClockAt(zone, epochMs)) - epochMs) / MS_PER_MINUTE;
}

/** The inverse of `wallClockEpochMs`: the wall clock whose UTC reading is `epochMs`. */
function wallClockOfEpochMs(epochMs: number): WallClock {
  const date = new Date(epochMs);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** The instant a market day starts (its first local midnight, or the first instant after it if skipped). */
export function marketDayStart(zone: string, date: MarketDate): number {
  const key = `${zone}|${date}`;
  const known = dayStarts.get(key);
  if (known !== undefined) return known;
  const { year, month, day } = dateParts(date);
  const start = wallClockToInstant(zone, { year, month, day, hour: 0, minute: 0, second: 0 }, 'earlier')!;
  if (dayStarts.size >= DAY_START_MEMO) dayStarts.clear();
  dayStarts.set(key, start);
  return start;
}

/** [start, end) of the market day in epoch milliseconds. */
export function marketDayBounds(
  zone: string,
  date: MarketDate,
): { startEpochMs: number; endEpochMs: number } {
  return { startEpochMs: marketDayStart(zone, date), endEpochMs: marketDayStart(zone, addDays(date, 1)) };
}

/** How many hours the market day has: 24, or 23 / 25 on the days the zone's offset changes by an hour. */
export function marketDayHourCount(zone: string, date: MarketDate): number {
  const { startEpochMs, endEpochMs } = marketDayBounds(zone, date);
  return (endEpochMs - startEpochMs) / MS_PER_HOUR;
}

/** Every hour of the market day, consecutive in UTC, in order. */
export function marketDayHours(zone: string, date: MarketDate): MarketHour[] {
  const { startEpochMs, endEpochMs } = marketDayBounds(zone, date);
  if ((endEpochMs - startEpochMs) % MS_PER_HOUR !== 0) {
    throw new RangeError(
      `${zone} changes its offset by a fraction of an hour on ${date}; hourly days do not fit`,
    );
  }
  const count = (endEpochMs - startEpochMs) / MS_PER_HOUR;
  const firstOffset = offsetOf(zone, startEpochMs);
  // A 24-hour day that starts and ends on the same offset has it throughout (no zone changes its offset and
  // back within a day), so its wall clocks follow by arithmetic; other days ask ICU hour by hour.
  const plain = count === 24 && offsetOf(zone, endEpochMs - MS_PER_HOUR) === firstOffset;
  const seen = new Set<number>();
  const hours: MarketHour[] = [];
  for (let start = startEpochMs; start < endEpochMs; start += MS_PER_HOUR) {
    const wall = plain ? wallClockOfEpochMs(start + firstOffset * MS_PER_MINUTE) : wallClockAt(zone, start);
    hours.push({
      marketDate: date,
      startEpochMs: start,
      endEpochMs: start + MS_PER_HOUR,
      wall,
      offsetMinutes: (wallClockEpochMs(wall) - start) / MS_PER_MINUTE,
      hourBeginning: wall.hour,
      dstRepeat: seen.has(wall.hour),
    });
    seen.add(wall.hour);
  }
  return hours;
}

/** The hour's start as local ISO 8601 with its true offset: `2025-11-02T01:00:00-05:00`. */
export function hourStartLocal(hour: MarketHour): string {
  return formatZoned(hour.wall, hour.offsetMinutes);
}

export function toInterval(hour: MarketHour): MarketInterval {
  return {
    interval_start_utc: formatUtc(hour.startEpochMs),
    interval_end_utc: formatUtc(hour.endEpochMs),
    interval_start_local: hourStartLocal(hour),
    market_date: hour.marketDate,
    hour_ending: hour.hourBeginning + 1,
    dst_repeat: hour.dstRepeat,
  };
}

/** The market day's hours as contract rows (what a response carries). */
export function marketDayIntervals(zone: string, date: MarketDate): MarketInterval[] {
  return marketDayHours(zone, date).map(toInterval);
}
