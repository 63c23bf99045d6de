import { duckDbPath } from '#lib/data/create-engine';
import { ensureSampleData } from '#infra/local/sample-data';

/** Every integration test reads the same deterministic sample database; make it once per run. */
export default async function setup(): Promise<void> {
  await ensureSampleData(duckDbPath());
}
