import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ROUTES = join(root, 'functions/curves/routes.ts');
const HANDLER = join(root, 'functions/curves/handler.ts');

let previous: ts.Program | undefined;

/** The compiler's complaints about the curves handler, with routes.ts (and handler.ts) as given. */
function handlerDiagnostics(edit: { routes?: (s: string) => string; handler?: (s: string) => string }) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = read(file);
    if (text === undefined) return text;
    if (resolve(file) === ROUTES && edit.routes) return edit.routes(text);
    if (resolve(file) === HANDLER && edit.handler) return edit.handler(text);
    return text;
  };
  // The unchanged files are reused from the previous program: only the edited ones are checked anew.
  const program = ts.createProgram({
    rootNames: [HANDLER],
    options: config.options,
    host,
    oldProgram: previous,
  });
  previous = program;
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(HANDLER))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const NEW_ROUTE = `
export const curveHistoryV2 = defineRoute({
  id: 'curveHistoryV2',
  method: 'GET',
  path: '/v2/curves/{curve_id}/history',
  domain: 'curves',
  version: 'v2',
  summary: 'One tenor across as-of dates',
  auth: 'tenant',
  response: {
    kind: 'list',
    get schema() {
      return CurvePoint();
    },
  },
});
`;

const withNewRoute = (source: string) => {
  const declared = source.replace('export const curvesDomain', `${NEW_ROUTE}\nexport const curvesDomain`);
  return declared.replace('exportCurvesV2, diffCurveV2]', 'exportCurvesV2, diffCurveV2, curveHistoryV2]');
};

describe('curves bindings are checked by the compiler', () => {
  it('compile as they are', () => {
    expect(handlerDiagnostics({})).toEqual([]);
  }, 60_000);

  it('fail to compile when a route is declared and not bound', () => {
    expect(withNewRoute(readFileSync(ROUTES, 'utf8'))).toContain('diffCurveV2, curveHistoryV2]');
    const messages = handlerDiagnostics({ routes: withNewRoute }).join('\n');
    expect(messages).toMatch(/curveHistoryV2/);
  }, 60_000);

  it('fail to compile when a binding reads input its route does not declare', () => {
    const messages = handlerDiagnostics({
      handler: (s) =>
        s.replace('curves.summaries(query, io)', 'curves.summaries({ ...query, limit: query.asof_a }, io)'),
    }).join('\n');
    expect(messages).toMatch(/asof_a/);
  }, 60_000);
});
