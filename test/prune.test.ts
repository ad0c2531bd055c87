import { NEVER_PRUNED, PRUNE_ALLOWLIST, pruneApplyCommand, pruneSelector } from '../lib';
import { EXAMPLES } from '../examples/apps';
import { ALL_OPTIONS } from './support/configs';
import { find, Manifest, synthServer } from './support/synth';

/** `group/version/Kind` as kubectl's --prune-allowlist spells it (core for the empty group). */
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

  test('the apply command names the selector and every allowed kind', () => {
    const command = pruneApplyCommand('clearml');
    expect(command).toContain('--prune -l app.kubernetes.io/part-of=clearml,app.kubernetes.io/instance=clearml');
    for (const kind of PRUNE_ALLOWLIST) expect(command).toContain(`--prune-allowlist=${kind}`);
  });
});
