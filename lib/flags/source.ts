/**
 * Where the flag document comes from: the AppConfig agent extension in Lambda, a JSON file locally.
 * Both keep the last good document when a read fails or is refused, hand out FLAG_DEFAULTS before
 * any good read, and never throw from `current()`.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AgentConfiguration, AgentProviderOptions, AppConfigAgentProvider } from './agent-provider.ts';
import { FLAG_DEFAULTS, type FlagDocument, parseFlagDocument } from './document.ts';
import {
  type FlagDocumentOrigin,
  type FlagMetrics,
  type FlagReadFailureKind,
  NO_FLAG_METRICS,
} from './metrics.ts';

export type FlagSourceKind = FlagDocumentOrigin | 'defaults';

export interface FlagSnapshot {
  document: FlagDocument;
  version: string;
  /** Epoch ms of the last successful read (the document in force was confirmed then); null: never. */
  fetchedAt: number | null;
  /** 'defaults' until the first good read. */
  source: FlagSourceKind;
  /** Why the latest read failed or was refused, in words safe for an admin response; absent after a success. */
  lastError?: string;
  /** The kind of that failure, for answers that may only use a fixed vocabulary (readiness). */
  lastFailure?: FlagReadFailureKind;
}

export interface FlagSource {
  current(): Promise<FlagSnapshot>;
}

/** The part of a logger the flags library uses; a Powertools `Logger` fits. */
export interface FlagLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

let defaultLogger: FlagLogger | undefined;
/** Created on first use so importing the library has no side effects. */
export const flagsLogger = (): FlagLogger => {
  defaultLogger ??= new Logger({ persistentKeys: { component: 'flags' } });
  return defaultLogger;
};

export interface FlagSourceDependencies {
  logger?: FlagLogger;
  metrics?: FlagMetrics;
  now?: () => number;
}

