import { METRICS_NAMESPACE, serviceOf } from '#lib/observability/metric-names';

/** The worker's metrics, named once for the code that emits them and the alarms that watch them. */
export const SCENARIO_METRICS = {
  namespace: METRICS_NAMESPACE,
  /** lib/observability's buffer names the service after POWERTOOLS_SERVICE_NAME, the worker's function. */
  service: serviceOf('scenario-worker'),
  timedOut: 'ScenarioRunsTimedOut',
} as const;
