import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '#lib/errors';
import type { CursorCodec } from '#lib/paging/cursor';
import { keysetList, type Page } from '#lib/paging/list';
import { actorName } from '#lib/store/audit';
import { applyMergePatch } from '#lib/store/merge-patch';
import { rowEtag, versionFromIfMatch } from '#lib/store/row-etag';
import type { AppStore, StoreCallOptions, StoreRow, StoreTransaction } from '#lib/store/store';
import {
  type CatalogCurve,
  countMappingsQuery,
  curveCatalogQuery,
  curveExistsQuery,
  deleteMappingQuery,
  getMappingQuery,
  insertMappingQuery,
  listMappingsQuery,
  MAPPING_KEY,
  type MappingFilters,
  mappedCurvesQuery,
  rankCurvesQuery,
  searchMappingsQuery,
  updateMappingQuery,
} from './queries.ts';
import { type Mapping, type MappingInput, mappingBody } from './routes.ts';

export interface MappingsDeps {
  store: () => Promise<AppStore>;
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
  /** How long the curve catalog (for validation and suggestions) is kept per container. */
  catalogTtlMs?: number;
  now?: () => number;
}

/** Who acts, and in which tenant: from the principal, never from the body. */
export interface Caller {
  tenant: string;
  subject: string;
}

export function toMapping(row: StoreRow): Mapping {
  return {
    id: String(row.id),
    external_provider: String(row.external_provider),
    external_series_id: String(row.external_series_id),
    curve_key: String(row.curve_key),
    mapping_confidence: Number(row.mapping_confidence),
    mapping_method: String(row.mapping_method),
    mapping_notes:
      row.mapping_notes === null || row.mapping_notes === undefined ? null : String(row.mapping_notes),
    is_active: Boolean(row.is_active),
    created_by: String(row.created_by),
    created_at: String(row.created_at),
    updated_by: String(row.updated_by),
    updated_at: String(row.updated_at),
  };
}

/** A mapping as the routes answer it: the record, its ETag from the row version, and where it lives. */
function answerOf(row: StoreRow, base: string) {
  const data = toMapping(row);
  return {
    data,
    etag: rowEtag({ id: data.id, version: Number(row.version) }),
    location: `${base}/${data.id}`,
  };
}

/** The version an If-Match names for this row, or a 412 when it names none of this row's tags. */
function expectedVersion(ifMatch: string | undefined, id: string): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const version = versionFromIfMatch(ifMatch, id);
  if (version === undefined) throw stale();
  return version;
}

const stale = () =>
  new PreconditionFailedError('The mapping has changed since the ETag in If-Match; read it again and retry');
const missing = () => new NotFoundError('No such series–curve mapping');

type ListQuery = Record<string, unknown> & { limit: number } & Omit<
    MappingFilters,
    'providerAnyCase' | 'seriesContains'
  >;

