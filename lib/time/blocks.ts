/**
 * Trading blocks as data: which local hours of which days a block covers. A block is either a window (days,
 * hour-beginning local hours, and what a holiday does to it) or the complement of another block.
 */
import type { IsoWeekday } from '#lib/time/market-date';

/**
 * What a holiday does to a window block's days:
 * - `excluded`: a holiday is not a block day, whatever its weekday (ON_PEAK);
 * - `added`: a holiday is a block day, whatever its weekday (2x16H);
 * - `ignored`: holidays change nothing (ATC, 7x8, EEX PEAK).
 */
export type HolidayTreatment = 'excluded' | 'added' | 'ignored';

export interface WindowBlock {
  kind: 'window';
  name: string;
  description: string;
  /** The contract definition this block follows. */
  source: string;
  days: readonly IsoWeekday[];
  /** Local hours beginning (0–23) on the market clock: ON_PEAK's HE 8–23 is 7…22. */
  hoursBeginning: readonly number[];
  holidays: HolidayTreatment;
}

export interface ComplementBlock {
  kind: 'complement';
  name: string;
  description: string;
  source: string;
  /** Every hour not in this block. */
  of: string;
}

export type BlockDefinition = WindowBlock | ComplementBlock;

/** One hour as a block sees it. */
export interface BlockHour {
  weekday: IsoWeekday;
  hourBeginning: number;
  holiday: boolean;
}

export const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5];
export const MONDAY_TO_SATURDAY: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6];
export const WEEKEND: readonly IsoWeekday[] = [6, 7];
export const EVERY_DAY: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Hours beginning `first` through `last`, inclusive, wrapping past midnight (23 → 6 is 23, 0, 1, …, 6). */
export function hoursBeginning(first: number, last: number): number[] {
  const hours: number[] = [];
  for (let hour = first; ; hour = (hour + 1) % 24) {
    hours.push(hour);
    if (hour === last) return hours;
  }
}

/** Whether `hour` is in `block`; `blocks` resolves the block a complement refers to. */
export function blockContains(
  block: BlockDefinition,
  hour: BlockHour,
  blocks: ReadonlyMap<string, BlockDefinition>,
): boolean {
  if (block.kind === 'complement') {
    const base = blocks.get(block.of);
    if (base === undefined) throw new Error(`block ${block.name} complements unknown block ${block.of}`);
    return !blockContains(base, hour, blocks);
  }
  const onDay = block.days.includes(hour.weekday);
  const blockDay =
    block.holidays === 'excluded'
      ? onDay && !hour.holiday
      : block.holidays === 'added'
        ? onDay || hour.holiday
        : onDay;
  return blockDay && block.hoursBeginning.includes(hour.hourBeginning);
}
