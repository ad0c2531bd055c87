/**
 * Offline validator for synthesized manifests: answers "would a Kubernetes 1.27+ API server accept
 * every one of these objects, applied in this order with `kubectl apply -f`?" without a cluster.
 *
 * Three layers:
 *  1. schema:         the kubernetes-models (1.27) JSON-schema validators: types, required fields, enums
 *                     (which kinds a 1.27 server serves at all comes from k8s.js, see layer 2);
 *  2. unknown fields: a field graph parsed once from cdk8s-plus-27's generated `k8s.js`
 *                     (the 1.27 OpenAPI schema), because the schema validators accept any extra key;
 *  3. API rules:      the hand-written checks of kubernetes `pkg/apis/<group>/validation` that no schema
 *                     expresses (name formats, uniqueness, cross-field rules), plus rules across the set
 *                     (duplicates, apply order, references, PV/PVC binding, node ports).
 *
 * And, unless `storedAsWritten: false`: nothing the API server would store differently from the
 * manifest (fields it omits, non-canonical quantities), so that re-applying changes no object.
 */
import * as fs from 'fs';
import { isIP } from 'net';
import { canonicalQuantity, compareQuantities, isQuantity } from '../util/quantity';
import { isMonitoringKind, monitoringFindings } from './monitoring-validate';

/** One problem: which object, where in it, what is wrong. */
export interface Violation {
  /** e.g. "apps/v1 Deployment clearml/clearml-apiserver" */
  readonly object: string;
  /** JSON-pointer-ish, e.g. "spec.template.spec.containers[0].ports[1].name" */
  readonly path: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** Report namespaced objects whose Namespace is not created in the set (built-in namespaces excepted). */
  readonly requireNamespaces?: boolean;
  /** Report references (ServiceAccount, PVC, ConfigMap, Secret, Service, PV, Role...) to objects not in the set. */
  readonly requireReferences?: boolean;
  /**
   * Also report what the API server would store differently from the manifest (fields it omits,
   * non-canonical quantities), which makes every re-apply write the object again. @default true
   */
  readonly storedAsWritten?: boolean;
}

/** Validates a whole set of manifests (as parsed from YAML: plain objects). Returns [] when all is fine. */
export function validateManifests(objects: ReadonlyArray<any>, options: ValidateOptions = {}): Violation[] {
  const out: Violation[] = [];
  const ctxs = objects.map((obj, index) => new ObjCtx(obj, index, out));
  for (const ctx of ctxs) validateObject(ctx, options.storedAsWritten ?? true);
  for (const rule of SET_RULES) rule(ctxs, options);
  return out;
}

/** Convenience for jest: throws an Error listing every violation (one per line) when there is any. */
export function expectValidManifests(objects: ReadonlyArray<any>, options?: ValidateOptions): void {
  const violations = validateManifests(objects, options);
  if (violations.length === 0) return;
  const lines = violations.map(v => `${v.object}: ${v.path || '<object>'}: ${v.message}`);
  throw new Error(`${violations.length} invalid manifest field(s):\n${lines.join('\n')}`);
}

// ─── paths, contexts and small value helpers ────────────────────────────────────────────────────

type Seg = string | number;
type Path = ReadonlyArray<Seg>;

/** `spec.containers[0]["app.kubernetes.io/name"]`: identifiers dotted, indexes and odd keys bracketed. */
function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Record<string, any> => (isObj(v) ? v : {});
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const q = (v: unknown) => JSON.stringify(v);

/** An object being validated; collects its violations and the references it makes to other objects. */
class ObjCtx {
  readonly apiVersion: string;
  readonly kind: string;
  readonly group: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly id: string;
  readonly refs: Ref[] = [];
  readonly obj: any;
  /** Report what the API server stores differently from the manifest. */
  storedAsWritten = true;
  private readonly reported = new Set<string>();

  constructor(value: unknown, readonly index: number, private readonly out: Violation[]) {
    this.obj = value;
    const o = obj(value);
    const meta = obj(o.metadata);
    this.apiVersion = str(o.apiVersion) ?? '';
    this.kind = str(o.kind) ?? '';
    this.group = this.apiVersion.includes('/') ? this.apiVersion.split('/')[0] : '';
    this.name = str(meta.name);
    this.namespace = str(meta.namespace);
    const where = `${this.namespace ? `${this.namespace}/` : ''}${this.name ?? `#${index}`}`;
    this.id = `${this.apiVersion || '<no apiVersion>'} ${this.kind || '<no kind>'} ${where}`;
  }

  report(path: Path, message: string): void {
    const formatted = formatPath(path);
    this.reported.add(formatted);
    this.out.push({ object: this.id, path: formatted, message });
  }

  /** Whether something was already reported at exactly this path. */
  hasReport(path: Path): boolean {
    return this.reported.has(formatPath(path));
  }

  /** Records a reference to another object, resolved by the set rules (skipped when optional). */
  ref(kind: RefKind, name: unknown, path: Path, optional?: unknown, keys: KeyRef[] = []): void {
    if (optional === true || typeof name !== 'string' || name === '') return;
    const namespace = REF_KINDS[kind].namespaced ? this.namespace ?? '' : '';
    this.refs.push({ kind, namespace, name, path, keys });
  }
}

function get(root: unknown, path: Path): any {
  let cur: any = root;
  for (const seg of path) cur = isObj(cur) || Array.isArray(cur) ? (cur as any)[seg] : undefined;
  return cur;
}

// ─── name and value formats (k8s.io/apimachinery/pkg/util/validation) ──────────────────────────

/** Returns why `value` is invalid, or undefined when it is fine. */
type Check = (value: string) => string | undefined;

function format(re: RegExp, max: number, what: string): Check {
  return v => (v.length > max ? `must be no more than ${max} characters` : re.test(v) ? undefined : `must be ${what}`);
}

const LABEL_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123Label = format(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 63,
  "a DNS-1123 label (lowercase alphanumerics or '-', starting and ending with an alphanumeric)");
const dns1123Subdomain = format(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 253,
  "a DNS-1123 subdomain (lowercase alphanumerics, '-' or '.', starting and ending with an alphanumeric)");
const dns1035Label = format(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 63,
  "a DNS-1035 label (lowercase alphanumerics or '-', starting with a letter, ending with an alphanumeric)");
/** 1.27 rule; 1.30 relaxed it, but we must work on 1.27. */
const envVarName = format(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, Infinity,
  "a C identifier-like env var name (letters, digits, '_', '-' or '.', not starting with a digit)");
const labelValue: Check = v => (v === '' ? undefined : format(LABEL_PART, 63,
  "empty or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric")(v));

const configMapKey: Check = v => {
  if (v.length > 253) return 'must be no more than 253 characters';
  if (!/^[-._a-zA-Z0-9]+$/.test(v)) return "must consist of alphanumerics, '-', '_' or '.'";
  return v === '.' || v === '..' || v.startsWith('..') ? "must not be '.', '..' or start with '..'" : undefined;
};

/** IANA_SVC_NAME: what a named port must be so that probes and Services can refer to it. */
const portName: Check = v => {
  if (v.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(v)) return "must contain only lowercase alphanumerics or '-'";
  if (!/[a-z]/.test(v)) return 'must contain at least one letter';
  if (v.includes('--')) return "must not contain consecutive '-'";
  return v.startsWith('-') || v.endsWith('-') ? "must not begin or end with '-'" : undefined;
};

const qualifiedNamePart = format(LABEL_PART, 63, "alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");

/** Label/annotation keys: optional DNS-subdomain prefix and '/', then a name part. */
const qualifiedName: Check = v => {
  const parts = v.split('/');
  if (parts.length > 2) return "must be a qualified name: an optional DNS-subdomain prefix and '/', then a name";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === '') return 'prefix part must be non-empty';
    const p = dns1123Subdomain(parts[0]);
    if (p) return `prefix part ${p}`;
  }
  if (name === '') return 'name part must be non-empty';
  const problem = qualifiedNamePart(name);
  return problem && `name part ${problem}`;
};

/** RBAC object names are only path segments (e.g. "system:controller:foo" is fine). */
const pathSegment: Check = v =>
  v === '.' || v === '..' ? 'may not be "." or ".."' : /[/%]/.test(v) ? "may not contain '/' or '%'" : undefined;

/** Reports `value` at `path` if it is not a string accepted by `check`; `required` reports absence too. */
function checkString(ctx: ObjCtx, path: Path, value: unknown, check: Check, required = false): void {
  if (value === undefined || value === null || value === '') {
    if (required) ctx.report(path, 'is required');
    return;
  }
  if (typeof value !== 'string') return; // wrong types are the schema layer's business
  const problem = check(value);
  if (problem) ctx.report(path, `${q(value)} ${problem}`);
}

/** Reports `value` unless it is an integer within [min, max] (absent values pass unless required). */
function checkRange(ctx: ObjCtx, path: Path, value: unknown, min: number, max: number, required = false): void {
  if (value === undefined || value === null) {
    if (required) ctx.report(path, 'is required');
  } else if (typeof value === 'number' && (!Number.isInteger(value) || value < min || value > max)) {
    ctx.report(path, `${value} must be an integer between ${min} and ${max}`);
  }
}

/** A port given as number (1-65535) or IANA_SVC_NAME; returns the name if it is a valid named port. */
function checkPortNumOrName(ctx: ObjCtx, path: Path, value: unknown, required = true): string | undefined {
  if (typeof value === 'number') checkRange(ctx, path, value, 1, 65535);
  else if (typeof value === 'string') {
    const problem = portName(value);
    if (!problem) return value;
    ctx.report(path, `${q(value)} is neither a port number nor a valid port name: ${problem}`);
  } else if (required && value === undefined) ctx.report(path, 'is required');
  return undefined;
}

/** IntOrString "N" or "N%"; returns the parsed value or reports why not. */
function intOrPercent(ctx: ObjCtx, path: Path, value: unknown, maxPercent = 100): { n: number; percent: boolean } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return { n: value, percent: false };
  } else if (typeof value === 'string' && /^[0-9]+%$/.test(value)) {
    const n = parseInt(value, 10);
    if (n <= maxPercent) return { n, percent: true };
  }
  ctx.report(path, `${q(value)} must be a non-negative integer or a percentage (0-${maxPercent}%)`);
  return undefined;
}

function isCidr(v: string): boolean {
  const [ip, bits, extra] = v.split('/');
  const family = isIP(ip);
  return extra === undefined && family !== 0 && /^\d+$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Relative path without '..' elements (volume items, subPath). */
function checkRelativePath(ctx: ObjCtx, path: Path, value: unknown, required = false): void {
  checkString(ctx, path, value, v =>
    v.startsWith('/') ? 'must be a relative path'
      : v.split('/').includes('..') ? "must not contain '..'" : undefined, required);
}

/** Absolute path without '..' elements (hostPath, local). */
function checkAbsolutePath(ctx: ObjCtx, path: Path, value: unknown): void {
  checkString(ctx, path, value, v =>
    !v.startsWith('/') ? 'must be an absolute path'
      : v.split('/').includes('..') ? "must not contain '..'" : undefined, true);
}

/** Reports a later item whose key (computed by `keyOf`) repeats an earlier one. */
function checkUnique<T>(ctx: ObjCtx, items: ReadonlyArray<T>, keyOf: (item: T, i: number) => string | undefined,
  pathOf: (i: number) => Path, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else ctx.report(pathOf(i), `duplicate ${what} ${key} (first used at index ${first})`);
  });
}

// ─── quantities (via lib/util/quantity) ─────────────────────────────────────────────────────────

