import { registry } from '#functions/registry';
import { runtimeFromEnv } from '#lib/http/runtime';
import { createDomainHandler, type ImplementationTable } from '#lib/http/stack';

const ok = async () => ({ kind: 'document' as const, body: { status: 'ok' } });
const alive = async () => ({ kind: 'document' as const, body: { status: 'alive' } });

/** Also the gateway's `$default` target: unknown routes get their 404/405 problem here. */
export const handler = createDomainHandler({
  domain: 'health',
  registry,
  runtime: () => runtimeFromEnv(),
  implementations: (): ImplementationTable => ({
    health: ok,
    healthz: ok,
    healthLive: ok,
    live: alive,
    livez: alive,
  }),
});
