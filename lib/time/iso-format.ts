/** ISO 8601 text for instants: UTC with `Z`, or a zone's wall clock with the offset in force at that instant. */
import { offsetMinutesAt, type WallClock, wallClockAt } from '#lib/time/time-zone';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `-05:00`, `+01:00`, `+00:00` for an offset in minutes east of UTC. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const magnitude = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(magnitude / 60))}:${pad(magnitude % 60)}`;
}

/** `2025-11-02T06:00:00` (seconds kept, no fraction, no zone). */
export function formatWallClock(wall: WallClock): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** `2025-11-02T06:00:00Z`: the instant in UTC, whole seconds. */
export function formatUtc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** `2025-11-02T01:00:00-05:00`: the wall clock of `zone` at the instant, with the offset it really has then. */
export function formatLocal(zone: string, epochMs: number): string {
  return formatZoned(wallClockAt(zone, epochMs), offsetMinutesAt(zone, epochMs));
}

/** A wall-clock reading with its offset: `2025-11-02T01:00:00-05:00`. */
export function formatZoned(wall: WallClock, offsetMinutes: number): string {
  return `${formatWallClock(wall)}${formatOffset(offsetMinutes)}`;
}