const quantityText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** Reports an invalid or negative (or, when `positive`, zero) quantity; returns its text when valid. */
function checkQuantity(ctx: ObjCtx, path: Path, value: unknown, positive = false): string | undefined {
  const text = quantityText(value);
  if (text === undefined) return undefined;
  if (!isQuantity(text)) {
    ctx.report(path, `${q(value)} is not a valid quantity`);
    return undefined;
  }
  const sign = compareQuantities(text, '0');
  if (sign < 0 || (positive && sign === 0)) {
    ctx.report(path, `${q(value)} must be ${positive ? 'greater than' : 'greater than or equal to'} 0`);
    return undefined;
  }
  const canonical = canonicalQuantity(text);
  if (ctx.storedAsWritten && canonical !== text) {
    ctx.report(path, `${q(value)} is stored by the API server as ${q(canonical)}: write ${q(canonical)} so a re-apply changes nothing`);
  }
  return text;
}

/** Container resource names: the standard ones, hugepages-<size>, or domain-qualified extended resources. */
const containerResourceName: Check = v => {
  if (['cpu', 'memory', 'ephemeral-storage'].includes(v)) return undefined;
  if (v.startsWith('hugepages-')) return isQuantity(v.slice('hugepages-'.length)) ? undefined : 'has an invalid page size';
  if (!v.includes('/')) return 'must be a standard resource (cpu, memory, ephemeral-storage, hugepages-*) or domain-qualified';
  return qualifiedName(v);
};

/** limits/requests: valid names and quantities, and every request <= its limit. */
function checkResources(ctx: ObjCtx, resources: unknown, path: Path, nameCheck: Check | undefined): void {
  const valid: Record<'limits' | 'requests', Record<string, string>> = { limits: {}, requests: {} };
  for (const part of ['limits', 'requests'] as const) {
    for (const [name, value] of Object.entries(obj(obj(resources)[part]))) {
      if (nameCheck) checkString(ctx, [...path, part, name], name, v => nameCheck(v) && `resource name ${nameCheck(v)}`);
      const text = checkQuantity(ctx, [...path, part, name], value);
      if (text !== undefined) valid[part][name] = text;
    }
  }
  for (const [name, request] of Object.entries(valid.requests)) {
    const limit = valid.limits[name];
    if (limit !== undefined && compareQuantities(request, limit) > 0) {
      ctx.report([...path, 'requests', name], `request ${request} must be less than or equal to the ${name} limit ${limit}`);
    }
  }
}

// ─── layer 1: JSON schema (kubernetes-models, generated from the 1.27 OpenAPI schema) ─────────

interface Model { validate(): void }
type ModelClass = new (data: unknown) => Model;
const modelCache = new Map<string, ModelClass | null>();

