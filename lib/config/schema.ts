/**
 * Shape of the configuration file (`clearml.yaml`), as plain data. The schema itself is generated
 * from the TypeScript props (`npm run gen` writes `schema.generated.ts`), so the file accepts exactly
 * what `ClearmlServerProps` declares and the TypeScript compiler is never needed at synth time.
 */

/** The type of one value. */
export type SchemaType =
  | { readonly kind: 'string' }
  | { readonly kind: 'number' }
  | { readonly kind: 'boolean' }
  /** One of these strings. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly items: SchemaType }
  /** A mapping with free keys (`Record<string, X>`). */
  | { readonly kind: 'map'; readonly values: SchemaType }
  /** A mapping of anything (`Record<string, unknown>`), passed on as it is. */
  | { readonly kind: 'json' }
  /** Anything (a type the file cannot describe, e.g. a class inside a Kubernetes object). */
  | { readonly kind: 'any' }
  /** Any of these. */
  | { readonly kind: 'union'; readonly types: readonly SchemaType[] }
  /** A mapping with fixed keys. */
  | { readonly kind: 'object'; readonly fields: readonly SchemaField[] }
  /** A named definition of `ConfigSchema.definitions`. */
  | { readonly kind: 'ref'; readonly name: string };

/** One key of a mapping with fixed keys. */
export interface SchemaField {
  /** Key. */
  readonly name: string;
  /** The key may be left out (or set to `~`, which means the same). */
  readonly optional: boolean;
  /** JSDoc of the property, whitespace collapsed. */
  readonly doc?: string;
  /** Text of its `@default` tag. */
  readonly default?: string;
  /** Its type. */
  readonly type: SchemaType;
}

/** A named mapping type: an interface of the library, or a Kubernetes API type (`k8s.<Name>`). */
export interface SchemaDefinition {
  /** Name, e.g. `StorageOptions` or `k8s.Affinity`. */
  readonly name: string;
  /** JSDoc of the interface. */
  readonly doc?: string;
  /** A Kubernetes API type: written as in Kubernetes manifests, documented there. */
  readonly kubernetes?: boolean;
  /** Its keys, in source order. */
  readonly fields: readonly SchemaField[];
}

/** The whole file. */
export interface ConfigSchema {
  /** Definition of the top-level mapping (`ClearmlServerProps`). */
  readonly root: string;
  /** Named types, by name. */
  readonly definitions: Readonly<Record<string, SchemaDefinition>>;
}

/** A definition by name; throws when the schema does not hold it (a generator bug). */
export function definition(schema: ConfigSchema, name: string): SchemaDefinition {
  const found = schema.definitions[name];
  if (!found) throw new Error(`configuration schema: no definition "${name}"`);
  return found;
}
