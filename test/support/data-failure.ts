import { expect } from 'vitest';
import { DataAccessError } from '#lib/data/engine';

/** Awaits work that must fail with a DataAccessError and returns that error for further assertions. */
export async function failureOf(work: Promise<unknown>): Promise<DataAccessError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataAccessError);
  return error as DataAccessError;
}
