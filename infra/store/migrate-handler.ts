import { createStore } from '#lib/store/create-store';
import { loadMigrations, type MigrationReport, migrate } from '#lib/store/migrate';

/**
 * The deploy-time migration run (a CDK trigger invokes it before the functions change): applies the numbered
 * SQL files bundled beside it to the store named by AURUM_STORE_URL. A failure fails the deployment, which
 * CloudFormation rolls back; the failed migration itself was already rolled back whole.
 */
export async function handler(): Promise<MigrationReport> {
  const store = await createStore();
  try {
    const report = await migrate(store, await loadMigrations(process.env.AURUM_MIGRATIONS_DIR || undefined));
    console.log(JSON.stringify({ message: 'app-store migrations', ...report }));
    return report;
  } finally {
    await store.close();
  }
}
