/**
 * Generates, from the TypeScript sources (lib/index.ts), with the TypeScript compiler API:
 *
 * - `lib/config/schema.generated.ts`: the schema of the configuration file, as plain data (the default
 *   app checks `clearml.yaml` against it without the compiler);
 * - `clearml.example.yaml`: every option with its JSDoc and default. It loads as the default deployment:
 *   an option whose `@default` is a literal (`'clearml'`, `30008`, `[]`, `{ type: 'node' }`) is written
 *   active with that value; one whose default is descriptive (`- none`, `- the bundled one`) is
 *   commented out (`# key: <example or ~>`), and so are whole sections with a descriptive default,
 *   e.g. `external`. A section whose default is `- see <Interface>` gets its options' own defaults; a
 *   section whose default is an object literal sets only the keys of that literal. A default naming an
 *   exported constant (`DEFAULT_VERSIONS (...)`) is commented out, showing the constant's value; so is
 *   an option tagged `@onlyWith <option> <value>` (a NodePort, which the construct refuses with another
 *   exposure): a copy of the file must survive switching that other option;
 * - `API.md`: the reference of the exports of lib/index.ts;
 * - `docs/options.md`: every option of the configuration file by its path (type, default, meaning, from the
 *   same JSDoc), and every `ClearmlConfigError` that lib/ throws, read from the source: the option
 *   reference of the documentation, so that no page repeats it by hand.
 *
 * Usage: `npm run gen` writes the files; `npm run gen -- --check` writes nothing and exits 1 naming each
 * file that differs from its generated content (CI).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { stringify } from 'yaml';
import type { ConfigSchema, SchemaDefinition, SchemaField, SchemaType } from '../lib/config/schema';
import { checkValue, ShapeError } from '../lib/config/validate';
import { generateUpgradeDocs, UPGRADE_DOC } from './upgrade-docs';

/** Generated files, relative to the package root. */
export const OUTPUTS = {
  schema: 'lib/config/schema.generated.ts',
  example: 'clearml.example.yaml',
  api: 'API.md',
  options: 'docs/options.md',
  upgradeRules: UPGRADE_DOC,
} as const;

const ROOT_INTERFACE = 'ClearmlServerProps';
const ENTRY = 'lib/index.ts';
const WIDTH = 100;

/** Generates every output: path (relative to `root`) → content. */
export function generateReference(root: string = path.resolve(__dirname, '..')): Record<string, string> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    // The project's own lib (tsconfig.json): without it the default one adds the DOM, a quarter of the parse.
    lib: ['lib.es2022.d.ts'],
  };
  // Only the project's own comments are read; parsing the JSDoc of the libraries' declarations (most of
  // them the Kubernetes API's, in cdk8s-plus-27's k8s.d.ts) was a third of the run.
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (fileName, version) => {
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    const jsDocParsingMode = fileName.includes('/node_modules/') ? ts.JSDocParsingMode.ParseNone : ts.JSDocParsingMode.ParseAll;
    return ts.createSourceFile(fileName, text, { ...(typeof version === 'object' ? version : { languageVersion: version }), jsDocParsingMode });
  };
  const program = ts.createProgram([path.join(root, ENTRY)], options, host);
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(path.join(root, ENTRY));
  if (!entry) throw new Error(`cannot read ${ENTRY}`);
  const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!).map((s) => [s.name, resolveAlias(checker, s)]));

  const walker = new SchemaWalker(checker, (name) => constantValue(exported.get(name)));
  const rootSymbol = exported.get(ROOT_INTERFACE);
  if (!rootSymbol) throw new Error(`${ENTRY} does not export ${ROOT_INTERFACE}`);
  walker.typeOf(checker.getDeclaredTypeOfSymbol(rootSymbol), undefined, ROOT_INTERFACE, false);
  walker.checkDefaults();
  const schema = walker.schema(ROOT_INTERFACE);

  return {
    [OUTPUTS.schema]: renderSchemaModule(schema),
    [OUTPUTS.example]: new ExampleRenderer(walker).render(ROOT_INTERFACE),
    [OUTPUTS.api]: new ApiRenderer(checker, exported, walker).render(ROOT_INTERFACE),
    [OUTPUTS.options]: new OptionsRenderer(walker, program, root, defaultResources(root)).render(ROOT_INTERFACE),
    [OUTPUTS.upgradeRules]: generateUpgradeDocs(root),
  };
}

// ---------------------------------------------------------------------------------------------------
// The walk: TypeScript types → schema

/** A `@default` tag, understood. */
type ParsedDefault =
  | { readonly kind: 'none' }
  /** A literal: the value. */
  | { readonly kind: 'literal'; readonly value: unknown }
  /** An exported constant, e.g. `DEFAULT_VERSIONS (server 2.3.0, ...)`: its value. */
  | { readonly kind: 'reference'; readonly value: unknown; readonly text: string }
  /** Words, e.g. `- the bundled one`. */
  | { readonly kind: 'descriptive'; readonly text: string };

/** A schema field with what the example file and API.md need besides. */
interface GenField extends SchemaField {
  /** The property's type as written, e.g. `Partial<VersionSet>`. */
  readonly typeText: string;
  readonly parsedDefault: ParsedDefault;
  /** `@onlyWith exposure.type NodePort`: the option applies only with that value of another option. */
  readonly onlyWith?: { readonly option: string; readonly value: string };
  /** Where it is declared, for messages. */
  readonly where: string;
}

interface GenDefinition extends SchemaDefinition {
  readonly fields: GenField[];
}

type GenType = SchemaType;

class SchemaWalker {
  readonly definitions = new Map<string, GenDefinition>();
  private readonly symbols = new Map<string, ts.Symbol>();
  /** Inline object types made from an interface by a mapped type (`Partial<VersionSet>`): the interface. */
  private readonly origins = new Map<GenType, string>();

  constructor(private readonly checker: ts.TypeChecker, private readonly constant: (name: string) => { value: unknown } | undefined) {}

