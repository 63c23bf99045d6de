import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { lazy } from '#lib/lazy';
import { appStore } from '#lib/store/create-store';
import type { AppStore } from '#lib/store/store';
import { mappingsDomain } from './routes.ts';
import { type Caller, createMappingsService } from './service.ts';

export interface MappingsPorts {
  store?: () => Promise<AppStore>;
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
}

const V2 = '/v2/series-curve-mappings';
const V1 = '/v1/admin/mappings';

/** The mappings function: records in the app store, curve keys checked against the analytic store. */
export function createMappingsHandler(ports: MappingsPorts = {}) {
  const store = ports.store ?? lazy(() => appStore());
  return createDomainHandler({
    domain: mappingsDomain,
    runtime: ports.runtime,
    store,
    bind: async ({ cursors }) => {
      const engine = lazy(() => (ports.engine ? Promise.resolve(ports.engine) : createEngine()));
      const mappings = createMappingsService({ store, engine, cursors });
      const caller = (p: { tenant: string | null; subject: string }): Caller => ({
        tenant: p.tenant ?? '',
        subject: p.subject,
      });
      return {
        createSeriesCurveMapping: async ({ tx, principal, body, io }) =>
          mappings.create(tx, caller(principal), body, V2, io),
        listSeriesCurveMappings: async ({ principal, query, io }) =>
          mappings.list(caller(principal), query, io),
        getSeriesCurveMapping: async ({ principal, path, io }) =>
          mappings.get(caller(principal), path.mapping_id, V2, io),
        replaceSeriesCurveMapping: async ({ tx, principal, path, body, headers, io }) =>
          mappings.replace(tx, caller(principal), path.mapping_id, body, headers['if-match'], V2, io),
        patchSeriesCurveMapping: async ({ tx, principal, path, body, headers, io }) =>
          mappings.patch(tx, caller(principal), path.mapping_id, body, headers['if-match'], V2, io),
        deleteSeriesCurveMapping: async ({ tx, principal, path, headers }) =>
          mappings.remove(tx, caller(principal), path.mapping_id, headers['if-match']),
        suggestSeriesCurveMappings: async ({ principal, query, io }) =>
          mappings.suggest(caller(principal), query, io),
        listMappingsAdminV1: async ({ principal, query, io }) => mappings.list(caller(principal), query, io),
        createMappingAdminV1: async ({ tx, principal, body, io }) =>
          mappings.create(tx, caller(principal), body, V1, io),
        searchMappingsAdminV1: async ({ principal, query, io }) =>
          mappings.search(caller(principal), query, io),
        getMappingAdminV1: async ({ principal, path, io }) =>
          mappings.get(caller(principal), path.mapping_id, V1, io),
        updateMappingAdminV1: async ({ tx, principal, path, body, headers, io }) =>
          mappings.replace(tx, caller(principal), path.mapping_id, body, headers['if-match'], V1, io),
        deleteMappingAdminV1: async ({ tx, principal, path, headers }) =>
          mappings.remove(tx, caller(principal), path.mapping_id, headers['if-match']),
        listMappingsAdminV2: async ({ principal, query, io }) =>
          mappings.adminList(caller(principal), query, io),
      };
    },
  });
}

export const handler = createMappingsHandler();
