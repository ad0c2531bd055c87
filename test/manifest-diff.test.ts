/**
 * The manifest review command (lib/diff/manifest-diff.ts): field-level diffs and flags on real
 * synthesized manifests (pairs of ClearmlServer props), immutable-field cases the library cannot
 * produce yet on mutated copies of them, and the command line: its options through `main` in this
 * process, and the real command once (`--ref HEAD`; each process costs a few hundred milliseconds, and the
 * package spec runs the installed `clearml-diff` bin too).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ClearmlServerProps } from '../lib';
import {
  beforeApplySteps, diffFields, diffManifests, DiffReport, exitCodeFor, Flag, formatMarkdown, formatText, lineDiff, loadManifestDir,
  loadManifestsAtRef, main, ManifestDiffError, parseQuantity,
} from '../lib/diff/manifest-diff';
import { find, Manifest, synthServer } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const AGENT_IMAGE = 'clearml/clearml-agent-services:1.9.3';

let base: Manifest[];
beforeAll(() => {
  base = synthServer();
});

function clone(objects: readonly Manifest[]): Manifest[] {
  return JSON.parse(JSON.stringify(objects));
}

function diffWith(props: ClearmlServerProps): DiffReport {
  return diffManifests(base, synthServer(props));
}

/** Diff of the default manifests against a copy changed by `mutate`. */
function diffMutated(mutate: (objects: Manifest[]) => void, before: readonly Manifest[] = base): DiffReport {
  const after = clone(before);
  mutate(after);
  return diffManifests(before, after);
}

function displays(refs: ReadonlyArray<{ display: string }>): string[] {
  return refs.map((r) => r.display);
}

function flagsOf(report: DiffReport, display: string): Flag[] {
  return report.flags.filter((f) => f.object.display === display);
}

function changesOf(report: DiffReport, display: string): Array<{ path: string; op: string; before?: unknown; after?: unknown }> {
  const d = report.changed.find((c) => c.object.display === display);
  if (!d) throw new Error(`${display} did not change; changed: ${displays(report.changed.map((c) => c.object)).join(', ')}`);
  return d.changes.map((c) => ({ path: c.path, op: c.op, ...(c.before !== undefined ? { before: c.before } : {}), ...(c.after !== undefined ? { after: c.after } : {}) }));
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-diff-test-'));
}

function writeManifests(dir: string, objects: readonly Manifest[]): void {
  fs.writeFileSync(path.join(dir, 'clearml.yaml'), objects.map((o) => stringify(o)).join('---\n'));
}

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/diff.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

function runMain(argv: string[], cwd = ROOT): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, (s) => { out += s; }, (s) => { err += s; }, cwd);
  return { code, out, err };
}

describe('field-level diff', () => {
  test('named items are matched by name: inserting an env var is one addition', () => {
    const before = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
    const after = { env: [{ name: 'NEW', value: 'x' }, { name: 'A', value: '1' }, { name: 'B', value: '3' }] };
    expect(diffFields(before, after)).toEqual([
      { path: 'env[name=B].value', op: 'changed', before: '2', after: '3' },
      { path: 'env[name=NEW]', op: 'added', after: { name: 'NEW', value: 'x' } },
    ]);
  });

  test('moved items are reported as a reorder naming what moved', () => {
    const changes = diffFields({ env: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] }, { env: [{ name: 'B' }, { name: 'C' }, { name: 'A' }] });
    expect(changes).toEqual([expect.objectContaining({ path: 'env', op: 'reordered', moved: ['A (now after C)'] })]);
  });

  test('keys that are not identifiers are quoted; JSON inside strings is diffed inside', () => {
    expect(diffFields({ labels: { 'app.kubernetes.io/name': 'a' } }, { labels: { 'app.kubernetes.io/name': 'b' } }))
      .toEqual([{ path: 'labels["app.kubernetes.io/name"]', op: 'changed', before: 'a', after: 'b' }]);
    expect(diffFields({ v: '{"a":1,"b":[1]}' }, { v: '{"a":2,"b":[1]}' })).toEqual([{ path: 'v<json>.a', op: 'changed', before: 1, after: 2 }]);
  });

  test('volumeMounts fall back to mountPath when a volume is mounted twice', () => {
    const before = { volumeMounts: [{ name: 'v', mountPath: '/a', subPath: 'a' }, { name: 'v', mountPath: '/b', subPath: 'b' }] };
    const after = { volumeMounts: [{ name: 'v', mountPath: '/a', subPath: 'a2' }, { name: 'v', mountPath: '/b', subPath: 'b' }] };
    expect(diffFields(before, after)).toEqual([{ path: 'volumeMounts[mountPath=/a].subPath', op: 'changed', before: 'a', after: 'a2' }]);
  });

  test('multi-line strings get a line diff', () => {
    expect(lineDiff('a\nb\nc\nd\ne\nf', 'a\nb\nC\nd\ne\nf')).toEqual(['@@ line 2 @@', '  b', '- c', '+ C', '  d']);
  });

  test('quantities', () => {
    expect(parseQuantity('50Gi')).toBe(50 * 2 ** 30);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('100Mi')).toBeLessThan(parseQuantity('1Gi'));
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('lots')).toBeNaN();
  });
});

