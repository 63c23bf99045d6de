/**
 * The AppConfig agent read as a Powertools parameters provider. Its own module, so Powertools' provider
 * base (parameters and commons) loads with the first flag read rather than when a handler is imported.
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';

/** What the agent provider caches: the raw body and the configuration version the agent reported. */
export interface AgentConfiguration {
  body: string;
  version: string | undefined;
}

/** A read failure whose message is safe to show an admin (no host names, no stack). */
export class AgentReadError extends Error {}

export interface AgentProviderOptions {
  baseUrl: string;
  application: string;
  environment: string;
  timeoutMs: number;
}

/**
 * A Powertools parameters provider over the AppConfig agent's local HTTP endpoint. Powertools' own
 * `appconfig-agent` `getConfig` cannot serve here: it only calls the agent when it detects Lambda,
 * fixes the host to localhost, and has no cache; this provider gets `get(name, {maxAge})` caching
 * from BaseProvider, which is what sets the poll interval.
 */
export class AppConfigAgentProvider extends BaseProvider {
  readonly #options: AgentProviderOptions;

  constructor(options: AgentProviderOptions) {
    super({});
    this.#options = options;
  }

  protected async _get(profile: string): Promise<AgentConfiguration> {
    const { baseUrl, application, environment, timeoutMs } = this.#options;
    const url = `${baseUrl}/applications/${encodeURIComponent(application)}/environments/${encodeURIComponent(environment)}/configurations/${encodeURIComponent(profile)}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      body = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new AgentReadError(
        timedOut ? `AppConfig agent did not answer within ${timeoutMs} ms` : 'AppConfig agent unreachable',
        { cause: error },
      );
    }
    if (!response.ok) throw new AgentReadError(`AppConfig agent answered HTTP ${response.status}`);
    return { body, version: response.headers.get('configuration-version') ?? undefined };
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    return Promise.reject(new Error('the AppConfig agent serves one configuration per request'));
  }
}
