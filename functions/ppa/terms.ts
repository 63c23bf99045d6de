import * as z from 'zod/mini';
import type { InputIssue } from '#lib/errors';
import { isRealDate } from '#lib/http/params';
import { once } from '#lib/lazy';
import { ISO_CODES } from '#lib/reference/iso-nodes';
import { withMeta } from '#lib/schema';

/**
 * The desk model of a PPA: the members of a contract's `terms` that the v2 valuation reads. A contract keeps
 * its terms as written (members unknown here are stored and returned unchanged); the known ones are
 * type-checked on every write and checked whole, with their defaults and rules across members, when a
 * contract is valued.
 */

/** A number (zod numbers are finite: Infinity and NaN fail) within [min, max]. */
const finite = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
const price = (description: string) => withMeta(finite(-10_000, 100_000), { description });
const date = (description: string) =>
  withMeta(z.string().check(z.refine(isRealDate, { message: 'must be a calendar date YYYY-MM-DD' })), {
    description,
  });
const upper = (s: string) => s.trim().toUpperCase();

export const P_LEVEL_FACTOR_DEFAULTS = { P90: 0.9, P99: 0.85 } as const;

const location = (description: string) =>
  z.looseObject({
    iso: withMeta(
      z.string().check(
        z.refine((s: string) => (ISO_CODES as readonly string[]).includes(upper(s)), {
          message: `must be one of ${ISO_CODES.join(', ')}`,
        }),
      ),
      { description: `The ISO (${ISO_CODES.join(', ')}, any case)` },
    ),
    location: withMeta(z.string().check(z.minLength(1), z.maxLength(128)), {
      description: `${description}: the location, as the curves name it (any case)`,
    }),
  });

/** Every member the valuation knows, each optional and without a default: what a write checks. */
export const termMembers = once(
  () =>
    ({
      settlement: withMeta(z.enum(['virtual', 'physical']), {
        description: 'virtual (financial, settles at the hub) or physical (delivered at the node)',
      }),
      hub: withMeta(location('The pricing curve: ISO and location'), {
        description: 'The pricing curve’s ISO and location, e.g. {"iso":"PJM","location":"WESTERN HUB"}',
      }),
      node: withMeta(location('The settlement location'), {
        description:
          'The settlement location of a physical PPA (its curve is used when one exists; else hub + basis_usd_mwh)',
      }),
      market: withMeta(z.enum(['DA', 'RT']), { description: 'The market of the curves (default DA)' }),
      start_date: date('First delivery day'),
      end_date: date('Last delivery day (included)'),
      price_usd_mwh: price('The contract price (the strike of a virtual PPA), $/MWh'),
      escalator_pct_per_year: withMeta(finite(-50, 100), {
        description: 'Yearly escalation of the price, floor and cap, % per contract year (default 0)',
      }),
      structure: withMeta(z.enum(['fixed', 'collar', 'discount']), {
        description:
          'fixed: the contract price; collar: the market clamped to [floor_usd_mwh, cap_usd_mwh]; discount: the market less discount_pct',
      }),
      floor_usd_mwh: price('The collar’s floor, $/MWh'),
      cap_usd_mwh: price('The collar’s cap, $/MWh'),
      discount_pct: withMeta(finite(0, 100), { description: 'The discount off the market price, %' }),
      fixed_mwh_per_month: withMeta(finite(0, 1e9), { description: 'Volume: MWh per whole month' }),
      baseload_mw: withMeta(finite(0, 1e6), { description: 'Volume: MW in every hour' }),
      // Lengths as refinements, not minItems/maxItems: the document says 12 × 24 in words.
      profile_12x24: withMeta(
        z
          .array(
            z.array(finite(0, 1e6)).check(
              z.refine((hours: number[]) => hours.length === 24, {
                message: 'each month must have 24 hourly values',
              }),
            ),
          )
          .check(z.refine((months: number[][]) => months.length === 12, { message: 'must have 12 months' })),
        { description: 'Volume: 12 months (January first) × 24 values, MW by local hour beginning (0–23)' },
      ),
      capacity_mw: withMeta(z.number().check(z.gt(0), z.lte(1e6)), {
        description: 'Nameplate MW (required with profile_12x24)',
      }),
      counterparty: withMeta(z.string().check(z.maxLength(256)), {
        description: 'The other party (v2 lists filter on it)',
      }),
      p_level: withMeta(z.enum(['P50', 'P90', 'P99']), {
        description: 'The volume exceedance level (default P50)',
      }),
      p90_factor: withMeta(z.number().check(z.gt(0), z.lte(1)), {
        description: `P90 volume ÷ P50 volume (default ${P_LEVEL_FACTOR_DEFAULTS.P90})`,
      }),
      p99_factor: withMeta(z.number().check(z.gt(0), z.lte(1)), {
        description: `P99 volume ÷ P50 volume (default ${P_LEVEL_FACTOR_DEFAULTS.P99})`,
      }),
      degradation_pct_per_year: withMeta(finite(0, 100), {
        description: 'Yearly volume loss, % per contract year (default 0)',
      }),
      basis_usd_mwh: price('Node minus hub, $/MWh, used when no node curve exists (default 0)'),
      perspective: withMeta(z.enum(['buyer', 'seller']), {
        description: 'Whose side the settlement is (default buyer)',
      }),
      currency: withMeta(z.string().check(z.regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code' })), {
        description: 'Currency (default USD)',
      }),
    }) as const,
);

