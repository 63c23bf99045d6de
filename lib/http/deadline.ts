import { gatewayTimeout } from './problem.ts';

/** I/O is told to stop at the deadline; the backstop answers 504 only if it has not stopped shortly after. */
const DEADLINE_GRACE_MS = 100;

/**
 * Runs `work` under an absolute deadline: the signal aborts at the deadline, and work that ignores it still
 * ends in a 504 problem a moment later. Per request, not shared: the local gateway serves many at once.
 */
export async function withinDeadline<T>(
  deadline: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const abort = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
  let backstop: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    backstop = setTimeout(
      () => reject(gatewayTimeout('The request did not complete within its deadline')),
      Math.max(0, deadline + DEADLINE_GRACE_MS - Date.now()),
    );
  });
  expired.catch(() => undefined);
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(abort);
    clearTimeout(backstop);
  }
}
