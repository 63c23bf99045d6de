/**
 * Market dates: calendar days (`YYYY-MM-DD`) with no zone attached. Day arithmetic is proleptic Gregorian
 * counting, which no zone can change; which instants a market date covers is market-day.ts's business.
 */
import { wallClockAt } from '#lib/time/time-zone';

/** A valid `YYYY-MM-DD` day; obtain one from `parseMarketDate`. */
export type MarketDate = string & { readonly __marketDate: unique symbol };

/** ISO weekday: Monday 1 … Sunday 7. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const MS_PER_DAY = 86_400_000;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date if `text` is a real `YYYY-MM-DD` day (2025-02-29 is not), else null. */
export function parseMarketDate(text: string): MarketDate | null {
  const match = PATTERN.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(dayNumber(year, month, day) * MS_PER_DAY);
  if (probe.getUTCMonth() + 1 !== month || probe.getUTCDate() !== day) return null;
  return text as MarketDate;
}

/** Builds a date from its parts; throws RangeError on an impossible one (a programming error, not input). */
export function marketDate(year: number, month: number, day: number): MarketDate {
  const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const date = parseMarketDate(text);
  if (date === null) throw new RangeError(`not a calendar date: ${text}`);
  return date;
}

export function dateParts(date: MarketDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function dayNumber(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / MS_PER_DAY);
}

function fromDayNumber(days: number): MarketDate {
  const date = new Date(days * MS_PER_DAY);
  return marketDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

const toDayNumber = (date: MarketDate) => {
  const { year, month, day } = dateParts(date);
  return dayNumber(year, month, day);
};

export function addDays(date: MarketDate, days: number): MarketDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Days from `start` to `end` (negative when `end` is earlier). */
export function daysBetween(start: MarketDate, end: MarketDate): number {
  return toDayNumber(end) - toDayNumber(start);
}

/** Every date from `start` to `end`, both included; empty when `end` is before `start`. */
export function datesFrom(start: MarketDate, end: MarketDate): MarketDate[] {
  const dates: MarketDate[] = [];
  for (let day = toDayNumber(start), last = toDayNumber(end); day <= last; day += 1)
    dates.push(fromDayNumber(day));
  return dates;
}

export function isoWeekday(date: MarketDate): IsoWeekday {
  // Day 0 of the epoch, 1970-01-01, was a Thursday (ISO 4).
  return (((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

/** The market date in `zone` at the instant `epochMs`. */
export function marketDateAt(zone: string, epochMs: number): MarketDate {
  const wall = wallClockAt(zone, epochMs);
  return marketDate(wall.year, wall.month, wall.day);
}