/** kubernetes-models/<group>/<version>/<Kind>; null when the package has no such kind. */
function modelClass(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion}/${kind}`;
  if (!modelCache.has(key)) {
    let cls: ModelClass | null = null;
    // Guard the require() against path tricks; real apiVersions and kinds always match these.
    if (/^([a-z0-9.-]+\/)?v[0-9]+[a-z0-9]*$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      try {
        cls = require(`kubernetes-models/${apiVersion}/${kind}`)[kind] ?? null; // eslint-disable-line
      } catch {
        cls = null;
      }
    }
    modelCache.set(key, cls);
  }
  return modelCache.get(key)!;
}

interface AjvError { instancePath: string; keyword: string; message?: string; params: Record<string, any> }

/** AJV's "/spec/ports/0/name" as path segments, telling array indexes from map keys by the data. */
function pointerPath(pointer: string, data: unknown): Seg[] {
  const path: Seg[] = [];
  let cur: any = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: Seg = Array.isArray(cur) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(seg);
    cur = cur == null ? undefined : cur[seg];
  }
  return path;
}

function schemaMessage(e: AjvError, branches: ReadonlyArray<AjvError>): string {
  switch (e.keyword) {
    case 'required': return 'is required';
    case 'enum': return `must be one of: ${arr(e.params.allowedValues).join(', ')}`;
    case 'type': return `must be ${e.params.type}`;
    case 'oneOf': case 'anyOf': return `must satisfy one of: ${branches.map(b => schemaMessage(b, [])).join(' | ')}`;
    default: return e.message ?? e.keyword;
  }
}

/**
 * Is this apiVersion+kind served by a 1.27 API server? kubernetes-models also carries versions that were
 * removed long ago (apps/v1beta2) or came later, so the served set is the one of k8s.js.
 */
function checkKnownKind(ctx: ObjCtx): boolean {
  if (fieldGraph().kinds.has(`${ctx.apiVersion} ${ctx.kind}`) && modelClass(ctx.apiVersion, ctx.kind)) return true;
  const what = `unknown apiVersion/kind ${q(`${ctx.apiVersion} ${ctx.kind}`)}`;
  if (modelClass(ctx.apiVersion, ctx.kind)) ctx.report(['apiVersion'], `${what}: not served by Kubernetes 1.27`);
  else ctx.report(['kind'], `${what}: no such Kubernetes API`);
  return false;
}

interface Finding { readonly path: Path; readonly message: string }

/** The schema's complaints; reported after the API rules, which say the same more precisely. */
function schemaFindings(ctx: ObjCtx): Finding[] {
  const Cls = modelClass(ctx.apiVersion, ctx.kind);
  if (!Cls) return [];
  try {
    new Cls(ctx.obj).validate();
    return [];
  } catch (err: any) {
    const errors: AjvError[] = arr(err?.errors);
    if (errors.length === 0) return [{ path: [], message: `schema validation failed: ${err?.message ?? err}` }];
    // oneOf/anyOf (IntOrString, Quantity) also list every failed branch at the same path: fold them into one line.
    const isCombinator = (e: AjvError) => e.keyword === 'oneOf' || e.keyword === 'anyOf';
    const combinators = new Set(errors.filter(isCombinator).map(e => e.instancePath));
    return errors.filter(e => isCombinator(e) || !combinators.has(e.instancePath)).map(e => {
      const path = pointerPath(e.instancePath, ctx.obj);
      if (e.keyword === 'required') path.push(e.params.missingProperty);
      const branches = isCombinator(e) ? errors.filter(b => b.instancePath === e.instancePath && !isCombinator(b)) : [];
      return { path, message: `schema: ${schemaMessage(e, branches)}` };
    });
  }
}

/** Alpha APIs are off by default and beta ones get removed (flowcontrol v1beta2 in 1.29...). */
function checkApiStability(ctx: ObjCtx): void {
  const version = ctx.apiVersion.split('/').pop() ?? '';
  if (/^v\d+(alpha|beta)\d+$/.test(version)) {
    ctx.report(['apiVersion'], `${q(ctx.apiVersion)} is not a stable API: not served by every Kubernetes 1.27+ cluster`);
  }
}

// ─── layer 2: unknown fields, against the field graph of cdk8s-plus-27's k8s.js (1.27) ────────

/** How a JSON field's value is shaped: opaque, or a typed object, array of objects, or map of objects. */
type Shape = { readonly kind: 'leaf' } | { readonly kind: 'object' | 'array' | 'map'; readonly type: string };
interface FieldGraph {
  /** type name (e.g. "PodSpec") -> JSON field name -> shape */
  readonly types: ReadonlyMap<string, ReadonlyMap<string, Shape>>;
  /** "apps/v1 Deployment" -> props type of the top-level object ("KubeDeploymentProps") */
  readonly kinds: ReadonlyMap<string, string>;
}

const LEAF: Shape = { kind: 'leaf' };
let graphCache: FieldGraph | undefined;

/**
 * Parses every `function toJson_<Type>(obj) { const result = { 'json': <expr>, ... }` of k8s.js.
 * The generator emits one field per line in a handful of forms; anything that does not call another
 * toJson_ (scalars, IntOrString/Quantity `.value`, string maps, free-form objects) is a leaf.
 */
function fieldGraph(): FieldGraph {
  if (graphCache) return graphCache;
  const src = fs.readFileSync(require.resolve('cdk8s-plus-27/lib/imports/k8s.js'), 'utf8');
  const types = new Map<string, Map<string, Shape>>();
  let current: string | undefined;
  let fields: Map<string, Shape> | undefined;
  for (const line of src.split('\n')) {
    if (line.startsWith('function toJson_')) {
      current = /^function toJson_(\w+)\(/.exec(line)?.[1];
    } else if (current && line === '    const result = {') {
      fields = new Map();
      types.set(current, fields);
    } else if (fields) {
      if (line === '    };') {
        fields = current = undefined;
      } else {
        const m = /^ {8}'([^']+)': (.*),$/.exec(line);
        if (m) fields.set(m[1], shapeOf(m[2]));
      }
    }
  }
  const kinds = new Map<string, string>();
  for (const m of src.matchAll(/^(\w+)\.GVK = \{\s*apiVersion: '([^']+)',\s*kind: '([^']+)',/gm)) {
    if (types.has(`${m[1]}Props`)) kinds.set(`${m[2]} ${m[3]}`, `${m[1]}Props`);
  }
  graphCache = { types, kinds };
  return graphCache;
}

function shapeOf(expr: string): Shape {
  let m: RegExpExecArray | null;
  if ((m = /^toJson_(\w+)\(obj\.\w+\)$/.exec(expr))) return { kind: 'object', type: m[1] };
  if ((m = /^obj\.\w+\?\.map\(y => toJson_(\w+)\(y\)\)$/.exec(expr))) return { kind: 'array', type: m[1] };
  if (expr.includes('Object.entries') && (m = /\[i\[0\]\]: toJson_(\w+)\(i\[1\]\)/.exec(expr))) return { kind: 'map', type: m[1] };
  // A map of plain values (labels, annotations, data, nodeSelector, resource limits): no type to walk into.
  if (expr.includes('Object.entries')) return { kind: 'map', type: '' };
  return LEAF;
}

function checkUnknownFields(ctx: ObjCtx): void {
  const graph = fieldGraph();
  const props = graph.kinds.get(`${ctx.apiVersion} ${ctx.kind}`);
  if (props) walkFields(ctx, graph, props, ctx.obj, [], ['apiVersion', 'kind']);
}

function walkFields(ctx: ObjCtx, graph: FieldGraph, type: string, value: unknown, path: Path, extra: string[] = []): void {
  const fields = graph.types.get(type);
  if (!fields || !isObj(value)) return; // non-objects are type errors, reported by the schema layer
  for (const [key, child] of Object.entries(value)) {
    const shape = fields.get(key);
    if (!shape) {
      if (!extra.includes(key)) ctx.report([...path, key], `unknown field ${q(key)} (not in the ${type.replace(/^Kube(.*)Props$/, '$1')} schema)`);
    } else if (shape.kind === 'object') {
      walkFields(ctx, graph, shape.type, child, [...path, key]);
    } else if (shape.kind === 'array') {
      arr(child).forEach((item, i) => walkFields(ctx, graph, shape.type, item, [...path, key, i]));
    } else if (shape.kind === 'map') {
      for (const [k, v] of Object.entries(obj(child))) walkFields(ctx, graph, shape.type, v, [...path, key, k]);
    }
  }
}

// ─── stored as written: fields the API server drops or rewrites ──────────────────────────────

/**
 * Fields (`Type.field`) whose empty string the API server keeps, because it means something: a claim
 * with `storageClassName: ""` opts out of dynamic provisioning (a PersistentVolume's is dropped).
 */
const KEPT_EMPTY_STRINGS = new Set(['PersistentVolumeClaimSpec.storageClassName', 'HostPathVolumeSource.type', 'RoleRef.apiGroup']);
/** Lists the API server keeps when empty (`json:"x"` without omitempty). */
const KEPT_EMPTY_LISTS = new Set(['KubeRoleProps.rules', 'KubeClusterRoleProps.rules', 'PolicyRule.verbs']);
/** Integer fields that are not pointers in the Go types: omitempty drops a 0. */
const OMITTED_ZEROS = new Set(['initialDelaySeconds', 'nodePort', 'hostPort', 'minReadySeconds']);
/** Boolean fields that are not pointers: omitempty drops a false. */
const OMITTED_FALSES = new Set(['readOnly', 'stdin', 'stdinOnce', 'tty', 'hostNetwork', 'hostPID', 'hostIPC', 'publishNotReadyAddresses']);

/**
 * What the API server stores must be what the manifest says, or every `kubectl apply` re-sends the
 * field and writes the object again (and GitOps tools show it out of sync): no empty strings, empty
 * lists, zeros or falses that it omits. Non-canonical quantities are reported by checkQuantity.
 */
function checkStoredAsWritten(ctx: ObjCtx): void {
  const graph = fieldGraph();
  const props = graph.kinds.get(`${ctx.apiVersion} ${ctx.kind}`);
  if (props) walkStored(ctx, graph, props, ctx.obj, []);
}

function walkStored(ctx: ObjCtx, graph: FieldGraph, type: string, value: unknown, path: Path): void {
  const fields = graph.types.get(type);
  if (!fields || !isObj(value)) return;
  const dropped = (key: string, what: string) =>
    ctx.report([...path, key], `${what} is omitted by the API server, so every apply sends it again: leave the field out`);
  for (const [key, child] of Object.entries(value)) {
    const shape = fields.get(key);
    if (!shape) continue;
    if (child === '' && !KEPT_EMPTY_STRINGS.has(`${type}.${key}`)) dropped(key, 'an empty string');
    else if (Array.isArray(child) && child.length === 0 && !KEPT_EMPTY_LISTS.has(`${type}.${key}`)) dropped(key, 'an empty list');
    else if (shape.kind === 'map' && isObj(child) && Object.keys(child).length === 0) dropped(key, 'an empty map');
    else if (child === 0 && OMITTED_ZEROS.has(key)) dropped(key, '0');
    else if (child === false && OMITTED_FALSES.has(key)) dropped(key, 'false');
    else if (shape.kind === 'object') walkStored(ctx, graph, shape.type, child, [...path, key]);
    else if (shape.kind === 'array') arr(child).forEach((item, i) => walkStored(ctx, graph, shape.type, item, [...path, key, i]));
    else if (shape.kind === 'map') for (const [k, v] of Object.entries(obj(child))) walkStored(ctx, graph, shape.type, v, [...path, key, k]);
  }
}

// ─── layer 3a: object metadata ─────────────────────────────────────────────────────────────────

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

function checkLabels(ctx: ObjCtx, labels: unknown, path: Path): void {
  for (const [key, value] of Object.entries(obj(labels))) {
    checkString(ctx, [...path, key], key, v => qualifiedName(v) && `key ${qualifiedName(v)}`);
    if (typeof value === 'string') {
      const problem = labelValue(value);
      if (problem) ctx.report([...path, key], `value ${q(value)} ${problem}`);
    }
  }
}

function checkAnnotations(ctx: ObjCtx, annotations: unknown, path: Path): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(obj(annotations))) {
    checkString(ctx, [...path, key], key, v => qualifiedName(v) && `key ${qualifiedName(v)}`);
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) ctx.report(path, `total size ${bytes} bytes exceeds ${ANNOTATIONS_MAX_BYTES}`);
}

/** Labels and annotations of any metadata block (top-level or template). */
function checkLabelsAndAnnotations(ctx: ObjCtx, meta: unknown, path: Path): void {
  checkLabels(ctx, obj(meta).labels, [...path, 'labels']);
  checkAnnotations(ctx, obj(meta).annotations, [...path, 'annotations']);
}

function checkObjectMeta(ctx: ObjCtx, spec: KindSpec): void {
  const meta = obj(ctx.obj.metadata);
  // `kubectl apply` needs a name; generateName only works with create.
  checkString(ctx, ['metadata', 'name'], meta.name, spec.name ?? dns1123Subdomain, true);
  if (spec.clusterScoped) {
    if (meta.namespace !== undefined) ctx.report(['metadata', 'namespace'], `must not be set: ${ctx.kind} is cluster-scoped`);
  } else {
    checkString(ctx, ['metadata', 'namespace'], meta.namespace, dns1123Label, true);
  }
  checkLabelsAndAnnotations(ctx, meta, ['metadata']);
}

// ─── layer 3b: label selectors ─────────────────────────────────────────────────────────────────

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function checkLabelSelector(ctx: ObjCtx, selector: unknown, path: Path): void {
  const sel = obj(selector);
  checkLabels(ctx, sel.matchLabels, [...path, 'matchLabels']);
  arr(sel.matchExpressions).forEach((e, i) => {
    const ep = [...path, 'matchExpressions', i];
    checkString(ctx, [...ep, 'key'], e?.key, qualifiedName, true);
    const values = arr(e?.values);
    const needsValues = e?.operator === 'In' || e?.operator === 'NotIn';
    if (!SELECTOR_OPERATORS.includes(e?.operator)) ctx.report([...ep, 'operator'], `${q(e?.operator)} must be one of: ${SELECTOR_OPERATORS.join(', ')}`);
    else if (needsValues && values.length === 0) ctx.report([...ep, 'values'], `must be non-empty for operator ${e.operator}`);
    else if (!needsValues && values.length > 0) ctx.report([...ep, 'values'], `must be empty for operator ${e.operator}`);
    values.forEach((v, j) => checkString(ctx, [...ep, 'values', j], v, labelValue));
  });
}

const selectorIsEmpty = (sel: unknown) =>
  Object.keys(obj(obj(sel).matchLabels)).length === 0 && arr(obj(sel).matchExpressions).length === 0;

/** metav1.LabelSelectorAsSelector(sel).Matches(labels) */
function selectorMatches(selector: unknown, labels: unknown): boolean {
  const sel = obj(selector);
  const set = obj(labels);
  const has = (k: string) => Object.prototype.hasOwnProperty.call(set, k);
  if (!Object.entries(obj(sel.matchLabels)).every(([k, v]) => has(k) && set[k] === v)) return false;
  return arr(sel.matchExpressions).every(e => {
    const values = arr(e?.values);
    switch (e?.operator) {
      case 'In': return has(e.key) && values.includes(set[e.key]);
      case 'NotIn': return !has(e.key) || !values.includes(set[e.key]);
      case 'Exists': return has(e.key);
      case 'DoesNotExist': return !has(e.key);
      default: return false;
    }
  });
}

// ─── layer 3c: pod specs (core/validation ValidatePodSpec and friends) ────────────────────────

/** What the owning kind allows in its pods. */
interface PodOwner {
  readonly restartPolicies?: ReadonlyArray<string>;
  /** Deployments/StatefulSets/DaemonSets/ReplicaSets run forever: activeDeadlineSeconds is forbidden. */
  readonly forbidActiveDeadline?: boolean;
  /** Volumes injected by the owner (StatefulSet volumeClaimTemplates). */
  readonly extraVolumes?: ReadonlyArray<string>;
}

function checkPodTemplate(ctx: ObjCtx, template: unknown, path: Path, owner: PodOwner): void {
  if (!isObj(template)) return; // required-ness is the schema's job
  checkLabelsAndAnnotations(ctx, template.metadata, [...path, 'metadata']);
  checkPodSpec(ctx, template.spec, [...path, 'spec'], owner);
}

function checkPodSpec(ctx: ObjCtx, specValue: unknown, path: Path, owner: PodOwner): void {
  if (!isObj(specValue)) return;
  const spec = specValue;
  const volumes = checkVolumes(ctx, spec, path);
  for (const name of owner.extraVolumes ?? []) volumes.add(name);
  checkContainers(ctx, spec, path, volumes);
  const restart = spec.restartPolicy ?? 'Always';
  if (owner.restartPolicies && !owner.restartPolicies.includes(restart)) {
    ctx.report([...path, 'restartPolicy'], `${q(restart)} is not supported for ${ctx.kind} pods; must be one of: ${owner.restartPolicies.join(', ')}`);
  }
  if (spec.activeDeadlineSeconds !== undefined) {
    if (owner.forbidActiveDeadline) ctx.report([...path, 'activeDeadlineSeconds'], `must not be set for ${ctx.kind} pods`);
    else checkRange(ctx, [...path, 'activeDeadlineSeconds'], spec.activeDeadlineSeconds, 1, Number.MAX_SAFE_INTEGER);
  }
  if (spec.dnsPolicy === 'None' && !isObj(spec.dnsConfig)) ctx.report([...path, 'dnsConfig'], "is required when dnsPolicy is 'None'");
  checkRange(ctx, [...path, 'terminationGracePeriodSeconds'], spec.terminationGracePeriodSeconds, 0, Number.MAX_SAFE_INTEGER);
  checkString(ctx, [...path, 'serviceAccountName'], spec.serviceAccountName, dns1123Subdomain);
  checkString(ctx, [...path, 'priorityClassName'], spec.priorityClassName, dns1123Subdomain);
  checkString(ctx, [...path, 'hostname'], spec.hostname, dns1123Label);
  checkString(ctx, [...path, 'subdomain'], spec.subdomain, dns1123Label);
  checkLabels(ctx, spec.nodeSelector, [...path, 'nodeSelector']);
  arr(spec.imagePullSecrets).forEach((s, i) =>
    checkString(ctx, [...path, 'imagePullSecrets', i, 'name'], s?.name, dns1123Subdomain, true));
  arr(spec.tolerations).forEach((t, i) => checkToleration(ctx, t, [...path, 'tolerations', i]));
  checkPodSecurityContext(ctx, spec.securityContext, [...path, 'securityContext']);
  ctx.ref('ServiceAccount', spec.serviceAccountName, [...path, 'serviceAccountName']);
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function checkToleration(ctx: ObjCtx, t: any, path: Path): void {
  checkString(ctx, [...path, 'key'], t?.key, qualifiedName);
  const operator = t?.operator ?? 'Equal';
  if (!t?.key && operator !== 'Exists') ctx.report([...path, 'operator'], "must be 'Exists' when key is empty");
  if (operator === 'Exists' && t?.value) ctx.report([...path, 'value'], "must be empty when operator is 'Exists'");
  else checkString(ctx, [...path, 'value'], t?.value, labelValue);
  if (t?.effect && !TAINT_EFFECTS.includes(t.effect)) ctx.report([...path, 'effect'], `${q(t.effect)} must be one of: ${TAINT_EFFECTS.join(', ')}`);
  if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute') ctx.report([...path, 'effect'], "must be 'NoExecute' when tolerationSeconds is set");
}

function checkPodSecurityContext(ctx: ObjCtx, sc: unknown, path: Path): void {
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup']) checkRange(ctx, [...path, field], obj(sc)[field], 0, 2147483647);
  arr(obj(sc).supplementalGroups).forEach((g, i) => checkRange(ctx, [...path, 'supplementalGroups', i], g, 0, 2147483647));
}

// ── volumes ──

/** Volume source members: the `*VolumeSource`-typed fields of Volume / PersistentVolumeSpec in the 1.27 schema. */
const sourceCache = new Map<string, ReadonlyArray<string>>();
function volumeSources(type: 'Volume' | 'PersistentVolumeSpec'): ReadonlyArray<string> {
  let sources = sourceCache.get(type);
  if (!sources) {
    sources = [...(fieldGraph().types.get(type) ?? new Map<string, Shape>()).entries()]
      .filter(([, s]) => s.kind !== 'leaf' && s.type.endsWith('VolumeSource')).map(([k]) => k);
    sourceCache.set(type, sources);
  }
  return sources;
}

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/** Validates spec.volumes and returns the set of defined volume names. */
function checkVolumes(ctx: ObjCtx, spec: Record<string, any>, podPath: Path): Set<string> {
  const names = new Set<string>();
  const sources = volumeSources('Volume');
  const volumes = arr(spec.volumes);
  volumes.forEach((v, i) => {
    const path = [...podPath, 'volumes', i];
    checkString(ctx, [...path, 'name'], v?.name, dns1123Label, true);
    if (typeof v?.name === 'string') names.add(v.name);
    // No source defaults to emptyDir; two sources are ambiguous.
    const given = sources.filter(s => obj(v)[s] !== undefined);
    if (given.length > 1) ctx.report(path, `may not specify more than 1 volume type (got ${given.join(', ')})`);
    checkVolumeSource(ctx, obj(v), path);
  });
  checkUnique(ctx, volumes, v => str(v?.name), i => [...podPath, 'volumes', i, 'name'], 'volume name');
  return names;
}

function checkVolumeSource(ctx: ObjCtx, v: Record<string, any>, path: Path): void {
  if (isObj(v.configMap)) {
    checkString(ctx, [...path, 'configMap', 'name'], v.configMap.name, dns1123Subdomain, true);
    const keys = checkKeyToPaths(ctx, v.configMap.items, [...path, 'configMap', 'items']);
    ctx.ref('ConfigMap', v.configMap.name, [...path, 'configMap', 'name'], v.configMap.optional, keys);
    checkRange(ctx, [...path, 'configMap', 'defaultMode'], v.configMap.defaultMode, 0, 0o777);
  }
  if (isObj(v.secret)) {
    checkString(ctx, [...path, 'secret', 'secretName'], v.secret.secretName, dns1123Subdomain, true);
    const keys = checkKeyToPaths(ctx, v.secret.items, [...path, 'secret', 'items']);
    ctx.ref('Secret', v.secret.secretName, [...path, 'secret', 'secretName'], v.secret.optional, keys);
    checkRange(ctx, [...path, 'secret', 'defaultMode'], v.secret.defaultMode, 0, 0o777);
  }
  if (isObj(v.persistentVolumeClaim)) {
    checkString(ctx, [...path, 'persistentVolumeClaim', 'claimName'], v.persistentVolumeClaim.claimName, dns1123Subdomain, true);
    ctx.ref('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, [...path, 'persistentVolumeClaim', 'claimName']);
  }
  if (isObj(v.hostPath)) {
    checkAbsolutePath(ctx, [...path, 'hostPath', 'path'], v.hostPath.path);
    if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(v.hostPath.type)) {
      ctx.report([...path, 'hostPath', 'type'], `${q(v.hostPath.type)} must be one of: ${HOST_PATH_TYPES.filter(Boolean).join(', ')}`);
    }
  }
  if (isObj(v.emptyDir)) checkQuantity(ctx, [...path, 'emptyDir', 'sizeLimit'], v.emptyDir.sizeLimit);
  if (isObj(v.projected)) checkProjected(ctx, v.projected, [...path, 'projected']);
}

/** items[].key/path of configMap/secret volumes; returns the keys (checked against the target object). */
function checkKeyToPaths(ctx: ObjCtx, items: unknown, path: Path): KeyRef[] {
  return arr(items).map((item, i) => {
    checkString(ctx, [...path, i, 'key'], item?.key, configMapKey, true);
    checkRelativePath(ctx, [...path, i, 'path'], item?.path, true);
    checkRange(ctx, [...path, i, 'mode'], item?.mode, 0, 0o777);
    return { key: String(item?.key), path: [...path, i, 'key'] };
  });
}

function checkProjected(ctx: ObjCtx, projected: Record<string, any>, path: Path): void {
  arr(projected.sources).forEach((s, i) => {
    const sp = [...path, 'sources', i];
    const kinds = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken'].filter(k => obj(s)[k] !== undefined);
    if (kinds.length !== 1) ctx.report(sp, `must specify exactly one projection source (got ${kinds.length})`);
    for (const [field, kind] of [['configMap', 'ConfigMap'], ['secret', 'Secret']] as const) {
      const src = obj(s)[field];
      if (!isObj(src)) continue;
      checkString(ctx, [...sp, field, 'name'], src.name, dns1123Subdomain, true);
      const keys = checkKeyToPaths(ctx, src.items, [...sp, field, 'items']);
      ctx.ref(kind, src.name, [...sp, field, 'name'], src.optional, keys);
    }
    const token = obj(s).serviceAccountToken;
    if (isObj(token)) {
      checkRelativePath(ctx, [...sp, 'serviceAccountToken', 'path'], token.path, true);
      checkRange(ctx, [...sp, 'serviceAccountToken', 'expirationSeconds'], token.expirationSeconds, 600, 2 ** 32);
    }
  });
}

// ── containers ──

interface PodScope {
  readonly volumes: ReadonlySet<string>;
  readonly hostNetwork: boolean;
  /** port name -> where it was first declared, across all containers of the pod */
  readonly portNames: Map<string, string>;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function checkContainers(ctx: ObjCtx, spec: Record<string, any>, podPath: Path, volumes: ReadonlySet<string>): void {
  if (arr(spec.containers).length === 0) ctx.report([...podPath, 'containers'], 'must have at least one container');
  if (spec.ephemeralContainers !== undefined) ctx.report([...podPath, 'ephemeralContainers'], 'cannot be set on create');
  const scope: PodScope = { volumes, hostNetwork: spec.hostNetwork === true, portNames: new Map() };
  const seen = new Map<string, string>(); // container names are unique across all lists
  for (const list of CONTAINER_LISTS) {
    arr(spec[list]).forEach((c, i) => {
      const path = [...podPath, list, i];
      checkString(ctx, [...path, 'name'], c?.name, dns1123Label, true);
      if (typeof c?.name === 'string') {
        const first = seen.get(c.name);
        if (first) ctx.report([...path, 'name'], `duplicate container name ${q(c.name)} (also ${first})`);
        else seen.set(c.name, formatPath(path));
      }
      if (list !== 'ephemeralContainers') checkContainer(ctx, obj(c), path, scope, list === 'initContainers');
    });
  }
}

function checkContainer(ctx: ObjCtx, c: Record<string, any>, path: Path, scope: PodScope, isInit: boolean): void {
  if (!c.image) ctx.report([...path, 'image'], 'is required');
  const portNames = checkContainerPorts(ctx, c, path, scope);
  checkEnv(ctx, c, path);
  checkVolumeMounts(ctx, c, path, scope);
  checkResources(ctx, c.resources, [...path, 'resources'], containerResourceName);
  // 1.27 has no sidecar init containers: init containers may not carry probes or lifecycle hooks.
  const probes = { livenessProbe: true, readinessProbe: false, startupProbe: true } as const;
  for (const [field, singleSuccess] of Object.entries(probes)) {
    if (c[field] === undefined) continue;
    if (isInit) ctx.report([...path, field], 'may not be set for init containers');
    else checkProbe(ctx, obj(c[field]), [...path, field], portNames, singleSuccess);
  }
  for (const hook of ['postStart', 'preStop']) {
    const handler = obj(c.lifecycle)[hook];
    if (handler === undefined) continue;
    if (isInit) ctx.report([...path, 'lifecycle', hook], 'may not be set for init containers');
    else checkHandler(ctx, obj(handler), [...path, 'lifecycle', hook], portNames, ['exec', 'httpGet', 'tcpSocket']);
  }
  checkSecurityContext(ctx, c.securityContext, [...path, 'securityContext']);
}

/** Ports of one container; returns the container's port names (for probes' named ports). */
function checkContainerPorts(ctx: ObjCtx, c: Record<string, any>, path: Path, scope: PodScope): Set<string> {
  const names = new Set<string>();
  const ports = arr(c.ports);
  ports.forEach((p, i) => {
    const pp = [...path, 'ports', i];
    checkRange(ctx, [...pp, 'containerPort'], p?.containerPort, 1, 65535, true);
    checkRange(ctx, [...pp, 'hostPort'], p?.hostPort, 0, 65535);
    if (scope.hostNetwork && p?.hostPort !== undefined && p?.hostPort !== 0 && p?.hostPort !== p?.containerPort) {
      ctx.report([...pp, 'hostPort'], 'must match containerPort when hostNetwork is true');
    }
    checkString(ctx, [...pp, 'name'], p?.name, portName);
    if (typeof p?.name !== 'string' || p.name === '') return;
    const first = scope.portNames.get(p.name);
    if (first) ctx.report([...pp, 'name'], `duplicate port name ${q(p.name)} in the pod (also ${first})`);
    else scope.portNames.set(p.name, formatPath(pp));
    names.add(p.name);
  });
  checkUnique(ctx, ports, p => (typeof p?.containerPort === 'number' ? `${p.containerPort}/${p.protocol ?? 'TCP'}` : undefined),
    i => [...path, 'ports', i, 'containerPort'], 'containerPort/protocol');
  return names;
}

/** Downward API field paths accepted by 1.27 for env vars. */
const ENV_FIELD_PATHS = /^(metadata\.(name|namespace|uid)|metadata\.(labels|annotations)\['[^']+'\]|spec\.(nodeName|serviceAccountName)|status\.(hostIP|podIP|podIPs))$/;
const ENV_RESOURCE_FIELDS = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/;

function checkEnv(ctx: ObjCtx, c: Record<string, any>, path: Path): void {
  const env = arr(c.env);
  env.forEach((e, i) => {
    const ep = [...path, 'env', i];
    checkString(ctx, [...ep, 'name'], e?.name, envVarName, true);
    if (e?.valueFrom === undefined) return;
    if (e?.value) ctx.report([...ep, 'valueFrom'], 'may not be specified when value is not empty');
    const from = obj(e.valueFrom);
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter(k => from[k] !== undefined);
    if (sources.length !== 1) ctx.report([...ep, 'valueFrom'], `must specify exactly one source (got ${sources.length})`);
    if (isObj(from.fieldRef)) checkString(ctx, [...ep, 'valueFrom', 'fieldRef', 'fieldPath'], from.fieldRef.fieldPath,
      v => (ENV_FIELD_PATHS.test(v) ? undefined : 'is not a supported downward API field path'), true);
    if (isObj(from.resourceFieldRef)) checkString(ctx, [...ep, 'valueFrom', 'resourceFieldRef', 'resource'], from.resourceFieldRef.resource,
      v => (ENV_RESOURCE_FIELDS.test(v) ? undefined : 'is not a supported container resource'), true);
    for (const [field, kind] of [['configMapKeyRef', 'ConfigMap'], ['secretKeyRef', 'Secret']] as const) {
      const ref = from[field];
      if (!isObj(ref)) continue;
      const rp = [...ep, 'valueFrom', field];
      checkString(ctx, [...rp, 'name'], ref.name, dns1123Subdomain, true);
      checkString(ctx, [...rp, 'key'], ref.key, configMapKey, true);
      ctx.ref(kind, ref.name, [...rp, 'name'], ref.optional, [{ key: String(ref.key), path: [...rp, 'key'] }]);
    }
  });
  checkUnique(ctx, env, e => str(e?.name), i => [...path, 'env', i, 'name'], 'env var');
  arr(c.envFrom).forEach((e, i) => {
    const ep = [...path, 'envFrom', i];
    checkString(ctx, [...ep, 'prefix'], e?.prefix, envVarName);
    const sources = ['configMapRef', 'secretRef'].filter(k => obj(e)[k] !== undefined);
    if (sources.length !== 1) ctx.report(ep, `must specify exactly one of configMapRef, secretRef (got ${sources.length})`);
    for (const [field, kind] of [['configMapRef', 'ConfigMap'], ['secretRef', 'Secret']] as const) {
      const ref = obj(e)[field];
      if (!isObj(ref)) continue;
      checkString(ctx, [...ep, field, 'name'], ref.name, dns1123Subdomain, true);
      ctx.ref(kind, ref.name, [...ep, field, 'name'], ref.optional);
    }
  });
}

function checkVolumeMounts(ctx: ObjCtx, c: Record<string, any>, path: Path, scope: PodScope): void {
  const mounts = arr(c.volumeMounts);
  mounts.forEach((m, i) => {
    const mp = [...path, 'volumeMounts', i];
    if (typeof m?.name === 'string' && !scope.volumes.has(m.name)) ctx.report([...mp, 'name'], `volume ${q(m.name)} is not defined in the pod`);
    checkString(ctx, [...mp, 'mountPath'], m?.mountPath, () => undefined, true);
    checkRelativePath(ctx, [...mp, 'subPath'], m?.subPath);
  });
  checkUnique(ctx, mounts, m => str(m?.mountPath), i => [...path, 'volumeMounts', i, 'mountPath'], 'mountPath');
  const devices = arr(c.volumeDevices);
  devices.forEach((d, i) => {
    if (typeof d?.name === 'string' && !scope.volumes.has(d.name)) ctx.report([...path, 'volumeDevices', i, 'name'], `volume ${q(d.name)} is not defined in the pod`);
  });
  checkUnique(ctx, devices, d => str(d?.devicePath), i => [...path, 'volumeDevices', i, 'devicePath'], 'devicePath');
}

/** A probe: one handler, sane thresholds; liveness/startup must succeed once. */
function checkProbe(ctx: ObjCtx, probe: Record<string, any>, path: Path, portNames: ReadonlySet<string>, singleSuccess: boolean): void {
  checkHandler(ctx, probe, path, portNames, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    checkRange(ctx, [...path, field], probe[field], 0, 2147483647);
  }
  if (singleSuccess && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    ctx.report([...path, 'successThreshold'], `${probe.successThreshold} must be 1 for liveness and startup probes`);
  }
  checkRange(ctx, [...path, 'terminationGracePeriodSeconds'], probe.terminationGracePeriodSeconds, 1, Number.MAX_SAFE_INTEGER);
}

/** Probe/lifecycle handler: exactly one action; numeric ports in range, named ports declared by the container. */
function checkHandler(ctx: ObjCtx, handler: Record<string, any>, path: Path, portNames: ReadonlySet<string>, actions: string[]): void {
  const given = actions.filter(a => handler[a] !== undefined);
  if (given.length !== 1) {
    ctx.report(path, `must specify exactly one handler of ${actions.join(', ')} (got ${given.length ? given.join(', ') : 'none'})`);
  }
  for (const action of ['httpGet', 'tcpSocket']) {
    if (!isObj(handler[action])) continue;
    const pp = [...path, action, 'port'];
    const name = checkPortNumOrName(ctx, pp, handler[action].port);
    if (name && !portNames.has(name)) ctx.report(pp, `named port ${q(name)} is not declared by the container`);
  }
  if (isObj(handler.grpc)) checkRange(ctx, [...path, 'grpc', 'port'], handler.grpc.port, 1, 65535, true);
}

function checkSecurityContext(ctx: ObjCtx, sc: unknown, path: Path): void {
  const s = obj(sc);
  for (const field of ['runAsUser', 'runAsGroup']) checkRange(ctx, [...path, field], s[field], 0, 2147483647);
  if (s.allowPrivilegeEscalation !== false) return;
  // A privileged (or CAP_SYS_ADMIN) container can always escalate: the API refuses the contradiction.
  if (s.privileged === true) ctx.report([...path, 'allowPrivilegeEscalation'], 'cannot be false when privileged is true');
  if (arr(obj(s.capabilities).add).some(c => c === 'CAP_SYS_ADMIN' || c === 'SYS_ADMIN')) {
    ctx.report([...path, 'allowPrivilegeEscalation'], 'cannot be false when capabilities.add contains SYS_ADMIN');
  }
}

// ─── layer 3d: per-kind rules ──────────────────────────────────────────────────────────────────

type Rule = (ctx: ObjCtx) => void;

interface KindSpec {
  readonly clusterScoped?: boolean;
  /** metadata.name format (default: DNS-1123 subdomain). */
  readonly name?: Check;
  readonly rules?: ReadonlyArray<Rule>;
}

const ALWAYS = ['Always'];
const RUN_TO_COMPLETION = ['OnFailure', 'Never'];

/** Controllers selecting pods by spec.selector (a LabelSelector): non-empty and matching the template. */
function selectorMatchesTemplate(selectorPath: Path, templatePath: Path): Rule {
  return ctx => {
    const selector = get(ctx.obj, selectorPath);
    if (selector === undefined) return; // schema: required
    checkLabelSelector(ctx, selector, selectorPath);
    if (selectorIsEmpty(selector)) ctx.report(selectorPath, `empty selector is invalid for ${ctx.kind}`);
    else if (!selectorMatches(selector, get(ctx.obj, [...templatePath, 'metadata', 'labels']))) {
      ctx.report([...templatePath, 'metadata', 'labels'], '`selector` does not match template `labels`');
    }
  };
}

function podTemplate(templatePath: Path, owner: PodOwner): Rule {
  return ctx => checkPodTemplate(ctx, get(ctx.obj, templatePath), templatePath, owner);
}

/** Long-running controllers: always restart, no deadline. */
function longRunning(...extra: Rule[]): ReadonlyArray<Rule> {
  const template = ['spec', 'template'];
  return [
    selectorMatchesTemplate(['spec', 'selector'], template),
    podTemplate(template, { restartPolicies: ALWAYS, forbidActiveDeadline: true }),
    ctx => checkRange(ctx, ['spec', 'replicas'], ctx.obj.spec?.replicas, 0, 2147483647),
    ctx => checkRange(ctx, ['spec', 'minReadySeconds'], ctx.obj.spec?.minReadySeconds, 0, 2147483647),
    ...extra,
  ];
}

function deploymentStrategy(ctx: ObjCtx): void {
  const strategy = obj(ctx.obj.spec?.strategy);
  const path = ['spec', 'strategy'];
  if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    ctx.report([...path, 'rollingUpdate'], "may not be specified when strategy type is 'Recreate'");
  }
  checkRollingUpdate(ctx, strategy.rollingUpdate, [...path, 'rollingUpdate'], true);
  const spec = obj(ctx.obj.spec);
  if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    ctx.report(['spec', 'progressDeadlineSeconds'], 'must be greater than minReadySeconds');
  }
}

/** maxUnavailable/maxSurge: int or percent, and not both zero (the rollout could never progress). */
function checkRollingUpdate(ctx: ObjCtx, ru: unknown, path: Path, hasSurge: boolean): void {
  if (!isObj(ru)) return;
  const unavailable = intOrPercent(ctx, [...path, 'maxUnavailable'], ru.maxUnavailable);
  const surge = hasSurge ? intOrPercent(ctx, [...path, 'maxSurge'], ru.maxSurge) : undefined;
  if (hasSurge && unavailable?.n === 0 && surge?.n === 0) ctx.report([...path, 'maxUnavailable'], 'may not be 0 when maxSurge is 0');
}

function daemonSetStrategy(ctx: ObjCtx): void {
  const strategy = obj(ctx.obj.spec?.updateStrategy);
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate !== undefined) {
    ctx.report(['spec', 'updateStrategy', 'rollingUpdate'], "may not be specified when type is 'OnDelete'");
  }
  checkRollingUpdate(ctx, strategy.rollingUpdate, ['spec', 'updateStrategy', 'rollingUpdate'], true);
}

function statefulSetRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  // Pods are "<name>-<ordinal>" and controller-revision-hash labels "<name>-<hash>": both must stay labels.
  if (ctx.name && ctx.name.length > 52) ctx.report(['metadata', 'name'], 'must be no more than 52 characters (pod and revision labels append a suffix)');
  checkString(ctx, ['spec', 'serviceName'], spec.serviceName, dns1035Label);
  ctx.ref('Service', spec.serviceName, ['spec', 'serviceName']);
  const strategy = obj(spec.updateStrategy);
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate !== undefined) {
    ctx.report(['spec', 'updateStrategy', 'rollingUpdate'], "only allowed for updateStrategy 'RollingUpdate'");
  }
  const claims = arr(spec.volumeClaimTemplates);
  claims.forEach((c, i) => {
    const path = ['spec', 'volumeClaimTemplates', i];
    checkString(ctx, [...path, 'metadata', 'name'], c?.metadata?.name, dns1123Label, true);
    checkLabelsAndAnnotations(ctx, c?.metadata, [...path, 'metadata']);
    checkClaimSpec(ctx, obj(c?.spec), [...path, 'spec']);
  });
  checkUnique(ctx, claims, c => str(c?.metadata?.name), i => ['spec', 'volumeClaimTemplates', i, 'metadata', 'name'], 'claim template name');
  checkPodTemplate(ctx, spec.template, ['spec', 'template'], {
    restartPolicies: ALWAYS, forbidActiveDeadline: true,
    extraVolumes: claims.map(c => c?.metadata?.name).filter((n): n is string => typeof n === 'string'),
  });
}

/** Jobs generate their selector unless manualSelector is set; a hand-written one is rejected. */
function jobRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  // The job-name label on its pods carries the Job name, so it must fit a label value.
  if (ctx.name && ctx.name.length > 63) ctx.report(['metadata', 'name'], 'must be no more than 63 characters (used as the job-name label)');
  if (spec.manualSelector === true) {
    if (spec.selector === undefined) ctx.report(['spec', 'selector'], 'is required when manualSelector is true');
    else selectorMatchesTemplate(['spec', 'selector'], ['spec', 'template'])(ctx);
  } else if (spec.selector !== undefined) {
    ctx.report(['spec', 'selector'], '`selector` not auto-generated: remove it or set manualSelector: true');
  }
  checkJobSpec(ctx, spec, ['spec']);
}

function checkJobSpec(ctx: ObjCtx, spec: Record<string, any>, path: Path): void {
  for (const field of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    checkRange(ctx, [...path, field], spec[field], 0, 2147483647);
  }
  checkRange(ctx, [...path, 'activeDeadlineSeconds'], spec.activeDeadlineSeconds, 1, Number.MAX_SAFE_INTEGER);
  checkPodTemplate(ctx, spec.template, [...path, 'template'], { restartPolicies: RUN_TO_COMPLETION });
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function cronJobRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  // Job names are "<cronjob>-<11-char timestamp suffix>" and must fit a 63-char label.
  if (ctx.name && ctx.name.length > 52) ctx.report(['metadata', 'name'], 'must be no more than 52 characters');
  checkString(ctx, ['spec', 'schedule'], spec.schedule, cronSchedule, true);
  const jobPath = ['spec', 'jobTemplate', 'spec'];
  const job = obj(spec.jobTemplate?.spec);
  checkLabelsAndAnnotations(ctx, spec.jobTemplate?.metadata, ['spec', 'jobTemplate', 'metadata']);
  if (job.selector !== undefined) ctx.report([...jobPath, 'selector'], '`selector` will be auto-generated');
  if (job.manualSelector === true) ctx.report([...jobPath, 'manualSelector'], 'must not be true in a job template');
  checkJobSpec(ctx, job, jobPath);
}

const cronSchedule: Check = v => {
  const s = v.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'cannot use TZ or CRON_TZ in schedule, use the timeZone field instead';
  if (CRON_MACROS.includes(s) || /^@every \S+$/.test(s)) return undefined;
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  return fields.every(f => /^[0-9A-Za-z*?,/-]+$/.test(f)) ? undefined : 'contains invalid characters';
};

function replicationControllerRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  const labels = obj(spec.template?.metadata?.labels);
  checkLabels(ctx, spec.selector, ['spec', 'selector']);
  // An absent selector defaults to the template labels; a given one must be a subset of them.
  if (isObj(spec.selector) && !Object.entries(spec.selector).every(([k, v]) => labels[k] === v)) {
    ctx.report(['spec', 'template', 'metadata', 'labels'], '`selector` does not match template `labels`');
  }
  checkPodTemplate(ctx, spec.template, ['spec', 'template'], { restartPolicies: ALWAYS, forbidActiveDeadline: true });
}

// ── Services ──

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const NODE_PORT_RANGE = [30000, 32767] as const;
const KUBELET_PORT = 10250;

function serviceRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) return; // the schema reports it; type-dependent rules would only add noise
  const ports = arr(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    checkString(ctx, ['spec', 'externalName'], spec.externalName, dns1123Subdomain, true);
    if (spec.clusterIP) ctx.report(['spec', 'clusterIP'], 'must be empty for ExternalName services');
  } else if (ports.length === 0 && !headless) {
    ctx.report(['spec', 'ports'], 'is required (at least one port) unless the Service is headless');
  }
  if (headless && type !== 'ClusterIP') ctx.report(['spec', 'clusterIP'], `may not be 'None' for ${type} services`);
  if (spec.clusterIP && !headless && !isIP(spec.clusterIP)) ctx.report(['spec', 'clusterIP'], `${q(spec.clusterIP)} must be empty, 'None', or a valid IP address`);
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
  if (spec.externalTrafficPolicy !== undefined && !externallyAccessible) {
    ctx.report(['spec', 'externalTrafficPolicy'], 'may only be set for externally-accessible (NodePort or LoadBalancer) services');
  }
  if (spec.sessionAffinityConfig !== undefined && spec.sessionAffinity !== 'ClientIP') {
    ctx.report(['spec', 'sessionAffinityConfig'], "must not be set unless sessionAffinity is 'ClientIP'");
  }
  checkRange(ctx, ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, 1, 86400);
  checkLabels(ctx, spec.selector, ['spec', 'selector']);
  ports.forEach((p, i) => checkServicePort(ctx, obj(p), ['spec', 'ports', i], type, ports.length > 1));
  checkUnique(ctx, ports, p => str(p?.name) || undefined, i => ['spec', 'ports', i, 'name'], 'port name');
  checkUnique(ctx, ports, p => (typeof p?.port === 'number' ? `${p.port}/${p.protocol ?? 'TCP'}` : undefined), i => ['spec', 'ports', i, 'port'], 'port/protocol');
  checkUnique(ctx, ports, p => (p?.nodePort ? `${p.nodePort}/${p.protocol ?? 'TCP'}` : undefined), i => ['spec', 'ports', i, 'nodePort'], 'nodePort/protocol');
}

function checkServicePort(ctx: ObjCtx, p: Record<string, any>, path: Path, type: string, nameRequired: boolean): void {
  // The API wants a DNS-1123 label; we insist on IANA_SVC_NAME (<=15) so the name can also be a container port name.
  if (nameRequired && !p.name) ctx.report([...path, 'name'], 'is required when the Service has more than one port');
  else checkString(ctx, [...path, 'name'], p.name, portName);
  checkRange(ctx, [...path, 'port'], p.port, 1, 65535, true);
  if (type === 'LoadBalancer' && p.port === KUBELET_PORT) ctx.report([...path, 'port'], `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`);
  if (p.targetPort !== 0 && p.targetPort !== '') checkPortNumOrName(ctx, [...path, 'targetPort'], p.targetPort, false);
  if (p.nodePort === undefined || p.nodePort === 0) return;
  if (type !== 'NodePort' && type !== 'LoadBalancer') ctx.report([...path, 'nodePort'], `may not be used when type is '${type}'`);
  else checkRange(ctx, [...path, 'nodePort'], p.nodePort, ...NODE_PORT_RANGE);
}

// ── Ingress ──

const INGRESS_PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];

const ingressHost: Check = v => {
  if (isIP(v)) return 'must be a DNS name, not an IP address';
  const host = v.startsWith('*.') ? v.slice(2) : v;
  return dns1123Subdomain(host) && `must be a DNS-1123 subdomain (a wildcard '*.' is allowed as the first label)`;
};

function ingressRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  if (spec.defaultBackend === undefined && arr(spec.rules).length === 0) ctx.report(['spec'], 'either defaultBackend or rules must be specified');
  checkString(ctx, ['spec', 'ingressClassName'], spec.ingressClassName, dns1123Subdomain);
  if (spec.defaultBackend !== undefined) checkIngressBackend(ctx, obj(spec.defaultBackend), ['spec', 'defaultBackend']);
  arr(spec.tls).forEach((t, i) => {
    arr(t?.hosts).forEach((h, j) => checkString(ctx, ['spec', 'tls', i, 'hosts', j], h, ingressHost));
    // Not a reference we require: TLS secrets are often issued later (cert-manager).
    checkString(ctx, ['spec', 'tls', i, 'secretName'], t?.secretName, dns1123Subdomain);
  });
  arr(spec.rules).forEach((r, i) => {
    const rp = ['spec', 'rules', i];
    checkString(ctx, [...rp, 'host'], r?.host, ingressHost);
    if (r?.http === undefined) return;
    const paths = arr(r.http.paths);
    if (paths.length === 0) ctx.report([...rp, 'http', 'paths'], 'must have at least one path');
    paths.forEach((p, j) => checkIngressPath(ctx, obj(p), [...rp, 'http', 'paths', j]));
  });
}

function checkIngressPath(ctx: ObjCtx, p: Record<string, any>, path: Path): void {
  if (!INGRESS_PATH_TYPES.includes(p.pathType)) ctx.report([...path, 'pathType'], `${q(p.pathType)} must be one of: ${INGRESS_PATH_TYPES.join(', ')}`);
  const value = str(p.path) ?? '';
  const exactOrPrefix = p.pathType === 'Exact' || p.pathType === 'Prefix';
  if ((value !== '' || exactOrPrefix) && !value.startsWith('/')) ctx.report([...path, 'path'], `${q(value)} must be an absolute path (start with '/')`);
  else if (exactOrPrefix && (INVALID_PATH_SEQUENCES.some(s => value.includes(s)) || value.endsWith('/..') || value.endsWith('/.'))) {
    ctx.report([...path, 'path'], `${q(value)} must not contain '//', '/./', '/../', '%2f' or end with '/.' or '/..'`);
  }
  checkIngressBackend(ctx, obj(p.backend), [...path, 'backend']);
}

function checkIngressBackend(ctx: ObjCtx, backend: Record<string, any>, path: Path): void {
  if ((backend.service === undefined) === (backend.resource === undefined)) {
    ctx.report(path, 'must specify exactly one of service, resource');
  }
  if (!isObj(backend.service)) return;
  const sp = [...path, 'service'];
  checkString(ctx, [...sp, 'name'], backend.service.name, dns1035Label, true);
  const port = obj(backend.service.port);
  if ((port.name === undefined) === (port.number === undefined)) ctx.report([...sp, 'port'], 'must specify exactly one of name, number');
  checkRange(ctx, [...sp, 'port', 'number'], port.number, 1, 65535);
  checkString(ctx, [...sp, 'port', 'name'], port.name, portName);
  ctx.ref('Service', backend.service.name, [...sp, 'name']);
}

// ── NetworkPolicy, PodDisruptionBudget, HPA, PriorityClass ──

const POLICY_TYPES = ['Ingress', 'Egress'];

function networkPolicyRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  checkLabelSelector(ctx, spec.podSelector, ['spec', 'podSelector']);
  const types = arr(spec.policyTypes);
  types.forEach((t, i) => { if (!POLICY_TYPES.includes(t)) ctx.report(['spec', 'policyTypes', i], `${q(t)} must be one of: Ingress, Egress`); });
  checkUnique(ctx, types, t => str(t), i => ['spec', 'policyTypes', i], 'policy type');
  for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[direction]).forEach((rule, i) => {
      const rp = ['spec', direction, i];
      arr(rule?.ports).forEach((p, j) => checkPolicyPort(ctx, obj(p), [...rp, 'ports', j]));
      arr(rule?.[peers]).forEach((peer, j) => checkPolicyPeer(ctx, obj(peer), [...rp, peers, j]));
    });
  }
}

function checkPolicyPort(ctx: ObjCtx, p: Record<string, any>, path: Path): void {
  checkPortNumOrName(ctx, [...path, 'port'], p.port, false);
  if (p.endPort === undefined) return;
  if (typeof p.port !== 'number') ctx.report([...path, 'endPort'], 'may not be set unless port is a number');
  else if (typeof p.endPort === 'number' && (p.endPort < p.port || p.endPort > 65535)) ctx.report([...path, 'endPort'], `must be between port (${p.port}) and 65535`);
}

function checkPolicyPeer(ctx: ObjCtx, peer: Record<string, any>, path: Path): void {
  const selectors = ['podSelector', 'namespaceSelector'].filter(k => peer[k] !== undefined);
  if (peer.ipBlock !== undefined && selectors.length > 0) ctx.report(path, 'may not combine ipBlock with podSelector or namespaceSelector');
  if (peer.ipBlock === undefined && selectors.length === 0) ctx.report(path, 'must specify a peer');
  for (const s of selectors) checkLabelSelector(ctx, peer[s], [...path, s]);
  if (!isObj(peer.ipBlock)) return;
  checkString(ctx, [...path, 'ipBlock', 'cidr'], peer.ipBlock.cidr, v => (isCidr(v) ? undefined : 'must be a valid CIDR'), true);
  arr(peer.ipBlock.except).forEach((c, i) => checkString(ctx, [...path, 'ipBlock', 'except', i], c, v => (isCidr(v) ? undefined : 'must be a valid CIDR')));
}

function podDisruptionBudgetRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    ctx.report(['spec', 'maxUnavailable'], 'minAvailable and maxUnavailable cannot be both set');
  }
  intOrPercent(ctx, ['spec', 'minAvailable'], spec.minAvailable);
  intOrPercent(ctx, ['spec', 'maxUnavailable'], spec.maxUnavailable);
  if (spec.selector !== undefined) checkLabelSelector(ctx, spec.selector, ['spec', 'selector']);
}

function hpaRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  checkRange(ctx, ['spec', 'minReplicas'], spec.minReplicas, 1, 2147483647);
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < (spec.minReplicas ?? 1)) {
    ctx.report(['spec', 'maxReplicas'], `must be greater than or equal to minReplicas (${spec.minReplicas ?? 1})`);
  }
}

function priorityClassRules(ctx: ObjCtx): void {
  // Values above one billion are reserved for the system-* classes.
  if (!ctx.name?.startsWith('system-') && typeof ctx.obj.value === 'number' && ctx.obj.value > 1e9) {
    ctx.report(['value'], 'must not exceed 1000000000 for user-defined priority classes');
  }
}

// ── RBAC ──

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function rbacRoleRules(ctx: ObjCtx): void {
  const namespaced = ctx.kind === 'Role';
  arr(ctx.obj.rules).forEach((r, i) => {
    const rp = ['rules', i];
    if (arr(r?.verbs).length === 0) ctx.report([...rp, 'verbs'], 'must have at least one verb');
    if (arr(r?.nonResourceURLs).length > 0) {
      if (namespaced) ctx.report([...rp, 'nonResourceURLs'], 'namespaced rules cannot apply to non-resource URLs');
      if (arr(r?.apiGroups).length > 0 || arr(r?.resources).length > 0) ctx.report([...rp, 'nonResourceURLs'], 'rules cannot apply to both regular resources and non-resource URLs');
    } else {
      if (arr(r?.apiGroups).length === 0) ctx.report([...rp, 'apiGroups'], 'resource rules must supply at least one api group');
      if (arr(r?.resources).length === 0) ctx.report([...rp, 'resources'], 'resource rules must supply at least one resource');
    }
  });
  if (!namespaced) {
    arr(ctx.obj.aggregationRule?.clusterRoleSelectors).forEach((s, i) =>
      checkLabelSelector(ctx, s, ['aggregationRule', 'clusterRoleSelectors', i]));
  }
}

function rbacBindingRules(ctx: ObjCtx): void {
  const namespaced = ctx.kind === 'RoleBinding';
  const roleRef = obj(ctx.obj.roleRef);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (roleRef.apiGroup !== RBAC_GROUP) ctx.report(['roleRef', 'apiGroup'], `${q(roleRef.apiGroup)} must be ${q(RBAC_GROUP)}`);
  if (!kinds.includes(roleRef.kind)) ctx.report(['roleRef', 'kind'], `${q(roleRef.kind)} must be one of: ${kinds.join(', ')}`);
  checkString(ctx, ['roleRef', 'name'], roleRef.name, pathSegment, true);
  if (kinds.includes(roleRef.kind)) ctx.ref(roleRef.kind, roleRef.name, ['roleRef', 'name']);
  arr(ctx.obj.subjects).forEach((s, i) => checkSubject(ctx, obj(s), ['subjects', i], namespaced));
}

function checkSubject(ctx: ObjCtx, s: Record<string, any>, path: Path, namespaced: boolean): void {
  if (s.kind === 'ServiceAccount') {
    checkString(ctx, [...path, 'name'], s.name, dns1123Subdomain, true);
    if (s.apiGroup) ctx.report([...path, 'apiGroup'], `must be empty for ServiceAccount subjects`);
    if (!namespaced && !s.namespace) ctx.report([...path, 'namespace'], 'is required for ServiceAccount subjects of a ClusterRoleBinding');
  } else if (s.kind === 'User' || s.kind === 'Group') {
    checkString(ctx, [...path, 'name'], s.name, () => undefined, true);
    if (s.apiGroup !== RBAC_GROUP) ctx.report([...path, 'apiGroup'], `${q(s.apiGroup)} must be ${q(RBAC_GROUP)} for ${s.kind} subjects`);
  } else {
    ctx.report([...path, 'kind'], `${q(s.kind)} must be one of: ServiceAccount, User, Group`);
  }
}

// ── storage ──

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

function checkAccessModes(ctx: ObjCtx, modes: unknown, path: Path): void {
  const list = arr(modes);
  if (list.length === 0) ctx.report(path, 'at least 1 access mode is required');
  list.forEach((m, i) => { if (!ACCESS_MODES.includes(m)) ctx.report([...path, i], `${q(m)} must be one of: ${ACCESS_MODES.join(', ')}`); });
  if (list.includes('ReadWriteOncePod') && list.length > 1) ctx.report(path, 'may not use ReadWriteOncePod with other access modes');
}

/** PVC spec (also StatefulSet volumeClaimTemplates). */
function checkClaimSpec(ctx: ObjCtx, spec: Record<string, any>, path: Path): void {
  checkAccessModes(ctx, spec.accessModes, [...path, 'accessModes']);
  const storage = quantityText(spec.resources?.requests?.storage);
  const storagePath = [...path, 'resources', 'requests', 'storage'];
  if (storage === undefined) ctx.report(storagePath, 'is required');
  else if (isQuantity(storage) && compareQuantities(storage, '0') === 0) ctx.report(storagePath, 'must be greater than 0');
  checkResources(ctx, spec.resources, [...path, 'resources'], undefined);
  checkString(ctx, [...path, 'storageClassName'], spec.storageClassName, dns1123Subdomain);
  checkString(ctx, [...path, 'volumeName'], spec.volumeName, dns1123Subdomain);
  if (spec.selector !== undefined) checkLabelSelector(ctx, spec.selector, [...path, 'selector']);
}

function persistentVolumeClaimRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  checkClaimSpec(ctx, spec, ['spec']);
  ctx.ref('PersistentVolume', spec.volumeName, ['spec', 'volumeName']);
}

function persistentVolumeRules(ctx: ObjCtx): void {
  const spec = obj(ctx.obj.spec);
  const sources = volumeSources('PersistentVolumeSpec').filter(s => spec[s] !== undefined);
  if (sources.length !== 1) ctx.report(['spec'], `must specify exactly one volume source (got ${sources.length ? sources.join(', ') : 'none'})`);
  const capacity = obj(spec.capacity);
  if (capacity.storage === undefined) ctx.report(['spec', 'capacity', 'storage'], 'is required');
  else checkQuantity(ctx, ['spec', 'capacity', 'storage'], capacity.storage, true);
  for (const key of Object.keys(capacity)) if (key !== 'storage') ctx.report(['spec', 'capacity', key], 'only storage capacity is supported');
  checkAccessModes(ctx, spec.accessModes, ['spec', 'accessModes']);
  checkString(ctx, ['spec', 'storageClassName'], spec.storageClassName, dns1123Subdomain);
  if (isObj(spec.hostPath)) checkAbsolutePath(ctx, ['spec', 'hostPath', 'path'], spec.hostPath.path);
  if (isObj(spec.local)) {
    checkAbsolutePath(ctx, ['spec', 'local', 'path'], spec.local.path);
    if (!isObj(spec.nodeAffinity?.required)) ctx.report(['spec', 'nodeAffinity', 'required'], 'local volumes require node affinity (nodeAffinity.required)');
  }
  const required = spec.nodeAffinity?.required;
  if (isObj(required) && arr(required.nodeSelectorTerms).length === 0) ctx.report(['spec', 'nodeAffinity', 'required', 'nodeSelectorTerms'], 'must have at least one term');
  if (isObj(spec.claimRef)) {
    checkString(ctx, ['spec', 'claimRef', 'name'], spec.claimRef.name, dns1123Subdomain, true);
    checkString(ctx, ['spec', 'claimRef', 'namespace'], spec.claimRef.namespace, dns1123Label, true);
  }
}

// ── ConfigMap / Secret ──

const DATA_MAX_BYTES = 1024 * 1024;

/** Keys of data-like maps, no key in two maps, total size within etcd's object limit. */
function checkDataMaps(ctx: ObjCtx, fields: ReadonlyArray<string>, decoded: (field: string, value: string) => number): void {
  const owner = new Map<string, string>();
  let bytes = 0;
  for (const field of fields) {
    for (const [key, value] of Object.entries(obj(ctx.obj[field]))) {
      checkString(ctx, [field, key], key, v => configMapKey(v) && `key ${configMapKey(v)}`);
      const first = owner.get(key);
      if (first && !(first === 'data' && field === 'stringData')) ctx.report([field, key], `duplicate key ${q(key)} (also in ${first})`);
      owner.set(key, field);
      if (typeof value === 'string') bytes += decoded(field, value);
    }
  }
  if (bytes > DATA_MAX_BYTES) ctx.report([], `data size ${bytes} bytes exceeds ${DATA_MAX_BYTES}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function configMapRules(ctx: ObjCtx): void {
  checkDataMaps(ctx, ['data', 'binaryData'], (f, v) => (f === 'binaryData' ? Buffer.from(v, 'base64').length : Buffer.byteLength(v)));
  checkBase64(ctx, 'binaryData');
}

function checkBase64(ctx: ObjCtx, field: string): void {
  for (const [key, value] of Object.entries(obj(ctx.obj[field]))) {
    if (typeof value === 'string' && (value.length % 4 !== 0 || !BASE64.test(value))) ctx.report([field, key], 'must be base64-encoded');
  }
}

/** Keys each built-in Secret type must carry. */
const SECRET_TYPE_KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function secretRules(ctx: ObjCtx): void {
  checkDataMaps(ctx, ['data', 'stringData'], (f, v) => (f === 'data' ? Buffer.from(v, 'base64').length : Buffer.byteLength(v)));
  checkBase64(ctx, 'data');
  const type = str(ctx.obj.type) ?? 'Opaque';
  const keys = new Set([...Object.keys(obj(ctx.obj.data)), ...Object.keys(obj(ctx.obj.stringData))]);
  for (const key of SECRET_TYPE_KEYS[type] ?? []) if (!keys.has(key)) ctx.report(['data', key], `is required for Secret type ${q(type)}`);
  if (type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) {
    ctx.report(['data'], 'must contain username or password for type "kubernetes.io/basic-auth"');
  }
  if (type === 'kubernetes.io/service-account-token' && !ctx.obj.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    ctx.report(['metadata', 'annotations', 'kubernetes.io/service-account.name'], 'is required for service-account-token Secrets');
  }
}

// ── the table ──

const WORKLOADS: Readonly<Record<string, ReadonlyArray<Rule>>> = {
  Deployment: longRunning(deploymentStrategy, ctx => checkRange(ctx, ['spec', 'revisionHistoryLimit'], ctx.obj.spec?.revisionHistoryLimit, 0, 2147483647)),
  ReplicaSet: longRunning(),
  DaemonSet: longRunning(daemonSetStrategy),
  StatefulSet: [selectorMatchesTemplate(['spec', 'selector'], ['spec', 'template']), statefulSetRules,
    ctx => checkRange(ctx, ['spec', 'replicas'], ctx.obj.spec?.replicas, 0, 2147483647)],
  Job: [jobRules],
  CronJob: [cronJobRules],
  ReplicationController: [replicationControllerRules],
  Pod: [ctx => checkPodSpec(ctx, ctx.obj.spec, ['spec'], {})],
  PodTemplate: [podTemplate(['template'], {})],
};

/** Kinds with rules or non-default scope/name format; anything else: namespaced, DNS-1123 subdomain name. */
const KINDS: Readonly<Record<string, KindSpec>> = {
  ...Object.fromEntries(Object.entries(WORKLOADS).map(([kind, rules]) => [kind, { rules }])),
  Namespace: { clusterScoped: true, name: dns1123Label },
  Service: { name: dns1035Label, rules: [serviceRules] },
  Ingress: { rules: [ingressRules] },
  NetworkPolicy: { rules: [networkPolicyRules] },
  PodDisruptionBudget: { rules: [podDisruptionBudgetRules] },
  HorizontalPodAutoscaler: { rules: [hpaRules] },
  ConfigMap: { rules: [configMapRules] },
  Secret: { rules: [secretRules] },
  PersistentVolumeClaim: { rules: [persistentVolumeClaimRules] },
  PersistentVolume: { clusterScoped: true, rules: [persistentVolumeRules] },
  Role: { name: pathSegment, rules: [rbacRoleRules] },
  ClusterRole: { clusterScoped: true, name: pathSegment, rules: [rbacRoleRules] },
  RoleBinding: { name: pathSegment, rules: [rbacBindingRules] },
  ClusterRoleBinding: { clusterScoped: true, name: pathSegment, rules: [rbacBindingRules] },
  PriorityClass: { clusterScoped: true, rules: [priorityClassRules] },
  ...Object.fromEntries([
    'Node', 'ComponentStatus', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'IngressClass', 'RuntimeClass',
    'CustomResourceDefinition', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
    'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'TokenReview', 'SubjectAccessReview',
    'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview',
  ].map(kind => [kind, { clusterScoped: true }])),
};

const kindSpec = (kind: string): KindSpec => KINDS[kind] ?? {};

function validateObject(ctx: ObjCtx, storedAsWritten: boolean): void {
  ctx.storedAsWritten = storedAsWritten;
  if (!isObj(ctx.obj)) return ctx.report([], 'must be an object');
  if (isMonitoringKind(ctx.apiVersion, ctx.kind)) return validateMonitoringObject(ctx);
  if (!checkKnownKind(ctx)) return; // nothing else is meaningful
  checkApiStability(ctx);
  const schema = schemaFindings(ctx);
  checkUnknownFields(ctx);
  if (storedAsWritten) checkStoredAsWritten(ctx);
  const spec = kindSpec(ctx.kind);
  checkObjectMeta(ctx, spec);
  for (const rule of spec.rules ?? []) rule(ctx);
  for (const f of schema) if (!ctx.hasReport(f.path)) ctx.report(f.path, f.message);
}

/** Prometheus Operator objects: their CRD schema and rules live in monitoring-validate.ts; metadata and selectors are checked here. */
function validateMonitoringObject(ctx: ObjCtx): void {
  checkObjectMeta(ctx, {});
  const spec = obj(ctx.obj.spec);
  if (isObj(spec.selector)) checkLabelSelector(ctx, spec.selector, ['spec', 'selector']);
  arr(spec.namespaceSelector?.matchNames).forEach((n, i) => checkString(ctx, ['spec', 'namespaceSelector', 'matchNames', i], n, dns1123Label));
  for (const f of monitoringFindings(ctx.obj, portName)) if (!ctx.hasReport(f.path)) ctx.report(f.path, f.message);
}

// ─── layer 3e: rules across the set ────────────────────────────────────────────────────────────

interface KeyRef { readonly key: string; readonly path: Path }
interface Ref { readonly kind: RefKind; readonly namespace: string; readonly name: string; readonly path: Path; readonly keys: ReadonlyArray<KeyRef> }

/** Kinds that objects refer to, with the names that always exist in a cluster. */
const REF_KINDS = {
  ConfigMap: { group: '', namespaced: true, builtin: (n: string) => n === 'kube-root-ca.crt' },
  Secret: { group: '', namespaced: true, builtin: () => false },
  ServiceAccount: { group: '', namespaced: true, builtin: (n: string) => n === 'default' },
  PersistentVolumeClaim: { group: '', namespaced: true, builtin: () => false },
  PersistentVolume: { group: '', namespaced: false, builtin: () => false },
  Service: { group: '', namespaced: true, builtin: () => false },
  Role: { group: RBAC_GROUP, namespaced: true, builtin: () => false },
  ClusterRole: { group: RBAC_GROUP, namespaced: false, builtin: (n: string) => ['cluster-admin', 'admin', 'edit', 'view'].includes(n) || n.startsWith('system:') },
} as const;
type RefKind = keyof typeof REF_KINDS;

const BUILTIN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

type SetRule = (ctxs: ReadonlyArray<ObjCtx>, options: ValidateOptions) => void;

const identity = (group: string, kind: string, namespace: string | undefined, name: string | undefined) =>
  `${group}|${kind}|${namespace ?? ''}|${name ?? ''}`;
const identityOf = (c: ObjCtx) => identity(c.group, c.kind, kindSpec(c.kind).clusterScoped ? undefined : c.namespace, c.name);

/** Objects by identity (first occurrence), built once per set. */
const indexCache = new WeakMap<ReadonlyArray<ObjCtx>, Map<string, ObjCtx>>();
function indexOf(ctxs: ReadonlyArray<ObjCtx>): Map<string, ObjCtx> {
  let index = indexCache.get(ctxs);
  if (!index) {
    index = new Map();
    for (const c of ctxs) if (c.name && !index.has(identityOf(c))) index.set(identityOf(c), c);
    indexCache.set(ctxs, index);
  }
  return index;
}

function duplicates(ctxs: ReadonlyArray<ObjCtx>): void {
  const index = indexOf(ctxs);
  for (const c of ctxs) {
    const first = c.name ? index.get(identityOf(c)) : c;
    if (first !== c) c.report(['metadata', 'name'], `duplicate object: same group, kind, namespace and name as object #${first!.index}`);
  }
}

/** `kubectl apply -f` creates in file order: a namespace must exist before its first object. */
function namespaces(ctxs: ReadonlyArray<ObjCtx>, options: ValidateOptions): void {
  const created = new Map<string, number>();
  for (const c of ctxs) if (c.kind === 'Namespace' && c.apiVersion === 'v1' && c.name && !created.has(c.name)) created.set(c.name, c.index);
  for (const c of ctxs) {
    if (!c.namespace || kindSpec(c.kind).clusterScoped || !(fieldGraph().kinds.has(`${c.apiVersion} ${c.kind}`) || isMonitoringKind(c.apiVersion, c.kind))) continue;
    const at = created.get(c.namespace);
    if (at === undefined) {
      if (options.requireNamespaces && !BUILTIN_NAMESPACES.has(c.namespace)) {
        c.report(['metadata', 'namespace'], `Namespace ${q(c.namespace)} is not created in the set`);
      }
    } else if (at > c.index) {
      c.report(['metadata', 'namespace'], `Namespace ${q(c.namespace)} is created after this object (object #${at}); it must come first`);
    }
  }
}

/**
 * Secrets that a bootstrap Job of the set creates in the cluster (never in the manifests), by identity,
 * with their keys: the `secret` and `mirrors` of each Job container's `BOOTSTRAP_SPEC`.
 */
function generatedSecrets(ctxs: ReadonlyArray<ObjCtx>): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const c of ctxs) {
    if (c.kind !== 'Job') continue;
    for (const container of arr(obj(obj(obj(c.obj.spec).template).spec).containers)) {
      const spec = arr(obj(container).env).map(obj).find((e) => e.name === 'BOOTSTRAP_SPEC')?.value;
      if (typeof spec !== 'string') continue;
      let parsed: any;
      try { parsed = JSON.parse(spec); } catch { continue; }
      for (const t of [parsed?.secret, ...(Array.isArray(parsed?.mirrors) ? parsed.mirrors : [])]) {
        if (typeof t?.name !== 'string' || typeof t?.namespace !== 'string') continue;
        const keys = Array.isArray(t.keys) ? t.keys : Object.keys(obj(t.keys));
        out.set(identity(REF_KINDS.Secret.group, 'Secret', t.namespace, t.name), keys.map(String));
      }
    }
  }
  return out;
}