/** The path of the first NUL character in any key or string of a JSON value: PostgreSQL text cannot hold one. */
function nulAt(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulAt(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulAt(member, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

type TermMembers = ReturnType<typeof termMembers>;

/** Terms as a write takes them: the known members type-checked, every other member kept as written. */
export const contractTerms = once(() =>
  withMeta(
    z
      .looseObject(
        Object.fromEntries(Object.entries(termMembers()).map(([k, v]) => [k, z.optional(v)])) as {
          [K in keyof TermMembers]: z.ZodMiniOptional<TermMembers[K]>;
        },
      )
      .check(
        z.superRefine((terms, ctx) => {
          const path = nulAt(terms);
          if (path) ctx.addIssue({ code: 'custom', path, message: 'must not contain a NUL character' });
        }),
      ),
    {
      description:
        'The contract’s terms, kept as written. The members listed are the desk model the v2 valuation reads; any other member is stored and returned unchanged.',
    },
  ),
);

const VOLUMES = ['fixed_mwh_per_month', 'baseload_mw', 'profile_12x24'] as const;

/**
 * The rules across members that need only which members are there: checked on valid terms and, so that one
 * answer names every problem, on terms whose members failed their own checks too.
 */
function memberRules(t: Record<string, unknown>): { member: string; message: string }[] {
  const out: { member: string; message: string }[] = [];
  const has = (k: string) => t[k] !== undefined;
  const structure = t.structure ?? 'fixed';
  if (structure === 'fixed' && !has('price_usd_mwh'))
    out.push({ member: 'price_usd_mwh', message: 'is required for a fixed-price contract' });
  if (structure === 'collar') {
    if (!has('floor_usd_mwh')) out.push({ member: 'floor_usd_mwh', message: 'is required for a collar' });
    if (!has('cap_usd_mwh')) out.push({ member: 'cap_usd_mwh', message: 'is required for a collar' });
    const [floor, cap] = [t.floor_usd_mwh, t.cap_usd_mwh];
    if (typeof floor === 'number' && typeof cap === 'number' && floor > cap)
      out.push({ member: 'cap_usd_mwh', message: 'must not be below floor_usd_mwh' });
  }
  if (structure === 'discount' && !has('discount_pct'))
    out.push({ member: 'discount_pct', message: 'is required for a discount structure' });
  const volumes = VOLUMES.filter(has);
  if (volumes.length !== 1)
    for (const member of volumes.length === 0 ? VOLUMES : volumes)
      out.push({
        member,
        message: 'give exactly one volume: fixed_mwh_per_month, baseload_mw or profile_12x24',
      });
  const [profile, capacity] = [t.profile_12x24, t.capacity_mw];
  if (profile !== undefined) {
    if (capacity === undefined)
      out.push({ member: 'capacity_mw', message: 'is required with profile_12x24' });
    else if (
      typeof capacity === 'number' &&
      Array.isArray(profile) &&
      profile.some((row) => Array.isArray(row) && row.some((mw) => typeof mw === 'number' && mw > capacity))
    )
      out.push({ member: 'profile_12x24', message: 'no hour may exceed capacity_mw' });
  }
  return out;
}

const deskTermsSchema = once(() => {
  const m = termMembers();
  return z
    .object({
      settlement: z._default(m.settlement, 'virtual'),
      hub: m.hub,
      node: z.optional(m.node),
      market: z._default(m.market, 'DA'),
      start_date: m.start_date,
      end_date: m.end_date,
      price_usd_mwh: z.optional(m.price_usd_mwh),
      escalator_pct_per_year: z._default(m.escalator_pct_per_year, 0),
      structure: z._default(m.structure, 'fixed'),
      floor_usd_mwh: z.optional(m.floor_usd_mwh),
      cap_usd_mwh: z.optional(m.cap_usd_mwh),
      discount_pct: z.optional(m.discount_pct),
      fixed_mwh_per_month: z.optional(m.fixed_mwh_per_month),
      baseload_mw: z.optional(m.baseload_mw),
      profile_12x24: z.optional(m.profile_12x24),
      capacity_mw: z.optional(m.capacity_mw),
      p_level: z._default(m.p_level, 'P50'),
      p90_factor: z._default(m.p90_factor, P_LEVEL_FACTOR_DEFAULTS.P90),
      p99_factor: z._default(m.p99_factor, P_LEVEL_FACTOR_DEFAULTS.P99),
      degradation_pct_per_year: z._default(m.degradation_pct_per_year, 0),
      basis_usd_mwh: z._default(m.basis_usd_mwh, 0),
      perspective: z._default(m.perspective, 'buyer'),
      currency: z._default(m.currency, 'USD'),
    })
    .check(
      z.superRefine((t, ctx) => {
        if (t.end_date < t.start_date)
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be before start_date' });
        else if (Number(t.end_date.slice(0, 4)) - Number(t.start_date.slice(0, 4)) > 40)
          ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'the term may span at most 40 years' });
        for (const { member, message } of memberRules(t))
          ctx.addIssue({ code: 'custom', path: [member], message });
      }),
    );
});

export type DeskTerms = z.output<ReturnType<typeof deskTermsSchema>>;

/** The desk terms of a contract, or the issues naming each member as `terms.<member>`. */
export function readDeskTerms(
  terms: unknown,
): { ok: true; terms: DeskTerms } | { ok: false; issues: InputIssue[] } {
  const parsed = deskTermsSchema().safeParse(terms);
  if (parsed.success) return { ok: true, terms: parsed.data };
  const issues: InputIssue[] = parsed.error.issues.map((issue) => ({
    field: ['terms', ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
  // The rules across members did not run (a member failed first): add what they would have said.
  const named = new Set(issues.map((i) => i.field));
  const raw = typeof terms === 'object' && terms !== null && !Array.isArray(terms) ? terms : {};
  for (const { member, message } of memberRules(raw as Record<string, unknown>))
    if (!named.has(`terms.${member}`)) issues.push({ field: `terms.${member}`, message, code: 'custom' });
  return { ok: false, issues };
}
