import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { lazy } from '#lib/lazy';
import { appStore } from '#lib/store/create-store';
import type { AppStore } from '#lib/store/store';
import { ppaDomain } from './routes.ts';
import { type Caller, createPpaService } from './service.ts';

export interface PpaPorts {
  store?: () => Promise<AppStore>;
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
}

/** The PPA function: contracts and valuations in the app store, forwards from the analytic store. */
export function createPpaHandler(ports: PpaPorts = {}) {
  const store = ports.store ?? lazy(() => appStore());
  return createDomainHandler({
    domain: ppaDomain,
    runtime: ports.runtime,
    store,
    bind: async ({ cursors }) => {
      const engine = lazy(() => (ports.engine ? Promise.resolve(ports.engine) : createEngine()));
      const ppa = createPpaService({ store, engine, cursors });
      const caller = (p: { tenant: string | null; subject: string }): Caller => ({
        tenant: p.tenant ?? '',
        subject: p.subject,
      });
      return {
        listPpaContractsV1: async ({ principal, query, io }) =>
          ppa.listContractsV1(caller(principal), query, io),
        createPpaContractV1: async ({ tx, principal, body }) => ppa.create(tx, caller(principal), body),
        getPpaContractV1: async ({ principal, path, io }) => ppa.get(caller(principal), path.contract_id, io),
        patchPpaContractV1: async ({ tx, principal, path, body, headers }) =>
          ppa.patch(tx, caller(principal), path.contract_id, body, headers['if-match']),
        deletePpaContractV1: async ({ tx, principal, path, headers }) =>
          ppa.remove(tx, caller(principal), path.contract_id, headers['if-match']),
        listPpaValuationsV1: async ({ principal, path, query, io }) =>
          ppa.listValuationsV1(caller(principal), path.contract_id, query, io),
        valuatePpaV1: async ({ tx, principal, body }) => ppa.valuateV1(tx, caller(principal), body),
        listPpaContractsV2: async ({ principal, query, io }) =>
          ppa.listContractsV2(caller(principal), query, io),
        valuatePpaV2: async ({ tx, principal, body, io }) => ppa.valuateV2(tx, caller(principal), body, io),
        listPpaValuationsV2: async ({ principal, path, query, io }) =>
          ppa.listValuationsV2(caller(principal), path.contract_id, query, io),
      };
    },
  });
}

export const handler = createPpaHandler();
