/** The original Aurum formula: serve stale for half the TTL (≤ 10 min) while revalidating, 3× on errors (≤ 1 day). */
export function cacheControl(maxAgeSeconds: number, visibility: 'public' | 'private' = 'public'): string {
  if (maxAgeSeconds === Number.POSITIVE_INFINITY) throw new RangeError('Cache max-age must be finite');
  // NaN and TTLs under a second both mean "do not store"; fractions round down to whole seconds.
  if (!(maxAgeSeconds >= 1)) return 'no-store';
  const maxAge = Math.floor(maxAgeSeconds);
  const staleWhileRevalidate = Math.min(Math.max(Math.floor(maxAge / 2), 1), 600);
  const staleIfError = Math.min(3 * maxAge, 86400);
  return `${visibility}, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`;
}

/** Merges Vary field values: de-duplicated case-insensitively, sorted, and `*` alone if anyone asks for it. */
export function mergeVary(existing: string | undefined, ...add: string[]): string {
  const byLowerName = new Map<string, string>();
  for (const list of [existing ?? '', ...add]) {
    for (const raw of list.split(',')) {
      const name = raw.trim();
      if (!name) continue;
      if (name === '*') return '*';
      const lower = name.toLowerCase();
      if (!byLowerName.has(lower)) byLowerName.set(lower, name);
    }
  }
  return [...byLowerName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, name]) => name)
    .join(', ');
}