/** References to objects outside the set (opt-in), and missing keys of referenced objects that are in it. */
function references(ctxs: ReadonlyArray<ObjCtx>, options: ValidateOptions): void {
  const index = indexOf(ctxs);
  const generated = generatedSecrets(ctxs);
  for (const c of ctxs) {
    for (const ref of c.refs) {
      const { group, namespaced, builtin } = REF_KINDS[ref.kind];
      const id = identity(group, ref.kind, namespaced ? ref.namespace : undefined, ref.name);
      const target = index.get(id);
      const made = generated.get(id);
      if (!target && made) {
        for (const key of ref.keys) {
          if (!made.includes(key.key)) c.report(key.path, `key ${q(key.key)} is not among the keys the bootstrap Job generates in ${ref.kind} ${q(ref.name)}`);
        }
        continue;
      }
      if (!target) {
        if (options.requireReferences && !builtin(ref.name)) {
          c.report(ref.path, `${ref.kind} ${q(namespaced ? `${ref.namespace}/${ref.name}` : ref.name)} is not in the set`);
        }
        continue;
      }
      const data = { ...obj(target.obj.data), ...obj(target.obj.binaryData), ...obj(target.obj.stringData) };
      for (const key of ref.keys) {
        if (!Object.prototype.hasOwnProperty.call(data, key.key)) c.report(key.path, `key ${q(key.key)} not found in ${ref.kind} ${q(ref.name)}`);
      }
    }
  }
}