describe('real option changes', () => {
  test('identical manifests: no changes, exit 0', () => {
    const report = diffManifests(base, synthServer());
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.unchanged).toBe(base.length);
    expect(exitCodeFor(report)).toBe(0);
    expect(formatText(report)).toContain('Result: no changes (exit 0)');
    expect(formatMarkdown(report)).toContain('✅ **No changes.**');
  });

  test('a new apiserver NodePort is a safe in-place change, exit 1', () => {
    const report = diffWith({ apiserver: { nodePort: 31008 } });
    expect(changesOf(report, 'Service clearml/clearml-apiserver')).toEqual([
      { path: 'spec.ports[name=http].nodePort', op: 'changed', before: 30008, after: 31008 },
    ]);
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.flags).toEqual([]);
    expect(exitCodeFor(report)).toBe(1);
  });

  test('a new node storage root moves every data path: immutable volume sources and data risk, exit 2', () => {
    const report = diffWith({ nodeStorageRoot: '/srv/clearml' });
    const pvs = base.filter((o) => o.kind === 'PersistentVolume');
    expect(pvs.length).toBeGreaterThan(0);
    for (const pv of pvs) {
      const flags = flagsOf(report, `PersistentVolume ${pv.metadata.name}`);
      const oldPath: string = pv.spec.local.path;
      expect(flags).toEqual(expect.arrayContaining([
        expect.objectContaining({ category: 'immutable', path: 'spec.local' }),
        expect.objectContaining({ category: 'data-risk', path: 'spec.local.path', before: oldPath, after: oldPath.replace('/opt/clearml', '/srv/clearml') }),
      ]));
    }
    expect(report.flags).toContainEqual(expect.objectContaining({
      object: expect.objectContaining({ kind: 'DaemonSet' }),
      category: 'data-risk',
      path: 'spec.template.spec.volumes[name=node-storage].hostPath.path',
      before: '/opt/clearml',
      after: '/srv/clearml',
    }));
    expect(exitCodeFor(report)).toBe(2);
    const es = 'PersistentVolume clearml.clearml-elasticsearch-data';
    const text = formatText(report);
    expect(text).toContain(`Needs attention:\n  ! ${es}\n      [immutable] spec.local: {"path":"/opt/clearml/data/elastic_7"} -> {"path":"/srv/clearml/data/elastic_7"}`);
    expect(text).toContain('[data risk] spec.local.path: "/opt/clearml/data/elastic_7" -> "/srv/clearml/data/elastic_7"');
    expect(text).toContain('Result: changes that need attention (immutable fields or data risk) (exit 2)');
    const md = formatMarkdown(report);
    expect(md).toContain(`#### ${es}`);
    expect(md).toContain('- **data risk** `spec.local.path`: `"/opt/clearml/data/elastic_7"` → `"/srv/clearml/data/elastic_7"`: data path changes');
    expect(md).toContain(`<summary>${es} ⚠️: 1 field change</summary>`);
    expect(md).toContain('- spec.local.path: "/opt/clearml/data/elastic_7"\n+ spec.local.path: "/srv/clearml/data/elastic_7"');
  });

  test('a new installation name renames everything: removed volumes and claims are data risk, with their successors', () => {
    const after = synthServer({ name: 'other' });
    const report = diffManifests(base, after);
    const removedData = report.removed.filter((r) => r.kind === 'PersistentVolume' || r.kind === 'PersistentVolumeClaim');
    expect(removedData.length).toBe(base.filter((o) => ['PersistentVolume', 'PersistentVolumeClaim'].includes(o.kind)).length);
    for (const r of removedData) {
      expect(flagsOf(report, r.display)).toEqual([expect.objectContaining({ category: 'data-risk', reason: expect.stringMatching(/Never prune (volumes|claims) blindly/) })]);
    }
    expect(flagsOf(report, 'PersistentVolumeClaim clearml/clearml-mongo-db')[0].reason)
      .toMatch(/^PersistentVolumeClaim removed\. It looks renamed to PersistentVolumeClaim clearml\/other-mongo-db\. .*clearml\.clearml-mongo-db \(reclaim policy Retain\)/);
    expect(flagsOf(report, 'PersistentVolume clearml.clearml-mongo-db')[0].reason).toContain('It looks renamed to PersistentVolume clearml.other-mongo-db.');
    expect(displays(report.added)).toEqual(expect.arrayContaining(['PersistentVolumeClaim clearml/other-mongo-db', 'Deployment clearml/other-apiserver']));
    expect(displays(report.removed)).toContain('Deployment clearml/clearml-apiserver');
    expect(report.added.length).toBe(report.removed.length);
    expect(exitCodeFor(report)).toBe(2);
    const text = formatText(report);
    // Only kinds on the prune allow-list are offered to --prune; volumes, claims and namespaces never are.
    const pruned = text.slice(text.indexOf('Removed (the prune step'), text.indexOf('Removed (never pruned'));
    expect(pruned).toContain('Removed (the prune step of the prune-safe apply (after the server-side apply, with the allow-list) deletes these; an apply alone leaves them in the cluster):\n');
    expect(pruned).toContain('  - Deployment clearml/clearml-apiserver\n');
    expect(pruned).not.toMatch(/PersistentVolume|Namespace/);
    const kept = text.slice(text.indexOf('Removed (never pruned'), text.indexOf('\nAdded:'));
    expect(kept).toMatch(/^Removed \(never pruned: they hold data, credentials or everything in a namespace .*never blindly\):\n/);
    expect(kept).toContain('  - PersistentVolumeClaim clearml/clearml-mongo-db\n');
    expect(kept).toContain('  - PersistentVolume clearml.clearml-mongo-db\n');
    expect(kept).not.toContain('Deployment');
  });

  test('turning the Prometheus Operator objects off: removed, named as pruned only when the prune step includes the operator kinds', () => {
    const on = synthServer({ metrics: { enabled: true, prometheusOperator: true } });
    const off = synthServer({ metrics: { enabled: true } });
    const text = formatText(diffManifests(on, off));
    const operator = text.slice(text.indexOf('Removed (Prometheus Operator objects'));
    expect(operator).toMatch(/^Removed \(Prometheus Operator objects: the prune step deletes these when it includes the operator kinds \(pruneApplyCommand\(<name>, <dir>, true\)\); otherwise delete them by hand\):\n/);
    expect(operator).toContain('  - ServiceMonitor clearml/clearml-mongo-exporter\n');
    expect(operator).toContain('  - PrometheusRule clearml/clearml-alerts\n');
    expect(text).not.toContain('Removed (never pruned');
  });

  test('a new namespace removes the old one: data risk for everything in it', () => {
    const report = diffWith({ namespace: 'mlops' });
    const claims = base.filter((o) => o.kind === 'PersistentVolumeClaim').length;
    expect(flagsOf(report, 'Namespace clearml')).toEqual([expect.objectContaining({
      category: 'data-risk', reason: expect.stringContaining(`deletes everything in it, including ${claims} claim(s)`),
    })]);
    expect(exitCodeFor(report)).toBe(2);
  });

  test('agent-services turned on: its objects are added; the bootstrap Job template changes (immutable)', () => {
    const report = diffWith({ agentServices: { enabled: true, image: AGENT_IMAGE } });
    expect(report.added.length).toBeGreaterThan(0);
    expect(report.added.some((r) => r.kind === 'Deployment' && r.name.includes('agent-services'))).toBe(true);
    expect(report.removed).toEqual([]);
    for (const f of report.flags) {
      expect(f).toEqual(expect.objectContaining({ object: expect.objectContaining({ kind: 'Job' }), category: 'immutable', path: 'spec.template' }));
    }
    expect(exitCodeFor(report)).toBe(report.flags.length > 0 ? 2 : 1);
  });

  test('a node selector changes the bootstrap Job\'s template: the exact delete step is printed under "Before you apply", and it keeps the credentials', () => {
    const report = diffWith({ scheduling: { nodeSelector: { pool: 'ml' } } });
    const job = base.find((o) => o.kind === 'Job')!;
    const step = `kubectl -n ${job.metadata.namespace} delete job ${job.metadata.name}`;
    const [flag] = flagsOf(report, `Job ${job.metadata.namespace}/${job.metadata.name}`);
    expect(flag).toEqual(expect.objectContaining({ category: 'immutable', path: 'spec.template', beforeApply: [step] }));
    expect(flag.reason).toContain('keeps every existing credential and only creates missing ones');
    expect(beforeApplySteps(report)).toEqual([step]);
    expect(formatText(report)).toContain(`\nBefore you apply, run:\n  $ ${step}\n`);
    expect(formatMarkdown(report)).toContain(`### Before you apply\n\nRun these first, or the apply is rejected:\n\n\`\`\`sh\n${step}\n\`\`\``);
    // Unchanged manifests: no step, so re-applying stays a no-op.
    expect(beforeApplySteps(diffManifests(base, base))).toEqual([]);
  });

  test('NetworkPolicies turned off: deletions are listed, not flagged', () => {
    const report = diffWith({ networkPolicies: { enabled: false } });
    const policies = base.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(0);
    expect(displays(report.removed)).toEqual(policies.map((p) => `NetworkPolicy ${p.metadata.namespace}/${p.metadata.name}`));
    expect(report.added).toEqual([]);
    expect(report.flags).toEqual([]);
    expect(exitCodeFor(report)).toBe(1);
    const md = formatMarkdown(report);
    expect(md).toContain(`| NetworkPolicy | 0 | ${policies.length} | 0 | 0 |`);
    expect(md).toContain(`| **Total** | **0** | **${policies.length}** | **0** | **0** |`);
    expect(md).toContain(`### Removed (${policies.length})\n\nThe prune step of the prune-safe apply (after the server-side apply, with the allow-list) deletes these`);
    expect(md).not.toContain('Never pruned');
  });
});

