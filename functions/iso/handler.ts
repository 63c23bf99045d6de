import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { isoDomain } from './routes.ts';
import { createIsoService } from './service.ts';

export interface IsoPorts {
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
}

/** The ISO LMP function: each route bound to the service in one line; `ports` replace what the environment gives. */
export function createIsoHandler(ports: IsoPorts = {}) {
  return createDomainHandler({
    domain: isoDomain,
    runtime: ports.runtime,
    bind: ({ cursors }) => {
      let opened: Promise<SqlEngine> | undefined;
      const engine = () => {
        // A failed open is not remembered: the next request tries again.
        opened ??= (ports.engine ? Promise.resolve(ports.engine) : createEngine()).catch((error: unknown) => {
          opened = undefined;
          throw error;
        });
        return opened;
      };
      const iso = createIsoService({ engine, cursors });
      return {
        listIsoLmpLast24hV1: ({ query, io }) => iso.last24hV1(query, io),
        listIsoLmpHourlyV1: ({ query, io }) => iso.hourlyV1(query, io),
        listIsoLmpDailyV1: ({ query, io }) => iso.dailyV1(query, io),
        listIsoLmpNegativeV1: ({ query, io }) => iso.negative(query, io),
        listIsoLmpLast24hV2: ({ query, io }) => iso.last24hV2(query, io),
        listIsoLmpHourlyV2: ({ query, io }) => iso.hourlyV2(query, io),
        listIsoLmpDailyV2: ({ query, io }) => iso.dailyV2(query, io),
        listIsoLmpBlocksV2: ({ query, io }) => iso.blocks(query, io),
      };
    },
  });
}

export const handler = createIsoHandler();
