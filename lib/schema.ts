import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { once } from '#lib/lazy';

/**
 * zod's tree-shakable API (`zod/mini`) for every schema of the API: a function loads the schema types it
 * uses and nothing else (the classic API's methods reach every schema type and the JSON-Schema converter,
 * about 95 KB minified in each bundle). Mini comes without messages, so the English ones the classic API
 * uses are configured here, once, for every module that builds a schema through this one. The English
 * message map is built the first time an issue needs a message (a request that fails validation), not at
 * import.
 */
const english = once(() => en().localeError);
z.config({ localeError: (issue) => english()(issue) });

/**
 * A copy of `schema` with `metadata` in the global registry, as the classic API's `.meta()` does (a plain
 * clone, so the copy does not inherit its source's metadata). `json-schema.ts` and the OpenAPI document
 * read it.
 */
export function withMeta<S extends z.ZodMiniType>(schema: S, metadata: z.core.GlobalMeta): S {
  const copy = schema.clone() as S;
  z.globalRegistry.add(copy, metadata);
  return copy;
}