const contentVersion = (body: string) =>
  `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;

/** The last good document and the outcome of the latest read, shared by both sources. */
class LastKnownGood {
  #document: FlagDocument = FLAG_DEFAULTS;
  #fetchedAt: number | null = null;
  #lastError: string | undefined;
  #lastFailure: FlagReadFailureKind | undefined;
  readonly #origin: FlagDocumentOrigin;
  readonly #logger: FlagLogger;
  readonly #metrics: FlagMetrics;

  constructor(origin: FlagDocumentOrigin, logger: FlagLogger, metrics: FlagMetrics) {
    this.#origin = origin;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Validates a freshly read body; a refused one leaves the last good document in force. */
  accept(body: string, version: string | undefined, at: number): boolean {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      this.fail('invalid', 'flag document is not valid JSON');
      return false;
    }
    const parsed = parseFlagDocument(raw, version ?? contentVersion(body));
    if (!parsed.ok) {
      this.fail('invalid', `flag document refused: ${parsed.error}`);
      return false;
    }
    this.#metrics.documentRead(this.#origin);
    this.#document = parsed.document;
    this.#fetchedAt = at;
    this.#lastError = undefined;
    return true;
  }

  /** The source confirmed that the document it last accepted is still current. */
  confirm(at: number): void {
    if (this.#fetchedAt === null) return;
    this.#fetchedAt = at;
    this.#lastError = undefined;
  }

  fail(kind: FlagReadFailureKind, reason: string, cause?: unknown): void {
    this.#metrics.documentReadFailure(this.#origin, kind);
    // One log line per distinct failure, so an outage does not log every poll.
    if (reason !== this.#lastError) {
      const attributes = {
        origin: this.#origin,
        failure: kind,
        reason,
        inForce: this.#fetchedAt === null ? 'defaults' : this.#document.version,
        ...(cause === undefined ? {} : { error: cause }),
      };
      const message = 'flag document read failed; keeping the last good document';
      if (kind === 'invalid') this.#logger.error(message, attributes);
      else this.#logger.warn(message, attributes);
    }
    this.#lastError = reason;
    this.#lastFailure = kind;
  }

  snapshot(): FlagSnapshot {
    return {
      document: this.#document,
      version: this.#document.version,
      fetchedAt: this.#fetchedAt,
      source: this.#fetchedAt === null ? 'defaults' : this.#origin,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      ...(this.#lastError === undefined || this.#lastFailure === undefined
        ? {}
        : { lastFailure: this.#lastFailure }),
    };
  }
}

/**
 * The poll both sources run: at most one read in flight, none before `deferUntil`'s time, and every caller
 * of `run` waits for the read in flight, if any.
 */
class Poll {
  #nextAt = 0;
  #inflight: Promise<void> | undefined;

  constructor(
    private readonly now: () => number,
    private readonly read: () => Promise<void>,
  ) {}

  /** No read starts before `at` (epoch ms). */
  deferUntil(at: number): void {
    this.#nextAt = at;
  }

  async run(): Promise<void> {
    if (!this.#inflight && this.now() >= this.#nextAt) {
      this.#inflight = this.read().finally(() => {
        this.#inflight = undefined;
      });
    }
    if (this.#inflight) await this.#inflight;
  }
}

export interface AppConfigAgentSourceOptions extends FlagSourceDependencies {
  application: string;
  environment: string;
  profile: string;
  /** Whole seconds (BaseProvider's cache counts in seconds); default 30. */
  pollSeconds?: number;
  /** Default http://localhost:2772, the agent extension's port. */
  baseUrl?: string;
  /** Per-read timeout; default 500 ms. */
  timeoutMs?: number;
}

export const DEFAULT_AGENT_BASE_URL = 'http://localhost:2772';

/** Reads the evaluated flag document from the AppConfig agent extension, at most once per poll interval. */
export class AppConfigAgentSource implements FlagSource {
  readonly #providerOptions: AgentProviderOptions;
  /** Powertools' provider base (parameters and commons) loads with the first read, not at import. */
  #provider: AppConfigAgentProvider | undefined;
  readonly #profile: string;
  readonly #pollSeconds: number;
  readonly #state: LastKnownGood;
  readonly #now: () => number;
  #lastSeen: AgentConfiguration | undefined;
  readonly #poll: Poll;

  constructor(options: AppConfigAgentSourceOptions) {
    this.#providerOptions = {
      baseUrl: (options.baseUrl ?? DEFAULT_AGENT_BASE_URL).replace(/\/+$/, ''),
      application: options.application,
      environment: options.environment,
      timeoutMs: options.timeoutMs ?? 500,
    };
    this.#profile = options.profile;
    this.#pollSeconds = Math.max(1, Math.round(options.pollSeconds ?? 30));
    this.#state = new LastKnownGood(
      'appconfig',
      options.logger ?? flagsLogger(),
      options.metrics ?? NO_FLAG_METRICS,
    );
    this.#now = options.now ?? Date.now;
    this.#poll = new Poll(this.#now, () => this.#read());
  }

  async current(): Promise<FlagSnapshot> {
    await this.#poll.run();
    return this.#state.snapshot();
  }

  async #read(): Promise<void> {
    let agent: typeof import('./agent-provider.ts') | undefined;
    try {
      agent = await import('./agent-provider.ts');
      this.#provider ??= new agent.AppConfigAgentProvider(this.#providerOptions);
      const configuration = (await this.#provider.get(this.#profile, {
        maxAge: this.#pollSeconds,
      })) as AgentConfiguration;
      // The same object means BaseProvider answered from its cache: nothing new to validate.
      if (configuration === this.#lastSeen) return;
      this.#lastSeen = configuration;
      this.#state.accept(configuration.body, configuration.version, this.#now());
    } catch (error) {
      // After a failure BaseProvider has nothing cached; wait a poll interval instead of asking on every call.
      this.#poll.deferUntil(this.#now() + this.#pollSeconds * 1000);
      const cause = error instanceof Error ? error.cause : undefined;
      const safe = agent !== undefined && cause instanceof agent.AgentReadError;
      const reason = safe ? (cause as Error).message : 'AppConfig agent read failed';
      this.#state.fail('unreachable', reason, safe ? (cause as Error).cause : error);
    }
  }
}

/** The repo's flags document, the same file the CDK app deploys as the first AppConfig version. */
export const REPO_FLAGS_FILE = fileURLToPath(new URL('../../infra/flags/flags.json', import.meta.url));

export interface FileFlagSourceOptions extends FlagSourceDependencies {
  /** Default: infra/flags/flags.json in this repo. */
  path?: string;
  /** How often the file's mtime is checked; default 1000 ms so local edits show up quickly. */
  pollMs?: number;
}

/** Reads the flag document (hosted or evaluated form) from a file, re-reading it when it changes. */
export class FileFlagSource implements FlagSource {
  readonly #path: string;
  readonly #pollMs: number;
  readonly #state: LastKnownGood;
  readonly #now: () => number;
  /** ino, size and mtime of the file last read, and whether its content was accepted. */
  #fileIdentity: string | undefined;
  #fileAccepted = false;
  readonly #poll: Poll;

  constructor(options: FileFlagSourceOptions = {}) {
    this.#path = options.path ?? REPO_FLAGS_FILE;
    this.#pollMs = Math.max(0, options.pollMs ?? 1000);
    this.#state = new LastKnownGood(
      'file',
      options.logger ?? flagsLogger(),
      options.metrics ?? NO_FLAG_METRICS,
    );
    this.#now = options.now ?? Date.now;
    this.#poll = new Poll(this.#now, () => {
      this.#poll.deferUntil(this.#now() + this.#pollMs);
      return this.#check();
    });
  }

  async current(): Promise<FlagSnapshot> {
    await this.#poll.run();
    return this.#state.snapshot();
  }

  async #check(): Promise<void> {
    try {
      // Loaded here rather than at import: in Lambda the flags come from the AppConfig agent.
      const { readFile, stat } = await import('node:fs/promises');
      const stats = await stat(this.#path);
      const identity = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      if (identity === this.#fileIdentity) {
        // An unchanged refused file stays refused (and reported once); an unchanged good one is confirmed.
        if (this.#fileAccepted) this.#state.confirm(this.#now());
        return;
      }
      const body = await readFile(this.#path, 'utf8');
      this.#fileIdentity = identity;
      this.#fileAccepted = this.#state.accept(body, undefined, this.#now());
    } catch (error) {
      this.#fileIdentity = undefined;
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      this.#state.fail('unreachable', `flags file unreadable (${code})`, error);
    }
  }
}

/** The environment variables the flags library reads. */
export interface FlagEnvironment {
  AWS_LAMBDA_FUNCTION_NAME?: string;
  AWS_APPCONFIG_EXTENSION_HTTP_PORT?: string;
  AURUM_APPCONFIG_APPLICATION?: string;
  AURUM_APPCONFIG_ENVIRONMENT?: string;
  AURUM_APPCONFIG_PROFILE?: string;
  AURUM_FLAGS_POLL_SECONDS?: string;
  AURUM_FLAGS_FILE?: string;
}

const positiveInteger = (text: string | undefined): number | undefined => {
  const parsed = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
};

/**
 * The agent source in Lambda when AppConfig is configured, else the file source. A half-configured
 * AppConfig is logged and falls back to the file (and so to the defaults in a bundle): a flags
 * misconfiguration must not stop the function from serving.
 */
export function createFlagSource(
  env: FlagEnvironment = process.env,
  dependencies: FlagSourceDependencies = {},
): FlagSource {
  const logger = dependencies.logger ?? flagsLogger();
  const pollSeconds = positiveInteger(env.AURUM_FLAGS_POLL_SECONDS);
  if (env.AURUM_FLAGS_POLL_SECONDS !== undefined && pollSeconds === undefined) {
    logger.warn('AURUM_FLAGS_POLL_SECONDS is not a positive integer; using the default', {
      value: env.AURUM_FLAGS_POLL_SECONDS,
    });
  }
  if (env.AWS_LAMBDA_FUNCTION_NAME && env.AURUM_APPCONFIG_APPLICATION) {
    if (env.AURUM_APPCONFIG_ENVIRONMENT && env.AURUM_APPCONFIG_PROFILE) {
      const port = positiveInteger(env.AWS_APPCONFIG_EXTENSION_HTTP_PORT) ?? 2772;
      return new AppConfigAgentSource({
        ...dependencies,
        logger,
        application: env.AURUM_APPCONFIG_APPLICATION,
        environment: env.AURUM_APPCONFIG_ENVIRONMENT,
        profile: env.AURUM_APPCONFIG_PROFILE,
        baseUrl: `http://localhost:${port}`,
        ...(pollSeconds === undefined ? {} : { pollSeconds }),
      });
    }
    logger.error('AppConfig flags are half configured; reading the flags file instead', {
      missing: ['AURUM_APPCONFIG_ENVIRONMENT', 'AURUM_APPCONFIG_PROFILE'].filter(
        (name) => !env[name as keyof FlagEnvironment],
      ),
    });
  }
  return new FileFlagSource({
    ...dependencies,
    logger,
    ...(env.AURUM_FLAGS_FILE ? { path: env.AURUM_FLAGS_FILE } : {}),
    ...(pollSeconds === undefined ? {} : { pollMs: pollSeconds * 1000 }),
  });
}
