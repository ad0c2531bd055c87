/**
 * Shape checks of configuration values against the generated schema: keys, types and allowed values,
 * with the path of the offending key. Plain TypeScript, no YAML: the generator checks `@default`
 * literals with it too.
 */
import { ConfigSchema, definition, SchemaField, SchemaType } from './schema';

/** A path into the file: keys and list indexes. */
export type ConfigPath = ReadonlyArray<string | number>;

/** A shape problem at a path (turned into a ConfigFileError with the line by the loader). */
export class ShapeError extends Error {
  constructor(public readonly path: ConfigPath, public readonly reason: string) {
    super(`${formatPath(path) || '(top level)'}: ${reason}`);
    this.name = 'ShapeError';
  }
}

/** Several shape problems of one file, found in one pass (each key is checked, the first error of a key wins). */
export class ShapeErrors extends ShapeError {
  constructor(public readonly all: readonly ShapeError[]) {
    super(all[0].path, all[0].reason);
    this.name = 'ShapeErrors';
  }
}

/** Runs each check and throws every ShapeError they raised at once. */
function collecting<T>(items: readonly T[], check: (item: T) => void): void {
  const found: ShapeError[] = [];
  for (const item of items) {
    try {
      check(item);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      found.push(...(e instanceof ShapeErrors ? e.all : [e]));
    }
  }
  if (found.length === 1) throw found[0];
  if (found.length > 1) throw new ShapeErrors(found);
}

/** `a.b[0].c`. */
export function formatPath(p: ConfigPath): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * Checks a plain value against a schema type and returns it with `null` optional keys left out (`~`
 * means "the default"). `sourceOf` gives a scalar's text as written, for hints.
 */
export function checkValue(schema: ConfigSchema, type: SchemaType, value: unknown, at: ConfigPath, sourceOf?: (p: ConfigPath) => string | undefined): unknown {
  const fail = (reason: string): never => {
    throw new ShapeError(at, reason);
  };
  const expected = (what: string): never => {
    let hint = '';
    if (what === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
      hint = ` (quote it: ${JSON.stringify(sourceOf?.(at) ?? String(value))})`;
    } else if (what === 'boolean' && typeof value === 'string') {
      hint = ' (use true or false)';
    }
    return fail(`expected ${what}, got ${kindOf(value)}${hint}`);
  };
  switch (type.kind) {
    case 'ref': {
      const def = definition(schema, type.name);
      return checkValue(schema, { kind: 'object', fields: def.fields }, value, at, sourceOf);
    }
    case 'string':
      return typeof value === 'string' ? value : expected('string');
    case 'number':
      if (typeof value !== 'number') return expected('number');
      return Number.isFinite(value) ? value : fail(`expected a finite number, got ${value}`);
    case 'boolean':
      return typeof value === 'boolean' ? value : expected('boolean');
    case 'enum': {
      if (typeof value !== 'string') return expected('string');
      if (type.values.includes(value)) return value;
      const close = closest(value, type.values);
      return fail(`"${value}" must be one of ${type.values.map((v) => `"${v}"`).join(', ')}${close ? ` (did you mean "${close}"?)` : ''}`);
    }
    case 'array': {
      if (!Array.isArray(value)) return expected('list');
      const out: unknown[] = [];
      collecting([...value.entries()], ([i, item]) => { out[i] = checkValue(schema, type.items, item, [...at, i], sourceOf); });
      return out;
    }
    case 'map': {
      if (!isPlainObject(value)) return expected('mapping');
      const out: Record<string, unknown> = {};
      collecting(Object.entries(value), ([k, v]) => { out[k] = checkValue(schema, type.values, v, [...at, k], sourceOf); });
      return out;
    }
    case 'json':
      return isPlainObject(value) ? value : expected('mapping');
    case 'any':
      return value;
    case 'union': {
      for (const t of type.types) {
        try {
          return checkValue(schema, t, value, at, sourceOf);
        } catch (e) {
          if (!(e instanceof ShapeError)) throw e;
        }
      }
      return expected(type.types.map(typeName).join(' or '));
    }
    case 'object':
      if (!isPlainObject(value)) return expected('mapping');
      return checkObject(schema, type.fields, value, at, sourceOf);
  }
}

function checkObject(schema: ConfigSchema, fields: readonly SchemaField[], value: Record<string, unknown>, at: ConfigPath, sourceOf?: (p: ConfigPath) => string | undefined): Record<string, unknown> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const out: Record<string, unknown> = {};
  collecting([...Object.entries(value), ...fields.filter((f) => !f.optional).map((f) => [f.name, REQUIRED] as const)], ([key, v]) => {
    if (v === REQUIRED) {
      if (out[key] === undefined && (value[key] === null || value[key] === undefined)) throw new ShapeError([...at, key], 'is required');
      return;
    }
    const field = byName.get(key);
    if (!field) {
      const names = fields.map((f) => f.name);
      const close = closest(key, names);
      throw new ShapeError([...at, key], `unknown option "${key}"`
        + (close ? ` (did you mean "${close}"?)` : ` (valid options${at.length ? ` of ${formatPath(at)}` : ''}: ${names.join(', ')})`));
    }
    if (v === null || v === undefined) return;
    out[key] = checkValue(schema, field.type, v, [...at, key], sourceOf);
  });
  return out;
}

/** Marks a required key in checkObject's single pass. */
const REQUIRED = Symbol('required');

function typeName(t: SchemaType): string {
  switch (t.kind) {
    case 'array': return 'list';
    case 'map': case 'json': case 'object': case 'ref': return 'mapping';
    case 'enum': return 'string';
    case 'union': return t.types.map(typeName).join(' or ');
    default: return t.kind;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value reads in messages: `string "50GB"`, `number 50`, `list`, `mapping`, `null`. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The candidate closest to `word` (case-insensitive Damerau-Levenshtein), when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  // A key written partly (`tls` for `tlsSecretName`): only when it names one candidate.
  const partial = w.length >= 3 ? candidates.filter((c) => c.toLowerCase().includes(w)) : [];
  return partial.length === 1 ? partial[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

