import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import { InvalidInputError, NotFoundError, PreconditionFailedError, UnprocessableError } from '#lib/errors';
import type { CursorCodec } from '#lib/paging/cursor';
import { keysetList, type Page } from '#lib/paging/list';
import { actorName } from '#lib/store/audit';
import { applyMergePatch } from '#lib/store/merge-patch';
import { rowEtag, versionFromIfMatch } from '#lib/store/row-etag';
import type { AppStore, StoreCallOptions, StoreRow, StoreTransaction } from '#lib/store/store';
import { parseMarketDate } from '#lib/time/market-date';
import { monthBlockHours } from './block-hours.ts';
import {
  blockForwardsQuery,
  CONTRACT_KEY,
  deleteContractQuery,
  getContractQuery,
  insertContractQuery,
  insertValuationPeriodsQuery,
  insertValuationQuery,
  latestScenarioOutputsQuery,
  listContractsQuery,
  listValuationRowsQuery,
  listValuationsQuery,
  updateContractQuery,
  VALUATION_KEY,
  VALUATION_ROW_KEY,
  type ValuationPeriodRecord,
} from './queries.ts';
import {
  type Contract,
  type ContractInput,
  contractBody,
  type ValuateV1Input,
  type ValuateV2Input,
  type ValuationV2,
} from './routes.ts';
import { type DeskTerms, readDeskTerms } from './terms.ts';
import {
  type MonthMarket,
  priceForNpv,
  round,
  sensitivities,
  termMonths,
  type V1OutputRow,
  type ValuationInput,
  v1Metrics,
  valueContract,
} from './valuation.ts';

export interface PpaDeps {
  store: () => Promise<AppStore>;
  engine: () => Promise<SqlEngine>;
  cursors: CursorCodec;
}

/** Who acts, and in which tenant: from the principal, never from the body. */
export interface Caller {
  tenant: string;
  subject: string;
}

export const CONTRACTS_V1 = '/v1/ppa/contracts';

export function toContract(row: StoreRow): Contract {
  return {
    ppa_contract_id: String(row.id),
    tenant_id: String(row.tenant_id),
    instrument_id:
      row.instrument_id === null || row.instrument_id === undefined ? null : String(row.instrument_id),
    terms: (row.terms ?? {}) as Record<string, unknown>,
    created_by: String(row.created_by),
    created_at: String(row.created_at),
    updated_by: String(row.updated_by),
    updated_at: String(row.updated_at),
  };
}

const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/** The v2 list's headline terms of a contract. */
function toSummary(c: Contract) {
  const t = c.terms;
  return {
    contract_id: c.ppa_contract_id,
    name: c.instrument_id ?? c.ppa_contract_id,
    counterparty: typeof t.counterparty === 'string' && t.counterparty !== '' ? t.counterparty : 'unknown',
    capacity_mw: numberOrNull(t.capacity_mw),
    price_usd_mwh: numberOrNull(t.price_usd_mwh),
    start_date: stringOrNull(t.start_date),
    end_date: stringOrNull(t.end_date),
    meta: { instrument_id: c.instrument_id, created_at: c.created_at, updated_at: c.updated_at },
  };
}

function answerOf(row: StoreRow) {
  const data = toContract(row);
  return {
    data,
    etag: rowEtag({ id: data.ppa_contract_id, version: Number(row.version) }),
    location: `${CONTRACTS_V1}/${data.ppa_contract_id}`,
  };
}

const stale = () =>
  new PreconditionFailedError('The contract has changed since the ETag in If-Match; read it again and retry');
const missing = () => new NotFoundError('PPA contract not found');

/** The version an If-Match names for this row, or a 412 when it names none of this row's tags. */
function expectedVersion(ifMatch: string | undefined, id: string): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const version = versionFromIfMatch(ifMatch, id);
  if (version === undefined) throw stale();
  return version;
}

