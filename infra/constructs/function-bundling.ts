import type { BuildOptions } from 'esbuild';
import { CREATE_REQUIRE_BANNER, LAMBDA_EXTERNALS, SHARED_PACKAGE } from '#infra/layer/shared-module';

/**
 * The esbuild settings of every Lambda bundle, in one place: AurumFunction hands them to NodejsFunction
 * (what `cdk synth` and the bundle test build), the shared layer builds with them, and the bench's cold
 * start builds its bundles from them, so the bench measures what ships.
 */
export const FUNCTION_BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: CREATE_REQUIRE_BANNER,
  minify: true,
  treeShaking: true,
  legalComments: 'none',
} as const;

/** What a function bundle leaves out: the runtime's AWS SDK, DuckDB, and in layer mode the shared layer. */
export function functionExternals(layerMode: boolean): string[] {
  return [...LAMBDA_EXTERNALS, ...(layerMode ? [SHARED_PACKAGE] : [])];
}

/** FUNCTION_BUNDLING as esbuild's own options; `aliases` (the layer facades) switch layer mode on. */
export function functionBuildOptions(aliases?: Record<string, string>): BuildOptions {
  const { banner, mainFields, ...rest } = FUNCTION_BUNDLING;
  return {
    ...rest,
    bundle: true,
    mainFields: [...mainFields],
    banner: { js: banner },
    external: functionExternals(aliases !== undefined),
    alias: aliases ?? {},
  };
}
