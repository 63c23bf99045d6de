import { createDomainHandler } from '#lib/http/stack';
import { runtimeFromEnv } from '#lib/http/runtime';
import { createEngine } from '#lib/data/create-engine';
import { registry } from '#functions/registry';
import { createCurvesService } from './service.ts';
import { implementCurves } from './implementation.ts';

export const handler = createDomainHandler({
  domain: 'curves',
  registry,
  runtime: () => runtimeFromEnv(),
  implementations: async (runtime) => implementCurves(createCurvesService({ engine: await createEngine(), cursors: runtime.cursors })),
});