/** A curve key as the curves spell it: `PJM.WESTERN_HUB.DA.ON_PEAK.PWR`. */
const keySegment = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9-]+/g, '_')
    .replace(/^_+|_+$/g, '');
export const powerCurveKey = (iso: string, location: string, market: string, block: string) =>
  [iso, location, market, block, 'PWR'].map(keySegment).join('.');

const monthKey = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;
const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

type BlockPrices = Map<string, { on?: number; off?: number }>;

function blockPrices(rows: readonly Row[]): BlockPrices {
  const prices: BlockPrices = new Map();
  for (const row of rows) {
    const month = String(row.contract_month).slice(0, 7);
    const entry = prices.get(month) ?? {};
    if (row.block === 'ON_PEAK') entry.on = Number(row.mid);
    else if (row.block === 'OFF_PEAK') entry.off = Number(row.mid);
    prices.set(month, entry);
  }
  return prices;
}

const complete = (prices: BlockPrices, months: readonly string[]) =>
  months.every((m) => prices.get(m)?.on !== undefined && prices.get(m)?.off !== undefined);

/** Scenario outputs as block prices: ON_PEAK and OFF_PEAK curves, else the ATC curve for every hour. */
function scenarioBlockPrices(rows: readonly StoreRow[], iso: string, location: string, market: string) {
  const keyOf = (block: string) => powerCurveKey(iso, location, market, block);
  const [onKey, offKey, atcKey] = [keyOf('ON_PEAK'), keyOf('OFF_PEAK'), keyOf('ATC')];
  const prices: BlockPrices = new Map();
  const atc: BlockPrices = new Map();
  for (const row of rows) {
    const month = String(row.contract_month).slice(0, 7);
    const value = Number(row.value);
    if (row.curve_key === onKey) prices.set(month, { ...prices.get(month), on: value });
    else if (row.curve_key === offKey) prices.set(month, { ...prices.get(month), off: value });
    else if (row.curve_key === atcKey) atc.set(month, { on: value, off: value });
  }
  return { blocks: prices, atc, keys: { onKey, offKey, atcKey } };
}

