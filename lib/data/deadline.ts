import { DataAccessError, type QueryOptions } from './engine.ts';

/** setTimeout fires at once for delays above 2^31-1 ms, so far deadlines are clamped to this. */
const MAX_TIMER_MS = 2_147_483_647;

/** The caller's deadline and abort signal, as one stop condition an engine can race its I/O against. */
export interface QueryWatch {
  /** The reason work stopped (a `timeout` DataAccessError), once the deadline passed or the signal aborted. */
  readonly reason: DataAccessError | undefined;
  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number;
  /** Throws the stop reason if the deadline already passed or the signal already aborted. */
  throwIfStopped(): void;
  /** Settles as `work` does, unless the watch stops first: then rejects with the stop reason. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Registers a callback for the moment the watch stops (called at most once). */
  onStop(callback: () => void): void;
  dispose(): void;
}

export function watchQuery({ deadline, signal }: QueryOptions): QueryWatch {
  let reason: DataAccessError | undefined;
  const callbacks: Array<() => void> = [];
  let rejectStopped: (error: DataAccessError) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    rejectStopped = reject;
  });
  // Nobody may be racing when the watch stops; the rejection is observed through `race`.
  stopped.catch(() => {});

  const stop = (error: DataAccessError) => {
    if (reason) return;
    reason = error;
    rejectStopped(error);
    for (const callback of callbacks.splice(0)) callback();
  };
  const onDeadline = () => stop(new DataAccessError('timeout', 'the query ran past its deadline'));
  const onAbort = () =>
    stop(new DataAccessError('timeout', 'the query was aborted', { cause: signal?.reason }));

  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(onDeadline, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const remainingMs = () => (deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now());
  return {
    get reason() {
      return reason;
    },
    remainingMs,
    throwIfStopped() {
      if (!reason && remainingMs() <= 0) onDeadline();
      if (reason) throw reason;
    },
    race: (work) => Promise.race([work, stopped]),
    onStop(callback) {
      if (reason) callback();
      else callbacks.push(callback);
    },
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
