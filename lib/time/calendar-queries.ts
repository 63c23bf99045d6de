/**
 * What the calendar routes ask: the calendars, a calendar's blocks, a block's hours on a day or over a range,
 * and a market day's intervals with the blocks each hour belongs to. Lookups ignore case; every failure is a
 * typed value for the route to map, never an HTTP error.
 */
import { type BlockDefinition, blockContains } from '#lib/time/blocks';
import { CALENDARS, type CalendarDefinition } from '#lib/time/calendars';
import { datesFrom, daysBetween, isoWeekday, type MarketDate, parseMarketDate } from '#lib/time/market-date';
import {
  hourStartLocal,
  type MarketHour,
  type MarketInterval,
  marketDayHours,
  toInterval,
} from '#lib/time/market-day';
import { nercHolidayOn } from '#lib/time/nerc-holidays';

/** The longest range `expandBlock` answers, in days, start and end included. */
export const MAX_EXPAND_DAYS = 366;

export type CalendarError =
  | { kind: 'calendar_not_found'; calendar: string }
  | { kind: 'block_not_found'; calendar: string; block: string }
  | { kind: 'invalid_date'; field: 'date' | 'start' | 'end'; value: string }
  | { kind: 'end_before_start'; start: MarketDate; end: MarketDate }
  | { kind: 'range_too_long'; days: number; maxDays: number };

export type CalendarResult<T> = { ok: true; value: T } | { ok: false; error: CalendarError };

export interface CalendarSummary {
  name: string;
  timezone: string;
  /** Block names, code point order. */
  blocks: string[];
}

/** A market-day hour with the blocks it belongs to (code point order). */
export interface CalendarInterval extends MarketInterval {
  blocks: string[];
}

