/**
 * What the flags library counts: evaluations per flag and answer, document reads and read failures.
 * A port with a Powertools implementation (the invocation's EMF buffer) and a counting one for tests.
 */
import {
  flagDocumentReadFailureMetric,
  flagDocumentReadMetric,
  flagEvaluationMetric,
} from '#lib/observability/metric-names';
import { metrics as invocationMetrics, type MetricsBuffer } from '#lib/observability/metrics';

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
 * Counts into the invocation's metrics buffer (lib/observability), so the counts leave with the request's
 * one EMF document: `FlagEvaluations.<flag>.<on|off>`, `FlagDocumentReads.<origin>`,
 * `FlagDocumentReadFailures.<origin>.<kind>`. The flag and answer are in the metric name, not in
 * dimensions, because a document carries one value per dimension and one request evaluates several flags.
 */
export class PowertoolsFlagMetrics implements FlagMetrics {
  readonly #buffer: MetricsBuffer;

  constructor(buffer: MetricsBuffer = invocationMetrics) {
    this.#buffer = buffer;
  }

  evaluation(key: string, enabled: boolean): void {
    this.#buffer.count(flagEvaluationMetric(key, enabled));
  }

  documentRead(origin: FlagDocumentOrigin): void {
    this.#buffer.count(flagDocumentReadMetric(origin));
  }

  documentReadFailure(origin: FlagDocumentOrigin, kind: FlagReadFailureKind): void {
    this.#buffer.count(flagDocumentReadFailureMetric(origin, kind));
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
