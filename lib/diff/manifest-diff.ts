/**
 * Manifest review: what applying a change would do to a cluster, object by object.
 *
 *   npx clearml-diff origin/main                        # dist/ at a ref -> the current tree (synthesized)
 *   npx clearml-diff --from old/ --to new/              # two directories of manifests
 *   npx clearml-diff origin/main --format markdown > diff.md   # for a pull request comment
 *
 * (`npm run --silent diff -- ...` in this repository.) It works in any cdk8s project: the nearest
 * cdk8s.yaml names the project, its manifest directory (`output`, default dist) and its own `cdk8s synth`.
 *
 * Objects are matched by API group, kind, namespace and name. For each pair the field-level changes
 * are listed as JSON paths (arrays of named items such as containers, env, ports, volumes and
 * volumeMounts are matched by name, so inserting an env var reads as one addition). Changes that
 * `kubectl apply` cannot make in place (immutable fields) and changes that put data at risk (data
 * paths, volumes and claims removed or renamed, reclaim policy) are flagged.
 *
 * Exit codes: 0 no changes; 1 changes, all safe to apply; 2 changes that need attention (immutable
 * fields or data risk); 3 usage, loading or synthesis error.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { versionChangeFlags } from '../upgrade/manifest-versions';
import { findCdk8sCli, findCdk8sProject } from '../cli/project';
import { OPERATOR_PRUNE_ALLOWLIST, PRUNE_ALLOWLIST } from '../prune';

/** A Kubernetes object, as plain JSON. */
export type Manifest = Record<string, any>;

export const EXIT_NO_CHANGES = 0;
export const EXIT_SAFE_CHANGES = 1;
export const EXIT_ATTENTION = 2;
export const EXIT_ERROR = 3;

export const USAGE = 'usage: clearml-diff [<git-ref>] [--from <dir>] [--to <dir>] [--dir <path>] [--format text|markdown]\n'
  + '  <git-ref>, --ref <ref>  before: the manifests under --dir at this commit of the repository (default: HEAD)\n'
  + '  --from <dir>           before: a directory of manifests instead of a git ref\n'
  + '  --to <dir>             after: a directory of manifests (default: the project\'s `cdk8s synth` of the current tree)\n'
  + '  --dir <path>           manifest directory, for a git ref (default: the output of the project\'s cdk8s.yaml, else dist)\n'
  + '  --format <f>           text (default) or markdown (for a pull request comment)\n'
  + '  -h, --help             print this help\n'
  + 'Exit codes: 0 no changes; 1 changes, all safe to apply; 2 changes that need attention\n'
  + '(immutable fields or data risk); 3 usage, loading or synthesis error.\n';

/** A bad command line, an unreadable input or a failed synthesis. Exit code 3. */
export class ManifestDiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestDiffError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Parses a YAML stream (one or more documents) into objects; `List` kinds are flattened. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      throw new ManifestDiffError(`${source}: invalid YAML: ${doc.errors[0].message}`);
    }
    const value = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) {
      throw new ManifestDiffError(`${source}: a document is not a Kubernetes object`);
    }
    const items = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (!isPlainObject(item) || typeof item.apiVersion !== 'string' || typeof item.kind !== 'string' || typeof item.metadata?.name !== 'string') {
        throw new ManifestDiffError(`${source}: an object lacks apiVersion, kind or metadata.name`);
      }
      out.push(item);
    }
  }
  return out;
}

/** Every object of the *.yaml, *.yml and *.json files under a directory (recursively, sorted by path). */
export function loadManifestDir(dir: string): Manifest[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new ManifestDiffError(`${dir}: no such directory`);
  }
  if (!stat.isDirectory()) throw new ManifestDiffError(`${dir}: not a directory`);
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (MANIFEST_FILE.test(entry.name)) files.push(p);
    }
  };
  walk(dir);
  const objects = files.flatMap((f) => parseManifests(fs.readFileSync(f, 'utf8'), f));
  checkUnique(objects, dir);
  return objects;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    const detail = (e.stderr ? String(e.stderr) : e.message).trim();
    throw new ManifestDiffError(`git ${args.join(' ')} failed: ${detail}`);
  }
}

/**
 * Every object of the manifest files under `dir` (relative to `cwd`) as committed at `ref`, read with
 * `git ls-tree` and `git show`: nothing is checked out and the working tree is not touched.
 */
export function loadManifestsAtRef(ref: string, dir = 'dist', cwd = process.cwd()): Manifest[] {
  if (ref.startsWith('-')) throw new ManifestDiffError(`"${ref}" is not a git ref`);
  const root = git(['rev-parse', '--show-toplevel'], cwd).trim();
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root).trim();
  } catch {
    throw new ManifestDiffError(`"${ref}" is not a commit of the repository at ${root}`);
  }
  const rel = path.relative(root, path.resolve(cwd, dir)).split(path.sep).join('/');
  if (rel.startsWith('..')) throw new ManifestDiffError(`${dir} is outside the repository`);
  const listing = git(['ls-tree', '-r', '-z', '--name-only', commit, '--', rel === '' ? '.' : rel], root);
  const files = listing.split('\0').filter((f) => f !== '' && MANIFEST_FILE.test(f)).sort();
  if (files.length === 0) throw new ManifestDiffError(`no manifest files under ${rel || '.'}/ at ${ref}`);
  const objects = files.flatMap((f) => parseManifests(git(['show', `${commit}:${f}`], root), `${ref}:${f}`));
  checkUnique(objects, `${rel}/ at ${ref}`);
  return objects;
}

/**
 * Synthesizes the app of the cdk8s project around `cwd` (its own `cdk8s synth`, into a temporary
 * directory, removed afterwards) and returns its objects. The synth's own warnings go to `warn`.
 */
