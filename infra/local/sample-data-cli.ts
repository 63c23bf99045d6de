/**
 * `npm run sample-data -- [--path .data/aurum.duckdb] [--rows N] [--seed S] [--business-days D] [--end-date YYYY-MM-DD] [--force]`
 * Writes the deterministic sample `curve_observation` table; without --force an existing file is kept.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE_DATA_PATH, generateSampleData, type SampleDataResult } from './sample-data.ts';

const USAGE =
  'usage: sample-data-cli.ts [--path FILE] [--rows N] [--seed S] [--business-days D] [--end-date YYYY-MM-DD] [--force]';

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`--${name} must be an integer, got "${value}"`);
  return parsed;
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

function describe(result: SampleDataResult): string {
  const first = result.asofDates[0];
  const last = result.asofDates[result.asofDates.length - 1];
  return [
    `wrote ${result.rows.toLocaleString('en-US')} rows to ${displayPath(result.path)}`,
    `  curves: ${result.curves}, as-of dates: ${result.asofDates.length} (${first} .. ${last}), corrections: ${result.corrections}`,
    `  seed: ${result.seed}, took ${(result.elapsedMs / 1000).toFixed(2)} s`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      path: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      'business-days': { type: 'string' },
      'end-date': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const options = {
    path: values.path === undefined ? DEFAULT_SAMPLE_DATA_PATH : resolve(values.path),
    rows: integerOption('rows', values.rows),
    seed: integerOption('seed', values.seed),
    businessDays: integerOption('business-days', values['business-days']),
    endDate: values['end-date'],
  };
  if (existsSync(options.path) && !values.force) {
    console.log(`${displayPath(options.path)} already exists; pass --force to regenerate it`);
    return 0;
  }
  const result = await generateSampleData(options);
  console.log(describe(result));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exitCode = 1;
  },
);
