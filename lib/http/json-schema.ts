// zod's core, not zod/mini: in layer mode the docs function bundles this module (infra/layer/shared-module.ts,
// FUNCTION_BUNDLED_MODULES) and reads these two from its own copy of core, which shares the global registry.
import * as z from 'zod/v4/core';
import { ENVELOPE_NAMES } from '#lib/http/envelope-schemas';
import { documentedSchema } from '#lib/http/params';

/** zod → JSON Schema 2020-12, with named schemas hoisted into components. */

export type JsonSchema = Record<string, unknown>;

interface ZodDef {
  type: string;
  out?: z.$ZodType;
  entries?: Record<string, string | number>;
}
const defOf = (schema: z.$ZodType) => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The values of a pipe that ends in an enum (e.g. `enumParam`), which its input schema cannot show. */
function pipedEnumValues(schema: z.$ZodType): (string | number)[] | undefined {
  const def = defOf(schema);
  if (def.type !== 'pipe' || !def.out) return undefined;
  const out = defOf(def.out);
  return out.type === 'enum' && out.entries ? Object.values(out.entries) : undefined;
}

export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  /** zod schemas without a global `id` that still get a component of their own. */
  readonly #names = new Map<z.$ZodType, string>(ENVELOPE_NAMES);
  readonly #defined = new Set<z.$ZodType>();

  /** Names `schema` ahead of conversion, so every schema that embeds it refers to it whatever the route order. */
  reserve(schema: z.$ZodType, fallbackName: string): void {
    if (typeof z.globalRegistry.get(schema)?.id === 'string' || this.#names.has(schema)) return;
    this.#names.set(schema, this.#unique(fallbackName));
  }

  /** Gives `schema` a component name (its global meta `id` wins) and returns a reference to it. */
  ref(schema: z.$ZodType, fallbackName: string): JsonSchema {
    const id = z.globalRegistry.get(schema)?.id;
    if (typeof id === 'string') {
      // zod itself moves schemas with an `id` into $defs, which `convert` hoists under that name.
      if (!this.schemas[id]) this.convert(schema, 'output');
      return { $ref: `#/components/schemas/${id}` };
    }
    const name = this.#names.get(schema) ?? this.#unique(fallbackName);
    this.#names.set(schema, name);
    if (!this.#defined.has(schema)) {
      this.#defined.add(schema);
      // Reserve the name first so a schema that reaches itself stops here.
      this.schemas[name] ??= {};
      this.schemas[name] = this.convert(schema, 'output', schema);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The JSON Schema of `schema`, with known sub-schemas as `$ref`s and `$defs` moved into components. */
  convert(schema: z.$ZodType, io: 'input' | 'output', root?: z.$ZodType): JsonSchema {
    const names = this.#names;
    const converted = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      cycles: 'ref',
      override: (ctx) => {
        const node = ctx.zodSchema as unknown as z.$ZodType;
        if (io === 'input') {
          // Parameters parsed from strings but documented by meaning (integers, booleans, dates).
          const documented = documentedSchema(node);
          if (documented) {
            const json = ctx.jsonSchema as JsonSchema;
            for (const key of Object.keys(json))
              if (!['description', 'example', 'deprecated'].includes(key)) delete json[key];
            Object.assign(json, { ...documented, ...json });
            return;
          }
          // Case-insensitive enums (string → upper-case → enum) would otherwise show as any string.
          const values = pipedEnumValues(node);
          if (values) (ctx.jsonSchema as JsonSchema).enum = values;
          // zod leaves the default of a transforming pipe out of its input schema; it is still applied.
          const def = defOf(node) as ZodDef & { defaultValue?: unknown };
          const json = ctx.jsonSchema as JsonSchema;
          if (def.type === 'default' && json.default === undefined && def.defaultValue !== undefined) {
            json.default = def.defaultValue;
          }
          return;
        }
        if (node === root) return;
        const name = names.get(node);
        if (!name) return;
        const json = ctx.jsonSchema as JsonSchema;
        for (const key of Object.keys(json)) delete json[key];
        json.$ref = `#/components/schemas/${name}`;
      },
    }) as JsonSchema;
    delete converted.$schema;
    const defs = (converted.$defs ?? {}) as Record<string, JsonSchema>;
    delete converted.$defs;
    const renamed = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      let target = name;
      // The input and output forms of one named schema can differ (transforms): keep both.
      if (this.schemas[name] && JSON.stringify(this.schemas[name]) !== JSON.stringify(def)) {
        target = io === 'input' ? `${name}Input` : name;
      }
      renamed.set(name, target);
    }
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (node === null || typeof node !== 'object') return node;
      const out: JsonSchema = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
          const name = value.slice('#/$defs/'.length);
          out.$ref = `#/components/schemas/${renamed.get(name) ?? name}`;
        } else {
          out[key] = rewrite(value);
        }
      }
      return out;
    };
    for (const [name, def] of Object.entries(defs))
      this.schemas[renamed.get(name)!] ??= rewrite(def) as JsonSchema;
    return rewrite(converted) as JsonSchema;
  }

  #unique(name: string): string {
    const taken = new Set([...Object.keys(this.schemas), ...this.#names.values()]);
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    return candidate;
  }
}
