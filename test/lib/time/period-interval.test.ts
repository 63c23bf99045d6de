import { describe, expect, it } from 'vitest';
import { parseMarketDate } from '#lib/time/market-date';
import { marketDayStart } from '#lib/time/market-day';
import { periodInterval } from '#lib/time/period-interval';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('periodInterval', () => {
  it('numbers the hours of a fall-back day as the market day does: hour ending 2 twice, the second repeated', () => {
    const start = at('2024-11-03T04:00:00Z');
    const hours = [0, 1, 2, 3].map((i) =>
      periodInterval('America/New_York', start + i * HOUR, start + (i + 1) * HOUR),
    );
    expect(hours.map((h) => [h.interval_start_local, h.hour_ending, h.dst_repeat])).toEqual([
      ['2024-11-03T00:00:00-04:00', 1, false],
      ['2024-11-03T01:00:00-04:00', 2, false],
      ['2024-11-03T01:00:00-05:00', 2, true],
      ['2024-11-03T02:00:00-05:00', 3, false],
    ]);
    expect(hours.every((h) => h.market_date === '2024-11-03')).toBe(true);
    expect(hours[2]!.interval_end_utc).toBe('2024-11-03T07:00:00Z');
  });

  it('skips hour ending 3 on a spring-forward day', () => {
    const start = at('2025-03-09T06:00:00Z');
    const hours = [0, 1, 2].map((i) =>
      periodInterval('America/New_York', start + i * HOUR, start + (i + 1) * HOUR),
    );
    expect(hours.map((h) => h.hour_ending)).toEqual([2, 4, 5]);
  });

  it('runs a day, week or month from local midnight with no hour ending, whatever its length', () => {
    const first = parseMarketDate('2025-11-01')!;
    const next = parseMarketDate('2025-12-01')!;
    const month = periodInterval(
      'America/Chicago',
      marketDayStart('America/Chicago', first),
      marketDayStart('America/Chicago', next),
    );
    expect(month).toEqual({
      interval_start_utc: '2025-11-01T05:00:00Z',
      interval_end_utc: '2025-12-01T06:00:00Z',
      interval_start_local: '2025-11-01T00:00:00-05:00',
      market_date: '2025-11-01',
      hour_ending: null,
      dst_repeat: false,
    });
    const day = periodInterval('Etc/GMT+5', at('2025-07-01T05:00:00Z'), at('2025-07-02T05:00:00Z'));
    expect([day.interval_start_local, day.market_date, day.hour_ending]).toEqual([
      '2025-07-01T00:00:00-05:00',
      '2025-07-01',
      null,
    ]);
  });
});
