/**
 * The configuration file of the default app (`clearml.yaml`, or the file `$CLEARML_CONFIG` names): YAML
 * holding `ClearmlServerProps`, checked strictly against the schema generated from the TypeScript props.
 * This module checks the file's shape (keys, types, allowed values); `ClearmlServer` checks the values
 * (quantities, names, combinations) as it does for TypeScript callers.
 *
 * `lib/index.ts` does not export it: it belongs to the default app (main.ts). Consumers who want the
 * same file format can import it from `lib/config/load`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseAllDocuments, Scalar } from 'yaml';
import type { ClearmlServerProps } from '../clearml-server';
import { ClearmlConfigError, ClearmlConfigErrors } from '../core/errors';
import { ConfigSchema } from './schema';
import { CONFIG_SCHEMA } from './schema.generated';
import { constructErrors, withoutPath } from './collect';
import { checkValue, ConfigPath, formatPath, kindOf, ShapeError, ShapeErrors } from './validate';

/** The file the default app reads from its working directory, when it exists. */
export const DEFAULT_CONFIG_FILE = 'clearml.yaml';
/** Environment variable naming another configuration file (which must then exist). */
export const CONFIG_FILE_ENV = 'CLEARML_CONFIG';

/**
 * A bad configuration file. `option` is the dotted path of the offending key (`mongo.storage.size`),
 * or '' for problems of the file as a whole (YAML syntax, several documents, not a mapping).
 */
export class ConfigFileError extends ClearmlConfigError {
  /** The file's other options, when they could be read without this key (for the construct's checks). */
  public rest?: LoadedConfig;

  constructor(option: string, public readonly reason: string, public readonly source?: string, public readonly line?: number) {
    super(option, reason);
    this.name = 'ConfigFileError';
    if (option === '') this.message = reason;
  }
}

/**
 * Several mistakes of one file. `config` holds the options without the refused keys, when the rest
 * could be read, so that the construct's own checks can run on them too.
 */
export class ConfigFileErrors extends ClearmlConfigErrors {
  constructor(errors: readonly ClearmlConfigError[], public readonly config?: LoadedConfig) {
    super(errors);
    this.name = 'ConfigFileErrors';
  }
}

/** A loaded configuration file. */
export interface LoadedConfig {
  /** The file name, as given. */
  readonly source: string;
  /** The props it sets. */
  readonly props: ClearmlServerProps;
  /** Line (1-based) where the file sets this option, or its closest parent; undefined when it sets neither. */
  lineOf(option: string): number | undefined;
}

/** Parses and checks a configuration file's text; throws `ConfigFileError` naming the offending key. */
export function loadConfig(text: string, source: string): ClearmlServerProps {
  return parseConfig(text, source).props;
}

/** Like `loadConfig`, and also keeps where each option is, for messages about values the construct refuses. */
export function parseConfig(text: string, source: string, schema: ConfigSchema = CONFIG_SCHEMA): LoadedConfig {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { uniqueKeys: true, lineCounter: lines, schema: 'core', merge: false, prettyErrors: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  if (!Array.isArray(docs) || docs.length === 0) {
    return { source, props: {}, lineOf: () => undefined };
  }
  if (docs.length > 1) {
    throw new ConfigFileError('', `holds ${docs.length} YAML documents; it must hold one mapping of options`, source, lineAt(docs[1].range[0]));
  }
  const doc = docs[0];
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const at = nodePathAt(doc, doc.contents, problem.pos[0], []);
    const pos = problem.linePos?.[0];
    const where = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
    const reason = problem.code === 'DUPLICATE_KEY'
      ? `duplicate key${where}`
      : `invalid YAML${where}: ${problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new ConfigFileError(at ? formatPath(at) : '', reason, source, pos?.line);
  }
  const lineOf = (option: string) => {
    const node = locateOption(doc, doc.contents, option);
    return lineAt(node?.range?.[0]);
  };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { source, props: {}, lineOf };
  }
  if (!isMap(doc.contents)) {
    throw new ConfigFileError('', `expected a mapping of options at the top level, got ${kindOf(doc.toJS())}`, source, lineAt(doc.contents.range?.[0]));
  }
  const bad = badKey(doc, doc.contents, []);
  if (bad) throw new ConfigFileError(formatPath(bad.at), bad.reason, source, lineAt(bad.offset));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. "Excessive alias count indicates a resource exhaustion attack"
    throw new ConfigFileError('', `invalid YAML: ${(e as Error).message}`, source);
  }
  // Every bad key at once: each round drops the keys it refused and checks the rest again.
  const errors: ConfigFileError[] = [];
  for (;;) {
    try {
      const props = checkValue(schema, { kind: 'ref', name: schema.root }, value, [], (p) => scalarSource(doc, p)) as ClearmlServerProps;
      const config = { source, props, lineOf };
      if (errors.length === 1) throw Object.assign(errors[0], { rest: config });
      if (errors.length) throw new ConfigFileErrors(errors, config);
      return config;
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      const found = e instanceof ShapeErrors ? e.all : [e];
      let rest: unknown = value;
      for (const f of found) {
        const option = formatPath(f.path);
        errors.push(new ConfigFileError(option, f.reason, source, lineOf(option)));
        rest = rest === undefined ? undefined : withoutPath(rest, f.path);
      }
      if (rest === undefined) throw errors.length === 1 ? errors[0] : new ConfigFileErrors(errors);
      value = rest;
    }
  }
}

/** Reads a configuration file; a missing or unreadable file is a `ConfigFileError` too. */
export function readConfigFile(file: string, source: string = file): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigFileError('', code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(e)})`, source);
  }
  return parseConfig(text, source);
}