  /** The schema type of a TypeScript type; named interfaces become definitions. */
  typeOf(type: ts.Type, node: ts.TypeNode | undefined, where: string, inKubernetes: boolean): GenType {
    const c = this.checker;
    const F = ts.TypeFlags;
    if (type.flags & F.Union) {
      const parts = (type as ts.UnionType).types.filter((t) => !(t.flags & (F.Undefined | F.Null | F.Void)));
      if (parts.length > 0 && parts.every((t) => t.flags & F.StringLiteral)) {
        return { kind: 'enum', values: orderLiterals(c, parts.map((t) => (t as ts.StringLiteralType).value), node) };
      }
      if (parts.length > 0 && parts.every((t) => t.flags & F.BooleanLiteral)) return { kind: 'boolean' };
      const nonBoolean = parts.filter((t) => !(t.flags & F.BooleanLiteral));
      // With one member besides undefined (an optional property), the written type still applies to it.
      const memberNode = parts.length === 1 ? node : undefined;
      const types = [...(nonBoolean.length < parts.length ? [{ kind: 'boolean' } as GenType] : []), ...nonBoolean.map((t) => this.typeOf(t, memberNode, where, inKubernetes))];
      return types.length === 1 ? types[0] : { kind: 'union', types };
    }
    if (type.flags & (F.String | F.TemplateLiteral)) return { kind: 'string' };
    if (type.flags & (F.Number | F.NumberLiteral)) return { kind: 'number' };
    if (type.flags & (F.Boolean | F.BooleanLiteral)) return { kind: 'boolean' };
    if (type.flags & F.StringLiteral) return { kind: 'enum', values: [(type as ts.StringLiteralType).value] };
    if (type.flags & (F.Any | F.Unknown)) return { kind: 'any' };
    if (c.isArrayType(type)) {
      return { kind: 'array', items: this.typeOf(c.getTypeArguments(type as ts.TypeReference)[0], elementNode(node), `${where}[]`, inKubernetes) };
    }
    if (!(type.flags & F.Object)) throw new Error(`${where}: type ${c.typeToString(type)} cannot be written in the configuration file`);
    const symbol = type.aliasSymbol ? undefined : type.getSymbol();
    const declaration = symbol?.declarations?.[0];
    const kubernetes = inKubernetes || (declaration !== undefined && isKubernetesFile(declaration.getSourceFile().fileName));
    if (c.getSignaturesOfType(type, ts.SignatureKind.Call).length || (symbol && symbol.flags & ts.SymbolFlags.Class)) {
      if (kubernetes) return { kind: 'any' };
      throw new Error(`${where}: type ${c.typeToString(type)} (a function or class) cannot be written in the configuration file`);
    }
    const indexes = c.getIndexInfosOfType(type);
    if (indexes.length) {
      if (c.getPropertiesOfType(type).length) throw new Error(`${where}: a type with both keys and an index signature is not supported`);
      const values = indexes[0].type;
      if (values.flags & (F.Any | F.Unknown)) return { kind: 'json' };
      return { kind: 'map', values: this.typeOf(values, undefined, `${where}.*`, kubernetes) };
    }
    if (symbol && symbol.flags & ts.SymbolFlags.Interface) {
      const name = kubernetes ? `k8s.${symbol.name}` : symbol.name;
      const known = this.symbols.get(name);
      if (known && known !== symbol) throw new Error(`${where}: two interfaces are called ${name}`);
      if (!known) {
        this.symbols.set(name, symbol);
        const fields: GenField[] = [];
        this.definitions.set(name, { name, ...(kubernetes ? { kubernetes: true } : { doc: docOf(c, symbol) }), fields });
        fields.push(...this.fieldsOf(type, name, kubernetes));
      }
      return { kind: 'ref', name };
    }
    const inline: GenType = { kind: 'object', fields: this.fieldsOf(type, where, kubernetes) };
    // `Partial<VersionSet>`: the options of VersionSet, all optional.
    const base = type.aliasTypeArguments?.[0]?.getSymbol();
    if (base && base.flags & ts.SymbolFlags.Interface) this.origins.set(inline, base.name);
    return inline;
  }

  private fieldsOf(type: ts.Type, where: string, kubernetes: boolean): GenField[] {
    const c = this.checker;
    return c.getPropertiesOfType(type).map((p) => {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const node = decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
      const at = `${where}.${p.name}`;
      const fieldType = this.typeOf(c.getTypeOfSymbol(p), node, at, kubernetes);
      const doc = kubernetes ? undefined : docOf(c, p);
      const dflt = kubernetes ? undefined : defaultOf(c, p);
      const onlyWith = kubernetes ? undefined : onlyWithOf(c, p, at);
      return {
        name: p.name,
        optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
        ...(doc ? { doc } : {}),
        ...(dflt !== undefined ? { default: dflt } : {}),
        type: fieldType,
        typeText: node ? squash(node.getText()) : c.typeToString(c.getTypeOfSymbol(p)),
        parsedDefault: parseDefault(dflt, this.constant),
        ...(onlyWith ? { onlyWith } : {}),
        where: at,
      };
    });
  }

  /** Every literal default must be a valid value of its option: the example file is built from them. */
  checkDefaults(): void {
    const schema = this.schema(ROOT_INTERFACE);
    const visit = (fields: readonly GenField[]) => {
      for (const f of fields) {
        if (f.parsedDefault.kind === 'literal' || f.parsedDefault.kind === 'reference') {
          try {
            checkValue(schema, f.type, f.parsedDefault.value, [f.name]);
          } catch (e) {
            if (e instanceof ShapeError) throw new Error(`${f.where}: @default ${f.default} is not a valid value: ${e.message}`);
            throw e;
          }
        }
        forEachInline(f.type, visit);
      }
    };
    for (const def of this.definitions.values()) visit(def.fields);
  }

  /** The plain-data schema (definitions sorted by name, fields in source order). */
  schema(root: string): ConfigSchema {
    const definitions: Record<string, SchemaDefinition> = {};
    for (const name of [...this.definitions.keys()].sort()) {
      const d = this.definitions.get(name)!;
      definitions[name] = { name: d.name, ...(d.doc ? { doc: d.doc } : {}), ...(d.kubernetes ? { kubernetes: true } : {}), fields: d.fields.map(plainField) };
    }
    return { root, definitions };
  }

  /** A ref's definition, or undefined for other types. */
  resolve(t: GenType): GenDefinition | undefined {
    return t.kind === 'ref' ? this.definitions.get(t.name) : undefined;
  }

