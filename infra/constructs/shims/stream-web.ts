/**
 * What function bundles get for `node:stream/web` (an esbuild alias in FUNCTION_BUNDLING's options): the
 * one name @middy/core imports from it, `ReadableStream`, bound to the global class on first use.
 *
 * @middy/core imports `node:stream/web` at its top to test a handler's response with `instanceof` when
 * `streamifyResponse` is on, which no Aurum function is; loading the module costs about 1.2 ms of every cold
 * start (Node compiles the web streams implementation) for a check that never runs. The global
 * `ReadableStream` is the same class (Node exposes it lazily), so this stands in for it exactly where it is
 * used: `instanceof`, `new`, and the static `from`. A bundled module importing any other name from
 * `node:stream/web` fails the build, so nothing else can come to rely on this by accident.
 */
type WebReadableStream = typeof globalThis.ReadableStream;

const real = (): WebReadableStream => globalThis.ReadableStream;

function LazyReadableStream(this: unknown, ...args: ConstructorParameters<WebReadableStream>) {
  return new (real())(...args);
}
Object.defineProperty(LazyReadableStream, Symbol.hasInstance, {
  value: (value: unknown) => value instanceof real(),
});
Object.defineProperty(LazyReadableStream, 'from', {
  value: (source: Parameters<WebReadableStream['from']>[0]) => real().from(source),
});

export const ReadableStream = LazyReadableStream as unknown as WebReadableStream;
