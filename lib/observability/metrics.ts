import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-names.ts';

export type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Everything an invocation counts (cache events, backend latency, rate-limit outcomes, flag evaluations and
 * document reads, the worker's and the canary's own metrics), written by `flush()` as at most one EMF
 * document on stdout, none when nothing was counted. The Powertools `Metrics` is made on the first metric,
 * not at import. Its one dimension is `service` (POWERTOOLS_SERVICE_NAME); see metric-names.ts for why
 * everything else is in the metric name.
 */
export class MetricsBuffer {
  readonly #serviceName: string | undefined;
  #metrics: Metrics | undefined;

  /** `serviceName` defaults to POWERTOOLS_SERVICE_NAME (read on the first metric), else `aurum`. */
  constructor(options: { serviceName?: string } = {}) {
    this.#serviceName = options.serviceName;
  }

  add(name: string, unit: MetricUnitName, value: number): void {
    this.#metrics ??= new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: this.#serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'aurum',
    });
    this.#metrics.addMetric(name, unit, value);
  }

  count(name: string, value = 1): void {
    this.add(name, MetricUnit.Count, value);
  }

  milliseconds(name: string, value: number): void {
    this.add(name, MetricUnit.Milliseconds, value);
  }

  /** Writes what was counted since the last flush as one EMF document; nothing when nothing was counted. */
  flush(): void {
    if (this.#metrics?.hasStoredMetrics()) this.#metrics.publishStoredMetrics();
  }
}

/**
 * The container's buffer. A Lambda container serves one invocation at a time, so flushing it at the end of
 * every invocation (lib/http's responder, the canary, the scenario worker) makes it the invocation's buffer.
 * Work that finishes after the answer (a background cache refresh) counts into it too and leaves with the
 * next flush: Lambda freezes the container after the answer, so that work usually ends during the next
 * invocation, and a document of its own would be a second line there.
 */
export const metrics = new MetricsBuffer();

export function flushMetrics(): void {
  metrics.flush();
}