describe('immutable fields and data risk the library cannot produce yet (mutated copies)', () => {
  test('Deployment and DaemonSet selectors', () => {
    const report = diffMutated((objects) => {
      find(objects, 'Deployment', 'clearml-apiserver').spec.selector.matchLabels.tier = 'api';
      const ds = objects.find((o) => o.kind === 'DaemonSet')!;
      ds.spec.selector.matchLabels.tier = 'host';
    });
    expect(flagsOf(report, 'Deployment clearml/clearml-apiserver')).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.selector' })]);
    expect(report.flags.filter((f) => f.object.kind === 'DaemonSet')).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.selector' })]);
    expect(exitCodeFor(report)).toBe(2);
  });

  test('StatefulSet serviceName and volumeClaimTemplates; a removed template is data risk', () => {
    const withSts = clone(base);
    const sts = find(withSts, 'Deployment', 'clearml-elasticsearch');
    sts.kind = 'StatefulSet';
    sts.spec.serviceName = 'clearml-elasticsearch';
    delete sts.spec.strategy;
    sts.spec.volumeClaimTemplates = [
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } },
      { metadata: { name: 'snapshots' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
    ];
    const report = diffMutated((objects) => {
      const s = find(objects, 'StatefulSet', 'clearml-elasticsearch');
      s.spec.serviceName = 'elasticsearch-headless';
      s.spec.volumeClaimTemplates = s.spec.volumeClaimTemplates.slice(0, 1);
      s.spec.replicas = 2;
    }, withSts);
    const flags = flagsOf(report, 'StatefulSet clearml/clearml-elasticsearch');
    expect(flags).toEqual([
      expect.objectContaining({ category: 'immutable', path: 'spec.serviceName', before: 'clearml-elasticsearch', after: 'elasticsearch-headless' }),
      expect.objectContaining({ category: 'immutable', path: 'spec.volumeClaimTemplates' }),
      expect.objectContaining({ category: 'data-risk', path: 'spec.volumeClaimTemplates[name=snapshots]', reason: expect.stringContaining('snapshots-clearml-elasticsearch-N') }),
    ]);
    expect(changesOf(report, 'StatefulSet clearml/clearml-elasticsearch')).toContainEqual(expect.objectContaining({ path: 'spec.volumeClaimTemplates[name=snapshots]', op: 'removed' }));
  });

  test('PVC storage class change and shrinking size; growth of a claim without a StorageClass', () => {
    const es = 'PersistentVolumeClaim clearml/clearml-elasticsearch-data';
    const mongo = 'PersistentVolumeClaim clearml/clearml-mongo-db';
    const redis = 'PersistentVolumeClaim clearml/clearml-redis-data';
    const report = diffMutated((objects) => {
      find(objects, 'PersistentVolumeClaim', 'clearml-elasticsearch-data').spec.storageClassName = 'local-path';
      find(objects, 'PersistentVolumeClaim', 'clearml-mongo-db').spec.resources.requests.storage = '10Gi';
      find(objects, 'PersistentVolumeClaim', 'clearml-redis-data').spec.resources.requests.storage = '1Ti';
    });
    expect(flagsOf(report, es)).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.storageClassName', before: '', after: 'local-path' })]);
    expect(flagsOf(report, mongo)).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.resources.requests.storage', reason: expect.stringContaining('shrinks') })]);
    expect(flagsOf(report, redis)).toEqual([expect.objectContaining({ category: 'immutable', reason: expect.stringContaining('no StorageClass') })]);
    // What to do with the data: keep (revert), move (rename, copy, delete the old claim) or discard, with the commands.
    for (const [display, name] of [[es, 'clearml-elasticsearch-data'], [mongo, 'clearml-mongo-db']]) {
      const { reason } = flagsOf(report, display)[0];
      expect(reason).toContain('The data stays in the existing claim; choose one: (a) keep it as it is: revert this change; (b) move it: give the claim a new name');
      expect(reason).toContain(`copy the data across with a pod that mounts both claims (\`cp -a /old/. /new/\`), check it, then delete the old claim (\`kubectl -n clearml delete pvc ${name}\`)`);
      expect(reason).toContain(`(c) discard it: scale the workloads that mount it to 0, \`kubectl -n clearml delete pvc ${name}\`, then apply`);
      expect(flagsOf(report, display)[0].beforeApply).toBeUndefined();
    }
  });

  test('PVC growth with a StorageClass is safe', () => {
    const withClass = clone(base);
    find(withClass, 'PersistentVolumeClaim', 'clearml-redis-data').spec.storageClassName = 'expandable';
    const report = diffMutated((objects) => {
      find(objects, 'PersistentVolumeClaim', 'clearml-redis-data').spec.resources.requests.storage = '1Ti';
    }, withClass);
    expect(report.changed.length).toBe(1);
    expect(report.flags).toEqual([]);
    expect(exitCodeFor(report)).toBe(1);
  });

  test('Job template; PV claimRef and reclaim policy; Service type and clusterIP', () => {
    const pv = 'PersistentVolume clearml.clearml-redis-data';
    const report = diffMutated((objects) => {
      const job = objects.find((o) => o.kind === 'Job')!;
      job.spec.template.spec.containers[0].image = 'clearml/server:9.9.9';
      const p = find(objects, 'PersistentVolume', 'clearml.clearml-redis-data');
      p.spec.claimRef.name = 'someone-else';
      p.spec.persistentVolumeReclaimPolicy = 'Delete';
      find(objects, 'Service', 'clearml-webserver').spec = { type: 'ExternalName', externalName: 'web.example.com' };
      find(objects, 'Service', 'clearml-redis').spec.clusterIP = 'None';
    });
    expect(report.flags.filter((f) => f.object.kind === 'Job')).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.template' })]);
    expect(flagsOf(report, pv)).toEqual([
      expect.objectContaining({ category: 'immutable', path: 'spec.claimRef' }),
      expect.objectContaining({ category: 'data-risk', path: 'spec.persistentVolumeReclaimPolicy', before: 'Retain', after: 'Delete' }),
    ]);
    expect(flagsOf(report, 'Service clearml/clearml-webserver')).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.type', before: 'NodePort', after: 'ExternalName' })]);
    expect(flagsOf(report, 'Service clearml/clearml-redis')).toEqual([expect.objectContaining({ category: 'immutable', path: 'spec.clusterIP', after: 'None' })]);
  });

  test('a pod volume that uses another claim, or none, is data risk', () => {
    const report = diffMutated((objects) => {
      const vols: Manifest[] = find(objects, 'Deployment', 'clearml-mongo').spec.template.spec.volumes;
      vols.find((v) => v.name === 'db')!.persistentVolumeClaim.claimName = 'clearml-mongo-db-new';
      const cfg = vols.find((v) => v.name === 'configdb')!;
      delete cfg.persistentVolumeClaim;
      cfg.emptyDir = {};
    });
    expect(flagsOf(report, 'Deployment clearml/clearml-mongo')).toEqual([
      expect.objectContaining({ category: 'data-risk', path: 'spec.template.spec.volumes[name=db].persistentVolumeClaim.claimName', before: 'clearml-mongo-db', after: 'clearml-mongo-db-new' }),
      expect.objectContaining({ category: 'data-risk', path: 'spec.template.spec.volumes[name=configdb].persistentVolumeClaim.claimName', before: 'clearml-mongo-configdb', after: undefined }),
    ]);
  });

  test('an env var inserted into a real container reads as one addition; a changed script as a line diff', () => {
    const report = diffMutated((objects) => {
      find(objects, 'Deployment', 'clearml-apiserver').spec.template.spec.containers[0].env.unshift({ name: 'NEW_SETTING', value: 'on' });
      const cm = objects.find((o) => o.kind === 'ConfigMap' && typeof o.data?.['bootstrap.py'] === 'string')!;
      cm.data['bootstrap.py'] = cm.data['bootstrap.py'].replace('KEY_ALPHABET = ', 'KEY_ALPHABET  = ');
    });
    const container = find(base, 'Deployment', 'clearml-apiserver').spec.template.spec.containers[0].name;
    expect(changesOf(report, 'Deployment clearml/clearml-apiserver')).toEqual([
      { path: `spec.template.spec.containers[name=${container}].env[name=NEW_SETTING]`, op: 'added', after: { name: 'NEW_SETTING', value: 'on' } },
    ]);
    expect(report.flags).toEqual([]);
    const text = formatText(report);
    expect(text).toMatch(/~ data\["bootstrap\.py"\]:\n {10}@@ line \d+ @@\n(.*\n)*? {10}- KEY_ALPHABET = .*\n {10}\+ KEY_ALPHABET {2}= /);
  });

  test('Secret values are never printed', () => {
    const secret = (value: string): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, stringData: { password: value } });
    const report = diffManifests([secret('hunter2')], [secret('correct-horse')]);
    expect(changesOf(report, 'Secret ns/s')).toEqual([{ path: 'stringData.password', op: 'changed', before: '(hidden)', after: '(hidden)' }]);
    expect(formatText(report) + formatMarkdown(report)).not.toMatch(/hunter2|correct-horse/);
  });

  test('Markdown stays under the size of a pull request comment', () => {
    const cm = (i: number, v: string): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'ns' }, data: { v: v.repeat(400) } });
    const before = Array.from({ length: 400 }, (_, i) => cm(i, 'a'));
    const after = Array.from({ length: 400 }, (_, i) => cm(i, 'b'));
    const md = formatMarkdown(diffManifests(before, after));
    expect(md.length).toBeLessThan(65_536);
    expect(md).toMatch(/… and \d+ more changed objects, left out to fit a comment/);
    expect(md).toContain('| **Total** | **0** | **0** | **400** | **0** |');
  });

  test('the same object twice on one side is an error', () => {
    expect(() => diffManifests([base[0], base[0]], base)).toThrow(ManifestDiffError);
  });
});

