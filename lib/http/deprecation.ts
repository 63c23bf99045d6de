/** Headers every v1 response carries: v1 is deprecated in favour of v2 (reference §1.1). */
export const V1_DEPRECATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  Deprecation: 'true',
  Sunset: 'Wed, 31 Dec 2025 23:59:59 GMT',
  Link: '<https://docs.aurum.dev/api/migration-guide#v2>; rel="deprecation"; type="text/html"',
  Warning: '299 aurum "API v1 is deprecated; migrate to /v2 before 2025-12-31"',
  'X-API-Version': 'v1',
  'X-API-Lifecycle': 'deprecated',
  'X-API-Migration-Guide': 'https://docs.aurum.dev/api/migration-guide',
});
