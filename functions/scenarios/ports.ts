import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { lazy } from '#lib/lazy';
import { appStore } from '#lib/store/create-store';
import type { AppStore } from '#lib/store/store';
import {
  eventBridgeRunEvents,
  localRunEvents,
  localRunQueue,
  type RunEvents,
  type RunQueue,
  sqsRunQueue,
} from './run-queue.ts';
import { createRunWorker } from './run-worker.ts';

export interface ScenarioPorts {
  store: () => Promise<AppStore>;
  engine: () => Promise<SqlEngine>;
  queue: RunQueue;
  events: RunEvents;
}

/**
 * The ports from the environment: SQS and EventBridge when AURUM_SCENARIO_QUEUE_URL and
 * AURUM_SCENARIO_EVENT_BUS name them (AWS), else the in-process queue, whose consumer is the same worker
 * over the same store and engine, and the in-process bus (`npm start`, the tests).
 */
export function scenarioPortsFromEnv(env: NodeJS.ProcessEnv = process.env): ScenarioPorts {
  const store = lazy(() => appStore());
  const engine = lazy(() => createEngine());
  const events = env.AURUM_SCENARIO_EVENT_BUS
    ? eventBridgeRunEvents(env.AURUM_SCENARIO_EVENT_BUS)
    : localRunEvents;
  if (env.AURUM_SCENARIO_QUEUE_URL)
    return { store, engine, queue: sqsRunQueue(env.AURUM_SCENARIO_QUEUE_URL), events };
  const worker = createRunWorker({ store, engine, queue: localRunQueue, events });
  localRunQueue.consume(async (message) => {
    await worker.execute(message);
  });
  return { store, engine, queue: localRunQueue, events };
}
