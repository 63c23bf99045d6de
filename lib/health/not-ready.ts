/** A check's answer as readiness shows it (snake_case, whole milliseconds). */
export interface CheckAnswer {
  status: 'ok' | 'failed' | 'disabled';
  latency_ms: number;
  detail?: string;
}

/** Readiness failed: the checks say which dependency and why; the caller should retry after a pause. */
export class NotReadyError extends Error {
  constructor(
    message: string,
    readonly checks: Record<string, CheckAnswer>,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'NotReadyError';
  }
}
