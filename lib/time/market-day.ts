/**
 * The market day: the hours a market date covers on a zone's clock, 23, 24 or 25 of them, each described by
 * the interval contract (architecture §12) so no consumer has to guess which hour a row means.
 */
import { formatUtc, formatZoned } from '#lib/time/iso-format';
import { addDays, dateParts, type MarketDate } from '#lib/time/market-date';
import { wallClockAt, wallClockEpochMs, wallClockToInstant } from '#lib/time/time-zone';

/**
 * One hour of a market day.
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

/** A market interval with its instants kept as numbers, for arithmetic without re-parsing. */
export interface MarketHour extends MarketInterval {
  startEpochMs: number;
  endEpochMs: number;
  /** The local hour beginning, 0–23. */
  hourBeginning: number;
  /** The zone's UTC offset during the hour, minutes east of UTC. */
  offsetMinutes: number;
}

const MS_PER_HOUR = 3_600_000;

/** The instant a market day starts (its first local midnight, or the first instant after it if skipped). */
export function marketDayStart(zone: string, date: MarketDate): number {
  const { year, month, day } = dateParts(date);
  return wallClockToInstant(zone, { year, month, day, hour: 0, minute: 0, second: 0 }, 'earlier')!;
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
  const seen = new Set<number>();
  const hours: MarketHour[] = [];
  for (let start = startEpochMs; start < endEpochMs; start += MS_PER_HOUR) {
    const wall = wallClockAt(zone, start);
    const offsetMinutes = (wallClockEpochMs(wall) - start) / 60_000;
    const hourBeginning = wall.hour;
    const end = start + MS_PER_HOUR;
    hours.push({
      interval_start_utc: formatUtc(start),
      interval_end_utc: formatUtc(end),
      interval_start_local: formatZoned(wall, offsetMinutes),
      market_date: date,
      hour_ending: hourBeginning + 1,
      dst_repeat: seen.has(hourBeginning),
      startEpochMs: start,
      endEpochMs: end,
      hourBeginning,
      offsetMinutes,
    });
    seen.add(hourBeginning);
  }
  return hours;
}

/** The market day's hours as contract rows only (what a response carries). */
export function marketDayIntervals(zone: string, date: MarketDate): MarketInterval[] {
  return marketDayHours(zone, date).map(toInterval);
}

export function toInterval(hour: MarketHour): MarketInterval {
  return {
    interval_start_utc: hour.interval_start_utc,
    interval_end_utc: hour.interval_end_utc,
    interval_start_local: hour.interval_start_local,
    market_date: hour.market_date,
    hour_ending: hour.hour_ending,
    dst_repeat: hour.dst_repeat,
  };
}