export function synthesizeCurrentTree(cwd = process.cwd(), warn: (s: string) => void = () => undefined): Manifest[] {
  const root = findCdk8sProject(cwd)?.root;
  if (root === undefined) throw new ManifestDiffError(`no cdk8s.yaml in ${path.resolve(cwd)} or a parent: run in a cdk8s project, or give --to <dir>`);
  const bin = findCdk8sCli(root);
  if (bin === undefined) throw new ManifestDiffError(`no node_modules/.bin/cdk8s in ${root} or a parent: run npm install (the project needs cdk8s-cli)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-diff-'));
  try {
    const r = spawnSync(bin, ['synth', '--check-upgrade=false', '--output', tmp], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw new ManifestDiffError(`cdk8s synth could not start: ${r.error.message}`);
    if (r.status !== 0) {
      throw new ManifestDiffError(`synthesis failed (cdk8s synth exited ${r.status ?? r.signal}):\n${(r.stderr || '') + (r.stdout || '')}`.trimEnd());
    }
    if (r.stderr) warn(r.stderr);
    return loadManifestDir(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Object identity
// ---------------------------------------------------------------------------------------------------

/** Who an object is: API group, kind, namespace and name. */
export interface ObjectRef {
  /** Identity key: `group|kind|namespace|name`. */
  readonly key: string;
  readonly apiVersion: string;
  /** API group, '' for the core group. */
  readonly group: string;
  readonly kind: string;
  /** '' when the manifest names none (cluster-scoped objects). */
  readonly namespace: string;
  readonly name: string;
  /** `Kind namespace/name` or `Kind name`. */
  readonly display: string;
}

export function objectRef(o: Manifest): ObjectRef {
  const apiVersion: string = o.apiVersion;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const namespace: string = o.metadata?.namespace ?? '';
  const name: string = o.metadata.name;
  return {
    key: `${group}|${o.kind}|${namespace}|${name}`,
    apiVersion,
    group,
    kind: o.kind,
    namespace,
    name,
    display: namespace ? `${o.kind} ${namespace}/${name}` : `${o.kind} ${name}`,
  };
}

function checkUnique(objects: readonly Manifest[], where: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const ref = objectRef(o);
    if (seen.has(ref.key)) throw new ManifestDiffError(`${where}: ${ref.display} (${ref.apiVersion}) appears twice`);
    seen.add(ref.key);
  }
}

// ---------------------------------------------------------------------------------------------------
// Field-level diff
// ---------------------------------------------------------------------------------------------------

/** One field-level change, at a JSON path such as `spec.template.spec.containers[name=api].env[name=X].value`. */
export interface FieldChange {
  readonly path: string;
  readonly op: 'added' | 'removed' | 'changed' | 'reordered';
  /** Absent for additions. */
  readonly before?: unknown;
  /** Absent for removals. */
  readonly after?: unknown;
  /** For `reordered`: the items that moved, with their new neighbour. */
  readonly moved?: readonly string[];
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(base: string, key: string): string {
  const seg = IDENT.test(key) ? key : `[${JSON.stringify(key)}]`;
  return base === '' ? (IDENT.test(key) ? key : seg) : IDENT.test(key) ? `${base}.${key}` : `${base}${seg}`;
}

/** Fields that identify an item of an array: the first one every item has, with distinct values. */
const ITEM_KEYS: ReadonlyArray<{ label: string; get: (item: Record<string, any>) => unknown }> = [
  { label: 'name', get: (i) => i.name },
  { label: 'name', get: (i) => (isPlainObject(i.metadata) ? i.metadata.name : undefined) }, // volumeClaimTemplates
  { label: 'mountPath', get: (i) => i.mountPath },
  { label: 'devicePath', get: (i) => i.devicePath },
  { label: 'containerPort', get: (i) => i.containerPort },
  { label: 'port', get: (i) => i.port },
  { label: 'key', get: (i) => i.key },
  { label: 'ip', get: (i) => i.ip },
];

function itemKey(before: unknown[], after: unknown[]): (typeof ITEM_KEYS)[number] | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  return ITEM_KEYS.find((k) => {
    const ok = (arr: unknown[]): boolean => {
      const vals = arr.map((i) => k.get(i as Record<string, any>));
      return vals.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(vals).size === vals.length;
    };
    return ok(before) && ok(after);
  });
}

function parseJsonContainer(s: string): unknown {
  const t = s.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** A longest common subsequence of two lists of distinct ids. */
function lcs<T>(a: readonly T[], b: readonly T[]): T[] {
  const t: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  }
  const out: T[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (t[i + 1][j] >= t[i][j + 1]) i++; else j++;
  }
  return out;
}

/** The field-level changes from `before` to `after`, in document order. */
export function diffFields(before: unknown, after: unknown, base = ''): FieldChange[] {
  const out: FieldChange[] = [];
  walkDiff(before, after, base, out);
  return out;
}

function walkDiff(before: unknown, after: unknown, at: string, out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const k of Object.keys(before)) {
      const p = childPath(at, k);
      if (!(k in after)) out.push({ path: p, op: 'removed', before: before[k] });
      else walkDiff(before[k], after[k], p, out);
    }
    for (const k of Object.keys(after)) {
      if (!(k in before)) out.push({ path: childPath(at, k), op: 'added', after: after[k] });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = itemKey(before, after);
    if (key) {
      const id = (i: unknown): string | number => key.get(i as Record<string, any>) as string | number;
      const seg = (v: string | number): string => `${at}[${key.label}=${v}]`;
      const afterById = new Map(after.map((i) => [id(i), i]));
      const beforeIds = new Set(before.map(id));
      for (const b of before) {
        const a = afterById.get(id(b));
        if (a === undefined) out.push({ path: seg(id(b)), op: 'removed', before: b });
        else walkDiff(b, a, seg(id(b)), out);
      }
      for (const a of after) {
        if (!beforeIds.has(id(a))) out.push({ path: seg(id(a)), op: 'added', after: a });
      }
      const commonBefore = before.map(id).filter((v) => afterById.has(v));
      const commonAfter = after.map(id).filter((v) => beforeIds.has(v));
      if (!deepEqual(commonBefore, commonAfter)) {
        const kept = new Set(lcs(commonBefore, commonAfter));
        const moved = commonAfter.map((v, i) => (kept.has(v) ? undefined : i === 0 ? `${v} (now first)` : `${v} (now after ${commonAfter[i - 1]})`))
          .filter((m): m is string => m !== undefined);
        out.push({ path: at, op: 'reordered', before: commonBefore, after: commonAfter, moved });
      }
      return;
    }
    if (before.length !== after.length && before.every(isScalar) && after.every(isScalar)) {
      out.push({ path: at, op: 'changed', before, after });
      return;
    }
    const n = Math.min(before.length, after.length);
    for (let i = 0; i < n; i++) walkDiff(before[i], after[i], `${at}[${i}]`, out);
    for (let i = n; i < before.length; i++) out.push({ path: `${at}[${i}]`, op: 'removed', before: before[i] });
    for (let i = n; i < after.length; i++) out.push({ path: `${at}[${i}]`, op: 'added', after: after[i] });
    return;
  }
  if (typeof before === 'string' && typeof after === 'string') {
    // JSON carried in a string (an env var, a ConfigMap key): diff inside it.
    const jb = parseJsonContainer(before);
    const ja = parseJsonContainer(after);
    if (jb !== undefined && ja !== undefined) {
      walkDiff(jb, ja, `${at}<json>`, out);
      return;
    }
  }
  out.push({ path: at, op: 'changed', before, after });
}

/** `path` is `prefix` or inside it. */
export function isUnder(p: string, prefix: string): boolean {
  return p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`) || p.startsWith(`${prefix}<`);
}

