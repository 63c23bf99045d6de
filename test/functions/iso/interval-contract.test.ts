import { describe, expect, it } from 'vitest';
import { daysContract, intervalContract } from '#functions/iso/service';
import type { MarketDate } from '#lib/time/market-date';

const at = (iso: string) => Date.parse(iso);
const FIVE_MINUTES = 300_000;
const NEW_YORK = 'America/New_York';

/** The contract a 5-minute interval carries: the market hour it falls in, on the ISO's clock. */
const fiveMinute = (zone: string, start: string) => {
  const c = intervalContract(zone, at(start), at(start) + FIVE_MINUTES);
  return [c.interval_start_local, c.market_date, c.hour_ending, c.dst_repeat];
};

describe('the interval contract of ISO rows', () => {
  it('marks 5-minute intervals of the repeated fall-back hour as the repeat, in the hour they fall in', () => {
    expect(fiveMinute(NEW_YORK, '2024-11-03T05:55:00Z')).toEqual([
      '2024-11-03T01:55:00-04:00',
      '2024-11-03',
      2,
      false,
    ]);
    expect(fiveMinute(NEW_YORK, '2024-11-03T06:00:00Z')).toEqual([
      '2024-11-03T01:00:00-05:00',
      '2024-11-03',
      2,
      true,
    ]);
    expect(fiveMinute(NEW_YORK, '2024-11-03T06:55:00Z')).toEqual([
      '2024-11-03T01:55:00-05:00',
      '2024-11-03',
      2,
      true,
    ]);
    expect(fiveMinute(NEW_YORK, '2024-11-03T07:00:00Z')).toEqual([
      '2024-11-03T02:00:00-05:00',
      '2024-11-03',
      3,
      false,
    ]);
  });

  it('skips the missing spring-forward hour and never repeats on a fixed clock', () => {
    expect(fiveMinute(NEW_YORK, '2025-03-09T06:55:00Z')).toEqual([
      '2025-03-09T01:55:00-05:00',
      '2025-03-09',
      2,
      false,
    ]);
    expect(fiveMinute(NEW_YORK, '2025-03-09T07:00:00Z')).toEqual([
      '2025-03-09T03:00:00-04:00',
      '2025-03-09',
      4,
      false,
    ]);
    // MISO's market clock is EST all year: the US fall-back hour is an ordinary hour there.
    expect(fiveMinute('Etc/GMT+5', '2024-11-03T06:30:00Z')).toEqual([
      '2024-11-03T01:30:00-05:00',
      '2024-11-03',
      2,
      false,
    ]);
    expect(fiveMinute('Etc/GMT+5', '2024-11-03T07:30:00Z')).toEqual([
      '2024-11-03T02:30:00-05:00',
      '2024-11-03',
      3,
      false,
    ]);
  });

  it('gives market-day spans their true length and no hour ending', () => {
    const fallBack = daysContract(NEW_YORK, '2024-11-03' as MarketDate, '2024-11-03' as MarketDate);
    expect(fallBack).toEqual({
      interval_start_utc: '2024-11-03T04:00:00Z',
      interval_end_utc: '2024-11-04T05:00:00Z',
      interval_start_local: '2024-11-03T00:00:00-04:00',
      market_date: '2024-11-03',
      hour_ending: null,
      dst_repeat: false,
    });
    const march = daysContract('America/Los_Angeles', '2025-03-01' as MarketDate, '2025-03-31' as MarketDate);
    expect(at(march.interval_end_utc) - at(march.interval_start_utc)).toBe((31 * 24 - 1) * 3_600_000);
  });
});