export function createPpaService(deps: PpaDeps) {
  const storeAsEngine = (caller: Caller, options: StoreCallOptions) =>
    ({
      query: async (q: Parameters<SqlEngine['query']>[0]) =>
        (await deps.store()).query(caller.tenant, q, options),
    }) as unknown as SqlEngine;

  const contracts = keysetList({
    name: 'ppa-contracts',
    key: CONTRACT_KEY,
    query: (f: { tenant: string; counterparty?: string }, seek) => listContractsQuery(f.tenant, f, seek),
    row: toContract,
  });
  const valuationRows = keysetList({
    name: 'ppa-valuation-rows',
    key: VALUATION_ROW_KEY,
    query: (f: { tenant: string; contract: string; scenario_id?: string; metric?: string }, seek) =>
      listValuationRowsQuery(f.tenant, f.contract, f, seek),
    row: (r: Row) => ({
      valuation_id: String(r.valuation_id),
      asof_date: String(r.asof_date),
      scenario_id: r.scenario_id === null ? null : String(r.scenario_id),
      period_start: String(r.period_start),
      period_end: String(r.period_end),
      metric: String(r.metric),
      value: Number(r.value),
      cashflow: numberOrNull(r.cashflow),
      npv: numberOrNull(r.npv),
      irr: numberOrNull(r.irr),
      curve_key: stringOrNull(r.curve_key),
      version_hash: stringOrNull(r.version_hash),
      ingested_at: String(r.ingested_at),
    }),
  });
  const valuations = keysetList({
    name: 'ppa-valuations',
    key: VALUATION_KEY,
    query: (f: { tenant: string; contract: string; start_date?: string; end_date?: string }, seek) =>
      listValuationsQuery(f.tenant, f.contract, f, seek),
    row: (r: Row) => ({
      contract_id: String(r.contract_id),
      valuation_date: String(r.asof_date),
      present_value: Number(r.npv),
      currency: String(r.currency),
      meta: {
        valuation_id: String(r.id),
        api_version: r.api_version as 'v1' | 'v2',
        scenario_id: r.scenario_id === null ? null : String(r.scenario_id),
        run_id: r.run_id === null ? null : String(r.run_id),
        irr: numberOrNull(r.irr),
        recorded_at: String(r.created_at),
      },
    }),
  });

  async function contractOf(caller: Caller, id: string, io: StoreCallOptions): Promise<Contract> {
    const [row] = await (await deps.store()).query(caller.tenant, getContractQuery(caller.tenant, id), io);
    if (!row) throw missing();
    return toContract(row);
  }

  async function record(
    tx: StoreTransaction,
    caller: Caller,
    valuation: Parameters<typeof insertValuationQuery>[1],
    periods: readonly ValuationPeriodRecord[],
  ) {
    const [made] = await tx.query(insertValuationQuery(caller.tenant, valuation, actorName(caller)));
    const id = String(made!.id);
    await tx.execute(
      insertValuationPeriodsQuery(
        caller.tenant,
        { id, seq: Number(made!.seq), contractId: valuation.contractId },
        periods,
      ),
    );
    return id;
  }

  /** The contract's desk terms, or a 422 naming each member that is missing or invalid. */
  function deskTermsOf(contract: Contract): DeskTerms {
    const read = readDeskTerms(contract.terms);
    if (!read.ok)
      throw new UnprocessableError('The contract’s terms cannot be valued as they are', read.issues);
    return read.terms;
  }

  /** The months of the term after the valuation month, with their block hours. */
  function remainingMonths(t: DeskTerms, asof: string) {
    const start = parseMarketDate(t.start_date)!;
    const end = parseMarketDate(t.end_date)!;
    const after = monthNumber(asof);
    const months = termMonths(t).filter((m) => m.year * 12 + m.month - 1 > after);
    if (months.length === 0)
      throw new UnprocessableError('Nothing of the term remains after the valuation date', [
        {
          field: 'terms.end_date',
          message: `the term ends before the month after ${asof}`,
          code: 'term_over',
        },
      ]);
    const calendar = t.hub.iso.toLowerCase();
    return months.map((m) => ({
      ...m,
      key: monthKey(m.year, m.month),
      hours: monthBlockHours(calendar, m.year, m.month, start, end)!,
    }));
  }

  const firstMissing = (prices: BlockPrices, months: readonly string[]) =>
    months.find((m) => prices.get(m)?.on === undefined || prices.get(m)?.off === undefined);

  /** Forwards at the settlement location: the hub's (virtual), the node's when it has every month, else hub + basis. */
  async function curvePrices(t: DeskTerms, asof: string, months: readonly string[], io: QueryOptions) {
    const engine = await deps.engine();
    const window = {
      market: t.market,
      asof,
      first: `${months[0]}-01`,
      last: `${months[months.length - 1]}-01`,
    };
    const hub = blockPrices(
      await engine.query(
        blockForwardsQuery({ ...window, iso: t.hub.iso.toUpperCase(), location: t.hub.location }),
        io,
      ),
    );
    if (hub.size === 0)
      throw new UnprocessableError('No forwards to value against', [
        {
          field: 'body.asof',
          message: `no ON_PEAK and OFF_PEAK MONTHLY forwards for ${t.hub.iso.toUpperCase()} ${t.hub.location} ${t.market} at ${asof}`,
          code: 'no_curve',
        },
      ]);
    const gap = firstMissing(hub, months);
    if (gap !== undefined)
      throw new UnprocessableError('The curves do not cover the term', [
        {
          field: 'terms.end_date',
          message: `the curves at ${asof} have no ${gap} forward for the hub`,
          code: 'beyond_curve',
        },
      ]);
    const hubKeys = ['ON_PEAK', 'OFF_PEAK'].map((b) => powerCurveKey(t.hub.iso, t.hub.location, t.market, b));
    if (t.settlement === 'virtual') return { prices: hub, via: 'hub' as const, hubKeys };
    if (t.node !== undefined) {
      const node = blockPrices(
        await engine.query(
          blockForwardsQuery({
            ...window,
            iso: t.node.iso.toUpperCase(),
            location: t.node.location,
          }),
          io,
        ),
      );
      if (complete(node, months)) return { prices: node, via: 'node' as const, hubKeys };
    }
    return { prices: withBasis(hub, t.basis_usd_mwh), via: 'hub_plus_basis' as const, hubKeys };
  }

  const withBasis = (prices: BlockPrices, basis: number): BlockPrices =>
    new Map([...prices].map(([m, p]) => [m, { on: p.on! + basis, off: p.off! + basis }]));

  async function scenarioOutputs(tx: StoreTransaction, caller: Caller, scenarioId: string, asof?: string) {
    const rows = await tx.query(latestScenarioOutputsQuery(caller.tenant, scenarioId, asof));
    if (rows.length === 0) throw new NotFoundError('The scenario has no MONTHLY mid outputs');
    return rows;
  }

  return {
    async listContractsV1(
      caller: Caller,
      query: Record<string, unknown> & { limit: number },
      io: StoreCallOptions,
    ) {
      return contracts.page(
        { engine: storeAsEngine(caller, io), cursors: deps.cursors },
        query,
        { tenant: caller.tenant },
        { size: query.limit, meta: { limit: query.limit } },
      );
    },

    async listContractsV2(
      caller: Caller,
      query: Record<string, unknown> & { limit: number; counterparty_filter?: string },
      io: StoreCallOptions,
    ) {
      const page = await contracts.page(
        { engine: storeAsEngine(caller, io), cursors: deps.cursors },
        query,
        { tenant: caller.tenant, counterparty: query.counterparty_filter },
        { size: query.limit, meta: { limit: query.limit } },
      );
      return { ...page, rows: page.rows.map(toSummary) };
    },

    async create(tx: StoreTransaction, caller: Caller, input: ContractInput) {
      const [row] = await tx.query(
        insertContractQuery(caller.tenant, input.instrument_id ?? null, input.terms, actorName(caller)),
      );
      return answerOf(row!);
    },

    async get(caller: Caller, id: string, io: StoreCallOptions) {
      const [row] = await (await deps.store()).query(caller.tenant, getContractQuery(caller.tenant, id), io);
      if (!row) throw missing();
      return answerOf(row);
    },

    /** JSON Merge Patch over the current record; the result must be a valid contract (422 naming the member). */
    async patch(
      tx: StoreTransaction,
      caller: Caller,
      id: string,
      patch: Record<string, unknown>,
      ifMatch: string | undefined,
    ) {
      const [current] = await tx.query(getContractQuery(caller.tenant, id));
      if (!current) throw missing();
      const version = expectedVersion(ifMatch, id);
      if (version !== undefined && version !== Number(current.version)) throw stale();
      const contract = toContract(current);
      const merged = applyMergePatch({ instrument_id: contract.instrument_id, terms: contract.terms }, patch);
      const parsed = contractBody().safeParse(merged);
      if (!parsed.success) {
        throw new UnprocessableError(
          'The patched contract is not valid',
          parsed.error.issues.map((issue) => ({
            field: ['body', ...issue.path.map(String)].join('.'),
            message: issue.message,
            code: issue.code,
          })),
        );
      }
      const [row] = await tx.query(
        updateContractQuery(
          caller.tenant,
          id,
          parsed.data.instrument_id ?? null,
          parsed.data.terms,
          actorName(caller),
          version,
        ),
      );
      if (!row) throw stale();
      return answerOf(row);
    },

    async remove(tx: StoreTransaction, caller: Caller, id: string, ifMatch: string | undefined) {
      const [current] = await tx.query(getContractQuery(caller.tenant, id));
      if (!current) throw missing();
      const version = expectedVersion(ifMatch, id);
      if (version !== undefined && version !== Number(current.version)) throw stale();
      if ((await tx.execute(deleteContractQuery(caller.tenant, id, version))) !== 1) throw stale();
      return undefined;
    },

    async listValuationsV1(
      caller: Caller,
      contractId: string,
      query: Record<string, unknown> & { limit: number; scenario_id?: string; metric?: string },
      io: StoreCallOptions,
    ) {
      await contractOf(caller, contractId, io);
      return valuationRows.page(
        { engine: storeAsEngine(caller, io), cursors: deps.cursors },
        { ...query, contract_id: contractId },
        { tenant: caller.tenant, contract: contractId, scenario_id: query.scenario_id, metric: query.metric },
        { size: query.limit, meta: { limit: query.limit } },
      );
    },

    async listValuationsV2(
      caller: Caller,
      contractId: string,
      query: Record<string, unknown> & { limit: number; start_date?: string; end_date?: string },
      io: StoreCallOptions,
    ) {
      await contractOf(caller, contractId, io);
      return valuations.page(
        { engine: storeAsEngine(caller, io), cursors: deps.cursors },
        { ...query, contract_id: contractId },
        {
          tenant: caller.tenant,
          contract: contractId,
          start_date: query.start_date,
          end_date: query.end_date,
        },
        { size: query.limit, meta: { limit: query.limit } },
      );
    },

    /** The original's valuation over the scenario's MONTHLY mid outputs, one per contract month; recorded. */
    async valuateV1(tx: StoreTransaction, caller: Caller, body: ValuateV1Input) {
      if (body.scenario_id === undefined)
        throw new InvalidInputError('scenario_id is required for valuation', [
          { field: 'body.scenario_id', message: 'is required for valuation', code: 'required' },
        ]);
      const [row] = await tx.query(getContractQuery(caller.tenant, body.ppa_contract_id));
      if (!row) throw missing();
      const contract = toContract(row);
      const outputs = await scenarioOutputs(tx, caller, body.scenario_id, body.asof_date);
      // One curve: the contract's terms.curve_key when the scenario has it, else the scenario's first curve.
      const wanted = typeof contract.terms.curve_key === 'string' ? contract.terms.curve_key : undefined;
      const curve =
        wanted !== undefined && outputs.some((o) => o.curve_key === wanted)
          ? wanted
          : String(outputs.map((o) => o.curve_key).sort()[0]);
      const seen = new Set<string>();
      const rows: V1OutputRow[] = [];
      for (const o of outputs) {
        const month = String(o.contract_month);
        if (o.curve_key !== curve || seen.has(month)) continue;
        seen.add(month);
        rows.push({
          contract_month: month,
          value: Number(o.value),
          run_id: String(o.run_id),
          curve_key: String(o.curve_key),
          tenor_type: String(o.tenor_type),
          metric_unit: String(o.metric_unit),
          version_hash: String(o.version_hash),
        });
      }
      const metrics = v1Metrics(rows, body.options);
      const npv = metrics.find((m) => m.metric === 'NPV')!;
      const irr = metrics.find((m) => m.metric === 'IRR');
      const asof = outputs
        .map((o) => String(o.asof_date))
        .sort()
        .at(-1)!;
      const runId = rows[0]!.run_id;
      const valuationId = await record(
        tx,
        caller,
        {
          contractId: contract.ppa_contract_id,
          apiVersion: 'v1',
          asof,
          scenarioId: body.scenario_id,
          runId,
          currency: npv.currency,
          npv: npv.value,
          irr: irr?.value ?? null,
          inputs: { scenario_id: body.scenario_id, asof_date: body.asof_date ?? null, options: body.options },
          totals: { npv: npv.value, irr: irr?.value ?? null, periods: rows.length },
        },
        metrics.map((m) => ({
          period_start: m.period_start,
          period_end: m.period_end,
          metric: m.metric,
          value: m.value,
          cashflow: m.metric === 'cashflow' ? m.value : null,
          npv: m.metric === 'NPV' ? m.value : null,
          irr: m.metric === 'IRR' ? m.value : null,
          unit: m.unit,
          curve_key: m.curve_key,
          version_hash: m.version_hash,
        })),
      );
      return {
        rows: metrics.map(({ version_hash: _hash, ...metric }) => metric),
        filterHash: '',
        meta: { valuation_id: valuationId, scenario_id: body.scenario_id, run_id: runId },
      } satisfies Page<unknown>;
    },

    /** The desk valuation of a contract against the curves at `asof` or a scenario's latest run; recorded. */
    async valuateV2(tx: StoreTransaction, caller: Caller, body: ValuateV2Input, io: QueryOptions) {
      const [row] = await tx.query(getContractQuery(caller.tenant, body.contract_id));
      if (!row) throw missing();
      const contract = toContract(row);
      const t = deskTermsOf(contract);
      let asof: string;
      let prices: BlockPrices;
      let via: 'hub' | 'node' | 'hub_plus_basis';
      let hubKeys: string[];
      let runId: string | null = null;
      let months: ReturnType<typeof remainingMonths>;
      if (body.asof !== undefined) {
        asof = body.asof;
        months = remainingMonths(t, asof);
        ({ prices, via, hubKeys } = await curvePrices(
          t,
          asof,
          months.map((m) => m.key),
          io,
        ));
      } else {
        const outputs = await scenarioOutputs(tx, caller, body.scenario_id!);
        asof = outputs
          .map((o) => String(o.asof_date))
          .sort()
          .at(-1)!;
        runId = String(outputs[0]!.run_id);
        months = remainingMonths(t, asof);
        const keys = months.map((m) => m.key);
        const hub = scenarioBlockPrices(outputs, t.hub.iso, t.hub.location, t.market);
        const useBlocks = complete(hub.blocks, keys);
        if (!useBlocks && !complete(hub.atc, keys)) {
          const gap = firstMissing(hub.blocks, keys);
          throw new UnprocessableError('The scenario does not price the term', [
            {
              field: 'body.scenario_id',
              message: `the latest run has no MONTHLY mid output of ${hub.keys.onKey} and ${hub.keys.offKey} (or ${hub.keys.atcKey}) for ${gap}`,
              code: 'beyond_scenario',
            },
          ]);
        }
        hubKeys = useBlocks ? [hub.keys.onKey, hub.keys.offKey] : [hub.keys.atcKey];
        const hubPrices = useBlocks ? hub.blocks : hub.atc;
        via = 'hub';
        prices = hubPrices;
        if (t.settlement === 'physical') {
          const node = t.node && scenarioBlockPrices(outputs, t.node.iso, t.node.location, t.market);
          if (node && complete(node.blocks, keys)) [prices, via] = [node.blocks, 'node'];
          else [prices, via] = [withBasis(hubPrices, t.basis_usd_mwh), 'hub_plus_basis'];
        }
      }
      const markets: MonthMarket[] = months.map((m) => ({
        year: m.year,
        month: m.month,
        onPeak: prices.get(m.key)!.on!,
        offPeak: prices.get(m.key)!.off!,
        hours: m.hours,
      }));
      const input: ValuationInput = {
        terms: t,
        months: markets,
        asofYear: Number(asof.slice(0, 4)),
        asofMonth: Number(asof.slice(5, 7)),
        discountRate: body.discount_rate,
        upfront: body.upfront_usd,
      };
      const result = valueContract(input);
      let solved: ValuationV2['solve_for'] = null;
      if (body.solve_for?.target_npv !== undefined) {
        const target = body.solve_for.target_npv;
        solved = {
          target: 'npv',
          value: target,
          price_usd_mwh: priceForNpv(t, result, target, body.upfront_usd),
        };
      } else if (body.solve_for?.target_irr !== undefined) {
        const target = body.solve_for.target_irr;
        const atTarget = valueContract({ ...input, discountRate: target });
        solved = {
          target: 'irr',
          value: target,
          price_usd_mwh: priceForNpv(t, atTarget, 0, body.upfront_usd),
        };
      }
      const sens = sensitivities(input, {
        curveShiftPct: body.sensitivities.curve_shift_pct,
        pLevel: body.sensitivities.p_level,
        discountShiftBp: body.sensitivities.discount_rate_shift_bp,
      });
      const r4 = (n: number) => round(n, 4);
      const r4OrNull = (n: number | null) => (n === null ? null : round(n, 4));
      const periods = result.periods.map((p) => ({
        ...p,
        market_price: r4(p.market_price),
        baseload_price: r4(p.baseload_price),
        contract_price: r4(p.contract_price),
        volume_mwh: r4(p.volume_mwh),
        settlement: r4(p.settlement),
        discount_factor: round(p.discount_factor, 10),
        present_value: r4(p.present_value),
      }));
      const totals = {
        npv: r4(result.npv),
        irr: result.irr === undefined ? null : round(result.irr, 6),
        total_volume_mwh: r4(result.total_volume_mwh),
        capture_price: r4OrNull(result.capture_price),
        baseload_price: r4OrNull(result.baseload_price),
        shape_factor: result.shape_factor === null ? null : round(result.shape_factor, 6),
        break_even_price: r4OrNull(result.break_even_price),
      };
      const solveFor = solved && { ...solved, price_usd_mwh: r4OrNull(solved.price_usd_mwh) };
      const sensitivityAnswer = {
        ...sens,
        npv_curve_up: r4(sens.npv_curve_up),
        npv_curve_down: r4(sens.npv_curve_down),
        npv_p_level: r4(sens.npv_p_level),
        npv_discount_rate_up: r4(sens.npv_discount_rate_up),
      };
      const span = { period_start: periods[0]!.period_start, period_end: periods.at(-1)!.period_end };
      const curveKey = hubKeys.join(',');
      const valuationId = await record(
        tx,
        caller,
        {
          contractId: contract.ppa_contract_id,
          apiVersion: 'v2',
          asof,
          scenarioId: body.scenario_id ?? null,
          runId,
          currency: t.currency,
          npv: totals.npv,
          irr: totals.irr,
          inputs: { ...body },
          totals: { ...totals, solve_for: solveFor, sensitivities: sensitivityAnswer },
        },
        [
          ...periods.map((p) => ({
            period_start: p.period_start,
            period_end: p.period_end,
            metric: 'cashflow',
            value: p.settlement,
            cashflow: p.settlement,
            npv: p.present_value,
            irr: null,
            unit: t.currency,
            curve_key: curveKey,
            version_hash: null,
          })),
          {
            ...span,
            metric: 'NPV',
            value: totals.npv,
            cashflow: null,
            npv: totals.npv,
            irr: null,
            unit: t.currency,
            curve_key: curveKey,
            version_hash: null,
          },
          ...(totals.irr === null
            ? []
            : [
                {
                  ...span,
                  metric: 'IRR',
                  value: totals.irr,
                  cashflow: null,
                  npv: null,
                  irr: totals.irr,
                  unit: 'ratio',
                  curve_key: curveKey,
                  version_hash: null,
                },
              ]),
        ],
      );
      const data: ValuationV2 = {
        valuation_id: valuationId,
        contract_id: contract.ppa_contract_id,
        source: {
          kind: body.asof !== undefined ? 'curves' : 'scenario',
          asof,
          hub_curve_keys: hubKeys,
          settlement_prices: via,
          scenario_id: body.scenario_id ?? null,
          run_id: runId,
        },
        currency: t.currency,
        perspective: t.perspective,
        settlement: t.settlement,
        structure: t.structure,
        p_level: t.p_level,
        discount_rate: body.discount_rate,
        upfront_usd: body.upfront_usd,
        periods,
        totals,
        solve_for: solveFor,
        sensitivities: sensitivityAnswer,
      };
      return { data };
    },
  };
}

export type PpaService = ReturnType<typeof createPpaService>;