// ---------------------------------------------------------------------------------------------------
// Rules: what apply cannot do in place, and what puts data at risk
// ---------------------------------------------------------------------------------------------------

export type FlagCategory = 'immutable' | 'data-risk' | 'upgrade';

/** A change that needs attention. */
export interface Flag {
  readonly object: ObjectRef;
  readonly category: FlagCategory;
  /** The field, when the flag is about one. */
  readonly path?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason: string;
  /** Ordered steps to take (upgrade paths). */
  readonly steps?: readonly string[];
  /**
   * Commands to run before `kubectl apply` so that the apply succeeds, exactly as printed under
   * "Before you apply" (e.g. deleting a completed Job whose template changed). Only steps that lose
   * nothing: steps that touch data are described in `reason` for a person to decide.
   */
  readonly beforeApply?: readonly string[];
}

const PV_SOURCES = ['local', 'hostPath', 'nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'cinder', 'awsElasticBlockStore', 'gcePersistentDisk',
  'azureDisk', 'azureFile', 'glusterfs', 'flexVolume', 'flocker', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'scaleIO', 'storageos', 'vsphereVolume'];

/** Size of a Kubernetes quantity in base units (bytes for storage); NaN when it is not one. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const mult: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  };
  return n * (m[3] ? mult[m[3]] : 1);
}

/** The pod spec of a workload, or undefined. */
function podSpec(o: Manifest | undefined): Manifest | undefined {
  if (!o) return undefined;
  switch (o.kind) {
    case 'Pod': return o.spec;
    case 'CronJob': return o.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': case 'ReplicationController':
      return o.spec?.template?.spec;
    default: return undefined;
  }
}

function podSpecPath(kind: string): string {
  return kind === 'Pod' ? 'spec' : kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
}

function volumesByName(spec: Manifest | undefined): Map<string, Manifest> {
  return new Map(((spec?.volumes ?? []) as Manifest[]).filter((v) => isPlainObject(v) && typeof v.name === 'string').map((v) => [v.name, v]));
}

function pvPath(pv: Manifest | undefined): string | undefined {
  return pv?.spec?.local?.path ?? pv?.spec?.hostPath?.path;
}

/** `kubectl delete` of one object, with its namespace. */
function deleteCommand(ref: ObjectRef): string {
  return `kubectl${ref.namespace ? ` -n ${ref.namespace}` : ''} delete ${ref.kind.toLowerCase()} ${ref.name}`;
}

/** Why a Job's change is rejected and what the printed step does; the credentials bootstrap says what happens to the credentials. */
function jobReason(ref: ObjectRef, job: Manifest, field: string): string {
  const bootstrap = job.metadata?.labels?.['app.kubernetes.io/component'] === 'credentials-bootstrap';
  return `spec.${field} of a Job is immutable: apply is rejected for this Job (the other objects are applied). `
    + `Delete the Job before you apply (\`${deleteCommand(ref)}\`, listed under "Before you apply"): the apply creates it again and it runs once more`
    + (bootstrap ? '; the credentials bootstrap keeps every existing credential and only creates missing ones, so nothing changes for the servers.' : '. Check that running it again is harmless.');
}

/** What to do with the data of a claim whose immutable fields change. */
function claimDataSteps(ref: ObjectRef): string {
  const ns = ref.namespace ? ` -n ${ref.namespace}` : '';
  return 'The data stays in the existing claim; choose one: '
    + '(a) keep it as it is: revert this change; '
    + '(b) move it: give the claim a new name in the manifests (a new claim and volume are made next to the old one), apply, '
    + 'scale the workloads that mount it to 0, copy the data across with a pod that mounts both claims (`cp -a /old/. /new/`), '
    + `check it, then delete the old claim (\`kubectl${ns} delete pvc ${ref.name}\`); `
    + `(c) discard it: scale the workloads that mount it to 0, \`kubectl${ns} delete pvc ${ref.name}\`, then apply `
    + '(a volume with reclaim policy Retain keeps the data on disk until you delete it).';
}

