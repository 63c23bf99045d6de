import { calendarIntervals } from '#lib/time/calendar-queries';
import { datesFrom, type MarketDate, marketDate } from '#lib/time/market-date';

/**
 * The ON_PEAK and OFF_PEAK hours of one delivery month on an ISO's calendar, counted by local hour beginning
 * (0–23), over the days of the month inside the contract's term. A fall-back day's repeated hour counts
 * twice at its hour, a spring-forward day's skipped hour not at all, NERC holidays are off-peak.
 */
export interface MonthBlockHours {
  /** `YYYY-MM`. */
  month: string;
  onPeakByHour: number[];
  offPeakByHour: number[];
  /** Days of the month inside the term, and days in the month. */
  termDays: number;
  monthDays: number;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
export const onPeakHours = (h: MonthBlockHours) => sum(h.onPeakByHour);
export const offPeakHours = (h: MonthBlockHours) => sum(h.offPeakByHour);

/** The last day of a month. */
export function monthEnd(year: number, month: number): MarketDate {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return marketDate(year, month, days);
}

/**
 * The block hours of `year-month` for the calendar named like the ISO (`pjm`, `ercot` …), between `from`
 * and `to` (both included). Undefined when the calendar does not exist.
 */
export function monthBlockHours(
  calendar: string,
  year: number,
  month: number,
  from: MarketDate,
  to: MarketDate,
): MonthBlockHours | undefined {
  const first = marketDate(year, month, 1);
  const last = monthEnd(year, month);
  const start = from > first ? from : first;
  const end = to < last ? to : last;
  const on = new Array<number>(24).fill(0);
  const off = new Array<number>(24).fill(0);
  const days = datesFrom(start, end);
  for (const day of days) {
    const intervals = calendarIntervals(calendar, day);
    if (!intervals.ok) return undefined;
    for (const interval of intervals.value) {
      const hour = Number(interval.interval_start_local.slice(11, 13));
      if (interval.blocks.includes('ON_PEAK')) on[hour]! += 1;
      else off[hour]! += 1;
    }
  }
  return {
    month: first.slice(0, 7),
    onPeakByHour: on,
    offPeakByHour: off,
    termDays: days.length,
    monthDays: Number(last.slice(8, 10)),
  };
}