  /** The dotted paths where each definition appears in the file, in walk order. */
  pathsOfDefinitions(root: string): Map<string, string[]> {
    const paths = new Map<string, string[]>();
    const walk = (t: GenType, at: string, seen: ReadonlySet<string>) => {
      if (t.kind === 'ref') {
        const def = this.definitions.get(t.name)!;
        if (def.kubernetes || seen.has(t.name)) return;
        paths.set(t.name, [...(paths.get(t.name) ?? []), at]);
        for (const f of def.fields) walk(f.type, at ? `${at}.${f.name}` : f.name, new Set([...seen, t.name]));
      } else if (t.kind === 'object') {
        const origin = this.origins.get(t);
        if (origin) paths.set(origin, [...(paths.get(origin) ?? []), at]);
        for (const f of t.fields) walk(f.type, `${at}.${f.name}`, seen);
      } else if (t.kind === 'array') {
        walk(t.items, `${at}[]`, seen);
      } else if (t.kind === 'map') {
        walk(t.values, `${at}.<key>`, seen);
      } else if (t.kind === 'union') {
        for (const u of t.types) walk(u, at, seen);
      }
    };
    walk({ kind: 'ref', name: root }, '', new Set());
    return paths;
  }
}

function plainField(f: GenField): SchemaField {
  return { name: f.name, optional: f.optional, ...(f.doc ? { doc: f.doc } : {}), ...(f.default !== undefined ? { default: f.default } : {}), type: plainType(f.type) };
}

function plainType(t: GenType): SchemaType {
  switch (t.kind) {
    case 'object': return { kind: 'object', fields: t.fields.map((f) => plainField(f as GenField)) };
    case 'array': return { kind: 'array', items: plainType(t.items) };
    case 'map': return { kind: 'map', values: plainType(t.values) };
    case 'union': return { kind: 'union', types: t.types.map(plainType) };
    default: return t;
  }
}

function forEachInline(t: GenType, visit: (fields: readonly GenField[]) => void): void {
  if (t.kind === 'object') visit(t.fields as readonly GenField[]);
  else if (t.kind === 'array') forEachInline(t.items, visit);
  else if (t.kind === 'map') forEachInline(t.values, visit);
  else if (t.kind === 'union') t.types.forEach((u) => forEachInline(u, visit));
}

function isKubernetesFile(fileName: string): boolean {
  return /[/\\](imports[/\\]k8s|node_modules[/\\]cdk8s-plus-\d+[/\\])/.test(fileName);
}

function resolveAlias(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/;\s*}/g, ' }').trim();
}

function docOf(checker: ts.TypeChecker, s: ts.Symbol): string | undefined {
  const only = s.getJsDocTags(checker).find((t) => t.name === 'onlyWith');
  const deprecated = s.getJsDocTags(checker).find((t) => t.name === 'deprecated');
  const note = (only ? ` Only with \`${squash(ts.displayPartsToString(only.text)).replace(' ', ': ')}\`.` : '')
    + (deprecated ? ` **Deprecated**: ${squash(ts.displayPartsToString(deprecated.text))}` : '');
  const text = squash(ts.displayPartsToString(s.getDocumentationComment(checker)) + note);
  return text || undefined;
}

function defaultOf(checker: ts.TypeChecker, s: ts.Symbol): string | undefined {
  const tag = s.getJsDocTags(checker).find((t) => t.name === 'default');
  return tag ? squash(ts.displayPartsToString(tag.text)) : undefined;
}

function onlyWithOf(checker: ts.TypeChecker, s: ts.Symbol, where: string): GenField['onlyWith'] {
  const tag = s.getJsDocTags(checker).find((t) => t.name === 'onlyWith');
  if (!tag) return undefined;
  const m = /^(\S+) (\S+)$/.exec(squash(ts.displayPartsToString(tag.text)));
  if (!m) throw new Error(`${where}: @onlyWith takes an option path and a value, e.g. \`@onlyWith exposure.type NodePort\``);
  return { option: m[1], value: m[2] };
}

/** String literal members in the order they are written (type aliases followed), else sorted. */
function orderLiterals(checker: ts.TypeChecker, values: string[], node: ts.TypeNode | undefined): string[] {
  const written: string[] = [];
  const collect = (n: ts.TypeNode | undefined, depth: number): void => {
    if (!n || depth > 5) return;
    if (ts.isUnionTypeNode(n)) n.types.forEach((t) => collect(t, depth));
    else if (ts.isParenthesizedTypeNode(n)) collect(n.type, depth);
    else if (ts.isLiteralTypeNode(n) && ts.isStringLiteral(n.literal)) written.push(n.literal.text);
    else if (ts.isTypeReferenceNode(n)) {
      const s = checker.getSymbolAtLocation(n.typeName);
      const d = s && resolveAlias(checker, s).declarations?.find(ts.isTypeAliasDeclaration);
      if (d) collect(d.type, depth + 1);
    }
  };
  collect(node, 0);
  const unique = [...new Set(values)];
  return unique.every((v) => written.includes(v)) ? written.filter((v, i) => unique.includes(v) && written.indexOf(v) === i) : unique.sort();
}

function elementNode(node: ts.TypeNode | undefined): ts.TypeNode | undefined {
  if (!node) return undefined;
  if (ts.isTypeOperatorNode(node)) return elementNode(node.type);
  if (ts.isArrayTypeNode(node)) return node.elementType;
  if (ts.isTypeReferenceNode(node) && node.typeArguments?.length === 1) return node.typeArguments[0];
  return undefined;
}

/** `'clearml'`, `[]`, `{ type: 'node' }`, `DEFAULT_VERSIONS (...)`, `- words`. */
function parseDefault(text: string | undefined, constant: (name: string) => { value: unknown } | undefined): ParsedDefault {
  if (text === undefined) return { kind: 'none' };
  if (text.startsWith('-')) return { kind: 'descriptive', text: text.replace(/^-\s*/, '') };
  const literal = literalOfText(text);
  // A quoted placeholder such as '<namespace>-privileged' describes a value; it is not one.
  if (literal && !(typeof literal.value === 'string' && /<[^>]+>/.test(literal.value))) return { kind: 'literal', value: literal.value };
  const named = /^([A-Za-z_$][\w$]*)\b/.exec(text);
  const found = !literal && named ? constant(named[1]) : undefined;
  return found ? { kind: 'reference', value: found.value, text } : { kind: 'descriptive', text };
}

function literalOfText(text: string): { value: unknown } | undefined {
  const file = ts.createSourceFile('default.ts', `(${text});`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: readonly unknown[] }).parseDiagnostics;
  const statement = file.statements[0];
  if (diagnostics.length || file.statements.length !== 1 || !ts.isExpressionStatement(statement)) return undefined;
  return literalOf(statement.expression);
}

