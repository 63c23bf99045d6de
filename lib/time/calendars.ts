/**
 * The trading calendars: each market's clock (an IANA zone), its holidays and its blocks. Hours are
 * hour-beginning local times on the market clock; "HE" below is hour ending (HE 8 begins at 07:00).
 *
 * The US peak windows follow the exchange contracts that settle on each ISO's prices: ICE Futures U.S.
 * (and CME/Nodal, which use the same windows) define peak as 16 hours on weekdays excluding NERC holidays,
 * on the ISO's clock; the off-peak 2x16 and 7x8 contracts split the rest. The WECC (CAISO) peak runs
 * Monday to Saturday.
 */
import {
  type BlockDefinition,
  EVERY_DAY,
  hoursBeginning,
  MONDAY_TO_SATURDAY,
  WEEKDAYS,
  WEEKEND,
} from '#lib/time/blocks';
import type { IsoWeekday } from '#lib/time/market-date';

export type CalendarName = 'pjm' | 'nyiso' | 'isone' | 'miso' | 'ercot' | 'spp' | 'caiso' | 'eu_base';

export type HolidaySet = 'nerc' | 'none';

export interface CalendarDefinition {
  name: CalendarName;
  /** The market clock: an IANA zone from the tz database. */
  timezone: string;
  holidays: HolidaySet;
  description: string;
  /** Blocks, sorted by name (code point order). */
  blocks: readonly BlockDefinition[];
}

/**
 * MISO runs its markets on Eastern Standard Time all year (its market data and settlement intervals never
 * shift for DST). `Etc/GMT+5` is that fixed offset: POSIX-style Etc zones invert the sign, so `Etc/GMT+5` is
 * UTC−05:00.
 */
export const MISO_MARKET_CLOCK = 'Etc/GMT+5';

interface PeakWindow {
  days: readonly IsoWeekday[];
  /** First and last hour beginning of the 16-hour peak window. */
  first: number;
  last: number;
  /** The contract definitions the window follows. */
  source: string;
}

const OFF_PEAK_SOURCE =
  'ICE Futures U.S. off-peak power futures (e.g. PJM Western Hub Real-Time Off-Peak): every hour outside the peak window';

/** The five blocks of a US calendar, from its peak window: 7x8 and 2x16H shift with the window. */
function usBlocks(peak: PeakWindow, clock: string): BlockDefinition[] {
  const he = (hour: number) => hour + 1;
  const nightFirst = (peak.last + 1) % 24;
  const nightLast = (peak.first + 23) % 24;
  const peakDays = peak.days.length === 6 ? 'Monday–Saturday' : 'Monday–Friday';
  return [
    {
      kind: 'window',
      name: '2x16H',
      description: `HE ${he(peak.first)}–${he(peak.last)} ${clock} on Saturdays, Sundays and NERC holidays`,
      source:
        'ICE Futures U.S. 2x16 off-peak power futures: the peak-window hours of weekend days and NERC holidays',
      days: WEEKEND,
      hoursBeginning: hoursBeginning(peak.first, peak.last),
      holidays: 'added',
    },
    {
      kind: 'window',
      name: '7x8',
      description: `${nightFirst === 23 ? 'HE 24' : `HE ${he(nightFirst)}–24`} and HE 1–${he(nightLast)} ${clock}, every day`,
      source:
        'ICE Futures U.S. 7x8 off-peak power futures: the eight hours outside the peak window, every day',
      days: EVERY_DAY,
      hoursBeginning: hoursBeginning(nightFirst, nightLast),
      holidays: 'ignored',
    },
    {
      kind: 'window',
      name: 'ATC',
      description: 'Around the clock (7x24): every hour of every day',
      source: 'ICE Futures U.S. and CME around-the-clock power contracts: all hours',
      days: EVERY_DAY,
      hoursBeginning: hoursBeginning(0, 23),
      holidays: 'ignored',
    },
    {
      kind: 'complement',
      name: 'OFF_PEAK',
      description: `Every hour not in ON_PEAK: HE 1–${he(peak.first - 1)} and ${nightFirst === 23 ? 'HE 24' : `HE ${he(nightFirst)}–24`} ${peakDays}, all hours of other days and NERC holidays`,
      source: OFF_PEAK_SOURCE,
      of: 'ON_PEAK',
    },
    {
      kind: 'window',
      name: 'ON_PEAK',
      description: `HE ${he(peak.first)}–${he(peak.last)} ${clock}, ${peakDays}, excluding NERC holidays`,
      source: peak.source,
      days: peak.days,
      hoursBeginning: hoursBeginning(peak.first, peak.last),
      holidays: 'excluded',
    },
  ];
}

// ICE Futures U.S. / CME PJM, NYISO and ISO-NE peak contracts: HE 0800–2300 Eastern Prevailing Time, Monday–Friday
// excluding NERC holidays.
const EASTERN_PEAK = { days: WEEKDAYS, first: 7, last: 22 } as const;
// ICE Futures U.S. ERCOT and SPP peak contracts: HE 0700–2200 Central Prevailing Time, Monday–Friday excluding
// NERC holidays.
const CENTRAL_PEAK = { days: WEEKDAYS, first: 6, last: 21 } as const;

