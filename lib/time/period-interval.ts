/**
 * The interval contract (architecture §12) of a published period of any length: an hour of a series, or a
 * day, week or month of one, given by its UTC start and (exclusive) end and the zone whose clock it follows.
 */
import { formatLocal, formatUtc } from '#lib/time/iso-format';
import { marketDateAt } from '#lib/time/market-date';
import { type MarketInterval, marketDayHours, toInterval } from '#lib/time/market-day';

const MS_PER_HOUR = 3_600_000;

/** A contract row whose `hour_ending` is null when the period is longer than an hour. */
export type PeriodInterval = Omit<MarketInterval, 'hour_ending'> & { hour_ending: number | null };

/**
 * One hour (end − start = 1 h, starting on the hour of `zone`'s clock): its market date, hour ending and
 * repeated-hour flag, as the market day's hours number them. Anything longer: from its start to its end,
 * `market_date` the local date it starts on, no hour ending (an hour label does not name a day or a month),
 * `dst_repeat` false.
 */
export function periodInterval(zone: string, startEpochMs: number, endEpochMs: number): PeriodInterval {
  const marketDate = marketDateAt(zone, startEpochMs);
  if (endEpochMs - startEpochMs === MS_PER_HOUR) {
    const hour = marketDayHours(zone, marketDate).find((h) => h.startEpochMs === startEpochMs);
    if (hour) return toInterval(hour);
  }
  return {
    interval_start_utc: formatUtc(startEpochMs),
    interval_end_utc: formatUtc(endEpochMs),
    interval_start_local: formatLocal(zone, startEpochMs),
    market_date: marketDate,
    hour_ending: null,
    dst_repeat: false,
  };
}