/** The value of a literal expression (strings, numbers, booleans, null, arrays, objects), else undefined. */
function literalOf(e: ts.Expression): { value: unknown } | undefined {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return literalOf(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { value: e.text };
  if (ts.isNumericLiteral(e)) return { value: Number(e.text) };
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return { value: -Number(e.operand.text) };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  if (ts.isArrayLiteralExpression(e)) {
    const items = e.elements.map((x) => literalOf(x));
    return items.every((x) => x !== undefined) ? { value: items.map((x) => x!.value) } : undefined;
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, unknown> = {};
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return undefined;
      const v = literalOf(p.initializer);
      if (!v) return undefined;
      out[p.name.text] = v.value;
    }
    return { value: out };
  }
  return undefined;
}

/** The literal value of an exported constant. */
function constantValue(s: ts.Symbol | undefined): { value: unknown } | undefined {
  const decl = s?.valueDeclaration;
  return decl && ts.isVariableDeclaration(decl) && decl.initializer ? literalOf(decl.initializer) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// lib/config/schema.generated.ts

function renderSchemaModule(schema: ConfigSchema): string {
  return [
    '// Generated by `npm run gen` (scripts/gen-reference.ts) from the TypeScript props; do not edit.',
    '// The schema of the configuration file (clearml.yaml): see lib/config/schema.ts for its format.',
    "import type { ConfigSchema } from './schema';",
    '',
    `export const CONFIG_SCHEMA: ConfigSchema = ${tsLiteral(schema, 0)};`,
    '',
  ].join('\n');
}

/** A data value as TypeScript source: one line when it fits, else one entry per line. */
function tsLiteral(v: unknown, indent: number, used = indent): string {
  const flat = tsFlat(v);
  if (used + flat.length <= 120 || v === null || typeof v !== 'object') return flat;
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(v)) return `[\n${v.map((x) => pad + tsLiteral(x, indent + 2)).join(',\n')},\n${' '.repeat(indent)}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{\n${entries.map(([k, x]) => `${pad}${tsKey(k)}: ${tsLiteral(x, indent + 2, indent + 2 + tsKey(k).length + 2)}`).join(',\n')},\n${' '.repeat(indent)}}`;
}

function tsFlat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(tsFlat).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? `{ ${entries.map(([k, x]) => `${tsKey(k)}: ${tsFlat(x)}`).join(', ')} }` : '{}';
  }
  if (typeof v === 'string' && !v.includes("'")) return `'${JSON.stringify(v).slice(1, -1).replace(/\\"/g, '"')}'`;
  return JSON.stringify(v);
}

function tsKey(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : tsFlat(k);
}

// ---------------------------------------------------------------------------------------------------
// clearml.example.yaml

interface Block {
  readonly lines: string[];
  /** Sets at least one option (uncommented). */
  readonly active: boolean;
}

type Shape =
  | { readonly kind: 'section'; readonly fields: readonly GenField[] }
  | { readonly kind: 'list'; readonly fields: readonly GenField[] }
  | { readonly kind: 'leaf' };

class ExampleRenderer {
  constructor(private readonly walker: SchemaWalker) {}

  render(root: string): string {
    const header = [
      'clearml.example.yaml: every option of the default app, with its default.',
      '',
      'The default app (`npm run synth`) reads `clearml.yaml` from its working directory, or the file that',
      'CLEARML_CONFIG names. Copy this file there and edit it: as it is, it describes exactly the default',
      'deployment. Active lines hold defaults; a commented-out option shows an example value, or ~ when',
      'there is none, or its default when it applies only with another option\'s value (so that switching',
      'that option needs no other edit). `~` (or leaving an option out) means "the default". Unknown keys,',
      'wrong types and invalid values are errors, reported with the path of the option; nothing is written',
      'then.',
      '',
      'Generated by `npm run gen` from the JSDoc of ClearmlServerProps (see API.md); do not edit.',
    ];
    const body = this.fields(this.walker.definitions.get(root)!.fields, undefined, 0, true);
    return [...header.map((l) => (l ? `# ${l}` : '#')), ...body.lines, ''].join('\n');
  }

  private shape(t: GenType): Shape {
    const def = this.walker.resolve(t);
    if (def && !def.kubernetes) return { kind: 'section', fields: def.fields };
    if (t.kind === 'object') return { kind: 'section', fields: t.fields as readonly GenField[] };
    if (t.kind === 'array') {
      const item = this.shape(t.items);
      if (item.kind === 'section') return { kind: 'list', fields: item.fields };
    }
    return { kind: 'leaf' };
  }

  /**
   * The lines of a mapping's options at `indent`. `given` is the parent's literal default: only its keys
   * are set, with its values. `live` is false inside a commented-out section: a literal default is only
   * written active where the whole path to it is, so uncommenting a section sets nothing but what it
   * must (its required options, with `~` to fill in).
   */
  private fields(fields: readonly GenField[], given: Record<string, unknown> | undefined, indent: number, live: boolean): Block {
    const lines: string[] = [];
    let active = false;
    for (const f of fields) {
      const block = this.field(f, given, indent, live);
      if (indent === 0) lines.push('');
      lines.push(...block.lines);
      active ||= block.active;
    }
    return { lines, active };
  }