export const CALENDARS: readonly CalendarDefinition[] = [
  {
    name: 'caiso',
    timezone: 'America/Los_Angeles',
    holidays: 'nerc',
    description: 'CAISO (WECC) on Pacific Prevailing Time',
    // ICE Futures U.S. SP-15 / NP-15 Day-Ahead Peak Fixed Price Futures and the WSPP Agreement's on-peak
    // definition: HE 0700–2200 Pacific Prevailing Time, Monday–Saturday excluding NERC holidays (6x16).
    blocks: usBlocks(
      {
        days: MONDAY_TO_SATURDAY,
        first: 6,
        last: 21,
        source:
          'ICE Futures U.S. SP-15 Day-Ahead Peak Fixed Price Future; WSPP Agreement on-peak: HE 0700–2200 PPT, Monday–Saturday excluding NERC holidays',
      },
      'PPT',
    ),
  },
  {
    name: 'ercot',
    timezone: 'America/Chicago',
    holidays: 'nerc',
    description: 'ERCOT on Central Prevailing Time',
    // ICE Futures U.S. ERCOT North 345KV Real-Time Peak Fixed Price Future: HE 0700–2200 CPT, Monday–Friday
    // excluding NERC holidays.
    blocks: usBlocks(
      {
        ...CENTRAL_PEAK,
        source:
          'ICE Futures U.S. ERCOT North 345KV Real-Time Peak Fixed Price Future: HE 0700–2200 CPT, Monday–Friday excluding NERC holidays',
      },
      'CPT',
    ),
  },
  {
    name: 'eu_base',
    timezone: 'Europe/Berlin',
    holidays: 'none',
    description: 'EEX Phelix-DE base and peak on Central European (Summer) Time',
    blocks: [
      // EEX Phelix-DE Base Futures: delivery 00:00–24:00 CET/CEST on every day of the delivery period.
      {
        kind: 'window',
        name: 'BASE',
        description: '00:00–24:00 CET/CEST, every day',
        source: 'EEX German Power (Phelix-DE) Base Futures contract specification: all hours of every day',
        days: EVERY_DAY,
        hoursBeginning: hoursBeginning(0, 23),
        holidays: 'ignored',
      },
      // EEX Phelix-DE Peak Futures: 08:00–20:00 CET/CEST Monday–Friday, public holidays included.
      {
        kind: 'window',
        name: 'PEAK',
        description: '08:00–20:00 CET/CEST (hours beginning 08:00–19:00), Monday–Friday, holidays included',
        source:
          'EEX German Power (Phelix-DE) Peak Futures contract specification: 08:00–20:00, Monday–Friday, including public holidays',
        days: WEEKDAYS,
        hoursBeginning: hoursBeginning(8, 19),
        holidays: 'ignored',
      },
    ],
  },
  {
    name: 'isone',
    timezone: 'America/New_York',
    holidays: 'nerc',
    description: 'ISO New England on Eastern Prevailing Time',
    // ICE Futures U.S. ISO New England Massachusetts Hub Day-Ahead Peak Fixed Price Future: HE 0800–2300 EPT,
    // Monday–Friday excluding NERC holidays.
    blocks: usBlocks(
      {
        ...EASTERN_PEAK,
        source:
          'ICE Futures U.S. ISO New England Massachusetts Hub Day-Ahead Peak Fixed Price Future: HE 0800–2300 EPT, Monday–Friday excluding NERC holidays',
      },
      'EPT',
    ),
  },
  {
    name: 'miso',
    timezone: MISO_MARKET_CLOCK,
    holidays: 'nerc',
    description: 'MISO on Eastern Standard Time all year (no DST)',
    // ICE Futures U.S. MISO Indiana Hub Real-Time Peak Fixed Price Future: HE 0800–2300 EST, Monday–Friday
    // excluding NERC holidays; MISO's market clock is EST year round.
    blocks: usBlocks(
      {
        ...EASTERN_PEAK,
        source:
          'ICE Futures U.S. MISO Indiana Hub Real-Time Peak Fixed Price Future: HE 0800–2300 EST, Monday–Friday excluding NERC holidays',
      },
      'EST',
    ),
  },
  {
    name: 'nyiso',
    timezone: 'America/New_York',
    holidays: 'nerc',
    description: 'NYISO on Eastern Prevailing Time',
    // ICE Futures U.S. NYISO Zone J / Zone G / Zone A Day-Ahead Peak Fixed Price Futures: HE 0800–2300 EPT,
    // Monday–Friday excluding NERC holidays.
    blocks: usBlocks(
      {
        ...EASTERN_PEAK,
        source:
          'ICE Futures U.S. NYISO Zone J Day-Ahead Peak Fixed Price Future: HE 0800–2300 EPT, Monday–Friday excluding NERC holidays',
      },
      'EPT',
    ),
  },
  {
    name: 'pjm',
    timezone: 'America/New_York',
    holidays: 'nerc',
    description: 'PJM on Eastern Prevailing Time',
    // ICE Futures U.S. PJM Western Hub Real-Time Peak Fixed Price Future and CME PJM Western Hub Peak
    // Calendar-Month LMP Futures: HE 0800–2300 EPT, Monday–Friday excluding NERC holidays.
    blocks: usBlocks(
      {
        ...EASTERN_PEAK,
        source:
          'ICE Futures U.S. PJM Western Hub Real-Time Peak Fixed Price Future; CME PJM Western Hub Peak LMP Futures: HE 0800–2300 EPT, Monday–Friday excluding NERC holidays',
      },
      'EPT',
    ),
  },
  {
    name: 'spp',
    timezone: 'America/Chicago',
    holidays: 'nerc',
    description: 'SPP on Central Prevailing Time',
    // ICE Futures U.S. SPP North Hub Day-Ahead Peak Fixed Price Future: HE 0700–2200 CPT, Monday–Friday
    // excluding NERC holidays.
    blocks: usBlocks(
      {
        ...CENTRAL_PEAK,
        source:
          'ICE Futures U.S. SPP North Hub Day-Ahead Peak Fixed Price Future: HE 0700–2200 CPT, Monday–Friday excluding NERC holidays',
      },
      'CPT',
    ),
  },
];
