/** The worker's metrics, named once for the code that emits them and the alarms that watch them. */
export const SCENARIO_METRICS = {
  namespace: 'Aurum',
  /** lib/observability's metrics buffer names the service `aurum`. */
  service: 'aurum',
  timedOut: 'ScenarioRunsTimedOut',
} as const;
