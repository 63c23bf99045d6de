import { registry } from '#functions/registry';
import type { HealthProvider } from '#lib/health/provider';
import { lazily } from '#lib/health/provider';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import { runtimeFromEnv } from '#lib/http/runtime';
import { createDomainHandler, type ImplementationTable } from '#lib/http/stack';
import { type ReadinessSettings, readinessRoute, readinessSettingsFromEnv } from './readiness.ts';

const ok = async () => ({ kind: 'document' as const, body: { status: 'ok' } });
const alive = async () => ({ kind: 'document' as const, body: { status: 'alive' } });

export interface HealthHandlerOptions {
  /** The readiness checks; default: engine, cache and flags as this environment configures them. */
  readinessProviders?: () => readonly HealthProvider[] | Promise<readonly HealthProvider[]>;
  readiness?: ReadinessSettings;
}

/** The health function; options let tests give readiness their own dependencies. */
export function createHealthHandler(options: HealthHandlerOptions = {}) {
  return createDomainHandler({
    domain: 'health',
    registry,
    runtime: () => runtimeFromEnv(),
    implementations: (): ImplementationTable => {
      // Built on the first readiness request only, so liveness never touches a dependency.
      const providers = lazily(options.readinessProviders ?? (() => readinessProvidersFromEnv()));
      const ready = readinessRoute(providers, options.readiness ?? readinessSettingsFromEnv());
      return { health: ok, healthz: ok, healthLive: ok, live: alive, livez: alive, ready, readyz: ready };
    },
  });
}

/** Also the gateway's `$default` target: unknown routes get their 404/405 problem here. */
export const handler = createHealthHandler();