/** The words of a curve's dimensions, lower case: what a series' name and description are compared with. */
function curveWords(row: Row): string {
  return [row.asset_class, row.iso, row.location, row.market, row.product, row.block, row.units_raw]
    .filter((v) => typeof v === 'string' && v !== '')
    .join(' ')
    .toLowerCase();
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** Units compared loosely: `USD/MWh`, `$/MWh` and `usd per mwh` are one. */
const unitKey = (units: string) =>
  units
    .toLowerCase()
    .replace(/\$/g, 'usd')
    .replace(/\s*per\s*/g, '/')
    .replace(/[^a-z0-9/]/g, '');

export function createMappingsService(deps: MappingsDeps) {
  const now = deps.now ?? Date.now;
  const ttl = deps.catalogTtlMs ?? 300_000;
  let catalog: { at: number; curves: Promise<CatalogCurve[]> } | undefined;

  /** The curve catalog from the analytic store, kept a few minutes per container; a failed read is not kept. */
  function curves(io: QueryOptions): Promise<CatalogCurve[]> {
    if (catalog && now() - catalog.at < ttl) return catalog.curves;
    const loading = deps
      .engine()
      .then((engine) => engine.query(curveCatalogQuery(), io))
      .then((rows) =>
        rows.map((row) => ({
          curve_key: String(row.curve_key),
          words: curveWords(row),
          units: String(row.units_raw ?? ''),
          iso: String(row.iso ?? ''),
        })),
      );
    catalog = { at: now(), curves: loading };
    loading.catch(() => {
      if (catalog?.curves === loading) catalog = undefined;
    });
    return loading;
  }

  /** A curve_key no curve has is the caller's mistake, named as sent (422). */
  async function assertCurveExists(curveKey: string, io: QueryOptions): Promise<void> {
    if ((await curves(io)).some((c) => c.curve_key === curveKey)) return;
    // Newer than the cached catalog? Ask the analytic store itself before refusing.
    const engine = await deps.engine();
    if ((await engine.query(curveExistsQuery(curveKey), io)).length > 0) return;
    throw new UnprocessableError(`No curve has the curve_key "${curveKey}"`, [
      { field: 'body.curve_key', message: 'no curve has this curve_key', code: 'unknown_curve' },
    ]);
  }

  const storeAsEngine = (caller: Caller, options: StoreCallOptions) => ({
    query: async (q: Parameters<SqlEngine['query']>[0]) =>
      (await deps.store()).query(caller.tenant, q, options),
  });

  const list = keysetList({
    name: 'series-curve-mappings',
    key: MAPPING_KEY,
    query: (f: { tenant: string } & MappingFilters, seek) => listMappingsQuery(f.tenant, f, seek),
    row: toMapping,
  });

  async function page<T>(
    caller: Caller,
    query: Record<string, unknown>,
    filters: MappingFilters,
    size: number,
    io: StoreCallOptions,
    extra: Record<string, unknown> = {},
  ): Promise<Page<T>> {
    const store = await deps.store();
    const [counted] = await store.query(caller.tenant, countMappingsQuery(caller.tenant, filters), io);
    return list.page(
      { engine: storeAsEngine(caller, io) as unknown as SqlEngine, cursors: deps.cursors },
      query,
      { tenant: caller.tenant, ...filters },
      { size, meta: { limit: size, total: Number(counted?.n ?? 0), ...extra } },
    ) as Promise<Page<T>>;
  }

  return {
    /** Creates a mapping in the caller's transaction (the kit's), after checking the curve exists. */
    async create(tx: StoreTransaction, caller: Caller, input: MappingInput, base: string, io: QueryOptions) {
      await assertCurveExists(input.curve_key, io);
      const [row] = await tx.query(insertMappingQuery(caller.tenant, input, actorName(caller)));
      return answerOf(row!, base);
    },

    list(caller: Caller, query: ListQuery, io: StoreCallOptions) {
      const { provider, series_id, curve_key, is_active } = query;
      return page<Mapping>(caller, query, { provider, series_id, curve_key, is_active }, query.limit, io);
    },

    async get(caller: Caller, id: string, base: string, io: StoreCallOptions) {
      const [row] = await (await deps.store()).query(caller.tenant, getMappingQuery(caller.tenant, id), io);
      if (!row) throw missing();
      return answerOf(row, base);
    },

    /** Replaces every member; with If-Match, only at that version (else 412, nothing written). */
    async replace(
      tx: StoreTransaction,
      caller: Caller,
      id: string,
      input: MappingInput,
      ifMatch: string | undefined,
      base: string,
      io: QueryOptions,
    ) {
      const [current] = await tx.query(getMappingQuery(caller.tenant, id));
      if (!current) throw missing();
      const version = expectedVersion(ifMatch, id);
      if (version !== undefined && version !== Number(current.version)) throw stale();
      if (input.curve_key !== current.curve_key) await assertCurveExists(input.curve_key, io);
      const [row] = await tx.query(updateMappingQuery(caller.tenant, id, input, actorName(caller), version));
      if (!row) throw stale(); // moved on between the read and the write
      return answerOf(row, base);
    },

    /** JSON Merge Patch over the current record; the result must be a valid mapping (422 naming the member). */
    async patch(
      tx: StoreTransaction,
      caller: Caller,
      id: string,
      patch: Record<string, unknown>,
      ifMatch: string | undefined,
      base: string,
      io: QueryOptions,
    ) {
      const [current] = await tx.query(getMappingQuery(caller.tenant, id));
      if (!current) throw missing();
      const mapping = toMapping(current);
      const merged = applyMergePatch(
        {
          external_provider: mapping.external_provider,
          external_series_id: mapping.external_series_id,
          curve_key: mapping.curve_key,
          mapping_confidence: mapping.mapping_confidence,
          mapping_method: mapping.mapping_method,
          mapping_notes: mapping.mapping_notes,
          is_active: mapping.is_active,
        },
        patch,
      );
      const parsed = mappingBody().safeParse(merged);
      if (!parsed.success) {
        throw new UnprocessableError(
          'The patched mapping is not valid',
          parsed.error.issues.map((issue) => ({
            field: ['body', ...issue.path.map(String)].join('.'),
            message: issue.message,
            code: issue.code,
          })),
        );
      }
      return this.replace(tx, caller, id, parsed.data, ifMatch, base, io);
    },

    async remove(tx: StoreTransaction, caller: Caller, id: string, ifMatch: string | undefined) {
      const [current] = await tx.query(getMappingQuery(caller.tenant, id));
      if (!current) throw missing();
      const version = expectedVersion(ifMatch, id);
      if (version !== undefined && version !== Number(current.version)) throw stale();
      const deleted = await tx.execute(deleteMappingQuery(caller.tenant, id, version));
      if (deleted !== 1) throw stale();
      return undefined;
    },

    /** The admin search: mappings whose curve key or series id resembles `q`. */
    async search(
      caller: Caller,
      query: { q: string; provider?: string; limit: number },
      io: StoreCallOptions,
    ) {
      const rows = await (await deps.store()).query(
        caller.tenant,
        searchMappingsQuery(caller.tenant, query.q, query.provider, query.limit),
        io,
      );
      return {
        rows: rows.map(toMapping),
        filterHash: '',
        meta: { limit: query.limit },
      } satisfies Page<Mapping>;
    },

    /** The v2 admin view: provider, series, curve and method, with the record's details in each row's meta. */
    async adminList(
      caller: Caller,
      query: Record<string, unknown> & { limit: number; provider_filter?: string; series_filter?: string },
      io: StoreCallOptions,
    ) {
      const filters: Record<string, string> = {};
      if (query.provider_filter !== undefined) filters.provider_filter = query.provider_filter;
      if (query.series_filter !== undefined) filters.series_filter = query.series_filter;
      const mappings = await page<Mapping>(
        caller,
        query,
        { providerAnyCase: query.provider_filter, seriesContains: query.series_filter },
        query.limit,
        io,
        { filters },
      );
      return {
        ...mappings,
        rows: mappings.rows.map((m) => ({
          provider: m.external_provider,
          series_id: m.external_series_id,
          curve_key: m.curve_key,
          mapping_type: m.mapping_method,
          meta: {
            id: m.id,
            mapping_confidence: m.mapping_confidence,
            is_active: m.is_active,
            updated_by: m.updated_by,
            updated_at: m.updated_at,
          },
        })),
      };
    },

    /**
     * Curves the series probably is: the catalog ranked by pg_trgm similarity to the series' id, name and
     * description; confidence adds agreement of units and of the ISO named in the text.
     */
    async suggest(
      caller: Caller,
      query: {
        provider: string;
        series_id: string;
        series_name?: string;
        description?: string;
        units?: string;
        limit: number;
      },
      io: StoreCallOptions & QueryOptions,
    ) {
      const store = await deps.store();
      const seriesText = [query.series_id, query.series_name, query.description]
        .filter((v): v is string => typeof v === 'string')
        .join(' ')
        .toLowerCase()
        .slice(0, 2000);
      const mapped = (
        await store.query(
          caller.tenant,
          mappedCurvesQuery(caller.tenant, query.provider, query.series_id),
          io,
        )
      ).map((r) => String(r.curve_key));
      const ranked = await store.query(
        caller.tenant,
        rankCurvesQuery(await curves(io), seriesText, mapped, query.limit),
        io,
      );
      const words = new Set(seriesText.split(/[^a-z0-9]+/).filter(Boolean));
      const rows = ranked.map((r) => {
        const similarity = round4(Math.min(1, Math.max(0, Number(r.score))));
        const unitsAgree =
          query.units !== undefined && r.units !== '' && unitKey(String(r.units)) === unitKey(query.units);
        const isoAgrees = r.iso !== '' && words.has(String(r.iso).toLowerCase());
        const confidence = round4(
          Math.min(1, 0.7 * similarity + (unitsAgree ? 0.2 : 0) + (isoAgrees ? 0.1 : 0)),
        );
        const reasons = [
          `${Math.round(similarity * 100)}% trigram similarity to the curve's key and dimensions`,
        ];
        if (unitsAgree) reasons.push(`units ${r.units} match`);
        else if (query.units !== undefined && r.units !== '') reasons.push(`units differ (${r.units})`);
        if (isoAgrees) reasons.push(`ISO ${r.iso} named`);
        return {
          curve_key: String(r.curve_key),
          similarity_score: similarity,
          confidence_score: confidence,
          reasoning: reasons.join('; '),
        };
      });
      rows.sort((a, b) => b.confidence_score - a.confidence_score || b.similarity_score - a.similarity_score);
      return { rows, filterHash: '', meta: { limit: query.limit } } satisfies Page<(typeof rows)[number]>;
    },
  };
}

export type MappingsService = ReturnType<typeof createMappingsService>;