describe('command line', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  function manifestDir(objects: readonly Manifest[]): string {
    const d = tempDir();
    dirs.push(d);
    writeManifests(d, objects);
    return d;
  }

  test('--from A --to B: plain text, exit 1 for a safe change', () => {
    const a = manifestDir(base);
    const b = manifestDir(synthServer({ apiserver: { nodePort: 31008 } }));
    const r = runMain(['--from', a, '--to', b]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Manifest diff: ${a} -> ${b}\n0 added, 0 removed, 1 changed, ${base.length - 1} unchanged\n`);
    expect(r.out).toContain('  ~ Service clearml/clearml-apiserver\n      ~ spec.ports[name=http].nodePort: 30008 -> 31008\n');
    expect(r.out).toContain('Result: changes, all safe to apply (exit 1)');
  });

  test('--format markdown, exit 2 for data paths moved', () => {
    const a = manifestDir(base);
    const b = manifestDir(synthServer({ nodeStorageRoot: '/srv/clearml' }));
    const r = runMain(['--from', a, '--to', b, '--format', 'markdown']);
    expect(r.err).toBe('');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^## Manifest diff: /);
    expect(r.out).toContain('⚠️ **');
    expect(r.out).toContain('| Kind | Added | Removed | Changed | Needs attention |');
    expect(r.out).toContain('### ⚠️ Needs attention');
    expect(r.out).toContain('#### PersistentVolume clearml.clearml-elasticsearch-data');
    expect(r.out).toContain('<details>\n<summary>');
  });

  test('--ref HEAD against a copy of dist/: exit 0 when dist/ is as committed', () => {
    const copy = tempDir();
    dirs.push(copy);
    fs.cpSync(path.join(ROOT, 'dist'), copy, { recursive: true });
    const expected = exitCodeFor(diffManifests(loadManifestsAtRef('HEAD', 'dist', ROOT), loadManifestDir(copy)));
    const r = run(['--ref', 'HEAD', '--to', copy]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Manifest diff: dist\/ at HEAD -> /);
    expect(r.status).toBe(expected);
    const committed = spawnSync('git', ['show', 'HEAD:dist/clearml.yaml'], { cwd: ROOT, encoding: 'utf8' }).stdout;
    if (fs.existsSync(path.join(copy, 'clearml.yaml')) && committed === fs.readFileSync(path.join(copy, 'clearml.yaml'), 'utf8')
      && fs.readdirSync(copy).length === 1) {
      expect(r.status).toBe(0);
    }
  });

  test('usage and loading errors exit 3', () => {
    const a = manifestDir(base);
    for (const argv of [['--bogus'], ['--format', 'html'], ['HEAD', '--from', a], ['--from'], ['--from', path.join(a, 'missing')], ['no-such-ref-xyz', '--to', a]]) {
      const r = runMain(argv);
      expect([argv, r.code]).toEqual([argv, 3]);
      expect(r.err).toMatch(/^clearml-diff: /);
      expect(r.out).toBe('');
    }
    const bad = tempDir();
    dirs.push(bad);
    fs.writeFileSync(path.join(bad, 'x.yaml'), 'kind: [unclosed\n');
    expect(runMain(['--from', a, '--to', bad]).code).toBe(3);
    expect(runMain(['--help']).out).toContain('Exit codes: 0 no changes');
  });

  test('without --to the current tree is synthesized into a temporary directory, removed afterwards', () => {
    // A stand-in project whose `cdk8s synth` writes given manifests (or fails), to test the plumbing.
    const project = tempDir();
    dirs.push(project);
    const bin = path.join(project, 'node_modules', '.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node main.js\n');
    const source = manifestDir(synthServer({ apiserver: { nodePort: 31008 } }));
    fs.writeFileSync(path.join(bin, 'cdk8s'), [
      '#!/bin/sh',
      'if [ -f fail ]; then echo "boom: synth failed" >&2; exit 1; fi',
      'out=""; while [ $# -gt 0 ]; do if [ "$1" = "--output" ]; then out="$2"; fi; shift; done',
      `echo "$out" > last-output; cp "${source}/clearml.yaml" "$out/"; echo "a warning" >&2`,
    ].join('\n'), { mode: 0o755 });
    const before = manifestDir(base);
    const ok = runMain(['--from', before], project);
    expect(ok.code).toBe(1);
    expect(ok.out).toContain(`Manifest diff: ${before} -> current tree (synthesized)`);
    expect(ok.err).toBe('a warning\n');
    const used = fs.readFileSync(path.join(project, 'last-output'), 'utf8').trim();
    expect(used).not.toBe('');
    expect(fs.existsSync(used)).toBe(false);

    fs.writeFileSync(path.join(project, 'fail'), '');
    const failed = runMain(['--from', before], project);
    expect(failed.code).toBe(3);
    expect(failed.err).toContain('synthesis failed (cdk8s synth exited 1)');
    expect(failed.err).toContain('boom: synth failed');
    expect(failed.out).toBe('');
  });
});
