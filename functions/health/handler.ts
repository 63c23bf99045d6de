import type { HealthProvider } from '#lib/health/provider';
import { lazily } from '#lib/health/provider';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { type ReadinessSettings, readinessRoute, readinessSettingsFromEnv } from './readiness.ts';
import { healthDomain } from './routes.ts';

const ok = async () => ({ status: 'ok' as const });
const alive = async () => ({ status: 'alive' as const });

export interface HealthHandlerOptions {
  /** The readiness checks; default: engine, cache and flags as this environment configures them. */
  readinessProviders?: () => readonly HealthProvider[] | Promise<readonly HealthProvider[]>;
  readiness?: ReadinessSettings;
  runtime?: () => HttpRuntime;
}

/** The health function; options let tests give readiness their own dependencies. */
export function createHealthHandler(options: HealthHandlerOptions = {}) {
  return createDomainHandler({
    domain: healthDomain,
    runtime: options.runtime,
    // The gateway's `$default` target: unknown paths of the whole API get their 404, or 405 with Allow.
    // The whole API's routes load on the first request that is not one of health's own (the stack tries
    // those first by route key), so liveness never imports them.
    fallbackRegistry: () => import('#functions/registry').then((m) => m.registry),
    bind: () => {
      // Built on the first readiness request only, so liveness never touches a dependency.
      const providers = lazily(options.readinessProviders ?? (() => readinessProvidersFromEnv()));
      const ready = readinessRoute(providers, options.readiness ?? readinessSettingsFromEnv());
      return {
        health: ok,
        healthz: ok,
        healthLive: ok,
        live: alive,
        livez: alive,
        ready: ({ io }) => ready(io),
        readyz: ({ io }) => ready(io),
      };
    },
  });
}

export const handler = createHealthHandler();