  private field(f: GenField, given: Record<string, unknown> | undefined, indent: number, live: boolean): Block {
    const pad = ' '.repeat(indent);
    const shape = this.shape(f.type);
    const d = f.parsedDefault;
    const notes: string[] = [];
    if (f.type.kind === 'enum' && f.type.values.length > 1) notes.push(`One of: ${f.type.values.join(', ')}.`);
    if (!f.optional) notes.push('Required.');
    const defaultNote = d.kind === 'reference' || (d.kind === 'descriptive' && !(shape.kind === 'section' && /^see /.test(d.text))) ? d.text : undefined;
    const width = WIDTH - indent - 2;
    const comments = [
      ...wrap([f.doc ?? '', ...notes].filter(Boolean).join(' '), width),
      ...(defaultNote ? wrap(`Default: ${defaultNote}`, width) : []),
    ].map((l) => `${pad}# ${l}`);

    // Whether the option is set (`on`; 'transparent': when one of its options is), and to what.
    let on: boolean | 'transparent';
    let value: { value: unknown } | undefined;
    if (given !== undefined) {
      on = f.name in given;
      value = on ? { value: given[f.name] } : defaultValue(d);
    } else if (d.kind === 'literal') {
      on = live && f.onlyWith === undefined;
      value = { value: d.value };
    } else if (d.kind === 'reference') {
      on = false;
      value = { value: d.value };
    } else if (!f.optional) {
      on = true;
    } else {
      on = shape.kind === 'section' && (d.kind === 'none' || /^see /.test(d.text)) ? 'transparent' : false;
    }

    if (shape.kind === 'section' && (value === undefined || isObject(value.value))) {
      const inner = this.fields(shape.fields, value?.value as Record<string, unknown> | undefined, indent + 2, live && on !== false);
      const isOn = on !== false && inner.active;
      const lines = [`${pad}${f.name}:`, ...inner.lines];
      return { lines: [...comments, ...(isOn ? lines : commentOut(lines, indent))], active: isOn };
    }
    if (shape.kind === 'list' && value === undefined) {
      const item = this.fields(shape.fields, undefined, indent + 4, live && on === true).lines;
      const first = item.findIndex((l) => !l.trimStart().startsWith('#'));
      if (first >= 0) item[first] = `${pad}  - ${item[first].slice(indent + 4)}`;
      else item.unshift(`${pad}  -`);
      const lines = [`${pad}${f.name}:`, ...item];
      return { lines: [...comments, ...(on === true ? lines : commentOut(lines, indent))], active: on === true };
    }
    const shown = value ?? exampleOf(f);
    const line = `${pad}${f.name}: ${shown === undefined ? '~' : flowYaml(shown.value)}`;
    return { lines: [...comments, on === true ? line : commentOut([line], indent)[0]], active: on === true };
  }
}

function defaultValue(d: ParsedDefault): { value: unknown } | undefined {
  return d.kind === 'literal' || d.kind === 'reference' ? { value: d.value } : undefined;
}

/** An example from the JSDoc ("e.g. `clearml.example.com`"), for string options. */
function exampleOf(f: GenField): { value: unknown } | undefined {
  const m = /e\.g\.,?\s*`([^`<>]+)`/.exec(f.doc ?? '');
  if (!m) return undefined;
  if (f.type.kind === 'string' || (f.type.kind === 'enum' && f.type.values.includes(m[1]))) return { value: m[1] };
  return undefined;
}

function commentOut(lines: readonly string[], indent: number): string[] {
  return lines.map((l) => `${' '.repeat(indent)}# ${l.slice(indent)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value on one line: scalars quoted only when YAML needs it, collections in flow style. */
