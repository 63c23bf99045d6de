/**
 * An independent reading of the tz database for the time tests: ICU's own offset names (`GMT-05:00`) and
 * date parts, through a different Intl path than lib/time uses, so a bug in lib/time's arithmetic cannot agree
 * with itself. It also finds every offset change of a zone by scanning, so no test restates a table.
 */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC, from ICU's `longOffset` name of the zone at that instant. */
export function oracleOffsetMinutes(zone: string, epochMs: number): number {
  let formatter = offsetFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, formatter);
  }
  const name = formatter.formatToParts(epochMs).find((part) => part.type === 'timeZoneName')!.value;
  if (name === 'GMT') return 0;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (match === null) throw new Error(`unexpected offset name ${name}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** `YYYY-MM-DD` and hour of the zone's wall clock at that instant. */
export function oracleWall(zone: string, epochMs: number): { date: string; hour: number; text: string } {
  let formatter = partFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(zone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(epochMs).map((part) => [part.type, part.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, hour: Number(parts.hour), text: `${date}T${parts.hour}:${parts.minute}:${parts.second}` };
}

export interface OffsetChange {
  /** The first instant with the new offset. */
  atEpochMs: number;
  /** The market (local) date the change happens on. */
  date: string;
  before: number;
  after: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Every offset change of `zone` with a local date in [fromYear, toYear], found by scanning ICU. */
export function offsetChanges(zone: string, fromYear: number, toYear: number): OffsetChange[] {
  const changes: OffsetChange[] = [];
  const end = Date.UTC(toYear + 1, 0, 2);
  let previous = oracleOffsetMinutes(zone, Date.UTC(fromYear, 0, 1) - DAY);
  for (let day = Date.UTC(fromYear, 0, 1) - DAY; day < end; day += DAY) {
    const offset = oracleOffsetMinutes(zone, day + DAY);
    if (offset !== previous) {
      // Narrow to the minute: offsets change on whole minutes.
      let lo = day;
      let hi = day + DAY;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (oracleOffsetMinutes(zone, mid) === previous) lo = mid;
        else hi = mid;
      }
      const date = oracleWall(zone, hi).date;
      const year = Number(date.slice(0, 4));
      if (year >= fromYear && year <= toYear)
        changes.push({ atEpochMs: hi, date, before: previous, after: offset });
      previous = offset;
    }
  }
  return changes;
}