/** Flags of one object present on both sides. */
function flagsForChanged(ref: ObjectRef, b: Manifest, a: Manifest, changes: readonly FieldChange[]): Flag[] {
  const flags: Flag[] = [];
  const flag = (category: FlagCategory, reason: string, field?: { path: string; before?: unknown; after?: unknown }, beforeApply?: readonly string[]): void => {
    flags.push({ object: ref, category, reason, ...field, ...(beforeApply ? { beforeApply } : {}) });
  };
  const changedUnder = (prefix: string): boolean => changes.some((c) => isUnder(c.path, prefix) || isUnder(prefix, c.path));
  const whole = (p: string, get: (o: Manifest) => unknown): { path: string; before: unknown; after: unknown } => ({ path: p, before: get(b), after: get(a) });
  const kind = ref.kind;

  // --- workloads (apps/v1) ---
  if (ref.group === 'apps' && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(kind) && changedUnder('spec.selector')) {
    flag('immutable', `spec.selector of a ${kind} is immutable: apply is rejected. Delete the ${kind} and apply again (its pods are recreated).`,
      whole('spec.selector', (o) => o.spec?.selector));
  }
  if (kind === 'StatefulSet' && ref.group === 'apps') {
    for (const field of ['serviceName', 'podManagementPolicy']) {
      if (changedUnder(`spec.${field}`)) {
        flag('immutable', `spec.${field} of a StatefulSet is immutable: apply is rejected. Delete the StatefulSet with --cascade=orphan (pods and claims stay) and apply again.`,
          whole(`spec.${field}`, (o) => o.spec?.[field]));
      }
    }
    if (changedUnder('spec.volumeClaimTemplates')) {
      flag('immutable', 'spec.volumeClaimTemplates of a StatefulSet is immutable: apply is rejected. Delete the StatefulSet with --cascade=orphan (pods and claims stay) and apply again; existing claims keep their old size and class.',
        { path: 'spec.volumeClaimTemplates' });
      const names = (o: Manifest): string[] => ((o.spec?.volumeClaimTemplates ?? []) as Manifest[]).map((t) => t?.metadata?.name);
      const after = new Set(names(a));
      for (const t of names(b).filter((n) => !after.has(n))) {
        flag('data-risk', `volumeClaimTemplate "${t}" removed: the claims made from it (${t}-${ref.name}-N) hold data that the pods no longer mount; they are not deleted, but nothing uses them.`,
          { path: `spec.volumeClaimTemplates[name=${t}]`, before: t });
      }
    }
  }

  // --- Job ---
  if (kind === 'Job' && ref.group === 'batch') {
    for (const field of ['template', 'selector']) {
      if (changedUnder(`spec.${field}`)) {
        flag('immutable', jobReason(ref, a, field), { path: `spec.${field}` }, [deleteCommand(ref)]);
      }
    }
  }

  // --- pod volumes: claims and host paths ---
  const bSpec = podSpec(b);
  const aSpec = podSpec(a);
  if (bSpec || aSpec) {
    const bVols = volumesByName(bSpec);
    const aVols = volumesByName(aSpec);
    const base = `${podSpecPath(kind)}.volumes`;
    for (const [name, bv] of bVols) {
      const av = aVols.get(name);
      const bClaim = bv.persistentVolumeClaim?.claimName;
      const aClaim = av?.persistentVolumeClaim?.claimName;
      if (bClaim !== undefined && bClaim !== aClaim) {
        flag('data-risk', aClaim === undefined
          ? `pod volume "${name}" no longer uses claim ${bClaim}: the pods stop seeing the data stored there.`
          : `pod volume "${name}" now uses claim ${aClaim} instead of ${bClaim}: the pods see the data of another volume (an empty one if it is new); the old data stays in ${bClaim}.`,
        { path: `${base}[name=${name}].persistentVolumeClaim.claimName`, before: bClaim, after: aClaim });
      }
      const bHost = bv.hostPath?.path;
      const aHost = av?.hostPath?.path;
      if (bHost !== undefined && bHost !== aHost) {
        flag('data-risk', aHost === undefined
          ? `pod volume "${name}" no longer mounts host directory ${bHost}.`
          : `pod volume "${name}" now mounts host directory ${aHost} instead of ${bHost}: data in the old directory is not moved.`,
        { path: `${base}[name=${name}].hostPath.path`, before: bHost, after: aHost });
      }
    }
  }

  // --- PersistentVolumeClaim ---
  if (kind === 'PersistentVolumeClaim' && ref.group === '') {
    const sizePath = 'spec.resources.requests.storage';
    for (const c of changes) {
      if (!isUnder(c.path, 'spec') || isUnder(c.path, sizePath) || isUnder(c.path, 'spec.volumeAttributesClassName')) continue;
      if (isUnder(c.path, 'spec.storageClassName')) {
        flag('immutable', `storageClassName of a claim is immutable: apply is rejected. ${claimDataSteps(ref)}`, c);
      } else if (isUnder(c.path, 'spec.resources.requests') && c.path !== 'spec.resources.requests') {
        continue; // other requests: none exist today
      } else {
        flag('immutable', `${c.path} of a claim is immutable after creation (only a larger requested size can be applied): apply is rejected. ${claimDataSteps(ref)}`, c);
      }
    }
    const bSize = b.spec?.resources?.requests?.storage;
    const aSize = a.spec?.resources?.requests?.storage;
    if (bSize !== undefined && aSize !== undefined && !deepEqual(bSize, aSize)) {
      const bn = parseQuantity(bSize);
      const an = parseQuantity(aSize);
      if (an < bn) {
        flag('immutable', `requested size shrinks from ${bSize} to ${aSize}: claims can only grow, apply is rejected. ${claimDataSteps(ref)}`,
          { path: sizePath, before: bSize, after: aSize });
      } else if (an > bn && (a.spec?.storageClassName === '' || b.spec?.storageClassName === '')) {
        flag('immutable', `requested size grows from ${bSize} to ${aSize}, but the claim has no StorageClass (storageClassName ""): only claims of a StorageClass with allowVolumeExpansion can grow, apply is rejected. Recreate the claim and its volume (with reclaim policy Retain the data stays) or keep the size.`,
          { path: sizePath, before: bSize, after: aSize });
      }
    }
  }

  // --- PersistentVolume ---
  if (kind === 'PersistentVolume' && ref.group === '') {
    for (const src of PV_SOURCES) {
      if (changedUnder(`spec.${src}`)) {
        flag('immutable', `the volume source (spec.${src}) of a PersistentVolume is immutable: apply is rejected. A new source means a new PersistentVolume (and claim).`,
          whole(`spec.${src}`, (o) => o.spec?.[src]));
      }
    }
    for (const field of ['nodeAffinity', 'volumeMode']) {
      if (changedUnder(`spec.${field}`)) {
        flag('immutable', `spec.${field} of a PersistentVolume is immutable: apply is rejected.`, whole(`spec.${field}`, (o) => o.spec?.[field]));
      }
    }
    if (changedUnder('spec.claimRef')) {
      flag('immutable', 'spec.claimRef changes which claim the volume is reserved for: a bound volume is not rebound in place. Release it (delete the old claim, clear claimRef) and apply again; check where its data belongs first.',
        whole('spec.claimRef', (o) => o.spec?.claimRef));
    }
    const bp = pvPath(b);
    const ap = pvPath(a);
    if (bp !== undefined && bp !== ap) {
      flag('data-risk', ap === undefined
        ? `the volume no longer points at ${bp}: the data there is left behind.`
        : `data path changes from ${bp} to ${ap}: the data is not moved; the pods would start on the new directory, empty unless you move the data first.`,
      { path: b.spec?.local ? 'spec.local.path' : 'spec.hostPath.path', before: bp, after: ap });
    }
    const bPolicy = b.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    const aPolicy = a.spec?.persistentVolumeReclaimPolicy;
    if (bPolicy === 'Retain' && aPolicy !== undefined && aPolicy !== 'Retain') {
      flag('data-risk', `reclaim policy changes from Retain to ${aPolicy}: deleting the claim would now ${aPolicy === 'Delete' ? 'delete' : 'scrub'} the data.`,
        { path: 'spec.persistentVolumeReclaimPolicy', before: b.spec?.persistentVolumeReclaimPolicy, after: aPolicy });
    }
  }

  // --- Service ---
  if (kind === 'Service' && ref.group === '') {
    const bt = b.spec?.type ?? 'ClusterIP';
    const at = a.spec?.type ?? 'ClusterIP';
    if (bt !== at && (bt === 'ExternalName' || at === 'ExternalName')) {
      flag('immutable', `Service type changes from ${bt} to ${at}: switching to or from ExternalName releases or allocates the cluster IP, which apply of a manifest does not do cleanly. Delete the Service and apply again (clients see a new address).`,
        { path: 'spec.type', before: b.spec?.type, after: a.spec?.type });
    }
    for (const field of ['clusterIP', 'clusterIPs']) {
      if (changedUnder(`spec.${field}`)) {
        flag('immutable', `spec.${field} of a Service is immutable: apply is rejected. Delete the Service and apply again (clients see a new address).`,
          whole(`spec.${field}`, (o) => o.spec?.[field]));
      }
    }
  }

  // --- other immutable fields ---
  if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && ref.group === 'rbac.authorization.k8s.io' && changedUnder('roleRef')) {
    flag('immutable', `roleRef of a ${kind} is immutable: apply is rejected. Delete the ${kind} and apply again.`, whole('roleRef', (o) => o.roleRef));
  }
  if ((kind === 'Secret' || kind === 'ConfigMap') && ref.group === '' && b.immutable === true
    && ['data', 'binaryData', 'stringData', 'immutable'].some((f) => changedUnder(f))) {
    flag('immutable', `the ${kind} is marked immutable: its data cannot change. Delete it and apply again, or create one with a new name.`);
  }
  if (kind === 'StorageClass' && ref.group === 'storage.k8s.io') {
    for (const field of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode']) {
      if (changedUnder(field)) flag('immutable', `${field} of a StorageClass is immutable: apply is rejected.`, whole(field, (o) => o[field]));
    }
  }
  return flags;
}

