/** Percentiles by nearest rank over a copy of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * Runs `fn` with stdout swallowed, where the figure is a count or a ratio of runs that log alike (paging,
 * the stampedes, the stale answer): their log and metric lines (EMF) would drown the table. The latency
 * figures pay for their lines on a real pipe instead (latencyWithLogsOnAPipe).
 */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}
