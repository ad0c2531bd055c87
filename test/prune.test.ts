import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { addPruneLabels, applyCommand, ClearmlServer, diffCommand, FIELD_MANAGER, NEVER_PRUNED, PRUNE_ALLOWLIST, pruneApplyCommand, pruneCommand, pruneLabels, pruneSelector, resourceName } from '../lib';
import * as k8s from '../imports/k8s';
import { EXAMPLES } from '../examples/apps';
import { ALL_OPTIONS } from './support/configs';
import { find, Manifest, synthServer, testApp } from './support/synth';

/** `group/version/Kind` as the allow-list spells it (core for the empty group). */
const gvk = (o: Manifest) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`;
const matchesSelector = (o: Manifest, selector: string) =>
  selector.split(',').every((term) => { const [k, v] = term.split('='); return o.metadata.labels?.[k] === v; });

const configurations = [{}, ALL_OPTIONS, EXAMPLES.production, { agentServices: ALL_OPTIONS.agentServices }];

describe('prune-safe apply', () => {
  test.each(configurations.map((c, i) => [i, c]))('configuration %d: every object carries the installation selector, and every kind is either prunable or protected', (_i, props) => {
    const objects = synthServer(props);
    const selector = pruneSelector(props.name ?? 'clearml');
    for (const o of objects) {
      expect([o.kind, o.metadata.name, matchesSelector(o, selector)]).toEqual([o.kind, o.metadata.name, true]);
      expect([...PRUNE_ALLOWLIST, ...NEVER_PRUNED]).toContain(gvk(o));
    }
  });

  test('claims, volumes, namespaces and Secrets are never pruned', () => {
    for (const kind of ['core/v1/PersistentVolume', 'core/v1/PersistentVolumeClaim', 'core/v1/Namespace', 'core/v1/Secret']) {
      expect(PRUNE_ALLOWLIST).not.toContain(kind);
    }
  });

  test('the generated credentials Secret would match the selector: only leaving Secrets off the allow-list protects it', () => {
    const job = find(synthServer(), 'Job', 'clearml-credentials-bootstrap');
    const spec = JSON.parse(job.spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'BOOTSTRAP_SPEC').value);
    expect(matchesSelector({ kind: 'Secret', metadata: { labels: spec.secret.labels } }, pruneSelector())).toBe(true);
  });

  test('an object an option drops is of a prunable kind', () => {
    const on = synthServer();
    const off = synthServer({ networkPolicies: { enabled: false }, hostPreparation: { enabled: false } });
    const key = (o: Manifest) => `${gvk(o)} ${o.metadata.namespace}/${o.metadata.name}`;
    const dropped = on.filter((o) => !off.some((x) => key(x) === key(o)));
    expect(dropped.length).toBeGreaterThan(5);
    for (const o of dropped.filter((x) => x.kind !== 'Namespace')) expect(PRUNE_ALLOWLIST).toContain(gvk(o));
  });
});

describe('server-side apply', () => {
  test('apply and diff are server-side, under the library\'s field manager', () => {
    expect(applyCommand()).toBe(`kubectl apply --server-side --field-manager=${FIELD_MANAGER} -f dist/`);
    expect(diffCommand('out/')).toBe(`kubectl diff --server-side --field-manager=${FIELD_MANAGER} -f out/`);
  });

  test('the documented command applies server-side and never passes --prune to kubectl apply (kubectl refuses it with --server-side)', () => {
    const command = pruneApplyCommand('team-b', 'out/');
    expect(command.startsWith(`${applyCommand('out/')} && \\\n`)).toBe(true);
    expect(command).not.toMatch(/kubectl apply[^\n]*--prune/);
    expect(command).not.toContain('--applyset');
    expect(command).toContain(pruneCommand('team-b', 'out/'));
  });

  test('resource names as kubectl takes them', () => {
    expect(PRUNE_ALLOWLIST.map(resourceName)).toEqual([
      'configmaps', 'services', 'serviceaccounts', 'deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'jobs.batch',
      'poddisruptionbudgets.policy', 'ingresses.networking.k8s.io', 'networkpolicies.networking.k8s.io',
      'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io',
    ]);
  });
});

/** Runs the prune step with a fake kubectl: `cluster` answers the labelled listing, `keep` the manifests' listing. */
function runPrune(cluster: string, keep: string | undefined): { status: number | null; calls: string[]; deletes: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
  try {
    fs.writeFileSync(path.join(dir, 'cluster'), cluster);
    fs.writeFileSync(path.join(dir, 'keep'), keep ?? '');
    fs.writeFileSync(path.join(dir, 'kubectl'), [
      '#!/bin/bash',
      `echo "$*" >> ${dir}/calls`,
      'if [ "$1" = get ] && [ "$2" = -f ]; then',
      keep === undefined ? '  echo "error: the server doesn\'t have a resource" >&2; exit 1' : `  cat ${dir}/keep`,
      `elif [ "$1" = get ]; then cat ${dir}/cluster; fi`,
    ].join('\n'), { mode: 0o755 });
    const result = spawnSync('bash', ['-c', pruneCommand('clearml', 'dist/')], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
    const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : [];
    return { status: result.status, calls, deletes: calls.filter((c) => c.startsWith('delete ')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the prune step', () => {
  const keep = [
    'Namespace    <none>    clearml',
    'Deployment   clearml   clearml-apiserver',
    'Role         clearml   clearml-credentials-bootstrap',
    'Role         clearml-privileged   clearml-credentials-bootstrap',
  ].join('\n') + '\n';
  const cluster = [
    'Deployment      clearml             clearml-apiserver',
    'Role            clearml             clearml-credentials-bootstrap',
    'Role            clearml-privileged  clearml-credentials-bootstrap',
    'NetworkPolicy   clearml             clearml-mongo',
    'Deployment      clearml             clearml-mongo',
  ].join('\n') + '\n';

  test('deletes exactly the listed objects of this installation that the manifests no longer hold, in their namespaces', () => {
    const result = runPrune(cluster, keep);
    expect(result.status).toBe(0);
    expect(result.deletes.sort()).toEqual(['delete Deployment clearml-mongo -n clearml', 'delete NetworkPolicy clearml-mongo -n clearml']);
    const listing = result.calls.find((c) => c.startsWith('get configmaps'))!;
    expect(listing).toContain(`-A -l ${pruneSelector()}`);
    for (const kind of NEVER_PRUNED) expect(listing.split(' ')[1].split(',')).not.toContain(resourceName(kind));
  });

  test('deletes nothing when the manifests\' objects cannot be listed', () => {
    const result = runPrune(cluster, undefined);
    expect(result.status).not.toBe(0);
    expect(result.deletes).toEqual([]);
  });

  test('deletes nothing when the cluster matches the manifests', () => {
    expect(runPrune(keep.split('\n').slice(1).join('\n'), keep).deletes).toEqual([]);
  });
});

describe('your own objects in the same chart', () => {
  test('addPruneLabels gives them the installation\'s prune labels, so the prune step covers them', () => {
    const chart = new Chart(testApp(), 'mine');
    new ClearmlServer(chart, 'server', { name: 'ml' });
    const extra = new k8s.KubeConfigMap(chart, 'MyConfig', { metadata: { name: 'my-config', namespace: 'clearml', labels: { team: 'ml' } }, data: { a: '1' } });
    addPruneLabels(chart, 'ml');
    const labels = ApiObject.of(extra).toJson().metadata.labels;
    expect(labels).toEqual({ team: 'ml', ...pruneLabels('ml') });
    const objects = Testing.synth(chart);
    for (const o of objects) expect(matchesSelector(o, pruneSelector('ml'))).toBe(true);
  });

  test('addPruneLabels refuses to move an installation\'s objects into another one', () => {
    const chart = new Chart(testApp(), 'mine');
    new ClearmlServer(chart, 'server', { name: 'ml' });
    expect(() => addPruneLabels(chart, 'other')).toThrow(/already has app\.kubernetes\.io\/instance=ml, not other/);
  });
});

test('docs/operations.md shows exactly the command the helper prints', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operations.md'), 'utf8');
  expect(doc).toContain(`\`\`\`sh\n${pruneApplyCommand()}\n\`\`\``);
  expect(doc).toContain(applyCommand());
});