/** Flags of removed objects: PVs, PVCs and namespaces are data. `renamedTo` names a likely successor. */
function flagsForRemoved(ref: ObjectRef, b: Manifest, renamedTo: ObjectRef | undefined, before: readonly Manifest[]): Flag[] {
  const renamed = renamedTo ? ` It looks renamed to ${renamedTo.display}.` : '';
  if (ref.kind === 'PersistentVolume' && ref.group === '') {
    const policy = b.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    const where = pvPath(b) ? ` (${pvPath(b)})` : '';
    return [{
      object: ref, category: 'data-risk',
      reason: `PersistentVolume removed.${renamed} Pruning it releases the data${where}: reclaim policy ${policy}${policy === 'Retain' ? ' keeps the data on disk, but no claim binds it again until the volume is recreated' : ' deletes the data'}. Never prune volumes blindly.`,
    }];
  }
  if (ref.kind === 'PersistentVolumeClaim' && ref.group === '') {
    const pv = boundVolume(b, before.filter((o) => o.kind === 'PersistentVolume'));
    const policy = pv?.spec?.persistentVolumeReclaimPolicy ?? (pv ? 'Retain' : undefined);
    const fate = pv === undefined
      ? 'Pruning it releases its volume; a dynamically provisioned volume (reclaim policy Delete by default) is deleted with its data.'
      : policy === 'Retain'
        ? `Pruning it releases its volume ${pv.metadata.name} (reclaim policy Retain): the data stays on disk, but no claim binds that volume again until it is recreated.`
        : `Pruning it releases its volume ${pv.metadata.name} (reclaim policy ${policy}): the data is ${policy === 'Delete' ? 'deleted' : 'scrubbed'}.`;
    return [{
      object: ref, category: 'data-risk',
      reason: `PersistentVolumeClaim removed.${renamed} ${fate} Never prune claims blindly.`,
    }];
  }
  if (ref.kind === 'Namespace' && ref.group === '') {
    const claims = before.filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata?.namespace === ref.name).length;
    return [{
      object: ref, category: 'data-risk',
      reason: `Namespace removed: deleting it deletes everything in it${claims > 0 ? `, including ${claims} claim(s)` : ''} and the Secrets created in the cluster (such as generated credentials).`,
    }];
  }
  return [];
}

/** The volume of a claim, among these PersistentVolumes: named by the claim's volumeName or reserved by claimRef. */
function boundVolume(pvc: Manifest, pvs: readonly Manifest[]): Manifest | undefined {
  return pvs.find((pv) => pv.kind === 'PersistentVolume' && (pv.metadata.name === pvc.spec?.volumeName
    || (pv.spec?.claimRef?.name === pvc.metadata.name && (pv.spec?.claimRef?.namespace ?? '') === (pvc.metadata?.namespace ?? ''))));
}

/** For removed PVs and PVCs, an added object that looks like the same data under a new name. */
function renames(removed: readonly Manifest[], added: readonly Manifest[]): Map<string, ObjectRef> {
  const out = new Map<string, ObjectRef>();
  const pvs = (list: readonly Manifest[]): Manifest[] => list.filter((o) => o.kind === 'PersistentVolume' && objectRef(o).group === '');
  const addedPvByPath = new Map(pvs(added).filter((o) => pvPath(o)).map((o) => [pvPath(o)!, o]));
  const pvRename = new Map<string, Manifest>(); // old PV name -> new PV
  for (const pv of pvs(removed)) {
    const successor = pvPath(pv) === undefined ? undefined : addedPvByPath.get(pvPath(pv)!);
    if (successor) {
      out.set(objectRef(pv).key, objectRef(successor));
      pvRename.set(pv.metadata.name, successor);
    }
  }
  const removedPvs = pvs(removed);
  const addedClaims = added.filter((o) => o.kind === 'PersistentVolumeClaim');
  for (const pvc of removed.filter((o) => o.kind === 'PersistentVolumeClaim')) {
    const pv = boundVolume(pvc, removedPvs);
    const newPv = pv && pvRename.get(pv.metadata.name);
    if (!newPv) continue;
    const successor = addedClaims.find((c) => boundVolume(c, [newPv]) !== undefined);
    if (successor) out.set(objectRef(pvc).key, objectRef(successor));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------

/** The changes of one object present on both sides. */
export interface ObjectDiff {
  readonly object: ObjectRef;
  readonly changes: readonly FieldChange[];
}

export interface DiffReport {
  /** What was compared, for the headings. */
  readonly beforeLabel: string;
  readonly afterLabel: string;
  /** In the order of the after manifests. */
  readonly added: readonly ObjectRef[];
  /** In the order of the before manifests. */
  readonly removed: readonly ObjectRef[];
  /** In the order of the after manifests. */
  readonly changed: readonly ObjectDiff[];
  readonly unchanged: number;
  /** Changes that need attention, by object. */
  readonly flags: readonly Flag[];
}

export interface DiffLabels {
  readonly before?: string;
  readonly after?: string;
}

const HIDDEN = '(hidden)';

function maskSecretChange(c: FieldChange): FieldChange {
  const mask = (v: unknown): unknown => (v === undefined ? undefined : isPlainObject(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, HIDDEN])) : HIDDEN);
  return { ...c, before: mask(c.before), after: mask(c.after) };
}

