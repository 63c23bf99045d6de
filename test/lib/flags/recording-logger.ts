import type { FlagLogger } from '#lib/flags/source';

export interface LogEntry {
  level: 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A log sink that keeps what the flags library logged, so tests can assert on it. */
export class RecordingLogger implements FlagLogger {
  readonly entries: LogEntry[] = [];

  warn(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, attributes });
  }

  error(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, attributes });
  }
}

/** Re-runs `read` until `done` holds, for changes that arrive after a poll interval. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
