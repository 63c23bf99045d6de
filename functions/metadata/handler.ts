import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { metadataDomain } from './routes.ts';
import { createMetadataService } from './service.ts';

export interface MetadataPorts {
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
}

/** The metadata function: each route bound to the service in one line; `ports` replace what the environment gives. */
export function createMetadataHandler(ports: MetadataPorts = {}) {
  return createDomainHandler({
    domain: metadataDomain,
    runtime: ports.runtime,
    bind: async ({ cursors }) => {
      let opened: Promise<SqlEngine> | undefined;
      const engine = () => {
        // A failed open is not remembered: the next request tries again.
        opened ??= (ports.engine ? Promise.resolve(ports.engine) : createEngine()).catch((error: unknown) => {
          opened = undefined;
          throw error;
        });
        return opened;
      };
      const metadata = createMetadataService({ engine, cursors });
      return {
        getDimensionsV1: async ({ query, io }) => metadata.dimensions(query, io),
        listLocationsV1: async ({ query }) => metadata.locations(query),
        getLocationV1: async ({ path }) => metadata.location(path.iso, path.location_id),
        getUnitsV1: async ({ query }) => metadata.units(query.prefix),
        listUnitMappingsV1: async ({ query }) => metadata.unitMappings(query),
        listCalendarsV1: async ({ query }) => metadata.calendars(query),
        getCalendarBlocksV1: async ({ path }) => metadata.blocks(path.name),
        getCalendarHoursV1: async ({ path, query }) => metadata.hours(path.name, query),
        expandCalendarV1: async ({ path, query }) => metadata.expand(path.name, query),
        listDimensionsV2: async ({ query, io }) => metadata.dimensionsV2(query, io),
        listLocationsV2: async ({ query }) => metadata.locationsV2(query),
        listUnitsV2: async ({ query }) => metadata.unitsV2(query),
        listCalendarsV2: async ({ query }) => metadata.calendarsV2(query),
        getCalendarIntervalsV2: async ({ path, query }) => metadata.intervals(path.name, query),
      };
    },
  });
}

export const handler = createMetadataHandler();
