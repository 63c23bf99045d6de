import type { Server } from 'node:http';
import { registry } from '#functions/registry';
import { createLocalGateway, listen, loadHandlers } from '#infra/local/gateway';

export interface LocalApi {
  url: string;
  close(): Promise<void>;
}

/** The local gateway over the sample DuckDB, as `npm start` runs it, on a free port. */
export async function startLocalApi(env: Record<string, string> = {}): Promise<LocalApi> {
  process.env.AURUM_AUTH_MODE ??= 'dev';
  process.env.AURUM_API_ADMIN_GROUP ??= 'aurum-admins';
  // Test files fire requests far faster than a person; the limiter has tests of its own.
  process.env.AURUM_API_RATE_LIMIT_RPS ??= '100000';
  // Each test file gets an empty app store in memory, migrated on first use, never the files of npm start.
  process.env.AURUM_STORE_URL ??= 'memory:';
  Object.assign(process.env, env);
  const handlers = await loadHandlers(registry);
  const server: Server = createLocalGateway({ registry, handlers, fallbackDomain: 'health' });
  const url = await listen(server, 0);
  process.env.AURUM_API_BASE_URL = url;
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
