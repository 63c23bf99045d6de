/**
 * The feature-flag document: zod schemas for AWS AppConfig's `AWS.AppConfig.FeatureFlags` profile in
 * both the forms we meet (the hosted form `{version, flags, values}` kept in infra/flags/flags.json and
 * deployed by the CDK app, and the evaluated form `{<key>: {enabled, ...attributes}}` that the AppConfig
 * agent and GetLatestConfiguration hand to clients), normalised to one internal shape.
 */
import * as z from 'zod/mini';
import { once } from '#lib/lazy';
import '#lib/schema';

/** Every flag the code reads. A document may hold others; they are kept but unknown to the type. */
export const FLAG_KEYS = [
  'v1-iso',
  'v1-eia',
  'v1-drought',
  'v1-admin',
  'scenario-outputs',
  'bulk-scenario-runs',
  'curves-latest-corrections',
] as const;

export type FlagKey = (typeof FLAG_KEYS)[number];

export const isFlagKey = (key: string): key is FlagKey => (FLAG_KEYS as readonly string[]).includes(key);

/** Tenant ids as the principal middleware normalises them. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** AppConfig's own pattern for flag and attribute keys. */
const APPCONFIG_KEY_PATTERN = /^[a-z][a-zA-Z\d_-]{0,63}$/;

const hasAtMostTwoDecimals = (percent: number) => Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-6;

/**
 * One flag's value. `enabled` is the kill switch; the attributes drive targeting and rollout. AppConfig
 * drops the attributes of a disabled flag from the evaluated form, so every attribute has a default.
 */
const flagValueSchema = once(() => {
  const tenantIdSchema = z
    .string()
    .check(z.trim(), z.toLowerCase(), z.regex(TENANT_ID_PATTERN, 'not a tenant id'));
  return z.object({
    enabled: z.boolean(),
    rolloutPercent: z._default(
      z
        .number()
        .check(
          z.gte(0),
          z.lte(100),
          z.refine(hasAtMostTwoDecimals, 'rolloutPercent has at most two decimals'),
        ),
      100,
    ),
    allowTenants: z._default(z.array(tenantIdSchema).check(z.maxLength(1000)), []),
    denyTenants: z._default(z.array(tenantIdSchema).check(z.maxLength(1000)), []),
    subject: z._default(z.enum(['tenant', 'user']), 'tenant'),
  });
});

export type FlagValue = z.output<ReturnType<typeof flagValueSchema>>;

/** The normalised document every source hands out; `version` names the configuration version read. */
export interface FlagDocument {
  version: string;
  flags: Record<string, FlagValue>;
}

/**
 * The two forms a flag document comes in, built when the first document is read (a function whose flags
 * stay at their defaults never builds them).
 */
const documentSchemas = once(() => {
  const flagKeySchema = z.string().check(z.regex(APPCONFIG_KEY_PATTERN, 'not an AppConfig flag key'));
  const flagDefinitionSchema = z.looseObject({
    name: z.optional(z.string().check(z.regex(/^[^\n]{1,64}$/, 'name is 1 to 64 characters on one line'))),
    description: z.optional(z.string().check(z.maxLength(1024))),
    attributes: z.optional(z.record(z.string().check(z.regex(APPCONFIG_KEY_PATTERN)), z.looseObject({}))),
  });
  return {
    /** What the agent returns: the flag values with their attributes, definitions stripped. */
    evaluated: z.record(flagKeySchema, flagValueSchema()),
    /** What is stored in (and deployed to) the AppConfig hosted configuration store. */
    hosted: z
      .object({
        version: z.literal('1'),
        flags: z.record(flagKeySchema, flagDefinitionSchema),
        values: z._default(z.record(flagKeySchema, flagValueSchema()), {}),
      })
      .check(
        z.superRefine((hosted, ctx) => {
          for (const key of Object.keys(hosted.values)) {
            if (!(key in hosted.flags)) {
              ctx.addIssue({
                code: 'custom',
                path: ['values', key],
                message: 'value for a flag with no definition',
              });
            }
          }
        }),
      ),
  };
});

const value = (enabled: boolean): FlagValue => ({
  enabled,
  rolloutPercent: 100,
  allowTenants: [],
  denyTenants: [],
  subject: 'tenant',
});

/**
 * The answers before any good read, and for a known key a document leaves out. They match the repo's
 * flags.json, so a cold start with AppConfig unreachable behaves like the shipped configuration.
 */
export const FLAG_DEFAULTS: { version: string; flags: Record<FlagKey, FlagValue> } = {
  version: 'defaults',
  flags: {
    'v1-iso': value(true),
    'v1-eia': value(true),
    'v1-drought': value(true),
    'v1-admin': value(true),
    'scenario-outputs': value(true),
    'bulk-scenario-runs': value(true),
    'curves-latest-corrections': value(true),
  },
};

export type FlagDocumentParse = { ok: true; document: FlagDocument } | { ok: false; error: string };

const isHostedForm = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && typeof (raw as { version?: unknown }).version === 'string';

const describeIssues = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`)
    .join('; ');

/**
 * Validates a document in either form and normalises it. A hosted document carries a string `version`
 * at the top; an evaluated one cannot (its top-level values are flag objects).
 */
export function parseFlagDocument(raw: unknown, version: string): FlagDocumentParse {
  let flags: Record<string, FlagValue>;
  if (isHostedForm(raw)) {
    const hosted = documentSchemas().hosted.safeParse(raw);
    if (!hosted.success) return { ok: false, error: describeIssues(hosted.error) };
    flags = hosted.data.values;
  } else {
    const evaluated = documentSchemas().evaluated.safeParse(raw);
    if (!evaluated.success) return { ok: false, error: describeIssues(evaluated.error) };
    flags = evaluated.data;
  }
  return { ok: true, document: { version, flags: { ...FLAG_DEFAULTS.flags, ...flags } } };
}

/** A flag's value in a document, falling back to its default. */
export const flagValueOf = (document: FlagDocument, key: FlagKey): FlagValue =>
  document.flags[key] ?? FLAG_DEFAULTS.flags[key];

/** Lower-cases and trims a tenant id for comparison with allow and deny lists; empty means none. */
export const normaliseTenantId = (tenant: string | undefined): string | undefined => {
  const normalised = tenant?.trim().toLowerCase();
  return normalised ? normalised : undefined;
};