/** Compares two sets of objects. Throws ManifestDiffError when a side holds one object twice. */
export function diffManifests(before: readonly Manifest[], after: readonly Manifest[], labels: DiffLabels = {}): DiffReport {
  checkUnique(before, labels.before ?? 'before');
  checkUnique(after, labels.after ?? 'after');
  const beforeByKey = new Map(before.map((o) => [objectRef(o).key, o]));
  const afterKeys = new Set(after.map((o) => objectRef(o).key));
  const added: ObjectRef[] = [];
  const changed: ObjectDiff[] = [];
  const flags: Flag[] = [];
  let unchanged = 0;
  for (const a of after) {
    const ref = objectRef(a);
    const b = beforeByKey.get(ref.key);
    if (b === undefined) {
      added.push(ref);
      continue;
    }
    let changes = diffFields(b, a);
    if (changes.length === 0) {
      unchanged++;
      continue;
    }
    const ruleFlags = flagsForChanged(ref, b, a, changes);
    if (ref.kind === 'Secret' && ref.group === '') {
      changes = changes.map((c) => (isUnder(c.path, 'data') || isUnder(c.path, 'stringData') ? maskSecretChange(c) : c));
      flags.push(...ruleFlags.map((f) => (f.path && (isUnder(f.path, 'data') || isUnder(f.path, 'stringData')) ? { ...f, before: HIDDEN, after: HIDDEN } : f)));
    } else {
      flags.push(...ruleFlags);
    }
    changed.push({ object: ref, changes });
  }
  const removedObjects = before.filter((o) => !afterKeys.has(objectRef(o).key));
  const addedObjects = after.filter((o) => !beforeByKey.has(objectRef(o).key));
  const successors = renames(removedObjects, addedObjects);
  const removed = removedObjects.map(objectRef);
  removedObjects.forEach((o, i) => flags.push(...flagsForRemoved(removed[i], o, successors.get(removed[i].key), before)));
  // Version changes the upgrade rules (lib/upgrade/rules.ts) name: downgrades, skipped releases, FCV.
  flags.push(...versionChangeFlags(before, after).map((u): Flag => ({ ...u, object: objectRef(u.object), category: 'upgrade' })));
  // Flags in report order: changed objects first (after order), then removed ones.
  const order = new Map([...changed.map((c) => c.object.key), ...removed.map((r) => r.key)].map((k, i) => [k, i]));
  flags.sort((x, y) => (order.get(x.object.key) ?? 0) - (order.get(y.object.key) ?? 0));
  return {
    beforeLabel: labels.before ?? 'before',
    afterLabel: labels.after ?? 'after',
    added, removed, changed, unchanged, flags,
  };
}

/** 0: no changes; 1: changes, all safe; 2: changes that need attention. */
export function exitCodeFor(report: DiffReport): number {
  if (report.added.length === 0 && report.removed.length === 0 && report.changed.length === 0) return EXIT_NO_CHANGES;
  return report.flags.length > 0 ? EXIT_ATTENTION : EXIT_SAFE_CHANGES;
}

/** Objects that have at least one flag, with their flags, in report order. */
export function flaggedObjects(report: DiffReport): Array<{ object: ObjectRef; flags: Flag[] }> {
  const byKey = new Map<string, { object: ObjectRef; flags: Flag[] }>();
  for (const f of report.flags) {
    const entry = byKey.get(f.object.key) ?? { object: f.object, flags: [] };
    entry.flags.push(f);
    byKey.set(f.object.key, entry);
  }
  return [...byKey.values()];
}

// ---------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function valueText(v: unknown, max: number): string {
  if (v === undefined) return '(none)';
  return truncate(JSON.stringify(v), max);
}

