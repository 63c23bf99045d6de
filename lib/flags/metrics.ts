/**
 * What the flags library counts: evaluations per flag and answer, document reads and read failures.
 * A port with a Powertools implementation (EMF, namespace 'Aurum') and a counting one for tests.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export type FlagDocumentOrigin = 'appconfig' | 'file';

/** 'unreachable': the read itself failed; 'invalid': the read succeeded but the document was refused. */
export type FlagReadFailureKind = 'unreachable' | 'invalid';

export interface FlagMetrics {
  evaluation(key: string, enabled: boolean): void;
  documentRead(origin: FlagDocumentOrigin): void;
  documentReadFailure(origin: FlagDocumentOrigin, kind: FlagReadFailureKind): void;
}

export const NO_FLAG_METRICS: FlagMetrics = {
  evaluation: () => {},
  documentRead: () => {},
  documentReadFailure: () => {},
};

/**
 * Adds to a Powertools `Metrics` instance, normally the handler's shared one so the counts leave with
 * the invocation's EMF flush. The flag and answer are in the metric name, not in dimensions, because
 * dimensions apply to every metric of a flush and one invocation evaluates several flags.
 */
export class PowertoolsFlagMetrics implements FlagMetrics {
  readonly #metrics: Metrics;

  constructor(metrics: Metrics = new Metrics({ namespace: 'Aurum' })) {
    this.#metrics = metrics;
  }

  evaluation(key: string, enabled: boolean): void {
    this.#metrics.addMetric(`FlagEvaluations.${key}.${enabled ? 'on' : 'off'}`, MetricUnit.Count, 1);
  }

  documentRead(origin: FlagDocumentOrigin): void {
    this.#metrics.addMetric(`FlagDocumentReads.${origin}`, MetricUnit.Count, 1);
  }

  documentReadFailure(origin: FlagDocumentOrigin, kind: FlagReadFailureKind): void {
    this.#metrics.addMetric(`FlagDocumentReadFailures.${origin}.${kind}`, MetricUnit.Count, 1);
  }
}

/** Keeps the counts in memory, for tests and for the local runtime's diagnostics. */
export class CountingFlagMetrics implements FlagMetrics {
  readonly evaluations = new Map<string, number>();
  readonly reads = new Map<FlagDocumentOrigin, number>();
  readonly readFailures = new Map<string, number>();

  evaluation(key: string, enabled: boolean): void {
    const name = `${key}:${enabled ? 'on' : 'off'}`;
    this.evaluations.set(name, (this.evaluations.get(name) ?? 0) + 1);
  }

  documentRead(origin: FlagDocumentOrigin): void {
    this.reads.set(origin, (this.reads.get(origin) ?? 0) + 1);
  }

  documentReadFailure(origin: FlagDocumentOrigin, kind: FlagReadFailureKind): void {
    const name = `${origin}:${kind}`;
    this.readFailures.set(name, (this.readFailures.get(name) ?? 0) + 1);
  }

  evaluationCount(key: string, enabled: boolean): number {
    return this.evaluations.get(`${key}:${enabled ? 'on' : 'off'}`) ?? 0;
  }

  readCount(origin: FlagDocumentOrigin): number {
    return this.reads.get(origin) ?? 0;
  }

  readFailureCount(origin: FlagDocumentOrigin, kind: FlagReadFailureKind): number {
    return this.readFailures.get(`${origin}:${kind}`) ?? 0;
  }
}