function flowYaml(v: unknown): string {
  if (v === null || v === undefined) return '~';
  if (Array.isArray(v)) return `[${v.map(flowYaml).join(', ')}]`;
  if (isObject(v)) {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${flowYaml(k)}: ${flowYaml(x)}`).join(', ')} }` : '{}';
  }
  const text = stringify(v, { lineWidth: 0 }).trim();
  // Flow collections end at "," "]" "}": quote plain strings holding them.
  return typeof v === 'string' && /[,[\]{}]/.test(text) && !/^["']/.test(text) ? JSON.stringify(v) : text;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// API.md

interface Member {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly doc?: string;
  readonly default?: string;
}

class ApiRenderer {
  private readonly documented = new Set<string>();

  constructor(private readonly checker: ts.TypeChecker, private readonly exports: ReadonlyMap<string, ts.Symbol>, private readonly walker: SchemaWalker) {}

  render(root: string): string {
    const c = this.checker;
    const kinds = { constructs: [] as ts.Symbol[], classes: [] as ts.Symbol[], interfaces: [] as ts.Symbol[], types: [] as ts.Symbol[], functions: [] as ts.Symbol[], constants: [] as ts.Symbol[] };
    for (const name of [...this.exports.keys()].sort()) {
      const s = this.exports.get(name)!;
      const decl = s.declarations?.[0];
      if (!decl) continue;
      if (ts.isClassDeclaration(decl)) (this.extendsConstruct(decl) ? kinds.constructs : kinds.classes).push(s);
      else if (ts.isInterfaceDeclaration(decl)) kinds.interfaces.push(s);
      else if (ts.isTypeAliasDeclaration(decl)) kinds.types.push(s);
      else if (ts.isFunctionDeclaration(decl)) kinds.functions.push(s);
      else if (ts.isVariableDeclaration(decl)) kinds.constants.push(s);
    }
    kinds.constructs.sort((a, b) => Number(b.name === 'ClearmlServer') - Number(a.name === 'ClearmlServer'));

    // The options of ClearmlServer: the interfaces its props reach, in the order they are reached.
    const configuration: ts.Symbol[] = [];
    const visit = (s: ts.Symbol) => {
      if (configuration.includes(s)) return;
      configuration.push(s);
      for (const m of this.interfaceMembers(s)) {
        for (const id of m.type.match(/[A-Za-z_]\w*/g) ?? []) {
          const next = this.exports.get(id);
          if (next && kinds.interfaces.includes(next)) visit(next);
        }
      }
    };
    visit(this.exports.get(root)!);
    const others = kinds.interfaces.filter((s) => !configuration.includes(s));
    [...kinds.constructs, ...kinds.classes, ...kinds.interfaces, ...kinds.types].forEach((s) => this.documented.add(s.name));
    const paths = this.walker.pathsOfDefinitions(root);

    const out: string[] = [
      '# API reference',
      '',
      '<!-- Generated by `npm run gen` (scripts/gen-reference.ts) from lib/index.ts; do not edit. -->',
      '',
      'The exports of `cdk8s-clearml`. The [configuration](#configuration) interfaces are also the keys of the',
      'default app\'s configuration file; [clearml.example.yaml](clearml.example.yaml) lists every one with its default.',
      '',
      '- [Constructs](#constructs): ' + kinds.constructs.map((s) => this.link(s.name)).join(', '),
      '- [Classes](#classes): ' + kinds.classes.map((s) => this.link(s.name)).join(', '),
      '- [Configuration](#configuration): ' + configuration.map((s) => this.link(s.name)).join(', '),
      '- [Other interfaces](#other-interfaces): ' + others.map((s) => this.link(s.name)).join(', '),
      '- [Types](#types), [Functions](#functions), [Constants](#constants)',
      '',
      '## Constructs',
      '',
      ...kinds.constructs.flatMap((s) => this.classSection(s)),
      '## Classes',
      '',
      ...kinds.classes.flatMap((s) => this.classSection(s)),
      '## Configuration',
      '',
      `\`${root}\` and the interfaces of its options. "Path" is where an interface's options go in the configuration file.`,
      '',
      ...configuration.flatMap((s) => this.interfaceSection(s, paths.get(s.name) ?? (s.name === root ? [''] : undefined))),
      '## Other interfaces',
      '',
      ...others.flatMap((s) => this.interfaceSection(s, undefined)),
      '## Types',
      '',
      '| Type | Definition | Description |',
      '| --- | --- | --- |',
      ...kinds.types.map((s) => {
        const decl = s.declarations!.find(ts.isTypeAliasDeclaration)!;
        const written = squash(decl.type.getText());
        const resolved = c.typeToString(c.getDeclaredTypeOfSymbol(s), undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias);
        const same = resolved === s.name || resolved.replace(/'/g, '"') === written.replace(/'/g, '"') || ts.isTypeLiteralNode(decl.type);
        const definition = code(written) + (same ? '' : ` = ${code(resolved)}`);
        return `| <a id="${anchor(s.name)}"></a>\`${s.name}\` | ${definition} | ${md(docOf(c, s) ?? '')} |`;
      }),
      '',
      '## Functions',
      '',
      '| Function | Description |',
      '| --- | --- |',
      ...kinds.functions.map((s) => {
        const decl = s.declarations!.find(ts.isFunctionDeclaration)!;
        const signature = c.signatureToString(c.getSignatureFromDeclaration(decl)!, undefined, ts.TypeFormatFlags.NoTruncation);
        return `| ${code(s.name + signature)} | ${md(docOf(c, s) ?? '')} |`;
      }),
      '',
      '## Constants',
      '',
      '| Constant | Type | Description |',
      '| --- | --- | --- |',
      ...kinds.constants.map((s) => {
        const decl = s.valueDeclaration as ts.VariableDeclaration;
        const type = decl.type ? squash(decl.type.getText()) : c.typeToString(c.getTypeOfSymbol(s));
        return `| \`${s.name}\` | ${this.typeCell(type)} | ${md(docOf(c, s) ?? '')} |`;
      }),
      '',
    ];
    return out.join('\n');
  }

  private extendsConstruct(decl: ts.ClassDeclaration): boolean {
    let base = this.checker.getTypeAtLocation(decl).getBaseTypes?.()?.[0];
    for (let i = 0; base && i < 10; i++) {
      if (base.getSymbol()?.name === 'Construct') return true;
      base = base.getBaseTypes?.()?.[0];
    }
    return false;
  }

  private classSection(s: ts.Symbol): string[] {
    const c = this.checker;
    const decl = s.declarations!.find(ts.isClassDeclaration)!;
    const heritage = decl.heritageClauses?.map((h) => squash(h.getText())).join(' ');
    const ctor = decl.members.find(ts.isConstructorDeclaration);
    const params = ctor ? ctor.parameters.map((p) => `${p.name.getText()}${p.questionToken || p.initializer ? '?' : ''}: ${p.type ? squash(p.type.getText()) : c.typeToString(c.getTypeAtLocation(p))}`) : [];
    const isPublic = (m: ts.Node) => !(ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !(ts.isClassElement(m) && m.name && ts.isPrivateIdentifier(m.name));
    const members: Member[] = [];
    const memberDoc = (n: ts.Declaration & { name?: ts.PropertyName | ts.BindingName }) => {
      const sym = n.name ? c.getSymbolAtLocation(n.name) : undefined;
      return sym ? docOf(c, sym) : undefined;
    };
    for (const p of ctor?.parameters ?? []) {
      if (ts.isParameterPropertyDeclaration(p, ctor!) && isPublic(p)) {
        members.push({ name: p.name.getText(), type: p.type ? squash(p.type.getText()) : 'unknown', optional: !!p.questionToken, doc: memberDoc(p) });
      }
    }
    const methods: string[] = [];
    for (const m of decl.members) {
      if (!isPublic(m)) continue;
      if (ts.isPropertyDeclaration(m)) {
        const readonly = ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Readonly;
        const sym = c.getSymbolAtLocation(m.name);
        members.push({ name: `${readonly ? '' : '(mutable) '}${m.name.getText()}`, type: m.type ? squash(m.type.getText()) : c.typeToString(c.getTypeAtLocation(m)), optional: !!m.questionToken, doc: sym && docOf(c, sym) });
      } else if (ts.isGetAccessorDeclaration(m)) {
        const sym = c.getSymbolAtLocation(m.name);
        members.push({ name: m.name.getText(), type: m.type ? squash(m.type.getText()) : c.typeToString(c.getTypeAtLocation(m)), optional: false, doc: sym && docOf(c, sym) });
      } else if (ts.isMethodDeclaration(m)) {
        const signature = c.signatureToString(c.getSignatureFromDeclaration(m)!, undefined, ts.TypeFormatFlags.NoTruncation);
        methods.push(`| ${code(m.name.getText() + signature)} | ${md(memberDoc(m) ?? '')} |`);
      }
    }
    return [
      `### ${s.name}`,
      '',
      ...(docOf(c, s) ? [md(docOf(c, s)!), ''] : []),
      '```ts',
      `class ${s.name}${heritage ? ` ${heritage}` : ''}`,
      `new ${s.name}(${params.join(', ')})`,
      '```',
      '',
      ...(members.length ? [
        '| Property | Type | Description |',
        '| --- | --- | --- |',
        ...members.map((m) => `| \`${m.name}${m.optional ? '?' : ''}\` | ${this.typeCell(m.type)} | ${md(m.doc ?? '')} |`),
        '',
      ] : []),
      ...(methods.length ? ['| Method | Description |', '| --- | --- |', ...methods, ''] : []),
    ];
  }

  private interfaceMembers(s: ts.Symbol): Member[] {
    const c = this.checker;
    return c.getPropertiesOfType(c.getDeclaredTypeOfSymbol(s)).map((p) => {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const node = decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
      return {
        name: p.name,
        type: node ? squash(node.getText()) : c.typeToString(c.getTypeOfSymbol(p)),
        optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
        doc: docOf(c, p),
        default: defaultOf(c, p),
      };
    });
  }

  private interfaceSection(s: ts.Symbol, paths: readonly string[] | undefined): string[] {
    const c = this.checker;
    const decl = s.declarations!.find(ts.isInterfaceDeclaration)!;
    const bases = decl.heritageClauses?.flatMap((h) => h.types.map((t) => squash(t.getText()))) ?? [];
    const members = this.interfaceMembers(s);
    return [
      `### ${s.name}`,
      '',
      ...(docOf(c, s) ? [md(docOf(c, s)!), ''] : []),
      ...(bases.length ? [`Extends ${bases.map((b) => this.typeCell(b)).join(', ')}.`, ''] : []),
      ...(paths ? [`Path: ${paths.map((p) => (p ? code(p) : 'the top level')).join(', ')}.`, ''] : []),
      ...(members.length ? [
        '| Property | Type | Default | Description |',
        '| --- | --- | --- | --- |',
        ...members.map((m) => `| \`${m.name}${m.optional ? '?' : ''}\` | ${this.typeCell(m.type)} | ${defaultCell(m)} | ${md(m.doc ?? '')} |`),
        '',
      ] : ['No properties.', '']),
    ];
  }

  /** A type in code, then links to the documented names it uses. */
  private typeCell(type: string): string {
    const names = [...new Set(type.match(/[A-Za-z_]\w*/g) ?? [])].filter((n) => this.documented.has(n));
    if (names.length === 1 && names[0] === type) return this.link(type);
    return code(type) + (names.length ? ` (${names.map((n) => this.link(n)).join(', ')})` : '');
  }

  private link(name: string): string {
    return `[${name}](#${anchor(name)})`;
  }
}

function defaultCell(m: Member): string {
  if (m.default === undefined) return m.optional ? '' : '*required*';
  if (m.default.startsWith('-')) return md(m.default.replace(/^-\s*/, ''));
  return literalOfText(m.default) ? code(m.default) : md(m.default);
}

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text.replace(/\|/g, '\\|')}${ticks}`;
}

/** Markdown text for a table cell: code spans kept, `<`, `>` and `|` escaped elsewhere. */
function md(text: string): string {
  return text.split(/(`[^`]*`)/).map((part, i) => (i % 2 ? part.replace(/\|/g, '\\|') : part.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|'))).join('');
}

// ---------------------------------------------------------------------------------------------------
// docs/options.md

/** One option of the configuration file, by its path. */
interface OptionRow {
  readonly path: string;
  readonly field: GenField;
  /** The value the parent's default gives this option, when the option has no default of its own. */
  readonly inherited?: { value: unknown };
}

/** One `throw new ClearmlConfigError(option, message)` in lib/. */
interface Refusal {
  readonly option: string;
  readonly message: string;
  /** File relative to the root, and the enclosing function. */
  readonly file: string;
  readonly within: string;
}

/** Options whose defaults are a `<COMPONENT>_DEFAULT_RESOURCES` constant not named after the option. */
const RESOURCE_OPTIONS: Record<string, string> = { glue: 'agents[].resources', task: 'agents[].taskPods.resources' };

/** The `<COMPONENT>_DEFAULT_RESOURCES` constants of lib/index.ts, by option name (`ASYNC_DELETE` → `asyncDelete`). */
function defaultResources(root: string): Map<string, { requests: Record<string, string>; limits: Record<string, string> }> {
  const lib = require(path.join(root, 'lib')) as Record<string, unknown>;
  const out = new Map<string, { requests: Record<string, string>; limits: Record<string, string> }>();
  for (const name of Object.keys(lib).sort()) {
    const m = /^([A-Z_]+)_DEFAULT_RESOURCES$/.exec(name);
    if (m) out.set(m[1].toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), lib[name] as { requests: Record<string, string>; limits: Record<string, string> });
  }
  return out;
}

class OptionsRenderer {
  constructor(
    private readonly walker: SchemaWalker,
    private readonly program: ts.Program,
    private readonly root: string,
    private readonly resources: ReadonlyMap<string, { requests: Record<string, string>; limits: Record<string, string> }>,
  ) {}

  render(rootInterface: string): string {
    const rows = this.rows(this.walker.definitions.get(rootInterface)!.fields, '', new Set([rootInterface]));
    const groups = new Map<string, OptionRow[]>();
    for (const row of rows) {
      const top = row.path.split(/[.[]/)[0];
      const nested = rows.some((r) => r.path !== top && r.path.startsWith(`${top}.`));
      const key = nested ? top : '';
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const refusals = this.refusals();
    const named = refusals.filter((r) => !/^<[^>]+>$/.test(r.option));
    const shared = refusals.filter((r) => /^<[^>]+>$/.test(r.option));
    const table = (list: readonly OptionRow[]) => [
      '| Option | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      ...list.map((r) => `| ${code(r.path)} | ${this.typeCell(r.field)} | ${this.defaultCell(r)} | ${md(r.field.doc ?? '')} |`),
      '',
    ];
    return [
      '# Options reference',
      '',
      '<!-- Generated by `npm run gen` (scripts/gen-reference.ts) from the JSDoc and the checks in lib/; do not edit. -->',
      '',
      'Every option of `ClearmlServerProps`, by its path: the same key in `clearml.yaml` (nested mappings) and in',
      'TypeScript (nested objects). Every option is optional unless marked *required*; defaults are those of the',
      'JSDoc `@default` tags. [clearml.example.yaml](../clearml.example.yaml) is the same list as a file to copy,',
      'and [API.md](../API.md#configuration) shows the options grouped by interface. `[]` in a path is an item of',
      'a list, `<key>` a key of your choice. How to use the file: [Configuration](configuration.md).',
      '',
      ...[...groups.keys()].map((k) => `- ${k ? `[${code(k)}](#${anchor(k)})` : '[Top-level options](#top-level-options)'}`),
      '- [Default resources](#default-resources)',
      '- [Refused at synth time](#refused-at-synth-time)',
      '',
      ...[...groups.entries()].flatMap(([k, list]) => [k ? `## ${code(k)}` : '## Top-level options', '', ...table(list)]),
      '## Default resources',
      '',
      'What `<component>.resources` is merged onto (the `*_DEFAULT_RESOURCES` constants of the package):',
      '',
      '| Option | CPU request | Memory request | CPU limit | Memory limit |',
      '| --- | --- | --- | --- | --- |',
      ...[...this.resources.entries()].map(([component, r]) => {
        const option = RESOURCE_OPTIONS[component] ?? `${component}.resources`;
        if (!rows.some((row) => row.path === option)) throw new Error(`${component}: default resources of a component without a resources option (${option})`);
        return `| ${code(option)} | ${code(r.requests.cpu)} | ${code(r.requests.memory)} | ${code(r.limits.cpu)} | ${code(r.limits.memory)} |`;
      }),
      '',
      '## Refused at synth time',
      '',
      'Besides the shape the file must have (unknown keys, wrong types and values outside an enum are refused by',
      'the loader, with the closest valid key), these are the checks of lib/, read from its source: every',
      '`ClearmlConfigError`, with its option and message. `<...>` stands for a value filled in when the error is',
      'reported. All errors of a file are reported at once, and nothing is written.',
      '',
      '| Option | Message | Checked in |',
      '| --- | --- | --- |',
      ...named.map((r) => `| ${code(r.option)} | ${code(r.message)} | ${this.source(r)} |`),
      '',
      'Checks shared by many options (the option is named in the message):',
      '',
      '| Message | Checked in |',
      '| --- | --- |',
      ...shared.map((r) => `| ${code(r.message)} | ${this.source(r)} |`),
      '',
    ].join('\n');
  }

  /**
   * The options under `fields`, depth first; sections and lists of sections are followed. `given` is the
   * parent's literal default (`{ key: 'app', value: 'clearml' }`, `DEFAULT_VERSIONS`).
   */
  private rows(fields: readonly GenField[], prefix: string, seen: ReadonlySet<string>, given?: Record<string, unknown>): OptionRow[] {
    return fields.flatMap((f) => {
      const at = prefix ? `${prefix}.${f.name}` : f.name;
      const inherited = f.default === undefined && given && f.name in given ? { value: given[f.name] } : undefined;
      const own = defaultValue(f.parsedDefault) ?? inherited;
      const next = own && isObject(own.value) ? own.value : undefined;
      return [{ path: at, field: f, ...(inherited ? { inherited } : {}) }, ...this.nested(f.type, at, seen, next)];
    });
  }

  private nested(t: GenType, at: string, seen: ReadonlySet<string>, given: Record<string, unknown> | undefined): OptionRow[] {
    const def = this.walker.resolve(t);
    if (def) return def.kubernetes || seen.has(def.name) ? [] : this.rows(def.fields, at, new Set([...seen, def.name]), given);
    if (t.kind === 'object') return this.rows(t.fields as readonly GenField[], at, seen, given);
    if (t.kind === 'array') return this.nested(t.items, `${at}[]`, seen, undefined);
    if (t.kind === 'map') return this.nested(t.values, `${at}.<key>`, seen, undefined);
    if (t.kind === 'union') return t.types.flatMap((u) => this.nested(u, at, seen, given));
    return [];
  }

  private defaultCell(r: OptionRow): string {
    const f = r.field;
    const inherited = r.inherited && code(flowYaml(r.inherited.value));
    if (inherited) return f.optional ? inherited : `*required* (${inherited} when the section is left out)`;
    return defaultCell({ name: f.name, type: f.typeText, optional: f.optional, default: f.default });
  }

  /** The written type, and the allowed values of an enum. */
  private typeCell(f: GenField): string {
    const names = [...new Set(f.typeText.match(/[A-Za-z_]\w*/g) ?? [])].filter((n) => this.walker.definitions.has(n) && !this.walker.definitions.get(n)!.kubernetes);
    const links = names.map((n) => `[${n}](../API.md#${anchor(n)})`);
    const values = f.type.kind === 'enum' && f.type.values.length > 1 ? `: ${f.type.values.map((v) => code(v)).join(', ')}` : '';
    return code(f.typeText) + values + (links.length ? ` (${links.join(', ')})` : '');
  }

  private source(r: Refusal): string {
    return `[${r.file}](../${r.file}) (${code(r.within)})`;
  }

  /** Every `new ClearmlConfigError(option, message)` in lib/, in file and source order. */
  private refusals(): Refusal[] {
    const out: Refusal[] = [];
    const files = this.program.getSourceFiles()
      .filter((f) => !f.isDeclarationFile && path.relative(this.root, f.fileName).startsWith(`lib${path.sep}`))
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
    for (const file of files) {
      const rel = path.relative(this.root, file.fileName).split(path.sep).join('/');
      const visit = (n: ts.Node): void => {
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'ClearmlConfigError' && n.arguments?.length === 2) {
          out.push({ option: textOf(n.arguments[0]), message: textOf(n.arguments[1]), file: rel, within: enclosingName(n) });
        }
        ts.forEachChild(n, visit);
      };
      visit(file);
    }
    return out;
  }
}

/** A string expression as text, with `<name>` for each value filled in at run time. */
function textOf(e: ts.Expression): string {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => `<${placeholderOf(s.expression)}>${s.literal.text}`).join('');
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return textOf(e.left) + textOf(e.right);
  if (ts.isParenthesizedExpression(e)) return textOf(e.expression);
  // `hint ? ' (try ...)' : ' (e.g. ...)'`: the text that needs no value.
  if (ts.isConditionalExpression(e)) return textOf(e.whenFalse);
  return `<${placeholderOf(e)}>`;
}

/** A short name for a value: `option`, `res.limits.memory` → `memory`, `types.map(...).join()` → `types`. */
function placeholderOf(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) return placeholderOf(e.expression.expression);
  if (ts.isElementAccessExpression(e)) return placeholderOf(e.expression);
  if (ts.isTypeOfExpression(e)) return 'type';
  if (ts.isParenthesizedExpression(e)) return placeholderOf(e.expression);
  return 'value';
}

/** The name of the function, method or class a node is in. */
function enclosingName(n: ts.Node): string {
  for (let p = n.parent; p; p = p.parent) {
    if ((ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) || ts.isClassDeclaration(p)) && p.name) return p.name.getText();
    if (ts.isConstructorDeclaration(p) && p.parent.name) return `${p.parent.name.text} constructor`;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) && p.initializer && (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer))) return p.name.text;
  }
  return 'module';
}

// ---------------------------------------------------------------------------------------------------
// Command line

function main(argv: readonly string[]): number {
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) {
    process.stderr.write(`usage: npm run gen [-- --check]\nunknown argument: ${unknown[0]}\n`);
    return 2;
  }
  const root = path.resolve(__dirname, '..');
  const outputs = generateReference(root);
  const stale = Object.keys(outputs).filter((file) => {
    const current = fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : undefined;
    return current !== outputs[file];
  });
  if (argv.includes('--check')) {
    for (const file of stale) process.stderr.write(`${file} is stale: run \`npm run gen\` and commit the result\n`);
    return stale.length ? 1 : 0;
  }
  for (const file of stale) {
    fs.writeFileSync(path.join(root, file), outputs[file]);
    process.stdout.write(`wrote ${file}\n`);
  }
  if (!stale.length) process.stdout.write('everything is up to date\n');
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