/** Pre-bound PV <-> PVC pairs must agree, else the claim stays Pending forever. */
function volumeBindings(ctxs: ReadonlyArray<ObjCtx>, options: ValidateOptions): void {
  const index = indexOf(ctxs);
  const checked = new Set<string>();
  for (const c of ctxs) {
    if (c.kind === 'PersistentVolume' && isObj(c.obj.spec?.claimRef)) {
      const { name, namespace } = c.obj.spec.claimRef;
      const pvc = index.get(identity('', 'PersistentVolumeClaim', namespace, name));
      if (pvc) checkBinding(c, pvc, checked);
      else if (options.requireReferences && name && namespace) c.report(['spec', 'claimRef'], `PersistentVolumeClaim ${q(`${namespace}/${name}`)} is not in the set`);
    }
    if (c.kind === 'PersistentVolumeClaim' && typeof c.obj.spec?.volumeName === 'string') {
      const pv = index.get(identity('', 'PersistentVolume', undefined, c.obj.spec.volumeName));
      if (pv) checkBinding(pv, c, checked); // a missing PV is reported by `references`
    }
  }
}

function checkBinding(pv: ObjCtx, pvc: ObjCtx, checked: Set<string>): void {
  const key = `${pv.index}:${pvc.index}`;
  if (checked.has(key)) return;
  checked.add(key);
  const pvSpec = obj(pv.obj.spec);
  const claimSpec = obj(pvc.obj.spec);
  const claimRef = obj(pvSpec.claimRef);
  const pvcName = `${pvc.namespace}/${pvc.name}`;
  if (pvSpec.claimRef !== undefined && (claimRef.name !== pvc.name || claimRef.namespace !== pvc.namespace)) {
    pvc.report(['spec', 'volumeName'], `PersistentVolume ${q(pv.name)} is reserved for another claim (${claimRef.namespace ?? '<no namespace>'}/${claimRef.name})`);
  }
  if (claimSpec.volumeName !== undefined && claimSpec.volumeName !== pv.name) {
    pv.report(['spec', 'claimRef'], `claim ${q(pvcName)} asks for volume ${q(claimSpec.volumeName)}, not this one`);
  }
  // An unset claim class would get the default StorageClass at admission, which rarely is the PV's.
  const pvClass = pvSpec.storageClassName ?? '';
  if (claimSpec.storageClassName !== pvClass) {
    pvc.report(['spec', 'storageClassName'], `${q(claimSpec.storageClassName ?? '<unset>')} must equal the storageClassName ${q(pvClass)} of PersistentVolume ${q(pv.name)}`);
  }
  const capacity = quantityText(obj(pvSpec.capacity).storage);
  const request = quantityText(obj(claimSpec.resources?.requests).storage);
  if (capacity && request && isQuantity(capacity) && isQuantity(request) && compareQuantities(capacity, request) < 0) {
    pvc.report(['spec', 'resources', 'requests', 'storage'], `${request} exceeds the capacity ${capacity} of PersistentVolume ${q(pv.name)}`);
  }
  const pvModes = arr(pvSpec.accessModes);
  arr(claimSpec.accessModes).forEach((m, i) => {
    if (!pvModes.includes(m)) pvc.report(['spec', 'accessModes', i], `${q(m)} is not offered by PersistentVolume ${q(pv.name)} (${pvModes.join(', ')})`);
  });
}