interface ResolvedCalendar {
  definition: CalendarDefinition;
  blocks: ReadonlyMap<string, BlockDefinition>;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const RESOLVED: ReadonlyMap<string, ResolvedCalendar> = new Map(
  CALENDARS.map((definition) => [
    definition.name.toLowerCase(),
    { definition, blocks: new Map(definition.blocks.map((block) => [block.name, block])) },
  ]),
);

const ok = <T>(value: T): CalendarResult<T> => ({ ok: true, value });
const fail = <T>(error: CalendarError): CalendarResult<T> => ({ ok: false, error });

function findCalendar(name: string): ResolvedCalendar | undefined {
  return RESOLVED.get(name.toLowerCase());
}

function findBlock(calendar: ResolvedCalendar, name: string): BlockDefinition | undefined {
  const wanted = name.toUpperCase();
  return calendar.definition.blocks.find((block) => block.name.toUpperCase() === wanted);
}

/** Every calendar, by name in code point order. */
export function listCalendars(): CalendarSummary[] {
  return [...RESOLVED.values()]
    .map(({ definition }) => ({
      name: definition.name,
      timezone: definition.timezone,
      blocks: definition.blocks.map((block) => block.name).sort(byCode),
    }))
    .sort((a, b) => byCode(a.name, b.name));
}

/** The calendar's definition (zone, holidays, blocks with their sources). */
export function calendarDefinition(name: string): CalendarResult<CalendarDefinition> {
  const calendar = findCalendar(name);
  return calendar === undefined
    ? fail({ kind: 'calendar_not_found', calendar: name })
    : ok(calendar.definition);
}

/** The calendar's block names, code point order. */
export function calendarBlocks(name: string): CalendarResult<string[]> {
  const calendar = calendarDefinition(name);
  return calendar.ok ? ok(calendar.value.blocks.map((block) => block.name).sort(byCode)) : calendar;
}

function isHoliday(calendar: CalendarDefinition, date: MarketDate): boolean {
  return calendar.holidays === 'nerc' && nercHolidayOn(date) !== null;
}

function blocksOf(calendar: ResolvedCalendar, hour: MarketHour, holiday: boolean): string[] {
  const view = { weekday: isoWeekday(hour.marketDate), hourBeginning: hour.hourBeginning, holiday };
  return calendar.definition.blocks
    .filter((block) => blockContains(block, view, calendar.blocks))
    .map((block) => block.name)
    .sort(byCode);
}

function dayHoursInBlock(calendar: ResolvedCalendar, block: BlockDefinition, date: MarketDate): MarketHour[] {
  const weekday = isoWeekday(date);
  const holiday = isHoliday(calendar.definition, date);
  return marketDayHours(calendar.definition.timezone, date).filter((hour) =>
    blockContains(block, { weekday, hourBeginning: hour.hourBeginning, holiday }, calendar.blocks),
  );
}

function resolve(
  calendarName: string,
  blockName: string,
): CalendarResult<{ calendar: ResolvedCalendar; block: BlockDefinition }> {
  const calendar = findCalendar(calendarName);
  if (calendar === undefined) return fail({ kind: 'calendar_not_found', calendar: calendarName });
  const block = findBlock(calendar, blockName);
  if (block === undefined)
    return fail({ kind: 'block_not_found', calendar: calendar.definition.name, block: blockName });
  return ok({ calendar, block });
}

function dateField(field: 'date' | 'start' | 'end', value: string): CalendarResult<MarketDate> {
  const date = parseMarketDate(value);
  return date === null ? fail({ kind: 'invalid_date', field, value }) : ok(date);
}

/**
 * The hour-beginning instants of `block` on market date `date`, as local ISO 8601 with their true offsets
 * (`2025-11-02T01:00:00-04:00`, then `2025-11-02T01:00:00-05:00` on a fall-back day). Holidays honoured.
 */
export function blockHours(calendarName: string, blockName: string, date: string): CalendarResult<string[]> {
  const found = resolve(calendarName, blockName);
  if (!found.ok) return found;
  const day = dateField('date', date);
  if (!day.ok) return day;
  return ok(dayHoursInBlock(found.value.calendar, found.value.block, day.value).map(hourStartLocal));
}

/** `blockHours` for every date from `start` to `end`, both included, concatenated; at most 366 days. */
export function expandBlock(
  calendarName: string,
  blockName: string,
  start: string,
  end: string,
): CalendarResult<string[]> {
  const found = resolve(calendarName, blockName);
  if (!found.ok) return found;
  const first = dateField('start', start);
  if (!first.ok) return first;
  const last = dateField('end', end);
  if (!last.ok) return last;
  const days = daysBetween(first.value, last.value) + 1;
  if (days < 1) return fail({ kind: 'end_before_start', start: first.value, end: last.value });
  if (days > MAX_EXPAND_DAYS) return fail({ kind: 'range_too_long', days, maxDays: MAX_EXPAND_DAYS });
  const { calendar, block } = found.value;
  return ok(
    datesFrom(first.value, last.value).flatMap((day) =>
      dayHoursInBlock(calendar, block, day).map(hourStartLocal),
    ),
  );
}

/**
 * Every hour of market date `date` on the calendar's clock, with the interval contract and the blocks the hour
 * belongs to; with `blockName`, only that block's hours.
 */
export function calendarIntervals(
  calendarName: string,
  date: string,
  blockName?: string,
): CalendarResult<CalendarInterval[]> {
  const calendar = findCalendar(calendarName);
  if (calendar === undefined) return fail({ kind: 'calendar_not_found', calendar: calendarName });
  let only: string | undefined;
  if (blockName !== undefined) {
    const block = findBlock(calendar, blockName);
    if (block === undefined)
      return fail({ kind: 'block_not_found', calendar: calendar.definition.name, block: blockName });
    only = block.name;
  }
  const day = dateField('date', date);
  if (!day.ok) return day;
  const holiday = isHoliday(calendar.definition, day.value);
  const intervals = marketDayHours(calendar.definition.timezone, day.value).map((hour) => ({
    ...toInterval(hour),
    blocks: blocksOf(calendar, hour, holiday),
  }));
  return ok(only === undefined ? intervals : intervals.filter((interval) => interval.blocks.includes(only)));
}
