/**
 * The flags the request path asks: `isEnabled` for one flag and subject, `explain` for the admin view.
 * A flag problem never fails a request: any exception answers with the flag's default, logged.
 */
import {
  FLAG_DEFAULTS,
  FLAG_KEYS,
  type FlagKey,
  type FlagValue,
  flagValueOf,
  isFlagKey,
} from './document.ts';
import { evaluateFlag, type FlagReason, type FlagSubject } from './evaluate.ts';
import { type FlagMetrics, NO_FLAG_METRICS } from './metrics.ts';
import { type FlagLogger, type FlagSource, type FlagSourceKind, flagsLogger } from './source.ts';

export interface FlagExplanation {
  /** The configuration version in force ('defaults' before any good read). */
  version: string;
  /** Seconds since the document in force was last confirmed by its source; null before any good read. */
  ageSeconds: number | null;
  source: FlagSourceKind;
  lastError?: string;
  flags: Array<{ key: string; enabled: boolean; reason: FlagReason; value: FlagValue }>;
}

export interface FeatureFlagsOptions {
  logger?: FlagLogger;
  now?: () => number;
}

export class FeatureFlags {
  readonly #source: FlagSource;
  readonly #metrics: FlagMetrics;
  readonly #logger: FlagLogger;
  readonly #now: () => number;

  constructor(source: FlagSource, metrics: FlagMetrics = NO_FLAG_METRICS, options: FeatureFlagsOptions = {}) {
    this.#source = source;
    this.#metrics = metrics;
    this.#logger = options.logger ?? flagsLogger();
    this.#now = options.now ?? Date.now;
  }

  async isEnabled(key: FlagKey, subject: FlagSubject = {}): Promise<boolean> {
    let enabled: boolean;
    try {
      const { document } = await this.#source.current();
      enabled = evaluateFlag(key, flagValueOf(document, key), subject).enabled;
    } catch (error) {
      enabled = FLAG_DEFAULTS.flags[key]?.enabled ?? false;
      this.#logger.error('flag evaluation failed; answering with the default', { flag: key, enabled, error });
    }
    this.#metrics.evaluation(key, enabled);
    return enabled;
  }

  /** Every flag's answer for one subject, known keys first, then any others the document carries. */
  async explain(subject: FlagSubject = {}): Promise<FlagExplanation> {
    try {
      const snapshot = await this.#source.current();
      const { document } = snapshot;
      const otherKeys = Object.keys(document.flags)
        .filter((key) => !isFlagKey(key))
        .sort();
      const flags = [...FLAG_KEYS, ...otherKeys].map((key) => {
        const value = isFlagKey(key) ? flagValueOf(document, key) : document.flags[key]!;
        return { key, ...evaluateFlag(key, value, subject), value };
      });
      return {
        version: snapshot.version,
        ageSeconds:
          snapshot.fetchedAt === null
            ? null
            : Math.max(0, Math.floor((this.#now() - snapshot.fetchedAt) / 1000)),
        source: snapshot.source,
        ...(snapshot.lastError === undefined ? {} : { lastError: snapshot.lastError }),
        flags,
      };
    } catch (error) {
      this.#logger.error('flag explanation failed; showing the defaults', { error });
      return {
        version: FLAG_DEFAULTS.version,
        ageSeconds: null,
        source: 'defaults',
        lastError: 'flag source failed',
        flags: FLAG_KEYS.map((key) => {
          const value = FLAG_DEFAULTS.flags[key];
          return { key, ...evaluateFlag(key, value, subject), value };
        }),
      };
    }
  }
}
