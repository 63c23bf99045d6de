import type { RouteImplementation } from '#lib/http/route';
import type { ImplementationTable } from '#lib/http/stack';
import type {
  diffCurvesV1,
  diffCurveV2,
  exportCurvesV2,
  listCurvesV1,
  listCurvesV2,
  listStripsV1,
} from './routes.ts';
import type { CurvesService } from './service.ts';

/** The flag that decides whether corrected re-ingestions replace a published point. */
export const LATEST_CORRECTIONS_FLAG = 'curves-latest-corrections';

/** Binds each curves route to the service; every route's input is typed by its own schemas. */
export function implementCurves(service: CurvesService): ImplementationTable {
  const listCurves: RouteImplementation<typeof listCurvesV1> = (input) =>
    service.points(input.query, {
      deadline: input.deadline,
      signal: input.signal,
      latestCorrections: input.flags[LATEST_CORRECTIONS_FLAG] ?? true,
      requireCurveKey: true,
      list: 'v1-curves',
    });
  const listStrips: RouteImplementation<typeof listStripsV1> = (input) =>
    service.points(input.query, {
      deadline: input.deadline,
      signal: input.signal,
      latestCorrections: input.flags[LATEST_CORRECTIONS_FLAG] ?? true,
      requireCurveKey: false,
      list: 'v1-strips',
    });
  const diff: RouteImplementation<typeof diffCurvesV1> = (input) =>
    service.diff(input.query, {
      deadline: input.deadline,
      signal: input.signal,
      latestCorrections: input.flags[LATEST_CORRECTIONS_FLAG] ?? true,
    });
  const summaries: RouteImplementation<typeof listCurvesV2> = (input) =>
    service.summaries(input.query, { deadline: input.deadline, signal: input.signal });
  const exportCsv: RouteImplementation<typeof exportCurvesV2> = (input) =>
    service.exportCsv(input.query, {
      deadline: input.deadline,
      signal: input.signal,
      latestCorrections: input.flags[LATEST_CORRECTIONS_FLAG] ?? true,
    });
  const curveDiff: RouteImplementation<typeof diffCurveV2> = (input) =>
    service.curveDiff(input.path.curve_id, input.query, {
      deadline: input.deadline,
      signal: input.signal,
      latestCorrections: input.flags[LATEST_CORRECTIONS_FLAG] ?? true,
      requestId: input.requestId,
      startedAt: Date.now(),
    });
  return {
    listCurvesV1: listCurves,
    listStripsV1: listStrips,
    diffCurvesV1: diff,
    listCurvesV2: summaries,
    exportCurvesV2: exportCsv,
    diffCurveV2: curveDiff,
  };
}
