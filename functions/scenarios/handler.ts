import { assertSameTenant, type Principal } from '#lib/auth/principal';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import type { AppStore } from '#lib/store/store';
import { type ScenarioPorts, scenarioPortsFromEnv } from './ports.ts';
import { scenariosDomain } from './routes.ts';
import type { RunQueue } from './run-queue.ts';
import { type Caller, createScenariosService } from './service.ts';

export interface ScenariosHandlerPorts {
  store?: () => Promise<AppStore>;
  queue?: RunQueue;
  runtime?: () => HttpRuntime;
}

const V1 = '/v1/scenarios';
const V2 = '/v2/scenarios';

const caller = (p: Principal): Caller => ({ tenant: p.tenant ?? '', subject: p.subject });

/** The scenarios function: records in the app store; runs go to the queue the worker reads. */
export function createScenariosHandler(ports: ScenariosHandlerPorts = {}) {
  let fromEnv: ScenarioPorts | undefined;
  const env = () => {
    fromEnv ??= scenarioPortsFromEnv();
    return fromEnv;
  };
  const store = ports.store ?? (() => env().store());
  return createDomainHandler({
    domain: scenariosDomain,
    runtime: ports.runtime,
    store,
    bind: ({ cursors }) => {
      const scenarios = createScenariosService({ store, cursors, queue: ports.queue ?? env().queue });
      return {
        listScenarios: async ({ principal, query, io }) =>
          scenarios.listScenarios(caller(principal), query, io),
        createScenario: async ({ tx, principal, body }) => {
          assertSameTenant(principal, body.tenant_id, 'body.tenant_id');
          return scenarios.createScenario(tx, caller(principal), body, V1);
        },
        getScenario: async ({ principal, path, io }) =>
          scenarios.getScenario(caller(principal), path.scenario_id, io),
        deleteScenario: async ({ tx, principal, path }) =>
          scenarios.deleteScenario(tx, caller(principal), path.scenario_id),
        listScenarioRuns: async ({ principal, path, query, io }) =>
          scenarios.listRuns(caller(principal), path.scenario_id, query, io),
        runScenario: async ({ tx, principal, path, body, afterCommit }) =>
          scenarios.createRun(tx, caller(principal), path.scenario_id, body, afterCommit),
        getScenarioRun: async ({ principal, path, io }) =>
          scenarios.getRun(caller(principal), path.scenario_id, path.run_id, io),
        setScenarioRunState: async ({ tx, principal, path, body }) =>
          scenarios.setState(tx, caller(principal), path.run_id, body.state),
        cancelScenarioRun: async ({ tx, principal, path }) =>
          scenarios.cancel(tx, caller(principal), path.run_id),
        listScenarioOutputs: async ({ principal, path, query, io }) =>
          scenarios.outputs(caller(principal), path.scenario_id, query, io),
        latestScenarioMetrics: async ({ principal, path, query, io }) =>
          scenarios.latestMetrics(caller(principal), path.scenario_id, query, io),
        bulkScenarioRuns: async ({ tx, principal, path, body, afterCommit }) =>
          scenarios.bulkRuns(tx, caller(principal), path.scenario_id, body, afterCommit),
        listScenariosV2: async ({ principal, query, io }) =>
          scenarios.listScenarios(caller(principal), { ...query, name: query.name_filter }, io),
        createScenarioV2: async ({ tx, principal, body }) => {
          assertSameTenant(principal, body.tenant_id, 'body.tenant_id');
          return scenarios.createScenario(tx, caller(principal), body, V2);
        },
        getScenarioV2: async ({ principal, path, io }) =>
          scenarios.getScenario(caller(principal), path.scenario_id, io),
        runScenarioV2: async ({ tx, principal, path, body, afterCommit }) =>
          scenarios.createRun(tx, caller(principal), path.scenario_id, body, afterCommit),
        listScenarioRunsV2: async ({ principal, path, query, io }) =>
          scenarios.listRuns(
            caller(principal),
            path.scenario_id,
            { ...query, state: query.status_filter?.toUpperCase() },
            io,
          ),
      };
    },
  });
}

export const handler = createScenariosHandler();
