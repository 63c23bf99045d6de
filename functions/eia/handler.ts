import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { eiaDomain } from './routes.ts';
import { createEiaService } from './service.ts';

export interface EiaPorts {
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
}

/** The EIA function: each route bound to the service in one line; `ports` replace what the environment gives. */
export function createEiaHandler(ports: EiaPorts = {}) {
  return createDomainHandler({
    domain: eiaDomain,
    runtime: ports.runtime,
    bind: ({ cursors }) => {
      let opened: Promise<SqlEngine> | undefined;
      const engine = () => {
        // A failed open is not remembered: the next request tries again. The v1 catalog never opens it.
        opened ??= (ports.engine ? Promise.resolve(ports.engine) : createEngine()).catch((error: unknown) => {
          opened = undefined;
          throw error;
        });
        return opened;
      };
      const eia = createEiaService({ engine, cursors });
      return {
        listEiaDatasetsV1: async ({ query }) => eia.datasets(query),
        getEiaDatasetV1: async ({ path }) => eia.dataset(path.dataset_path),
        listEiaSeriesV1: ({ query, io }) => eia.seriesV1(query, io),
        getEiaSeriesDimensionsV1: ({ query, io }) => eia.dimensions(query, io),
        listEiaDatasetsV2: ({ query, io }) => eia.datasetsV2(query, io),
        listEiaSeriesV2: ({ query, io }) => eia.seriesV2(query, io),
        getEiaSeriesDimensionsV2: ({ query, io }) => eia.dimensions(query, io),
      };
    },
  });
}

export const handler = createEiaHandler();
