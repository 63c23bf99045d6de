import * as z from 'zod/mini';
import { once } from '#lib/lazy';
import '#lib/schema';

/** What reads a secret's string by ARN; Powertools' `SecretsProvider` in Lambda, cached for `maxAge`. */
export interface SecretReader {
  get(name: string, options: { maxAge: number }): Promise<unknown>;
}

export interface LoadSecretsOptions {
  /** Defaults to a Powertools `SecretsProvider` (AWS SDK v3, from the Lambda runtime). */
  reader?: SecretReader;
  /** How long a read value is reused before Secrets Manager is asked again; default 300 s. */
  maxAgeSeconds?: number;
}

/** A secret could not be read or understood. Names the variable, never the value. */
export class SecretsUnavailableError extends Error {
  constructor(readonly variables: string[]) {
    super(`could not load the secrets named by ${variables.join(', ')}`);
    this.name = 'SecretsUnavailableError';
  }
}

/**
 * The secrets' shapes, built on first use: only a process that reads a secret by ARN (a deployed function,
 * once per container and then per refresh) parses one, so an import builds none of them.
 */
const secretSchemas = once(() => {
  const blankToUndefined = z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined) => (value?.trim() ? value.trim() : undefined)),
  );
  return {
    /** `{"user","password","token"}`; an optional `url` overrides the stack's AURUM_TRINO_URL. */
    trino: z.object({
      user: blankToUndefined,
      password: blankToUndefined,
      token: blankToUndefined,
      url: blankToUndefined,
    }),
    /** `{"url","token"}` of the Upstash REST API; both empty (the placeholder) keeps the in-memory cache. */
    upstash: z.object({ url: blankToUndefined, token: blankToUndefined }),
  };
});

/**
 * The cursor key ring a rotation writes: `{"current","previous","activate_at"}` (an ISO timestamp from
 * which `current` signs; until then `previous` signs and both verify).
 */
export const cursorKeyRingSecret = once(() =>
  z.object({
    current: z.string().check(z.minLength(32)),
    previous: z.optional(z.string().check(z.minLength(32))),
    activate_at: z.optional(z.iso.datetime({ offset: true })),
  }),
);
export type CursorKeyRingSecret = z.infer<ReturnType<typeof cursorKeyRingSecret>>;

interface SecretBinding {
  /** The variable holding the secret's ARN, set by the stack on the functions that may read it. */
  arnVariable: string;
  /** The variables the secret's value fills; returns false when the value is malformed. */
  fill(value: string, env: NodeJS.ProcessEnv): boolean;
}

const setDefined = (env: NodeJS.ProcessEnv, entries: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) env[key] = value;
};

const parseJson = (value: string): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
};

const SECRET_BINDINGS: readonly SecretBinding[] = [
  {
    arnVariable: 'AURUM_CURSOR_SECRET_ARN',
    fill: (value, env) => {
      if (!value.trim()) return false;
      // The generated first value is the bare key; a rotation writes the JSON key ring.
      const ring = value.trimStart().startsWith('{')
        ? cursorKeyRingSecret().safeParse(parseJson(value))
        : undefined;
      if (ring && !ring.success) return false;
      const keys = ring?.data ?? { current: value };
      env.AURUM_CURSOR_SECRET = keys.current;
      if (keys.previous) env.AURUM_CURSOR_PREVIOUS_SECRET = keys.previous;
      else delete env.AURUM_CURSOR_PREVIOUS_SECRET;
      if (keys.activate_at) env.AURUM_CURSOR_ACTIVATE_AT = String(Date.parse(keys.activate_at));
      else delete env.AURUM_CURSOR_ACTIVATE_AT;
      return true;
    },
  },
  {
    arnVariable: 'AURUM_TRINO_SECRET_ARN',
    fill: (value, env) => {
      const parsed = secretSchemas().trino.safeParse(parseJson(value));
      if (!parsed.success) return false;
      const { user, password, token, url } = parsed.data;
      setDefined(env, {
        AURUM_TRINO_USER: user,
        AURUM_TRINO_PASSWORD: password,
        AURUM_TRINO_TOKEN: token,
        AURUM_TRINO_URL: url,
      });
      return true;
    },
  },
  {
    arnVariable: 'AURUM_UPSTASH_SECRET_ARN',
    fill: (value, env) => {
      const parsed = secretSchemas().upstash.safeParse(parseJson(value));
      if (!parsed.success) return false;
      const { url, token } = parsed.data;
      // Half a pair is passed on as it is: the cache serves from memory and readiness reports it failed.
      setDefined(env, { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token });
      return true;
    },
  },
];

let defaultReader: Promise<SecretReader> | undefined;

/** Loaded on first use only, so a process with no secret ARNs (local runs, tests) never loads the AWS SDK. */
const powertoolsReader = (): Promise<SecretReader> => {
  defaultReader ??= import('@aws-lambda-powertools/parameters/secrets').then(
    ({ SecretsProvider }) => new SecretsProvider(),
  );
  return defaultReader;
};

/**
 * Fills the variables lib/ reads (AURUM_CURSOR_SECRET, AURUM_TRINO_USER/PASSWORD/TOKEN,
 * UPSTASH_REDIS_REST_URL/TOKEN) from the Secrets Manager secrets whose ARNs the stack put in
 * AURUM_*_SECRET_ARN. Call it before the first request; calling it on every request is cheap, as values
 * are cached for `maxAgeSeconds` and then re-read, which picks up a rotated secret. With no ARN variable
 * set (locally) it does nothing. Values are never logged nor put in errors.
 */
export async function loadSecretsIntoEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadSecretsOptions = {},
): Promise<void> {
  const wanted = SECRET_BINDINGS.flatMap((binding) => {
    const arn = env[binding.arnVariable]?.trim();
    return arn ? [{ binding, arn }] : [];
  });
  if (wanted.length === 0) return;

  const reader = options.reader ?? (await powertoolsReader());
  const maxAge = options.maxAgeSeconds ?? 300;
  const failed: string[] = [];
  await Promise.all(
    wanted.map(async ({ binding, arn }) => {
      try {
        const value = await reader.get(arn, { maxAge });
        const text =
          typeof value === 'string'
            ? value
            : value instanceof Uint8Array
              ? Buffer.from(value).toString('utf8')
              : undefined;
        if (text === undefined || !binding.fill(text, env)) failed.push(binding.arnVariable);
      } catch {
        // The SDK's error may quote the request; the variable name is all the caller needs.
        failed.push(binding.arnVariable);
      }
    }),
  );
  if (failed.length > 0) throw new SecretsUnavailableError(failed.sort());
}

/**
 * Loads the secrets before a container's first request (a failure is thrown and retried on the next),
 * then re-reads them in the background at most every `intervalMs`, so a rotated cursor key reaches a
 * warm container within minutes. A failed refresh keeps the values already loaded.
 */
export function secretsRefresher(
  load: () => Promise<void> = () => loadSecretsIntoEnv(),
  options: { intervalMs?: number; now?: () => number } = {},
): () => Promise<void> {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let first: Promise<void> | undefined;
  let loadedAt = 0;
  let refreshing = false;
  return async () => {
    if (!first) {
      first = load().catch((error: unknown) => {
        first = undefined;
        throw error;
      });
      await first;
      loadedAt = now();
      return;
    }
    await first;
    if (refreshing || now() - loadedAt < intervalMs) return;
    refreshing = true;
    load()
      .then(() => {
        loadedAt = now();
      })
      .catch(() => {
        loadedAt = now();
      })
      .finally(() => {
        refreshing = false;
      });
  };
}
