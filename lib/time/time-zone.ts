/**
 * IANA time zones through Node's ICU (`Intl.DateTimeFormat`): the wall clock and UTC offset of an instant,
 * and the instants a wall-clock time names. The tz database is the only source of offsets; nothing here
 * knows a rule of its own.
 */

/** A wall-clock reading in some zone, with no zone attached. Months and days are 1-based. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** How to pick an instant for a wall-clock time a DST change makes ambiguous (fall back) or skips (spring forward). */
export type Disambiguation = 'earlier' | 'later' | 'reject';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    // Throws RangeError on a name the tz database does not know.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether `zone` names a zone the runtime's tz database knows (`America/New_York`, `Etc/GMT+5`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

// `format` is about three times faster than `formatToParts`; the parts path stays as the fallback should an
// ICU build ever print en-US differently.
const EN_US_NUMERIC = /^(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})$/;

/** The wall clock in `zone` at the instant `epochMs` (milliseconds since the Unix epoch, UTC). */
export function wallClockAt(zone: string, epochMs: number): WallClock {
  const formatter = formatterFor(zone);
  const match = EN_US_NUMERIC.exec(formatter.format(epochMs));
  if (match !== null) {
    return {
      year: Number(match[3]),
      month: Number(match[1]),
      day: Number(match[2]),
      hour: Number(match[4]),
      minute: Number(match[5]),
      second: Number(match[6]),
    };
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The wall clock read as if it were UTC, in epoch milliseconds: the base of all offset arithmetic here. */
export function wallClockEpochMs(wall: WallClock): number {
  const date = new Date(0);
  // setUTCFullYear keeps years 0–99 literal, where Date.UTC would add 1900.
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return date.getTime();
}

/** The UTC offset of `zone` at `epochMs`, in minutes east of UTC (New York in winter: -300). */
export function offsetMinutesAt(zone: string, epochMs: number): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wallClockEpochMs(wallClockAt(zone, wholeSecond)) - wholeSecond) / MS_PER_MINUTE);
}

/**
 * Every instant at which `zone`'s clock reads `wall`, earliest first: one on an ordinary day, two in the
 * repeated hour of a fall-back day, none in the skipped hour of a spring-forward day.
 */
export function instantsOfWallClock(zone: string, wall: WallClock): number[] {
  const asUtc = wallClockEpochMs(wall);
  // A wall time can only carry an offset the zone has a day before or after it (no zone changes its offset
  // twice within two days).
  const candidates = new Set([
    offsetMinutesAt(zone, asUtc - MS_PER_DAY),
    offsetMinutesAt(zone, asUtc + MS_PER_DAY),
  ]);
  const instants: number[] = [];
  for (const offset of candidates) {
    const instant = asUtc - offset * MS_PER_MINUTE;
    if (offsetMinutesAt(zone, instant) === offset) instants.push(instant);
  }
  return [...new Set(instants)].sort((a, b) => a - b);
}

/**
 * The instant `zone`'s clock reads `wall`. In a repeated hour `earlier`/`later` pick the first or second
 * occurrence; in a skipped hour both move forward by the gap (02:30 on a US spring-forward day is 03:30
 * daylight time), as Temporal's `compatible` does. `reject` returns null for either case.
 */
export function wallClockToInstant(
  zone: string,
  wall: WallClock,
  disambiguation: Disambiguation = 'earlier',
): number | null {
  const instants = instantsOfWallClock(zone, wall);
  if (instants.length === 1) return instants[0]!;
  if (disambiguation === 'reject') return null;
  if (instants.length > 1)
    return disambiguation === 'earlier' ? instants[0]! : instants[instants.length - 1]!;
  // In a gap: read the wall time with the offset in force just before it.
  const asUtc = wallClockEpochMs(wall);
  const before = offsetMinutesAt(zone, asUtc - MS_PER_DAY);
  return asUtc - before * MS_PER_MINUTE;
}
