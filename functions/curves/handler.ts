import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { HttpRuntime } from '#lib/http/runtime';
import { curvesDomain } from './routes.ts';
import { createCurvesService, type ExportLimits } from './service.ts';

export interface CurvesPorts {
  engine?: SqlEngine;
  runtime?: () => HttpRuntime;
  exportLimits?: ExportLimits;
}

/** The curves function: each route bound to the service in one line; `ports` replace what the environment gives. */
export function createCurvesHandler(ports: CurvesPorts = {}) {
  return createDomainHandler({
    domain: curvesDomain,
    runtime: ports.runtime,
    bind: async ({ cursors }) => {
      const engine = ports.engine ?? (await createEngine());
      const curves = createCurvesService({ engine, cursors, exportLimits: ports.exportLimits });
      return {
        listCurvesV1: ({ query, io, flags }) =>
          curves.points('v1-curves', query, io, flags['curves-latest-corrections']),
        listStripsV1: ({ query, io, flags }) =>
          curves.points('v1-strips', query, io, flags['curves-latest-corrections']),
        diffCurvesV1: ({ query, io, flags }) => curves.diff(query, io, flags['curves-latest-corrections']),
        listCurvesV2: ({ query, io }) => curves.summaries(query, io),
        exportCurvesV2: ({ query, io, flags }) =>
          curves.exportCsv(query, io, flags['curves-latest-corrections']),
        diffCurveV2: ({ path, query, io, flags }) =>
          curves.curveDiff(path.curve_id, query, io, flags['curves-latest-corrections']),
      };
    },
  });
}

export const handler = createCurvesHandler();