/** Node ports are allocated cluster-wide: two Services cannot share one. */
function nodePorts(ctxs: ReadonlyArray<ObjCtx>): void {
  const owners = new Map<number, string>();
  for (const c of ctxs) {
    if (c.kind !== 'Service' || c.apiVersion !== 'v1') continue;
    const mine = new Set<number>();
    arr(c.obj.spec?.ports).forEach((p, i) => {
      if (typeof p?.nodePort !== 'number' || p.nodePort === 0 || mine.has(p.nodePort)) return;
      mine.add(p.nodePort);
      const owner = owners.get(p.nodePort);
      if (owner) c.report(['spec', 'ports', i, 'nodePort'], `nodePort ${p.nodePort} is already allocated to ${owner}`);
      else owners.set(p.nodePort, c.id);
    });
  }
}

/** A ServiceMonitor scrapes Service ports by name: the Services it selects in the set must have them (and exist, when references are required). */
function serviceMonitorTargets(ctxs: ReadonlyArray<ObjCtx>, options: ValidateOptions): void {
  const services = ctxs.filter(c => c.kind === 'Service' && c.apiVersion === 'v1');
  for (const c of ctxs) {
    if (c.kind !== 'ServiceMonitor' || !isMonitoringKind(c.apiVersion, c.kind)) continue;
    const spec = obj(c.obj.spec);
    if (spec.namespaceSelector?.any === true || !isObj(spec.selector)) continue;
    const namespaces: string[] = arr(spec.namespaceSelector?.matchNames).length ? arr(spec.namespaceSelector.matchNames) : [c.namespace ?? ''];
    const selected = services.filter(s => namespaces.includes(s.namespace ?? '') && selectorMatches(spec.selector, s.obj.metadata?.labels));
    if (selected.length === 0) {
      if (options.requireReferences) c.report(['spec', 'selector'], `selects no Service of the set in ${namespaces.map(n => q(n)).join(', ')}`);
      continue;
    }
    arr(spec.endpoints).forEach((e, i) => {
      if (typeof e?.port !== 'string') return;
      if (!selected.some(s => arr(s.obj.spec?.ports).some(p => p?.name === e.port))) {
        c.report(['spec', 'endpoints', i, 'port'], `no selected Service (${selected.map(s => s.name).join(', ')}) has a port named ${q(e.port)}`);
      }
    });
  }
}

const SET_RULES: ReadonlyArray<SetRule> = [duplicates, namespaces, references, volumeBindings, nodePorts, serviceMonitorTargets];
