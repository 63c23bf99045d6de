import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { droughtDomain } from './routes.ts';
import { createDroughtService } from './service.ts';
import { createTileProxy } from './tile-proxy.ts';

/** A positive whole number of milliseconds from the environment, else undefined (the proxy's default). */
function millis(raw: string | undefined): number | undefined {
  const n = Number(raw);
  return raw && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export interface DroughtPorts {
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
  /** The tile service's base URL; default `AURUM_DROUGHT_TILE_BASE_URL`. */
  tileBaseUrl?: string;
  /** Upstream waits; default `AURUM_DROUGHT_TILE_TIMEOUT_MS` / `AURUM_DROUGHT_INFO_TIMEOUT_MS`, else 20 s / 15 s. */
  tileTimeoutMs?: number;
  infoTimeoutMs?: number;
}

/** The drought function: each route bound to the service in one line; `ports` replace what the environment gives. */
export function createDroughtHandler(ports: DroughtPorts = {}) {
  return createDomainHandler({
    domain: droughtDomain,
    runtime: ports.runtime,
    bind: ({ cursors }) => {
      let opened: Promise<SqlEngine> | undefined;
      const engine = () => {
        // A failed open is not remembered: the next request tries again. The tile routes never open it.
        opened ??= (ports.engine ? Promise.resolve(ports.engine) : createEngine()).catch((error: unknown) => {
          opened = undefined;
          throw error;
        });
        return opened;
      };
      const tiles = createTileProxy({
        baseUrl: ports.tileBaseUrl ?? process.env.AURUM_DROUGHT_TILE_BASE_URL,
        tileTimeoutMs: ports.tileTimeoutMs ?? millis(process.env.AURUM_DROUGHT_TILE_TIMEOUT_MS),
        infoTimeoutMs: ports.infoTimeoutMs ?? millis(process.env.AURUM_DROUGHT_INFO_TIMEOUT_MS),
      });
      const drought = createDroughtService({ engine, cursors, tiles });
      return {
        getDroughtDimensionsV1: async () => drought.dimensions(),
        listDroughtIndicesV1: ({ query, io }) => drought.indices('v1', query, io),
        listDroughtUsdmV1: ({ query, io }) => drought.usdm('v1', query, io),
        listDroughtLayersV1: ({ query, io }) => drought.layers(query, io),
        getDroughtTileV1: ({ path, query, io }) => drought.tile({ ...path, ...query }, io),
        getDroughtTileInfoV1: ({ path, query, io }) => drought.tileInfo({ ...path, ...query }, io),
        listDroughtIndicesV2: ({ query, io }) => drought.indices('v2', query, io),
        listDroughtUsdmV2: ({ query, io }) => drought.usdm('v2', query, io),
      };
    },
  });
}

export const handler = createDroughtHandler();
