import { type RouteSpec, routeKey } from './route.ts';

/** One domain's routes, as its `routes.ts` declares them: the domain's handler loads only these. */
export interface DomainRoutes<R extends readonly RouteSpec[] = readonly RouteSpec[]> {
  name: string;
  /** One line for the OpenAPI tag and the document's description. */
  description: string;
  routes: R;
}

/** Keeps the literal route types, so the domain's bindings are checked against each route. */
export const defineDomain = <const R extends readonly RouteSpec[]>(
  domain: DomainRoutes<R>,
): DomainRoutes<R> => {
  for (const route of domain.routes) {
    if (route.domain !== domain.name)
      throw new Error(`route ${route.id} belongs to ${route.domain}, not ${domain.name}`);
  }
  return domain;
};

export class DuplicateRouteError extends Error {
  constructor(key: string) {
    super(`route already registered: ${key}`);
    this.name = 'DuplicateRouteError';
  }
}

interface CompiledPath {
  pattern: RegExp;
  params: string[];
  /** Ends in a greedy parameter (`{name+}`), which API Gateway tries after every other match. */
  greedy: boolean;
}

/**
 * A path template as API Gateway reads it: `{name}` is one segment; `{name+}`, only as the last segment,
 * is the rest of the path, slashes included (`/v1/metadata/eia/datasets/{dataset_path+}`).
 */
function compilePath(path: string): CompiledPath {
  const params: string[] = [];
  const segments = path.split('/');
  let greedy = false;
  const source = segments
    .map((segment, i) => {
      const m = /^\{([a-z_][a-z0-9_]*)(\+?)\}$/i.exec(segment);
      if (m) {
        params.push(m[1]!);
        if (m[2] !== '+') return '([^/]+)';
        if (i !== segments.length - 1)
          throw new Error(`${path}: a greedy parameter must be the last segment`);
        greedy = true;
        return '(.+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\:]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), params, greedy };
}

/** Fewer parameters first, and a greedy path after every other: API Gateway's most specific match wins. */
const specificity = (p: CompiledPath) => p.params.length + (p.greedy ? 1000 : 0);

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * The single list of routes. Everything else (domain dispatch, the CDK API, OpenAPI, the local gateway,
 * the fuzzer) reads it, so a route declared twice is refused here rather than shadowed somewhere else.
 */
export class RouteRegistry {
  readonly #routes = new Map<string, RouteSpec>();
  readonly #ids = new Set<string>();
  readonly #descriptions = new Map<string, string>();
  readonly #compiled = new Map<string, CompiledPath>();
  /** Static paths before templated ones, as API Gateway prefers the most specific route; sorted on register. */
  #ordered: Array<[string, CompiledPath]> = [];

  register(...specs: RouteSpec[]): this {
    for (const spec of specs) {
      const key = routeKey(spec);
      if (this.#routes.has(key)) throw new DuplicateRouteError(key);
      if (this.#ids.has(spec.id)) throw new DuplicateRouteError(`operation id ${spec.id}`);
      this.#routes.set(key, spec);
      this.#ids.add(spec.id);
      if (!this.#compiled.has(spec.path)) this.#compiled.set(spec.path, compilePath(spec.path));
    }
    this.#ordered = [...this.#compiled].sort((a, b) => specificity(a[1]) - specificity(b[1]));
    return this;
  }

  /** Registers whole domains, with their descriptions. */
  add(...domains: DomainRoutes[]): this {
    for (const domain of domains) {
      this.register(...domain.routes);
      this.#descriptions.set(domain.name, domain.description);
    }
    return this;
  }

  describe(domain: string): string | undefined {
    return this.#descriptions.get(domain);
  }

  get routes(): RouteSpec[] {
    return [...this.#routes.values()];
  }

  get domains(): string[] {
    return [...new Set(this.routes.map((r) => r.domain))].sort();
  }

  byKey(key: string): RouteSpec | undefined {
    return this.#routes.get(key);
  }

  forDomain(domain: string): RouteSpec[] {
    return this.routes.filter((r) => r.domain === domain);
  }

  /** Resolves a concrete request path, telling a wrong method (405) from an unknown path (404). */
  match(method: string, rawPath: string): RouteMatch {
    const allow: string[] = [];
    for (const [path, compiled] of this.#ordered) {
      const m = compiled.pattern.exec(rawPath);
      if (!m) continue;
      const route = this.#routes.get(`${method.toUpperCase()} ${path}`);
      if (route) {
        const pathParameters: Record<string, string> = {};
        compiled.params.forEach((name, i) => {
          pathParameters[name] = safeDecode(m[i + 1]!);
        });
        return { kind: 'found', route, pathParameters };
      }
      for (const r of this.routes) if (r.path === path) allow.push(r.method);
    }
    return allow.length > 0
      ? { kind: 'method-not-allowed', allow: [...new Set(allow)].sort() }
      : { kind: 'not-found' };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