/** Line diff of two texts (LCS of the middle after trimming common ends), with `ctx` lines of context. */
export function lineDiff(before: string, after: string, ctx = 1): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  const ops: Array<[' ' | '-' | '+', string]> = [];
  if (ma.length * mb.length > 4_000_000) {
    ma.forEach((l) => ops.push(['-', l]));
    mb.forEach((l) => ops.push(['+', l]));
  } else {
    const lcs: number[][] = Array.from({ length: ma.length + 1 }, () => new Array<number>(mb.length + 1).fill(0));
    for (let i = ma.length - 1; i >= 0; i--) {
      for (let j = mb.length - 1; j >= 0; j--) {
        lcs[i][j] = ma[i] === mb[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < ma.length || j < mb.length) {
      if (i < ma.length && j < mb.length && ma[i] === mb[j]) { ops.push([' ', ma[i]]); i++; j++; }
      else if (i < ma.length && (j >= mb.length || lcs[i + 1][j] >= lcs[i][j + 1])) { ops.push(['-', ma[i]]); i++; }
      else { ops.push(['+', mb[j]]); j++; }
    }
  }
  const full: Array<[' ' | '-' | '+', string]> = [
    ...a.slice(Math.max(0, start - ctx), start).map((l) => [' ', l] as [' ', string]),
    ...ops,
    ...a.slice(endA, Math.min(a.length, endA + ctx)).map((l) => [' ', l] as [' ', string]),
  ];
  const lines: string[] = [];
  if (start - ctx > 0) lines.push(`@@ line ${start - ctx + 1} @@`);
  // Collapse long unchanged runs inside the middle.
  let k = 0;
  while (k < full.length) {
    if (full[k][0] === ' ') {
      let e = k;
      while (e < full.length && full[e][0] === ' ') e++;
      const run = full.slice(k, e);
      const first = k === 0;
      const last = e === full.length;
      const keepHead = first ? 0 : ctx;
      const keepTail = last ? 0 : ctx;
      if (!first && !last && run.length > keepHead + keepTail + 1) {
        run.slice(0, keepHead).forEach(([, l]) => lines.push(`  ${l}`));
        lines.push('  …');
        run.slice(run.length - keepTail).forEach(([, l]) => lines.push(`  ${l}`));
      } else {
        run.forEach(([, l]) => lines.push(`  ${l}`));
      }
      k = e;
    } else {
      lines.push(`${full[k][0]} ${full[k][1]}`);
      k++;
    }
  }
  return lines;
}

function isMultiline(c: FieldChange): boolean {
  return c.op === 'changed' && typeof c.before === 'string' && typeof c.after === 'string' && (c.before.includes('\n') || c.after.includes('\n'));
}

/** A change in text form; `arrow` joins before and after. */
function changeLines(c: FieldChange, max: number): string[] {
  switch (c.op) {
    case 'added': return [`+ ${c.path}: ${valueText(c.after, max)}`];
    case 'removed': return [`- ${c.path}: ${valueText(c.before, max)}`];
    case 'reordered': return [`~ ${c.path}: order changed, moved: ${truncate((c.moved ?? []).join(', '), max * 2)}`];
    default:
      if (isMultiline(c)) return [`~ ${c.path}:`, ...lineDiff(c.before as string, c.after as string).map((l) => `    ${l}`)];
      return [`~ ${c.path}: ${valueText(c.before, max)} -> ${valueText(c.after, max)}`];
  }
}

function categoryLabel(c: FlagCategory): string {
  return c === 'immutable' ? 'immutable' : c === 'upgrade' ? 'upgrade path' : 'data risk';
}

function summaryLine(report: DiffReport): string {
  const n = flaggedObjects(report).length;
  return `${report.added.length} added, ${report.removed.length} removed, ${report.changed.length} changed, ${report.unchanged} unchanged`
    + (n > 0 ? `; ${n} object${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} attention` : '');
}

function verdict(report: DiffReport): string {
  switch (exitCodeFor(report)) {
    case EXIT_NO_CHANGES: return 'no changes';
    case EXIT_SAFE_CHANGES: return 'changes, all safe to apply';
    default: return 'changes that need attention (immutable fields or data risk)';
  }
}

const PRUNE_NOTE = 'the prune step of the prune-safe apply (after the server-side apply, with the allow-list) deletes these; an apply alone leaves them in the cluster';
const OPERATOR_PRUNE_NOTE = 'Prometheus Operator objects: the prune step deletes these when it includes the operator kinds (pruneApplyCommand(<name>, <dir>, true)); otherwise delete them by hand';
const NEVER_PRUNED_NOTE = 'never pruned: they hold data, credentials or everything in a namespace (or are not on the prune allow-list); delete one by hand only after review, never blindly';

/** `group/version/Kind` as the prune allow-list names it: `core/v1/ConfigMap`. */
function pruneKind(r: ObjectRef): string {
  const version = r.apiVersion.includes('/') ? r.apiVersion.slice(r.apiVersion.indexOf('/') + 1) : r.apiVersion;
  return `${r.group || 'core'}/${version}/${r.kind}`;
}

/** Removed objects split by what the prune-safe apply does with them (lib/prune.ts). */
function removedGroups(report: DiffReport): Array<{ note: string; objects: ObjectRef[] }> {
  const group = (kinds: readonly string[]) => report.removed.filter((r) => kinds.includes(pruneKind(r)));
  const operator = group(OPERATOR_PRUNE_ALLOWLIST);
  const kept = report.removed.filter((r) => ![...PRUNE_ALLOWLIST, ...OPERATOR_PRUNE_ALLOWLIST].includes(pruneKind(r)));
  return [
    { note: PRUNE_NOTE, objects: group(PRUNE_ALLOWLIST) },
    { note: OPERATOR_PRUNE_NOTE, objects: operator },
    { note: NEVER_PRUNED_NOTE, objects: kept },
  ].filter((g) => g.objects.length > 0);
}

/** Every command of the flags' `beforeApply`, once, in report order. */
export function beforeApplySteps(report: DiffReport): string[] {
  return [...new Set(report.flags.flatMap((f) => f.beforeApply ?? []))];
}

/** Plain text for a terminal. */
export function formatText(report: DiffReport): string {
  const max = 160;
  const out: string[] = [`Manifest diff: ${report.beforeLabel} -> ${report.afterLabel}`, summaryLine(report)];
  const flagged = flaggedObjects(report);
  if (flagged.length > 0) {
    out.push('', 'Needs attention:');
    for (const { object, flags } of flagged) {
      out.push(`  ! ${object.display}`);
      for (const f of flags) {
        const field = f.path ? ` ${f.path}${f.before !== undefined || f.after !== undefined ? `: ${valueText(f.before, max)} -> ${valueText(f.after, max)}` : ''}` : '';
        out.push(`      [${categoryLabel(f.category)}]${field}`, `        ${f.reason}`);
        (f.steps ?? []).forEach((step) => out.push(`          ${step}`));
      }
    }
  }
  const steps = beforeApplySteps(report);
  if (steps.length > 0) {
    out.push('', 'Before you apply, run:');
    steps.forEach((c) => out.push(`  $ ${c}`));
  }
  for (const group of removedGroups(report)) {
    out.push('', `Removed (${group.note}):`);
    group.objects.forEach((r) => out.push(`  - ${r.display}`));
  }
  if (report.added.length > 0) {
    out.push('', 'Added:');
    report.added.forEach((r) => out.push(`  + ${r.display}`));
  }
  if (report.changed.length > 0) {
    out.push('', 'Changed:');
    for (const d of report.changed) {
      out.push(`  ~ ${d.object.display}`);
      d.changes.forEach((c) => changeLines(c, max).forEach((l) => out.push(`      ${l}`)));
    }
  }
  out.push('', `Result: ${verdict(report)} (exit ${exitCodeFor(report)})`);
  return `${out.join('\n')}\n`;
}

function mdEscape(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mdCode(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

function mdFence(lines: string[], lang: string): string[] {
  const body = lines.join('\n');
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, body, fence];
}

const MD_MAX_CHANGES_PER_OBJECT = 200;
/** GitHub rejects comments over 65,536 characters; field details are left out past this. */
const MD_MAX_CHARS = 60_000;

/** Markdown for a pull request comment. */
export function formatMarkdown(report: DiffReport): string {
  const max = 300;
  const out: string[] = [];
  const flagged = flaggedObjects(report);
  const code = exitCodeFor(report);
  out.push(`## Manifest diff: ${mdEscape(report.beforeLabel)} → ${mdEscape(report.afterLabel)}`, '');
  out.push(code === EXIT_NO_CHANGES ? '✅ **No changes.**'
    : code === EXIT_SAFE_CHANGES ? '✅ **Changes, all safe to apply.**'
      : `⚠️ **${flagged.length} object${flagged.length === 1 ? '' : 's'} need${flagged.length === 1 ? 's' : ''} attention** (immutable fields or data risk).`, '');

  if (code !== EXIT_NO_CHANGES) {
    const kinds = new Map<string, { added: number; removed: number; changed: number; flagged: number }>();
    const row = (k: string) => { const r = kinds.get(k) ?? { added: 0, removed: 0, changed: 0, flagged: 0 }; kinds.set(k, r); return r; };
    report.added.forEach((r) => row(r.kind).added++);
    report.removed.forEach((r) => row(r.kind).removed++);
    report.changed.forEach((d) => row(d.object.kind).changed++);
    flagged.forEach((f) => row(f.object.kind).flagged++);
    out.push('| Kind | Added | Removed | Changed | Needs attention |', '| --- | ---: | ---: | ---: | ---: |');
    for (const [kind, r] of [...kinds].sort(([x], [y]) => x.localeCompare(y))) {
      out.push(`| ${mdEscape(kind)} | ${r.added} | ${r.removed} | ${r.changed} | ${r.flagged} |`);
    }
    out.push(`| **Total** | **${report.added.length}** | **${report.removed.length}** | **${report.changed.length}** | **${flagged.length}** |`, '');
  }
  out.push(`${report.unchanged} object${report.unchanged === 1 ? '' : 's'} unchanged.`, '');

  if (flagged.length > 0) {
    out.push('### ⚠️ Needs attention', '');
    for (const { object, flags } of flagged) {
      out.push(`#### ${mdEscape(object.display)}`, '');
      for (const f of flags) {
        const field = f.path ? ` ${mdCode(f.path)}${f.before !== undefined || f.after !== undefined ? `: ${mdCode(valueText(f.before, max))} → ${mdCode(valueText(f.after, max))}` : ''}` : '';
        out.push(`- **${categoryLabel(f.category)}**${field}: ${mdEscape(f.reason)}`);
        (f.steps ?? []).forEach((step, i) => out.push(i === 0 ? `\n  ${mdEscape(step)}\n` : `  ${mdEscape(step)}`));
      }
      out.push('');
    }
  }
  const steps = beforeApplySteps(report);
  if (steps.length > 0) {
    out.push('### Before you apply', '', 'Run these first, or the apply is rejected:', '', ...mdFence(steps, 'sh'), '');
  }
  if (report.removed.length > 0) {
    out.push(`### Removed (${report.removed.length})`, '');
    for (const group of removedGroups(report)) {
      out.push(`${group.note.charAt(0).toUpperCase()}${group.note.slice(1)}:`, '');
      group.objects.forEach((r) => out.push(`- ${mdCode(r.display)}`));
      out.push('');
    }
  }
  if (report.added.length > 0) {
    out.push(`### Added (${report.added.length})`, '');
    report.added.forEach((r) => out.push(`- ${mdCode(r.display)}`));
    out.push('');
  }
  if (report.changed.length > 0) {
    out.push(`### Changed (${report.changed.length})`, '');
    let size = out.join('\n').length;
    for (const [index, d] of report.changed.entries()) {
      const n = d.changes.length;
      const lines: string[] = [];
      for (const c of d.changes.slice(0, MD_MAX_CHANGES_PER_OBJECT)) {
        if (c.op === 'changed' && isMultiline(c)) {
          lines.push(`@@ ${c.path} @@`, ...lineDiff(c.before as string, c.after as string));
        } else if (c.op === 'changed') {
          lines.push(`- ${c.path}: ${valueText(c.before, max)}`, `+ ${c.path}: ${valueText(c.after, max)}`);
        } else {
          lines.push(...changeLines(c, max));
        }
      }
      if (n > MD_MAX_CHANGES_PER_OBJECT) lines.push(`… ${n - MD_MAX_CHANGES_PER_OBJECT} more`);
      const mark = report.flags.some((f) => f.object.key === d.object.key) ? ' ⚠️' : '';
      const block = ['<details>', `<summary>${htmlEscape(d.object.display)}${mark}: ${n} field change${n === 1 ? '' : 's'}</summary>`, '', ...mdFence(lines, 'diff'), '', '</details>', ''];
      const blockSize = block.join('\n').length + 1;
      if (size + blockSize > MD_MAX_CHARS) {
        const rest = report.changed.length - index;
        out.push(`… and ${rest} more changed object${rest === 1 ? '' : 's'}, left out to fit a comment: run the command locally for all of them.`, '');
        break;
      }
      size += blockSize;
      out.push(...block);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------

export interface CliOptions {
  readonly ref?: string;
  readonly from?: string;
  readonly to?: string;
  /** Manifest directory for a git ref; undefined: the project's (see `findCdk8sProject`). */
  readonly dir?: string;
  readonly format: 'text' | 'markdown';
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: { ref?: string; from?: string; to?: string; dir?: string; format: 'text' | 'markdown'; help: boolean } = { format: 'text', help: false };
  const valueOf = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v === '') throw new ManifestDiffError(`${name} needs a value`);
    return v;
  };
  const set = (name: string, value: string): void => {
    switch (name) {
      case '--ref':
        if (opts.ref !== undefined) throw new ManifestDiffError('give one git ref');
        opts.ref = value;
        break;
      case '--from': opts.from = value; break;
      case '--to': opts.to = value; break;
      case '--dir': opts.dir = value; break;
      case '--format':
        if (value !== 'text' && value !== 'markdown') throw new ManifestDiffError(`--format must be text or markdown, not "${value}"`);
        opts.format = value;
        break;
      default: throw new ManifestDiffError(`unknown option ${name}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
    } else if (arg.startsWith('--') && arg.includes('=')) {
      const eq = arg.indexOf('=');
      if (arg.slice(eq + 1) === '') throw new ManifestDiffError(`${arg.slice(0, eq)} needs a value`);
      set(arg.slice(0, eq), arg.slice(eq + 1));
    } else if (arg.startsWith('-')) {
      if (!['--ref', '--from', '--to', '--dir', '--format'].includes(arg)) throw new ManifestDiffError(`unknown option ${arg}`);
      set(arg, valueOf(i, arg));
      i++;
    } else {
      set('--ref', arg);
    }
  }
  if (opts.ref !== undefined && opts.from !== undefined) throw new ManifestDiffError('give either a git ref or --from <dir>, not both');
  return opts;
}

/** Runs the command; returns the exit code. `cwd` is the project (the git repository and cdk8s app). */
export function main(argv: readonly string[], write: (s: string) => void, writeErr: (s: string) => void, cwd = process.cwd()): number {
  try {
    const opts = parseArgs(argv);
    if (opts.help) {
      write(USAGE);
      return EXIT_NO_CHANGES;
    }
    const ref = opts.from === undefined ? (opts.ref ?? 'HEAD') : undefined;
    const project = findCdk8sProject(cwd);
    const dir = opts.dir ?? (project ? path.relative(cwd, path.join(project.root, project.manifestDir)) || '.' : 'dist');
    const before = ref !== undefined ? loadManifestsAtRef(ref, dir, cwd) : loadManifestDir(path.resolve(cwd, opts.from!));
    const beforeLabel = ref !== undefined ? `${dir.replace(/\/*$/, '/')} at ${ref}` : opts.from!;
    const after = opts.to !== undefined ? loadManifestDir(path.resolve(cwd, opts.to)) : synthesizeCurrentTree(cwd, writeErr);
    const afterLabel = opts.to ?? 'current tree (synthesized)';
    const report = diffManifests(before, after, { before: beforeLabel, after: afterLabel });
    write(opts.format === 'markdown' ? formatMarkdown(report) : formatText(report));
    return exitCodeFor(report);
  } catch (e) {
    if (e instanceof ManifestDiffError) {
      writeErr(`clearml-diff: ${e.message}\n`);
      if (/^(unknown option|give |--\w+ (needs|must))/.test(e.message)) writeErr(USAGE);
    } else {
      writeErr(`clearml-diff: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    }
    return EXIT_ERROR;
  }
}
