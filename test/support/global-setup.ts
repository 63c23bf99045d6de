import { ensureSampleData } from '#infra/local/sample-data';
import { duckDbPath } from '#lib/data/create-engine';

/** Every integration test reads the same deterministic sample database; make it once per run. */
export default async function setup(): Promise<void> {
  await ensureSampleData(duckDbPath());
}
