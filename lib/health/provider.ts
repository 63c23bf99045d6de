/**
 * The health-check port: one async provider per dependency, each answering within a deadline it is
 * given. `disabled` means "deliberately not configured here" and does not make the service unready.
 */
export type CheckStatus = 'ok' | 'failed' | 'disabled';

export interface CheckResult {
  status: CheckStatus;
  latencyMs: number;
  /** Why, in the readiness vocabulary of detail.ts; anything else is shown as `failed`. */
  detail?: string;
}

export interface HealthProvider {
  /** The check's name in readiness answers and canary metrics, e.g. `engine`. */
  readonly name: string;
  /** Resolves by `deadline` (epoch ms) as best it can; runChecks enforces it regardless. */
  check(deadline: number): Promise<CheckResult>;
}

/** A dependency client built on first use and rebuilt after a failed build, so a bad start is not kept. */
export function lazily<T>(build: () => T | Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    return built;
  };
}
