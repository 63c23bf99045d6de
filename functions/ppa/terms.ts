import * as z from 'zod';
import type { InputIssue } from '#lib/errors';
import { isRealDate } from '#lib/http/params';
import { ISO_CODES } from '#lib/reference/iso-nodes';

/**
 * The desk model of a PPA: the members of a contract's `terms` that the v2 valuation reads. A contract keeps
 * its terms as written (members unknown here are stored and returned unchanged); the known ones are
 * type-checked on every write and checked whole, with their defaults and rules across members, when a
 * contract is valued.
 */

const finite = () => z.number().finite();
const price = (description: string) => finite().min(-10_000).max(100_000).meta({ description });
const date = (description: string) =>
  z.string().refine(isRealDate, { message: 'must be a calendar date YYYY-MM-DD' }).meta({ description });
const upper = (s: string) => s.trim().toUpperCase();

export const P_LEVEL_FACTOR_DEFAULTS = { P90: 0.9, P99: 0.85 } as const;

const location = (description: string) =>
  z.looseObject({
    iso: z
      .string()
      .refine((s) => (ISO_CODES as readonly string[]).includes(upper(s)), {
        message: `must be one of ${ISO_CODES.join(', ')}`,
      })
      .meta({ description: `The ISO (${ISO_CODES.join(', ')}, any case)` }),
    location: z
      .string()
      .min(1)
      .max(128)
      .meta({ description: `${description}: the location, as the curves name it (any case)` }),
  });

/** Every member the valuation knows, each optional and without a default: what a write checks. */
export const termMembers = {
  settlement: z
    .enum(['virtual', 'physical'])
    .meta({ description: 'virtual (financial, settles at the hub) or physical (delivered at the node)' }),
  hub: location('The pricing curve: ISO and location').meta({
    description: 'The pricing curve’s ISO and location, e.g. {"iso":"PJM","location":"WESTERN HUB"}',
  }),
  node: location('The settlement location').meta({
    description:
      'The settlement location of a physical PPA (its curve is used when one exists; else hub + basis_usd_mwh)',
  }),
  market: z.enum(['DA', 'RT']).meta({ description: 'The market of the curves (default DA)' }),
  start_date: date('First delivery day'),
  end_date: date('Last delivery day (included)'),
  price_usd_mwh: price('The contract price (the strike of a virtual PPA), $/MWh'),
  escalator_pct_per_year: finite()
    .min(-50)
    .max(100)
    .meta({ description: 'Yearly escalation of the price, floor and cap, % per contract year (default 0)' }),
  structure: z.enum(['fixed', 'collar', 'discount']).meta({
    description:
      'fixed: the contract price; collar: the market clamped to [floor_usd_mwh, cap_usd_mwh]; discount: the market less discount_pct',
  }),
  floor_usd_mwh: price('The collar’s floor, $/MWh'),
  cap_usd_mwh: price('The collar’s cap, $/MWh'),
  discount_pct: finite().min(0).max(100).meta({ description: 'The discount off the market price, %' }),
  fixed_mwh_per_month: finite().min(0).max(1e9).meta({ description: 'Volume: MWh per whole month' }),
  baseload_mw: finite().min(0).max(1e6).meta({ description: 'Volume: MW in every hour' }),
  // Lengths as refinements, not minItems/maxItems: the document says 12 × 24 in words.
  profile_12x24: z
    .array(
      z
        .array(finite().min(0).max(1e6))
        .refine((hours) => hours.length === 24, { message: 'each month must have 24 hourly values' }),
    )
    .refine((months) => months.length === 12, { message: 'must have 12 months' })
    .meta({
      description: 'Volume: 12 months (January first) × 24 values, MW by local hour beginning (0–23)',
    }),
  capacity_mw: finite().gt(0).max(1e6).meta({ description: 'Nameplate MW (required with profile_12x24)' }),
  counterparty: z.string().max(256).meta({ description: 'The other party (v2 lists filter on it)' }),
  p_level: z.enum(['P50', 'P90', 'P99']).meta({ description: 'The volume exceedance level (default P50)' }),
  p90_factor: finite()
    .gt(0)
    .max(1)
    .meta({ description: `P90 volume ÷ P50 volume (default ${P_LEVEL_FACTOR_DEFAULTS.P90})` }),
  p99_factor: finite()
    .gt(0)
    .max(1)
    .meta({ description: `P99 volume ÷ P50 volume (default ${P_LEVEL_FACTOR_DEFAULTS.P99})` }),
  degradation_pct_per_year: finite()
    .min(0)
    .max(100)
    .meta({ description: 'Yearly volume loss, % per contract year (default 0)' }),
  basis_usd_mwh: price('Node minus hub, $/MWh, used when no node curve exists (default 0)'),
  perspective: z
    .enum(['buyer', 'seller'])
    .meta({ description: 'Whose side the settlement is (default buyer)' }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code' })
    .meta({ description: 'Currency (default USD)' }),
} as const;

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

/** Terms as a write takes them: the known members type-checked, every other member kept as written. */
export const contractTerms = z
  .looseObject(
    Object.fromEntries(Object.entries(termMembers).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof termMembers]: z.ZodOptional<(typeof termMembers)[K]>;
    },
  )
  .superRefine((terms, ctx) => {
    const path = nulAt(terms);
    if (path) ctx.addIssue({ code: 'custom', path, message: 'must not contain a NUL character' });
  })
  .meta({
    description:
      'The contract’s terms, kept as written. The members listed are the desk model the v2 valuation reads; any other member is stored and returned unchanged.',
  });

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

const m = termMembers;
const deskTermsSchema = z
  .object({
    settlement: m.settlement.default('virtual'),
    hub: m.hub,
    node: m.node.optional(),
    market: m.market.default('DA'),
    start_date: m.start_date,
    end_date: m.end_date,
    price_usd_mwh: m.price_usd_mwh.optional(),
    escalator_pct_per_year: m.escalator_pct_per_year.default(0),
    structure: m.structure.default('fixed'),
    floor_usd_mwh: m.floor_usd_mwh.optional(),
    cap_usd_mwh: m.cap_usd_mwh.optional(),
    discount_pct: m.discount_pct.optional(),
    fixed_mwh_per_month: m.fixed_mwh_per_month.optional(),
    baseload_mw: m.baseload_mw.optional(),
    profile_12x24: m.profile_12x24.optional(),
    capacity_mw: m.capacity_mw.optional(),
    p_level: m.p_level.default('P50'),
    p90_factor: m.p90_factor.default(P_LEVEL_FACTOR_DEFAULTS.P90),
    p99_factor: m.p99_factor.default(P_LEVEL_FACTOR_DEFAULTS.P99),
    degradation_pct_per_year: m.degradation_pct_per_year.default(0),
    basis_usd_mwh: m.basis_usd_mwh.default(0),
    perspective: m.perspective.default('buyer'),
    currency: m.currency.default('USD'),
  })
  .superRefine((t, ctx) => {
    if (t.end_date < t.start_date)
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be before start_date' });
    else if (Number(t.end_date.slice(0, 4)) - Number(t.start_date.slice(0, 4)) > 40)
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'the term may span at most 40 years' });
    for (const { member, message } of memberRules(t))
      ctx.addIssue({ code: 'custom', path: [member], message });
  });

export type DeskTerms = z.output<typeof deskTermsSchema>;

/** The desk terms of a contract, or the issues naming each member as `terms.<member>`. */
export function readDeskTerms(
  terms: unknown,
): { ok: true; terms: DeskTerms } | { ok: false; issues: InputIssue[] } {
  const parsed = deskTermsSchema.safeParse(terms);
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
