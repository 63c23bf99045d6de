import { HttpProblem } from '#lib/http/problem';
import { registerProblem } from '#lib/http/problem-mapping';
import type { Io } from '#lib/http/route';
import { rasterDataset } from './catalog.ts';

/** The longest the proxy waits for the tile service, unless the request deadline comes first (reference §1.8). */
export const TILE_TIMEOUT_MS = 20_000;
export const INFO_TIMEOUT_MS = 15_000;
/** A tile above this is refused: it would not fit API Gateway's answer once base64-encoded. */
const MAX_TILE_BYTES = 3 * 1024 * 1024;

export type UpstreamFailure = 'unknown-dataset' | 'not-available' | 'failed' | 'timeout';

/** What went wrong fetching a tile or its TileJSON, in the proxy's words; mapped to problems below. */
export class TileUpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    readonly resource: 'tile' | 'info',
    message: string,
  ) {
    super(message);
    this.name = 'TileUpstreamError';
  }
}

registerProblem(TileUpstreamError, (e) => {
  const code =
    e.failure === 'unknown-dataset'
      ? 'unknown_dataset'
      : e.failure === 'not-available'
        ? `${e.resource}_not_available`
        : e.failure === 'failed'
          ? `${e.resource}_fetch_failed`
          : `${e.resource}_fetch_timeout`;
  const [status, title] =
    e.failure === 'failed'
      ? [502, 'Bad Gateway']
      : e.failure === 'timeout'
        ? [504, 'Gateway Timeout']
        : [404, 'Not Found Error'];
  return new HttpProblem(status, code, title, { detail: e.message, extensions: { code } });
});

export interface RasterRequest {
  dataset: string;
  index: string;
  timescale: string;
  valid_date: string;
}

export interface TileRequest extends RasterRequest {
  z: number;
  x: number;
  y: number;
}

/** The catalog's own spelling of a requested raster; a request that is not in the catalog never goes upstream. */
function catalogRaster(r: RasterRequest, resource: 'tile' | 'info') {
  const dataset = rasterDataset(r.dataset);
  if (!dataset)
    throw new TileUpstreamError('unknown-dataset', resource, `Unknown drought dataset ${r.dataset}`);
  const index = dataset.indices.find((i) => i === r.index.toUpperCase());
  const timescale = dataset.timescales.find((t) => t === r.timescale.toUpperCase());
  if (!index || !timescale) {
    throw new TileUpstreamError(
      'not-available',
      resource,
      `${dataset.dataset} has no ${r.index.toUpperCase()} at ${r.timescale.toUpperCase()}`,
    );
  }
  return { dataset, index, timescale };
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name])));
}

export interface TileProxyOptions {
  /** The tile service's base URL (`AURUM_DROUGHT_TILE_BASE_URL`); without one every fetch fails at once. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Upstream waits (default 20 s for tiles, 15 s for TileJSON); the request deadline still wins when earlier. */
  tileTimeoutMs?: number;
  infoTimeoutMs?: number;
}

/**
 * Fetches tiles and TileJSON from the configured tile service. Every URL is the base plus a catalog path
 * filled with catalog values, a validated date and validated numbers, so no path or host from a request
 * reaches the upstream. Each fetch waits at most its own limit or until the request deadline.
 */
export function createTileProxy(options: TileProxyOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = (() => {
    if (!options.baseUrl) return undefined;
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error('AURUM_DROUGHT_TILE_BASE_URL must be an http(s) URL');
    if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
    return url;
  })();

  async function get(path: string, resource: 'tile' | 'info', limitMs: number, io: Io) {
    if (!base) throw new TileUpstreamError('failed', resource, 'No drought tile service is configured');
    const url = new URL(path, base);
    const waitMs = Math.max(0, Math.min(limitMs, io.deadline - Date.now()));
    const signal = AbortSignal.any([io.signal, AbortSignal.timeout(waitMs)]);
    const what = resource === 'tile' ? 'tile' : 'TileJSON';
    try {
      const res = await doFetch(url, {
        signal,
        headers: { Accept: resource === 'tile' ? 'image/png' : 'application/json' },
      });
      if (res.status === 404) {
        await res.body?.cancel();
        throw new TileUpstreamError('not-available', resource, `The tile service has no such ${what}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new TileUpstreamError('failed', resource, `The tile service answered ${res.status}`);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { bytes, contentType: res.headers.get('content-type') ?? '' };
    } catch (error) {
      if (error instanceof TileUpstreamError) throw error;
      if (signal.aborted) {
        throw new TileUpstreamError(
          'timeout',
          resource,
          `The tile service did not answer in time for this ${what}`,
        );
      }
      throw new TileUpstreamError(
        'failed',
        resource,
        `The ${what} could not be fetched from the tile service`,
      );
    }
  }

  /** One PNG tile. */
  async function tile(r: TileRequest, io: Io): Promise<Uint8Array> {
    const { dataset, index, timescale } = catalogRaster(r, 'tile');
    if (r.z < dataset.minZoom || r.z > dataset.maxZoom) {
      throw new TileUpstreamError(
        'not-available',
        'tile',
        `${dataset.dataset} is rendered at zoom ${dataset.minZoom} to ${dataset.maxZoom}`,
      );
    }
    const path = fill(dataset.xyzPath, {
      index,
      timescale,
      valid_date: r.valid_date,
      z: r.z,
      x: r.x,
      y: r.y,
    });
    const { bytes, contentType } = await get(path, 'tile', options.tileTimeoutMs ?? TILE_TIMEOUT_MS, io);
    if (!/^image\/png\b/i.test(contentType) || bytes.length > MAX_TILE_BYTES) {
      throw new TileUpstreamError('failed', 'tile', 'The tile service did not answer a PNG tile');
    }
    return bytes;
  }

  /** The TileJSON of one raster on one date. */
  async function info(r: RasterRequest, io: Io): Promise<Record<string, unknown>> {
    const { dataset, index, timescale } = catalogRaster(r, 'info');
    const path = fill(dataset.tileJsonPath, { index, timescale, valid_date: r.valid_date });
    const { bytes } = await get(path, 'info', options.infoTimeoutMs ?? INFO_TIMEOUT_MS, io);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TileUpstreamError('failed', 'info', 'The tile service did not answer a TileJSON object');
    }
    return parsed as Record<string, unknown>;
  }

  return { tile, info };
}

export type TileProxy = ReturnType<typeof createTileProxy>;
