import type { SeededRandom } from './seeded-random.js';

/** The part of JSON Schema that `z.toJSONSchema` writes for Shoal's request schemas. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
}

/**
 * Strings a hostile or careless client sends: empty, huge, control characters, path tricks,
 * interpolation, names that exist. Sizes stay under the API's body limit so the request reaches
 * the handler rather than the 413 path (which has a test of its own).
 */
const hostileStrings = [
  '',
  ' ',
  'a',
  'default',
  'a\nb\u0000c',
  '../../etc',
  '/',
  '/var/run/docker.sock',
  '${A:-${B}}',
  '%00',
  '\u{1F41F}',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(256),
  'x'.repeat(10_000),
  'y'.repeat(200_000),
  'node.labels.a==b',
  'CMD-SHELL',
  '-1',
  '1e9',
  'true',
];

const boundaryNumbers = [0, -1, 1, 63, 64, 65535, 65536, 2 ** 31, 2 ** 32, 1e9, 2 ** 53, -(2 ** 53), 1.5, 1e308, -1e308];

/** Samples values from a JSON Schema: mostly valid (to reach deep into the handler), sometimes at or past a boundary. */
export class JsonSchemaSampler {
  constructor(
    private readonly rnd: SeededRandom,
    /** Probability that any one value is replaced by a boundary or wrong-typed one. */
    private readonly mutationRate = 0.08,
  ) {}

  sample(schema: JsonSchema, depth = 0): unknown {
    if (this.rnd.chance(this.mutationRate)) return this.hostileValue(depth);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return this.rnd.pick(schema.enum);
    const union = schema.anyOf ?? schema.oneOf;
    if (union && union.length > 0) return this.sample(this.rnd.pick(union), depth + 1);
    if (schema.allOf && schema.allOf.length > 0) return this.sample(schema.allOf[0] as JsonSchema, depth + 1);
    const type = Array.isArray(schema.type) ? this.rnd.pick(schema.type) : schema.type;
    switch (type) {
      case 'object':
        return this.object(schema, depth);
      case 'array':
        return this.array(schema, depth);
      case 'string':
        return this.string(schema);
      case 'integer':
        return this.number(schema, true);
      case 'number':
        return this.number(schema, false);
      case 'boolean':
        return this.rnd.chance(0.5);
      case 'null':
        return null;
      default:
        return this.anyJson(depth);
    }
  }

  /** Random JSON of any shape, for routes whose body schema is not at hand. */
  anyJson(depth = 0, keys: readonly string[] = []): unknown {
    const roll = this.rnd.int(0, depth > 3 ? 4 : 6);
    switch (roll) {
      case 0:
        return this.rnd.pick(hostileStrings);
      case 1:
        return this.rnd.pick(boundaryNumbers);
      case 2:
        return this.rnd.pick([null, true, false]);
      case 3:
        return `fz-${this.rnd.int(0, 9999)}`;
      case 4:
        return this.rnd.int(0, 10);
      case 5: {
        const out: Record<string, unknown> = {};
        const n = this.rnd.int(0, 5);
        for (let i = 0; i < n; i++) out[keys.length > 0 && this.rnd.chance(0.8) ? this.rnd.pick(keys) : this.rnd.pick(hostileStrings).slice(0, 40)] = this.anyJson(depth + 1, keys);
        return out;
      }
      default:
        return Array.from({ length: this.rnd.int(0, 4) }, () => this.anyJson(depth + 1, keys));
    }
  }

  private hostileValue(depth: number): unknown {
    switch (this.rnd.int(0, 5)) {
      case 0:
        return this.rnd.pick(hostileStrings);
      case 1:
        return this.rnd.pick(boundaryNumbers);
      case 2:
        return this.rnd.pick([null, true, {}, [], '1']);
      case 3:
        // Nesting far past any sane document: a parser that recurses without a bound overflows here.
        return nested(this.rnd.pick([100, 1_000]));
      case 4:
        // A long array of small items: counts a schema forgot to bound.
        return Array.from({ length: this.rnd.pick([1_000, 20_000]) }, (_, i) => (this.rnd.chance(0.5) ? `x${i}` : { target: 1 + (i % 60000) }));
      default:
        return this.anyJson(depth + 1);
    }
  }

  private object(schema: JsonSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (required.has(key) || this.rnd.chance(depth > 2 ? 0.3 : 0.6)) out[key] = this.sample(sub, depth + 1);
    }
    const extra = schema.additionalProperties;
    if (typeof extra === 'object') {
      const n = this.rnd.chance(0.1) ? this.rnd.pick([100, 5_000]) : this.rnd.int(0, 3);
      for (let i = 0; i < n; i++) {
        const key = schema.propertyNames && this.rnd.chance(0.9) ? String(this.string(schema.propertyNames)) + String(i) : this.rnd.pick(hostileStrings).slice(0, 80) + String(i);
        out[key] = this.sample(extra, depth + 1);
      }
    } else if (this.rnd.chance(0.03)) {
      out[`unknown${this.rnd.int(0, 9)}`] = 1;
    }
    return out;
  }

  private array(schema: JsonSchema, depth: number): unknown[] {
    if (schema.prefixItems) return schema.prefixItems.map((s) => this.sample(s, depth + 1));
    const min = schema.minItems ?? 0;
    const max = Math.min(schema.maxItems ?? min + 3, min + 3);
    const n = this.rnd.int(min, Math.max(min, max));
    return Array.from({ length: n }, () => (schema.items ? this.sample(schema.items, depth + 1) : this.anyJson(depth + 1)));
  }

  private string(schema: JsonSchema): string {
    if (schema.pattern?.includes('CMD')) return 'CMD';
    // Letters and digits satisfy every name-like pattern Shoal uses (names, variables, labels, aliases).
    const min = schema.minLength ?? 1;
    const max = Math.min(schema.maxLength ?? 20, 20);
    const length = this.rnd.int(Math.max(1, min), Math.max(1, min, max));
    let s = 'f';
    while (s.length < length) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[this.rnd.int(0, 35)];
    return s;
  }

  private number(schema: JsonSchema, integer: boolean): number {
    const min = schema.minimum ?? 0;
    const max = Math.min(schema.maximum ?? 100, min + 100);
    const n = min + this.rnd.next() * (max - min);
    return integer ? Math.round(n) : n;
  }
}

function nested(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}