/** The configuration file of the default app: `$CLEARML_CONFIG` (which must exist), else `clearml.yaml` when it exists. */
export function configFileFor(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  const named = env[CONFIG_FILE_ENV];
  if (named !== undefined && named !== '') return named;
  return fs.existsSync(path.join(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined;
}

/** `error: <file>: <option>: <message>`, and where the option is in the file when that is known. */
export function formatConfigError(e: ClearmlConfigError, config?: LoadedConfig, source = config?.source ?? '<props>'): string {
  if (e instanceof ClearmlConfigErrors) return e.errors.map((x) => formatConfigError(x, config, source)).join('\n');
  const file = e instanceof ConfigFileError && e.source !== undefined ? e.source : source;
  const line = e instanceof ConfigFileError ? e.line : config?.lineOf(e.option);
  return `error: ${file}: ${e.message}` + (line !== undefined ? `\n  at ${file}:${line}` : '');
}

/** Hooks of `withConfigFile`, for tests. */
export interface ConfigFileHooks {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where errors go. @default - process.stderr */
  readonly writeError?: (text: string) => void;
  /** How to stop. @default - process.exit */
  readonly exit?: (code: number) => never;
}

/**
 * What the default app does: loads the configuration file (if there is one) and builds with its props.
 * A configuration error, from the file or from the construct, is printed as
 * `error: <file>: <option>: <message>` and ends the process with code 1, before anything is synthesized.
 */
export function withConfigFile<T>(build: (props: ClearmlServerProps) => T, hooks: ConfigFileHooks = {}): T {
  const writeError = hooks.writeError ?? ((t: string) => process.stderr.write(t));
  const exit = hooks.exit ?? ((code: number) => process.exit(code));
  const file = configFileFor(hooks.env, hooks.cwd);
  let config: LoadedConfig | undefined;
  try {
    config = file === undefined ? undefined : readConfigFile(path.resolve(hooks.cwd ?? '.', file), file);
    return build(config?.props ?? {});
  } catch (e) {
    if (e instanceof ClearmlConfigError) {
      writeError(formatConfigError(allErrors(e, config), config ?? restOf(e), file) + '\n');
      return exit(1);
    }
    throw e;
  }
}

function restOf(e: ClearmlConfigError): LoadedConfig | undefined {
  return e instanceof ConfigFileErrors ? e.config : e instanceof ConfigFileError ? e.rest : undefined;
}

/** The file's shape errors and every error of the construct on the rest, in one list. */
function allErrors(e: ClearmlConfigError, config: LoadedConfig | undefined): ClearmlConfigError {
  const shape = e instanceof ConfigFileErrors ? e.errors : e instanceof ConfigFileError ? [e] : [];
  const rest = shape.length ? restOf(e) : config;
  const semantic = rest || !shape.length ? constructErrors(rest?.props ?? {}) : [];
  const all = [...shape, ...semantic];
  if (all.length === 0) return e;
  return all.length === 1 ? all[0] : new ClearmlConfigErrors(all);
}

// ---------------------------------------------------------------------------------------------------
// Where things are in the file

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** The path of the deepest key whose key or value spans this offset. */
function nodePathAt(doc: Document, node: unknown, offset: number, at: Array<string | number>): Array<string | number> | undefined {
  if (at.length > 64) return at;
  const n = resolve(doc, node);
  if (isMap(n)) {
    for (const pair of n.items) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      const start = key?.range?.[0] ?? value?.range?.[0];
      const end = value?.range?.[2] ?? key?.range?.[2];
      if (start !== undefined && end !== undefined && offset >= start && offset <= end) {
        const here = [...at, keyText(key)];
        if (key?.range && offset < key.range[2]) return here;
        return nodePathAt(doc, value, offset, here) ?? here;
      }
    }
  } else if (isSeq(n)) {
    for (const [i, item] of n.items.entries()) {
      const r = (item as Node | null)?.range;
      if (r && offset >= r[0] && offset <= r[2]) return nodePathAt(doc, item, offset, [...at, i]) ?? [...at, i];
    }
  }
  return at.length ? at : undefined;
}

/**
 * The node of an option path such as `exposure.ingress.hosts.app` or `imagePullSecrets[0]`: its key,
 * or the key of the closest parent the file sets. Keys may hold dots (annotations): the longest key
 * that matches wins.
 */
function locateOption(doc: Document, node: unknown, option: string): Node | undefined {
  const n = resolve(doc, node);
  if (option === '') return undefined;
  if (isMap(n)) {
    let best: { key: string; pair: (typeof n.items)[number] } | undefined;
    for (const pair of n.items) {
      const key = keyText(pair.key);
      if ((option === key || option.startsWith(`${key}.`) || option.startsWith(`${key}[`)) && (!best || key.length > best.key.length)) {
        best = { key, pair };
      }
    }
    if (!best || !isPair(best.pair)) return undefined;
    const rest = option.slice(best.key.length).replace(/^\./, '');
    return locateOption(doc, best.pair.value, rest) ?? (best.pair.key as Node);
  }
  if (isSeq(n)) {
    const m = /^\[(\d+)\]\.?/.exec(option);
    const item = m ? (n.items[Number(m[1])] as Node | undefined) : undefined;
    if (!m || !item) return undefined;
    return locateOption(doc, item, option.slice(m[0].length)) ?? item;
  }
  return undefined;
}

/**
 * The first key that is a list or a mapping (YAML allows them; options are named by strings), or the
 * first alias that refers to a collection containing it (which has no finite value).
 */
function badKey(doc: Document, node: unknown, at: Array<string | number>, within: ReadonlySet<unknown> = new Set(), done = new Set<unknown>()): { at: Array<string | number>; reason: string; offset?: number } | undefined {
  const n = resolve(doc, node);
  if (within.has(n)) return { at, reason: 'an alias refers to a mapping or list that contains it', offset: (node as Node).range?.[0] };
  // Each node once, however many aliases refer to it (aliases can multiply a small file's size).
  if (done.has(n)) return undefined;
  done.add(n);
  const inner = new Set([...within, n]);
  if (isMap(n)) {
    for (const pair of n.items) {
      if (pair.key !== null && !isScalar(resolve(doc, pair.key))) return { at, reason: 'keys must be plain strings, not lists or mappings', offset: (pair.key as Node).range?.[0] };
      const found = badKey(doc, pair.value, [...at, keyText(pair.key)], inner, done);
      if (found) return found;
    }
  } else if (isSeq(n)) {
    for (const [i, item] of n.items.entries()) {
      const found = badKey(doc, item, [...at, i], inner, done);
      if (found) return found;
    }
  }
  return undefined;
}

/** A scalar's text as written, e.g. `7.40` for a version YAML read as the number 7.4. */
function scalarSource(doc: Document, p: ConfigPath): string | undefined {
  const node = resolve(doc, doc.getIn(p, true));
  return isScalar(node) && typeof (node as Scalar).source === 'string' ? (node as Scalar).source : undefined;
}
