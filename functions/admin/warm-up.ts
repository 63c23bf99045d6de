import type { RouteSpec } from '#lib/http/route';

/** The caller's credentials, forwarded so warm-up requests pass the same authorizer and tenant checks. */
const FORWARDED = ['authorization', 'x-aurum-tenant', 'x-aurum-groups'];

/**
 * Warms a cache scope the way a client would: each cached GET route of the scope replays its declared
 * representative queries through the public API, so the domain function that owns the data fills the
 * shared cache with exactly the keys its own requests will look up.
 */
export function scopeWarmer(
  routes: readonly RouteSpec[],
  scope: string,
  options: {
    baseUrl: string | undefined;
    headers: Readonly<Record<string, string | undefined>>;
    deadline: number;
  },
): () => Promise<void> {
  return async () => {
    if (!options.baseUrl)
      throw new Error('AURUM_API_BASE_URL is not set, so there is no API to warm through');
    const requests = routes
      .filter((r) => r.method === 'GET' && r.cache?.scope === scope && r.warm)
      .flatMap((r) => (r.warm ?? []).map((query) => `${r.path}?${new URLSearchParams(query)}`));
    if (requests.length === 0) throw new Error('no route of this scope declares warm-up queries');
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = options.headers[name];
      if (value) headers[name] = value;
    }
    const failures: string[] = [];
    await Promise.all(
      requests.map(async (path) => {
        const res = await fetch(new URL(path, options.baseUrl), {
          headers,
          signal: AbortSignal.timeout(Math.max(100, options.deadline - Date.now())),
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`${path} answered ${res.status}`);
      }),
    );
    if (failures.length > 0) throw new Error(failures.join('; '));
  };
}
